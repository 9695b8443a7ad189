"""`hlox.lax`: JAX's lax namespace (implemented in hlox.frontend.lax, control_flow, convolution, fft, slicing,
windowed_reductions, lax_special and hlox.numerics.lax)."""
from hlox.frontend.lax import *  # noqa: F401,F403
from hlox.frontend.lax import __all__ as _lax_all
from hlox.frontend.collectives import *  # noqa: F401,F403
from hlox.frontend.collectives import __all__ as _collectives_all
from hlox.frontend.control_flow import *  # noqa: F401,F403
from hlox.frontend.control_flow import __all__ as _control_flow_all
from hlox.frontend.convolution import *  # noqa: F401,F403
from hlox.frontend.convolution import __all__ as _conv_all
from hlox.frontend.fft import *  # noqa: F401,F403
from hlox.frontend.fft import __all__ as _fft_all
from hlox.frontend.slicing import *  # noqa: F401,F403
from hlox.frontend.sharding_ir import with_sharding_constraint  # noqa: F401
from hlox.frontend.slicing import __all__ as _slicing_all
from hlox.frontend.windowed_reductions import *  # noqa: F401,F403
from hlox.frontend.windowed_reductions import __all__ as _windowed_all
from hlox.numerics.lax.convolution import *  # noqa: F401,F403
from hlox.numerics.lax.convolution import __all__ as _convolution_all
from hlox.numerics.lax.dot import *  # noqa: F401,F403
from hlox.numerics.lax.dot import __all__ as _dot_all
from hlox.numerics.lax.exponentials import *  # noqa: F401,F403
from hlox.numerics.lax.exponentials import __all__ as _exponentials_all
from hlox.numerics.lax.rng import *  # noqa: F401,F403
from hlox.numerics.lax.rng import __all__ as _rng_all
from hlox.numerics.lax.selection import *  # noqa: F401,F403
from hlox.numerics.lax.selection import __all__ as _selection_all
from hlox.numerics.lax.shapes import *  # noqa: F401,F403
from hlox.numerics.lax.shapes import __all__ as _shapes_all
from hlox.numerics.lax.solves import *  # noqa: F401,F403
from hlox.numerics.lax.solves import __all__ as _solves_all
from hlox.frontend.lax_special import *  # noqa: F401,F403
from hlox.frontend.lax_special import __all__ as _special_all
from hlox.lax import linalg  # noqa: E402,F401

__all__ = sorted(set(_lax_all) | set(_collectives_all) | set(_control_flow_all) | set(_conv_all) | set(_fft_all) | set(_slicing_all) | set(_windowed_all) | set(_special_all)
                 | set(_convolution_all) | set(_dot_all) | set(_exponentials_all) | set(_rng_all)
                 | set(_selection_all) | set(_shapes_all) | set(_solves_all) | {"with_sharding_constraint"})
from hlox.numerics import array_methods as _array_methods  # noqa: E402,F401  (attaches the operators of Arrays and tracers)
