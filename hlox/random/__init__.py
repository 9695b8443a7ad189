"""`hlox.random`: JAX's random namespace (implemented in hlox.numerics.random)."""
from hlox.numerics.random.discrete import *  # noqa: F401,F403
from hlox.numerics.random.discrete import __all__ as _discrete
from hlox.numerics.random.distributions import *  # noqa: F401,F403
from hlox.numerics.random.distributions import __all__ as _distributions
from hlox.numerics.random.gamma import *  # noqa: F401,F403
from hlox.numerics.random.gamma import __all__ as _gamma
from hlox.numerics.random.keys import *  # noqa: F401,F403
from hlox.numerics.random.keys import __all__ as _keys
from hlox.numerics.random.samplers import *  # noqa: F401,F403
from hlox.numerics.random.samplers import __all__ as _samplers

__all__ = sorted(_discrete + _distributions + _gamma + _keys + _samplers)
from hlox.numerics import array_methods as _array_methods  # noqa: E402,F401  (attaches the operators of Arrays and tracers)
