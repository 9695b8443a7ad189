"""`hlox.random`: JAX's random namespace (implemented in hlox.numerics.random.prng and
hlox.numerics.random.distributions)."""
from hlox.numerics.random.prng import *  # noqa: F401,F403
from hlox.numerics.random.prng import __all__ as _base_names
from hlox.numerics.random.distributions import *  # noqa: F401,F403
from hlox.numerics.random.distributions import __all__ as _more_names

__all__ = sorted(_base_names + _more_names)
