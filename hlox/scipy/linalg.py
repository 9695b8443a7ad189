"""`hlox.scipy.linalg`: JAX's scipy.linalg namespace (implemented in hlox.numerics.scipy.linalg;
the special matrices and expm/expm_frechet are pending, see tests/test_public_api.py)."""
from hlox.numerics.scipy.linalg import *  # noqa: F401,F403
from hlox.numerics.scipy.linalg import __all__  # noqa: F401
