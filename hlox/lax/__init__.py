"""`hlox.lax`: JAX's lax namespace (implemented in hlox.frontend.lax, slicing,
windowed_reductions, lax_special and lax_extras)."""
from hlox.frontend.lax import *  # noqa: F401,F403
from hlox.frontend.lax import __all__ as _lax_all
from hlox.frontend.slicing import *  # noqa: F401,F403
from hlox.frontend.slicing import __all__ as _slicing_all
from hlox.frontend.windowed_reductions import *  # noqa: F401,F403
from hlox.frontend.windowed_reductions import __all__ as _windowed_all
from hlox.numerics.lax_extras import *  # noqa: F401,F403
from hlox.numerics.lax_extras import __all__ as _extras_all
from hlox.frontend.lax_special import *  # noqa: F401,F403
from hlox.frontend.lax_special import __all__ as _special_all
from hlox.lax import linalg  # noqa: E402,F401

__all__ = sorted(set(_lax_all) | set(_slicing_all) | set(_windowed_all) | set(_extras_all)
                 | set(_special_all))
from hlox.numerics import array_methods as _array_methods  # noqa: E402,F401  (attaches the operators of Arrays and tracers)
