"""`hlox.scipy.linalg`: JAX's scipy.linalg namespace (implemented in hlox.numerics.scipy.linalg
and special_matrices)."""
from hlox.numerics.scipy.linalg import *  # noqa: F401,F403
from hlox.numerics.scipy.linalg import __all__ as _linalg_all
from hlox.numerics.scipy.special_matrices import *  # noqa: F401,F403
from hlox.numerics.scipy.special_matrices import __all__ as _special_matrices_all

__all__ = sorted(set(_linalg_all) | set(_special_matrices_all))
