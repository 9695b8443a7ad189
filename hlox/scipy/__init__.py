"""`hlox.scipy`: the jax.scipy-compatible namespace."""
from hlox.scipy import (cluster, fft, integrate, interpolate, linalg, ndimage, optimize,  # noqa: F401
                        signal, spatial, special, stats)

__all__ = ["cluster", "fft", "integrate", "interpolate", "linalg", "ndimage", "optimize", "signal",
           "spatial", "special", "stats"]
from hlox.numerics import array_methods as _array_methods  # noqa: E402,F401  (attaches the operators of Arrays and tracers)
