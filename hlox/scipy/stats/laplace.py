"""`hlox.scipy.stats.laplace` (implemented in hlox.numerics.scipy.stats.laplace)."""
from hlox.numerics.scipy.stats.laplace import *  # noqa: F401,F403
from hlox.numerics.scipy.stats.laplace import __all__  # noqa: F401
