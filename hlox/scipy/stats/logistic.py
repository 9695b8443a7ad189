"""`hlox.scipy.stats.logistic` (implemented in hlox.numerics.scipy.stats.logistic)."""
from hlox.numerics.scipy.stats.logistic import *  # noqa: F401,F403
from hlox.numerics.scipy.stats.logistic import __all__  # noqa: F401
