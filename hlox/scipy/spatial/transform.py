"""`hlox.scipy.spatial.transform` (implemented in hlox.numerics.scipy.spatial_transform)."""
from hlox.numerics.scipy.spatial_transform import *  # noqa: F401,F403
from hlox.numerics.scipy.spatial_transform import __all__  # noqa: F401
