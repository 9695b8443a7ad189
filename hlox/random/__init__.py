"""`hlox.random`: JAX's random namespace (implemented in hlox.frontend.random and
hlox.frontend.random_distributions)."""
from hlox.frontend.random import *  # noqa: F401,F403
from hlox.frontend.random import __all__ as _base_names
from hlox.frontend.random_distributions import *  # noqa: F401,F403
from hlox.frontend.random_distributions import __all__ as _more_names

__all__ = sorted(_base_names + _more_names)
