"""`hlox.ops`: JAX's jax.ops namespace (segment reductions), implemented in hlox.frontend."""
from hlox.numerics.segment_ops import *  # noqa: F401,F403
from hlox.numerics.segment_ops import __all__  # noqa: F401
