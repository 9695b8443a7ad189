"""`hlox.scipy.stats.nbinom` (implemented in hlox.numerics.scipy.stats.nbinom)."""
from hlox.numerics.scipy.stats.nbinom import *  # noqa: F401,F403
from hlox.numerics.scipy.stats.nbinom import __all__  # noqa: F401
