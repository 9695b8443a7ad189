"""`hlox.scipy.stats.multinomial` (implemented in hlox.numerics.scipy.stats.multinomial)."""
from hlox.numerics.scipy.stats.multinomial import *  # noqa: F401,F403
from hlox.numerics.scipy.stats.multinomial import __all__  # noqa: F401
