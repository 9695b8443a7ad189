"""`hlox.image`, as jax.image (implemented in hlox.numerics.image)."""
from hlox.numerics.image import *  # noqa: F401,F403
from hlox.numerics.image import __all__  # noqa: F401
from hlox.numerics import array_methods as _array_methods  # noqa: E402,F401  (attaches the operators of Arrays and tracers)
