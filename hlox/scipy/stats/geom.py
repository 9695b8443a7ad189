"""`hlox.scipy.stats.geom` (implemented in hlox.numerics.scipy.stats.geom)."""
from hlox.numerics.scipy.stats.geom import *  # noqa: F401,F403
from hlox.numerics.scipy.stats.geom import __all__  # noqa: F401
