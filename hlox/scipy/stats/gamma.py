"""`hlox.scipy.stats.gamma` (implemented in hlox.numerics.scipy.stats.gamma)."""
from hlox.numerics.scipy.stats.gamma import *  # noqa: F401,F403
from hlox.numerics.scipy.stats.gamma import __all__  # noqa: F401
