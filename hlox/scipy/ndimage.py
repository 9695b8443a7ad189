"""`hlox.scipy.ndimage` (implemented in hlox.numerics.scipy.ndimage)."""
from hlox.numerics.scipy.ndimage import *  # noqa: F401,F403
from hlox.numerics.scipy.ndimage import __all__  # noqa: F401
