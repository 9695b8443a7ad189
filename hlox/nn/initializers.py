"""`hlox.nn.initializers`: JAX's parameter initializers (implemented in hlox.numerics.nn.initializers)."""
from hlox.numerics.nn.initializers import *  # noqa: F401,F403
from hlox.numerics.nn.initializers import __all__  # noqa: F401
