"""`hlox.numpy.fft`: JAX's numpy.fft namespace (implemented in hlox.numerics.numpy.fft)."""
from hlox.numerics.numpy.fft import *  # noqa: F401,F403
from hlox.numerics.numpy.fft import __all__  # noqa: F401
