"""`hlox.scipy.stats.bernoulli` (implemented in hlox.numerics.scipy.stats.bernoulli)."""
from hlox.numerics.scipy.stats.bernoulli import *  # noqa: F401,F403
from hlox.numerics.scipy.stats.bernoulli import __all__  # noqa: F401
