"""`hlox.scipy.stats.gumbel_l` (implemented in hlox.numerics.scipy.stats.gumbel_l)."""
from hlox.numerics.scipy.stats.gumbel_l import *  # noqa: F401,F403
from hlox.numerics.scipy.stats.gumbel_l import __all__  # noqa: F401
