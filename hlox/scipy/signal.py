"""`hlox.scipy.signal` (implemented in hlox.numerics.scipy.signal)."""
from hlox.numerics.scipy.signal import *  # noqa: F401,F403
from hlox.numerics.scipy.signal import __all__  # noqa: F401
