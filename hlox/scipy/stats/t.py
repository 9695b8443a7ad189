"""`hlox.scipy.stats.t` (implemented in hlox.numerics.scipy.stats.t)."""
from hlox.numerics.scipy.stats.t import *  # noqa: F401,F403
from hlox.numerics.scipy.stats.t import __all__  # noqa: F401
