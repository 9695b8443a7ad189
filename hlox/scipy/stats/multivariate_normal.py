"""`hlox.scipy.stats.multivariate_normal` (implemented in hlox.numerics.scipy.stats.multivariate_normal)."""
from hlox.numerics.scipy.stats.multivariate_normal import *  # noqa: F401,F403
from hlox.numerics.scipy.stats.multivariate_normal import __all__  # noqa: F401
