"""`hlox.nn`: JAX's activation functions, attention and initializers (implemented in
hlox.numerics.nn)."""
from hlox.numerics.nn.activations import *  # noqa: F401,F403
from hlox.numerics.nn.activations import __all__ as _activations
from hlox.numerics.nn.attention import dot_product_attention  # noqa: F401
from hlox.numerics.normalizations import *  # noqa: F401,F403
from hlox.numerics.normalizations import __all__ as _normalizations
from hlox.numerics.logsumexp import logsumexp  # noqa: F401
from hlox.nn import initializers  # noqa: F401

__all__ = sorted(_activations + _normalizations
                 + ["dot_product_attention", "initializers", "logsumexp"])
from hlox.numerics import array_methods as _array_methods  # noqa: E402,F401  (attaches the operators of Arrays and tracers)
