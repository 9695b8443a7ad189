"""`hlox.scipy.stats.poisson` (implemented in hlox.numerics.scipy.stats.poisson)."""
from hlox.numerics.scipy.stats.poisson import *  # noqa: F401,F403
from hlox.numerics.scipy.stats.poisson import __all__  # noqa: F401
