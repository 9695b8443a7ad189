"""`hlox.scipy.integrate` (implemented in hlox.numerics.scipy.integrate)."""
from hlox.numerics.scipy.integrate import *  # noqa: F401,F403
from hlox.numerics.scipy.integrate import __all__  # noqa: F401
