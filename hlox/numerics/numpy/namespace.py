"""jax.numpy's whole namespace as one module (`from hlox.numerics.numpy import namespace as jnp`),
for implementations outside numerics.numpy that are written as JAX writes them (`jnp.X`):
scipy.signal, scipy.spatial, image, ... The user namespace `hlox.numpy` re-exports the same
topic modules."""
from hlox.numerics.numpy.array_constructors import *  # noqa: F401,F403
from hlox.numerics.numpy.array_manipulation import *  # noqa: F401,F403
from hlox.numerics.numpy.bit_packing import *  # noqa: F401,F403
from hlox.numerics.numpy.constants import *  # noqa: F401,F403
from hlox.numerics.numpy.convolution import *  # noqa: F401,F403
from hlox.numerics.numpy.creation import *  # noqa: F401,F403
from hlox.numerics.numpy.differences import *  # noqa: F401,F403
from hlox.numerics.numpy.dtype_routines import *  # noqa: F401,F403
from hlox.numerics.numpy.elementwise import *  # noqa: F401,F403
from hlox.numerics.numpy.host_io import *  # noqa: F401,F403
from hlox.numerics.numpy.index_tricks import *  # noqa: F401,F403
from hlox.numerics.numpy.indexing_routines import *  # noqa: F401,F403
from hlox.numerics.numpy.interpolation import *  # noqa: F401,F403
from hlox.numerics.numpy.logic import *  # noqa: F401,F403
from hlox.numerics.numpy.math_functions import *  # noqa: F401,F403
from hlox.numerics.numpy.polynomial import *  # noqa: F401,F403
from hlox.numerics.numpy.reductions import *  # noqa: F401,F403
from hlox.numerics.numpy.scalar_types import *  # noqa: F401,F403
from hlox.numerics.numpy.searching import *  # noqa: F401,F403
from hlox.numerics.numpy.setops import *  # noqa: F401,F403
from hlox.numerics.numpy.shape import *  # noqa: F401,F403
from hlox.numerics.numpy.sorting import *  # noqa: F401,F403
from hlox.numerics.numpy.statistics import *  # noqa: F401,F403
from hlox.numerics.numpy.tensor_contractions import *  # noqa: F401,F403
from hlox.numerics.numpy.vectorize import *  # noqa: F401,F403
from hlox.numerics.numpy.window_functions import *  # noqa: F401,F403
from hlox.numerics.numpy import fft, linalg  # noqa: F401
