"""`hlox.scipy.stats.norm` (implemented in hlox.numerics.scipy.stats.norm)."""
from hlox.numerics.scipy.stats.norm import *  # noqa: F401,F403
from hlox.numerics.scipy.stats.norm import __all__  # noqa: F401
