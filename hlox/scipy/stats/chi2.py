"""`hlox.scipy.stats.chi2` (implemented in hlox.numerics.scipy.stats.chi2)."""
from hlox.numerics.scipy.stats.chi2 import *  # noqa: F401,F403
from hlox.numerics.scipy.stats.chi2 import __all__  # noqa: F401
