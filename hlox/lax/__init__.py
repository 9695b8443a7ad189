"""`hlox.lax`: JAX's lax namespace (implemented in hlox.frontend.lax and lax_extras)."""
from hlox.frontend.lax import *  # noqa: F401,F403
from hlox.frontend.lax import __all__ as _base_names
from hlox.frontend.lax_extras import *  # noqa: F401,F403
from hlox.frontend.lax_extras import __all__ as _extra_names
from hlox.lax import linalg  # noqa: E402,F401

__all__ = sorted(set(_base_names) | set(_extra_names))
