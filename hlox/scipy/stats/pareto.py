"""`hlox.scipy.stats.pareto` (implemented in hlox.numerics.scipy.stats.pareto)."""
from hlox.numerics.scipy.stats.pareto import *  # noqa: F401,F403
from hlox.numerics.scipy.stats.pareto import __all__  # noqa: F401
