"""`hlox.scipy.stats.gumbel_r` (implemented in hlox.numerics.scipy.stats.gumbel_r)."""
from hlox.numerics.scipy.stats.gumbel_r import *  # noqa: F401,F403
from hlox.numerics.scipy.stats.gumbel_r import __all__  # noqa: F401
