"""`hlox.scipy.stats.cauchy` (implemented in hlox.numerics.scipy.stats.cauchy)."""
from hlox.numerics.scipy.stats.cauchy import *  # noqa: F401,F403
from hlox.numerics.scipy.stats.cauchy import __all__  # noqa: F401
