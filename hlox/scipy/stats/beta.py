"""`hlox.scipy.stats.beta` (implemented in hlox.numerics.scipy.stats.beta)."""
from hlox.numerics.scipy.stats.beta import *  # noqa: F401,F403
from hlox.numerics.scipy.stats.beta import __all__  # noqa: F401
