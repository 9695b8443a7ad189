"""`hlox.scipy.stats.expon` (implemented in hlox.numerics.scipy.stats.expon)."""
from hlox.numerics.scipy.stats.expon import *  # noqa: F401,F403
from hlox.numerics.scipy.stats.expon import __all__  # noqa: F401
