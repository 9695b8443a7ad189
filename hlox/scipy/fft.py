"""`hlox.scipy.fft` (implemented in hlox.numerics.scipy.fft)."""
from hlox.numerics.scipy.fft import *  # noqa: F401,F403
from hlox.numerics.scipy.fft import __all__  # noqa: F401
