"""`hlox.scipy.stats.betabinom` (implemented in hlox.numerics.scipy.stats.betabinom)."""
from hlox.numerics.scipy.stats.betabinom import *  # noqa: F401,F403
from hlox.numerics.scipy.stats.betabinom import __all__  # noqa: F401
