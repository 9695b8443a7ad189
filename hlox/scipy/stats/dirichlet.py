"""`hlox.scipy.stats.dirichlet` (implemented in hlox.numerics.scipy.stats.dirichlet)."""
from hlox.numerics.scipy.stats.dirichlet import *  # noqa: F401,F403
from hlox.numerics.scipy.stats.dirichlet import __all__  # noqa: F401
