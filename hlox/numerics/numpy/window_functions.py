"""Window functions: bartlett blackman hamming hanning kaiser."""
from __future__ import annotations

import numpy as np

from hlox.frontend import dtypes, lax
from hlox.frontend.jit import eager_jit
from hlox.numerics.numpy import elementwise as ufuncs
from hlox.numerics.numpy._util import concrete
from hlox.numerics.numpy.math_functions import i0

__all__ = ["bartlett", "blackman", "hamming", "hanning", "kaiser"]


# -- window functions ----------------------------------------------------------------------
def _window(name, formula):
    def fn(M):
        M = int(concrete(M, f"M argument of hlox.numpy.{name}"))
        dtype = dtypes.default_float()
        if M <= 1:
            return lax.full((max(M, 0),), 1, dtype)
        return _window_values(formula, M)
    fn.__name__ = fn.__qualname__ = name
    return fn


@eager_jit(static_argnames=("formula", "M"))
def _window_values(formula, M):
    n = lax.iota(dtypes.default_float(), M)
    return formula(n, M)


def _cos_term(n, M, k):
    return ufuncs.cos(ufuncs.divide(ufuncs.multiply(2 * k * np.pi, n), M - 1))


def _bartlett(n, M):
    return ufuncs.subtract(1, ufuncs.divide(ufuncs.abs(ufuncs.add(ufuncs.multiply(2, n), 1 - M)),
                                            M - 1))


def _blackman(n, M):
    return ufuncs.add(ufuncs.subtract(0.42, ufuncs.multiply(0.5, _cos_term(n, M, 1))),
                      ufuncs.multiply(0.08, _cos_term(n, M, 2)))


def _hamming(n, M):
    return ufuncs.subtract(0.54, ufuncs.multiply(0.46, _cos_term(n, M, 1)))


def _hanning(n, M):
    return ufuncs.multiply(0.5, ufuncs.subtract(1, _cos_term(n, M, 1)))


bartlett = _window("bartlett", _bartlett)


blackman = _window("blackman", _blackman)


hamming = _window("hamming", _hamming)


hanning = _window("hanning", _hanning)


def kaiser(M, beta):
    M = int(concrete(M, "M argument of hlox.numpy.kaiser"))
    dtype = dtypes.default_float()
    if M <= 1:
        return lax.full((max(M, 0),), 1, dtype)
    return _kaiser(beta, M=M)


@eager_jit(static_argnames=("M",))
def _kaiser(beta, M):
    n = lax.iota(dtypes.default_float(), M)
    alpha = 0.5 * (M - 1)
    ratio = ufuncs.divide(ufuncs.subtract(n, alpha), alpha)
    return ufuncs.divide(i0(ufuncs.multiply(beta, ufuncs.sqrt(ufuncs.subtract(1, ufuncs.multiply(
        ratio, ratio))))), i0(beta))
