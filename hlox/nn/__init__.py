"""`hlox.nn`: JAX's activation functions, attention and initializers (implemented in
hlox.numerics.nn)."""
from hlox.numerics.nn.activations import *  # noqa: F401,F403
from hlox.numerics.nn.activations import __all__  # noqa: F401
from hlox.nn import initializers  # noqa: F401
