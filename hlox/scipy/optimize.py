"""`hlox.scipy.optimize` (implemented in hlox.numerics.scipy.optimize)."""
from hlox.numerics.scipy.optimize.minimize import *  # noqa: F401,F403
from hlox.numerics.scipy.optimize.minimize import __all__  # noqa: F401
