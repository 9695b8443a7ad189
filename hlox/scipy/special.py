"""`hlox.scipy.special`: JAX's scipy.special namespace (implemented in hlox.numerics.scipy.special)."""
from hlox.numerics.scipy.special import *  # noqa: F401,F403
from hlox.numerics.scipy.special import __all__  # noqa: F401
