"""`hlox.lax`: JAX's lax namespace (implemented in hlox.frontend.lax)."""
from hlox.frontend.lax import *  # noqa: F401,F403
from hlox.frontend.lax import __all__  # noqa: F401
from hlox.lax import linalg  # noqa: E402,F401
