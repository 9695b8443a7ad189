"""Polynomials: polyval polyadd polysub polymul polydiv polyder polyint vander."""
from __future__ import annotations

import numpy as np

from hlox.frontend import dtypes, errors, lax
from hlox.frontend.control_flow import scan
from hlox.frontend.jit import eager_jit
from hlox.numerics.numpy import elementwise as ufuncs, shape as shapes
from hlox.numerics.numpy._util import (_index, asarray, broadcast_to, check_arraylike, concrete,
                                       promote_dtypes, promote_dtypes_inexact)
from hlox.numerics.numpy.array_manipulation import trim_zeros
from hlox.numerics.numpy.convolution import convolve

__all__ = ["polyval", "polyadd", "polysub", "polyder", "polyint", "polymul", "polydiv", "vander"]


# -- polynomials ------------------------------------------------------------------------
@eager_jit
def polyval(p, x, *, unroll=16):
    check_arraylike("polyval", p, x)
    p, x = promote_dtypes(p, x)
    out_shape = shapes.broadcast_shapes(p.shape[1:], x.shape)
    y = lax.full(out_shape, 0, x.dtype)
    return scan(lambda acc, c: (ufuncs.add(ufuncs.multiply(acc, x), c), None), y, p)[0]


def _pad_front(a, n):
    return lax.pad(a, lax.full((), 0, a.dtype), [(n - a.shape[0], 0, 0)])


@eager_jit
def polyadd(a1, a2):
    check_arraylike("polyadd", a1, a2)
    a1, a2 = promote_dtypes(a1, a2)
    n = max(a1.shape[0], a2.shape[0])
    return ufuncs.add(_pad_front(a1, n), _pad_front(a2, n))


@eager_jit
def polysub(a1, a2):
    check_arraylike("polysub", a1, a2)
    a1, a2 = promote_dtypes(a1, a2)
    return polyadd(a1, ufuncs.negative(a2))


def _falling_products(start, stop, m, dtype, floor=None):
    """prod_{j<m} (k - j) for k in [start, stop) (the factors of m derivatives of x**k);
    each factor at least `floor` when given (m integrals)."""
    k = lax.add(lax.iota(dtype, stop - start), lax.full((stop - start,), start, dtype))
    grid = lax.sub(lax.broadcast(k, (m,)), lax.broadcasted_iota(dtype, (m, stop - start), 0))
    if floor is not None:
        grid = lax.max(grid, lax.full_like(grid, floor))
    return lax.reduce_prod(grid, [0])


@eager_jit(static_argnames=("m",))
def polyder(p, m=1):
    check_arraylike("polyder", p)
    m = _index(m, "'m' argument of hlox.numpy.polyder")
    (p,) = promote_dtypes_inexact(p)
    if m < 0:
        raise errors.value_error("Order of derivative must be positive")
    if m == 0:
        return p
    coeff = _falling_products(m, p.shape[0], m, p.dtype)
    return ufuncs.multiply(p[:-m], lax.rev(coeff, (0,)))


@eager_jit(static_argnames=("m",))
def polyint(p, m=1, k=None):
    m = _index(m, "'m' argument of hlox.numpy.polyint")
    k = 0 if k is None else k
    check_arraylike("polyint", p, k)
    p, k = promote_dtypes_inexact(p, k)
    if m < 0:
        raise errors.value_error("Order of integral must be positive (see polyder)")
    k = shapes.atleast_1d(k)
    if k.shape[0] == 1:
        k = broadcast_to(k, (m,))
    if k.shape != (m,):
        raise errors.value_error("k must be a scalar or a rank-1 array of length 1 or m.")
    if m == 0:
        return p
    coeff = _falling_products(0, p.shape[0] + m, m, p.dtype, floor=1)
    return ufuncs.divide(lax.concatenate([p, k], 0), lax.rev(coeff, (0,)))


def polymul(a1, a2, *, trim_leading_zeros=False):
    check_arraylike("polymul", a1, a2)
    a1, a2 = promote_dtypes_inexact(a1, a2)
    if trim_leading_zeros and (a1.shape[0] > 1 or a2.shape[0] > 1):
        a1, a2 = trim_zeros(a1, trim="f"), trim_zeros(a2, trim="f")
    if a1.shape[0] == 0:
        a1 = lax.full((1,), 0, a2.dtype)
    if a2.shape[0] == 0:
        a2 = lax.full((1,), 0, a1.dtype)
    return convolve(a1, a2, mode="full")


def polydiv(u, v, *, trim_leading_zeros=False):
    check_arraylike("polydiv", u, v)
    u, v = promote_dtypes_inexact(u, v)
    q, r = _polydiv(u, v)
    if trim_leading_zeros:
        r = _trim_leading_below(r, float(np.sqrt(dtypes.finfo(r.dtype).eps)))
    return q, r


@eager_jit
def _polydiv(u, v):
    m, n = u.shape[0] - 1, v.shape[0] - 1
    scale = ufuncs.divide(1.0, v[0])
    q = lax.full((max(m - n + 1, 1),), 0, u.dtype)
    for k in range(m - n + 1):
        d = ufuncs.multiply(scale, u[k])
        q = q.at[k].set(d)
        u = u.at[k:k + n + 1].add(ufuncs.multiply(ufuncs.negative(d), v))
    return q, u


def _trim_leading_below(a, tol):
    host = np.abs(concrete(a, "the remainder of hlox.numpy.polydiv"))
    nonzero = np.flatnonzero(host >= tol)
    return a[nonzero[0]:] if nonzero.size else a[:0]


@eager_jit(static_argnames=("N", "increasing"))
def vander(x, N=None, increasing=False):
    check_arraylike("vander", x)
    x = asarray(x)
    if x.ndim != 1:
        raise errors.value_error("x must be a one-dimensional array")
    N = x.shape[0] if N is None else _index(N, "'N' argument of hlox.numpy.vander()")
    if N < 0:
        raise errors.value_error("N must be nonnegative")
    powers = lax.iota(x.dtype, N)
    if not increasing:
        powers = lax.sub(lax.full_like(powers, N - 1), powers)
    return ufuncs.power(x[:, None], powers[None, :])
