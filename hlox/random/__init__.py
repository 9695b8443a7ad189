"""`hlox.random`: JAX's random namespace (implemented in hlox.frontend.random)."""
from hlox.frontend.random import *  # noqa: F401,F403
from hlox.frontend.random import __all__  # noqa: F401
