"""`hlox.lax`: JAX's lax namespace (implemented in hlox.frontend.lax)."""
from hlox.frontend.lax import *  # noqa: F401,F403
from hlox.frontend.lax import __all__ as _lax_all
from hlox.frontend.lax_special import *  # noqa: F401,F403
from hlox.frontend.lax_special import __all__ as _special_all
from hlox.lax import linalg  # noqa: E402,F401

__all__ = list(_lax_all) + list(_special_all)
