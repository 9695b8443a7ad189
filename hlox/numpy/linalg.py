"""`hlox.numpy.linalg`: the jax.numpy.linalg-compatible namespace."""
from hlox.numerics.numpy.linalg import *  # noqa: F401,F403
from hlox.numerics.numpy.linalg import __all__  # noqa: F401
