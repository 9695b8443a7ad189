"""`hlox.scipy.cluster.vq` (implemented in hlox.numerics.scipy.cluster)."""
from hlox.numerics.scipy.cluster import *  # noqa: F401,F403
from hlox.numerics.scipy.cluster import __all__  # noqa: F401
