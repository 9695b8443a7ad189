"""`hlox.scipy.stats.binom` (implemented in hlox.numerics.scipy.stats.binom)."""
from hlox.numerics.scipy.stats.binom import *  # noqa: F401,F403
from hlox.numerics.scipy.stats.binom import __all__  # noqa: F401
