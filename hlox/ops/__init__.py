"""`hlox.ops`: JAX's jax.ops namespace (segment reductions), implemented in hlox.frontend."""
from hlox.numerics.segment_ops import *  # noqa: F401,F403
from hlox.numerics.segment_ops import __all__  # noqa: F401
from hlox.numerics import array_methods as _array_methods  # noqa: E402,F401  (attaches the operators of Arrays and tracers)
