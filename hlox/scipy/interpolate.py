"""`hlox.scipy.interpolate` (implemented in hlox.numerics.scipy.interpolate)."""
from hlox.numerics.scipy.interpolate import *  # noqa: F401,F403
from hlox.numerics.scipy.interpolate import __all__  # noqa: F401
