"""`hlox.scipy.stats.uniform` (implemented in hlox.numerics.scipy.stats.uniform)."""
from hlox.numerics.scipy.stats.uniform import *  # noqa: F401,F403
from hlox.numerics.scipy.stats.uniform import __all__  # noqa: F401
