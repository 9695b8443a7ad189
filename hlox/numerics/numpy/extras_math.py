"""Math extras of `hlox.numpy`: comparisons of whole arrays, differences, statistics
(cov, quantiles, histograms), searching, interpolation, convolution, polynomials,
floating-point decomposition, bit packing, set operations and window functions.

Functions whose output shape depends on the values (unique, the set operations, bincount
without `length`, trim_zeros) need concrete input, or `size=` under a trace, as in JAX.
"""
from __future__ import annotations

import builtins
import functools
import math
import operator
from typing import NamedTuple

import numpy as np

from hlox.frontend import dtypes, errors, lax, lax_special
from hlox.transforms.autodiff import jvp
from hlox.frontend.control_flow import scan, while_loop
from hlox.frontend.custom_derivatives import custom_jvp
from hlox.frontend.jit import eager_jit
from hlox.numerics.numpy import creation, indexing, linalg, reductions, sorting
from hlox.numerics.numpy import elementwise as ufuncs
from hlox.numerics.numpy import shape as shapes
from hlox.numerics.numpy._util import (asarray, broadcast_to, canonicalize_axes,
                                       canonicalize_axis, check_arraylike, promote_args,
                                       promote_args_inexact, promote_args_numeric,
                                       promote_dtypes, promote_dtypes_inexact)
from hlox.numerics.numpy.creation import concrete

__all__ = [
    "allclose", "isclose", "array_equal", "array_equiv",
    "diff", "ediff1d", "gradient", "trapezoid", "unwrap",
    "cov", "corrcoef", "quantile", "percentile", "nanquantile", "nanpercentile", "nanmedian",
    "histogram_bin_edges", "histogram", "histogram2d", "histogramdd", "bincount",
    "searchsorted", "digitize", "select", "piecewise", "interp", "convolve", "correlate",
    "gcd", "lcm", "ldexp", "frexp", "modf", "nextafter", "spacing", "i0", "bitwise_count",
    "polyval", "polyadd", "polysub", "polymul", "polyder", "polyint", "polydiv", "vander",
    "packbits", "unpackbits", "isin", "unique", "unique_values", "unique_counts",
    "unique_inverse", "unique_all", "union1d", "intersect1d", "setdiff1d", "setxor1d",
    "trim_zeros", "bartlett", "blackman", "hamming", "hanning", "kaiser",
]


# -- small shared pieces ----------------------------------------------------------------
def _slice_axis(x, start, stop, axis):
    """x[..., start:stop, ...] along `axis` with Python-style (possibly negative) bounds."""
    start, stop, _ = slice(start, stop).indices(x.shape[axis])
    return lax.slice_in_dim(x, start, max(start, stop), axis=axis)


def _ravel(x):
    return lax.reshape(x, (x.size,))


def _index(value, what):
    return operator.index(concrete(value, what))


def _iota_lt(n, bound):
    """arange(n) < bound (bound a traced count)."""
    return lax.lt(lax.iota(bound.dtype, n), lax.broadcast(bound, (n,)))


def _isnan(x):
    return ufuncs.isnan(x)


# -- whole-array comparisons ------------------------------------------------------------
@eager_jit(static_argnames=("equal_nan",))
def isclose(a, b, rtol=1e-05, atol=1e-08, equal_nan=False):
    a, b = promote_args_inexact("isclose", a, b)
    real = dtypes.real_dtype(a.dtype)
    rtol = lax.convert_element_type(asarray(rtol), real)
    atol = lax.convert_element_type(asarray(atol), real)
    in_range = ufuncs.less_equal(lax.abs(lax.sub(a, b)),
                                 ufuncs.add(atol, ufuncs.multiply(rtol, lax.abs(b))))
    out = lax.or_(lax.eq(a, b), lax.and_(ufuncs.isfinite(b), in_range))
    return lax.or_(out, lax.and_(_isnan(a), _isnan(b))) if equal_nan else out


def allclose(a, b, rtol=1e-05, atol=1e-08, equal_nan=False):
    check_arraylike("allclose", a, b)
    return reductions.all(isclose(a, b, rtol, atol, equal_nan))


def array_equal(a1, a2, equal_nan=False):
    a1, a2 = asarray(a1), asarray(a2)
    if a1.shape != a2.shape:
        return lax.asarray(False)
    eq = ufuncs.equal(a1, a2)
    if equal_nan:
        eq = lax.or_(eq, lax.and_(_isnan(a1), _isnan(a2)))
    return reductions.all(eq)


def array_equiv(a1, a2):
    a1, a2 = asarray(a1), asarray(a2)
    try:
        eq = ufuncs.equal(a1, a2)
    except ValueError:
        return lax.asarray(False)
    return reductions.all(eq)


# -- differences, integrals -----------------------------------------------------------
def _edge_value(value, arr, axis):
    value = asarray(value)
    if value.ndim:
        return value
    shape = list(arr.shape)
    shape[axis] = 1
    return broadcast_to(value, shape)


@eager_jit(static_argnames=("n", "axis"))
def diff(a, n=1, axis=-1, prepend=None, append=None):
    check_arraylike("diff", a)
    arr = asarray(a)
    n = _index(n, "'n' argument of hlox.numpy.diff")
    axis = _index(axis, "'axis' argument of hlox.numpy.diff")
    if n == 0:
        return arr
    if n < 0:
        raise errors.value_error(f"order must be non-negative but got {n}")
    if arr.ndim == 0:
        raise errors.value_error(f"diff requires input that is at least one dimensional; got {a}")
    axis = canonicalize_axis(axis, arr.ndim)
    parts = [_edge_value(prepend, arr, axis)] if prepend is not None else []
    parts.append(arr)
    if append is not None:
        parts.append(_edge_value(append, arr, axis))
    if len(parts) > 1:
        arr = shapes.concatenate(parts, axis)
    op = lax.ne if dtypes.is_bool(arr.dtype) else lax.sub
    for _ in range(n):
        arr = op(_slice_axis(arr, 1, None, axis), _slice_axis(arr, None, -1, axis))
    return arr


@eager_jit
def ediff1d(ary, to_end=None, to_begin=None):
    check_arraylike("ediff1d", ary)
    arr = _ravel(asarray(ary))
    result = lax.sub(_slice_axis(arr, 1, None, 0), _slice_axis(arr, None, -1, 0))
    if to_begin is not None:
        check_arraylike("ediff1d", to_begin)
        begin = _ravel(lax.convert_element_type(asarray(to_begin), arr.dtype))
        result = lax.concatenate([begin, result], 0)
    if to_end is not None:
        check_arraylike("ediff1d", to_end)
        end = _ravel(lax.convert_element_type(asarray(to_end), arr.dtype))
        result = lax.concatenate([result, end], 0)
    return result


def _gradient_along_axis(a, h, axis):
    sliced = functools.partial(_slice_axis, a, axis=axis)
    upper = lax.sub(sliced(1, 2), sliced(0, 1))
    lower = lax.sub(sliced(-1, None), sliced(-2, -1))
    if h.ndim == 0:
        inner = ufuncs.divide(ufuncs.multiply(ufuncs.subtract(sliced(2, None), sliced(None, -2)),
                                              0.5), h)
        upper, lower = ufuncs.divide(upper, h), ufuncs.divide(lower, h)
    elif h.ndim == 1:
        if h.shape[0] != a.shape[axis]:
            raise errors.value_error("Spacing arrays must have the same length as the "
                                     "dimension along which the gradient is calculated.")
        shape = [1] * a.ndim
        shape[axis] = h.shape[0]
        h = lax.reshape(h, shape)
        hs = functools.partial(_slice_axis, h, axis=axis)
        upper = ufuncs.divide(upper, ufuncs.subtract(hs(1, 2), hs(0, 1)))
        lower = ufuncs.divide(lower, ufuncs.subtract(hs(-1, None), hs(-2, -1)))
        dx1 = ufuncs.subtract(hs(1, -1), hs(0, -2))
        dx2 = ufuncs.subtract(hs(2, None), hs(1, -1))
        total = ufuncs.add(dx1, dx2)
        ca = ufuncs.divide(ufuncs.negative(dx2), ufuncs.multiply(dx1, total))
        cb = ufuncs.divide(ufuncs.subtract(dx2, dx1), ufuncs.multiply(dx1, dx2))
        cc = ufuncs.divide(dx1, ufuncs.multiply(dx2, total))
        inner = ufuncs.add(ufuncs.add(ufuncs.multiply(ca, sliced(0, -2)),
                                      ufuncs.multiply(cb, sliced(1, -1))),
                           ufuncs.multiply(cc, sliced(2, None)))
    else:
        raise errors.value_error("Spacing arrays must be 1D arrays or scalars.")
    return shapes.concatenate([upper, inner, lower], axis)


@eager_jit(static_argnames=("axis",))
def _gradient(f, *varargs, axis):
    a, *spacing = promote_dtypes_inexact(f, *varargs)
    axes = canonicalize_axes(axis, a.ndim)
    if not axes:
        return []
    if min(a.shape[d] for d in axes) < 2:
        raise errors.value_error("Shape of array too small to calculate a numerical gradient, "
                                 "at least 2 elements are required.")
    if not spacing:
        spacing = [lax.asarray(1.0, a.dtype)] * len(axes)
    elif len(spacing) == 1:
        spacing = spacing * len(axes)
    elif len(spacing) != len(axes):
        raise errors.type_error(f"Invalid number of spacing arguments {len(spacing)} for "
                                f"axis={axis!r}")
    grads = [_gradient_along_axis(a, h, d) for d, h in zip(axes, spacing)]
    return grads[0] if len(axes) == 1 else grads


def gradient(f, *varargs, axis=None, edge_order=None):
    if edge_order is not None:
        raise NotImplementedError("The 'edge_order' argument to hlox.numpy.gradient is not "
                                  "supported.")
    check_arraylike("gradient", f, *varargs)
    return _gradient(f, *varargs, axis=tuple(axis) if isinstance(axis, list) else axis)


@eager_jit(static_argnames=("axis",))
def trapezoid(y, x=None, dx=1.0, axis=-1):
    if x is None:
        check_arraylike("trapezoid", y)
        (y_arr,) = promote_dtypes_inexact(y)
        dx_arr = asarray(dx)
        if dx_arr.ndim:
            dx_arr = lax.expand_dims(dx_arr, tuple(range(y_arr.ndim - dx_arr.ndim)))
            dx_arr = shapes.moveaxis(dx_arr, axis, -1)
    else:
        check_arraylike("trapezoid", y, x)
        y_arr, x_arr = promote_dtypes_inexact(y, x)
        dx_arr = diff(x_arr) if x_arr.ndim == 1 else shapes.moveaxis(diff(x_arr, axis=axis),
                                                                       axis, -1)
    y_arr = shapes.moveaxis(y_arr, axis, -1)
    first, last = y_arr[..., 0], y_arr[..., -1]
    if dx_arr.ndim == 0 or dx_arr.shape[-1] == 1:
        step = dx_arr if dx_arr.ndim == 0 else dx_arr[..., 0]
        ends = ufuncs.multiply(0.5, ufuncs.add(first, last))
        return ufuncs.multiply(step, ufuncs.subtract(reductions.sum(y_arr, -1), ends))
    pairs = ufuncs.add(y_arr[..., 1:], y_arr[..., :-1])
    return ufuncs.multiply(0.5, reductions.sum(ufuncs.multiply(dx_arr, pairs), -1))


@eager_jit(static_argnames=("axis",))
def unwrap(p, discont=None, axis=-1, period=2 * np.pi):
    check_arraylike("unwrap", p)
    p, period = promote_dtypes(p, period)
    if dtypes.is_complex(p.dtype):
        raise errors.value_error("hlox.numpy.unwrap does not support complex inputs.")
    axis = canonicalize_axis(axis, p.ndim)
    if p.shape[axis] == 0:
        return p
    integer = dtypes.is_integer(p.dtype)
    interval = ufuncs.floor_divide(period, 2) if integer else ufuncs.divide(period, 2)
    if discont is None:
        discont = ufuncs.divide(period, 2)
    dd = diff(p, axis=axis)
    ddmod = ufuncs.subtract(ufuncs.remainder(ufuncs.add(dd, interval), period), interval)
    ddmod = ufuncs.where(lax.and_(ufuncs.equal(ddmod, ufuncs.negative(interval)),
                                  ufuncs.greater(dd, 0)), interval, ddmod)
    correct = ufuncs.where(ufuncs.less(ufuncs.abs(dd), discont), 0, ufuncs.subtract(ddmod, dd))
    rest = ufuncs.add(_slice_axis(p, 1, None, axis), reductions.cumsum(correct, axis=axis))
    return shapes.concatenate([_slice_axis(p, 0, 1, axis), rest], axis)


# -- covariance ------------------------------------------------------------------------
def _sample_weights(name, weights, n, integer):
    check_arraylike("cov", weights)
    w = asarray(weights)
    if w.ndim > 1:
        raise RuntimeError(f"cannot handle multidimensional {name}")
    if w.shape[0] != n:
        raise RuntimeError(f"incompatible numbers of samples and {name}")
    if integer and not dtypes.is_integer(w.dtype):
        raise errors.type_error("fweights must be integer.")
    return ufuncs.abs(w)


def _check_inexact_dtype(name, dtype):
    if dtype is not None and not dtypes.is_inexact(dtypes.to_dtype(dtype)):
        raise errors.value_error(f"{name}: dtype must be a subclass of float or complex; got "
                                 f"dtype={dtype}")


@eager_jit(static_argnames=("rowvar", "bias", "ddof", "dtype"))
def cov(m, y=None, rowvar=True, bias=False, ddof=None, fweights=None, aweights=None,
        dtype=None):
    if y is not None:
        check_arraylike("cov", m, y)
        m, y = promote_dtypes_inexact(m, y)
        if y.ndim > 2:
            raise errors.value_error("y has more than 2 dimensions")
    else:
        (m,) = promote_args_inexact("cov", m)
    if m.ndim > 2:
        raise errors.value_error("m has more than 2 dimensions")
    _check_inexact_dtype("cov", dtype)
    X = shapes.atleast_2d(m)
    if not rowvar and m.ndim != 1:
        X = lax.transpose(X, (1, 0))
    if X.shape[0] == 0:
        return lax.full((0, 0), 0, dtypes.default_float())
    if y is not None:
        y2 = shapes.atleast_2d(y)
        if not rowvar and y2.shape[0] != 1:
            y2 = lax.transpose(y2, (1, 0))
        X = shapes.concatenate([X, y2], 0)
    if X.shape[1] == 0:
        return lax.full(() if X.shape[0] == 1 else (X.shape[0],) * 2, np.nan, X.dtype)
    if ddof is None:
        ddof = 1 if not bias else 0
    w = None
    if fweights is not None:
        w = _sample_weights("fweights", fweights, X.shape[1], True)
    if aweights is not None:
        aweights = _sample_weights("aweights", aweights, X.shape[1], False)
        w = aweights if w is None else ufuncs.multiply(w, aweights)
    if dtype is not None:
        X = lax.convert_element_type(X, dtypes.canonicalize(dtypes.to_dtype(dtype)))
        w = None if w is None else lax.convert_element_type(w, X.dtype)
    avg, w_sum = reductions.average(X, axis=1, weights=w, returned=True)
    w_sum = w_sum[0]
    if w is None:
        f = X.shape[1] - ddof
    elif ddof == 0:
        f = w_sum
    elif aweights is None:
        f = ufuncs.subtract(w_sum, ddof)
    else:
        f = ufuncs.subtract(w_sum, ufuncs.divide(
            ufuncs.multiply(ddof, reductions.sum(ufuncs.multiply(w, aweights))), w_sum))
    X = ufuncs.subtract(X, avg[:, None])
    X_T = lax.transpose(X if w is None else ufuncs.multiply(X, w), (1, 0))
    return shapes.squeeze(ufuncs.divide(linalg.dot(X, ufuncs.conjugate(X_T)), f))


@eager_jit(static_argnames=("rowvar", "dtype"))
def corrcoef(x, y=None, rowvar=True, dtype=None):
    check_arraylike("corrcoef", x)
    _check_inexact_dtype("corrcoef", dtype)
    c = cov(x, y, rowvar, dtype=dtype)
    if c.ndim == 0:
        return ufuncs.divide(c, c)
    stddev = lax.convert_element_type(ufuncs.sqrt(ufuncs.real(linalg.diagonal(c))), c.dtype)
    c = ufuncs.divide(ufuncs.divide(c, stddev[:, None]), stddev[None, :])
    real = ufuncs.clip(ufuncs.real(c), -1, 1)
    if dtypes.is_complex(c.dtype):
        return lax.complex(real, ufuncs.clip(ufuncs.imag(c), -1, 1))
    return real


# -- quantiles -------------------------------------------------------------------------
_QUANTILE_METHODS = ("linear", "lower", "higher", "midpoint", "nearest")


def _rows_over_axes(a, axes):
    """`a` with the kept axes first and the reduced ones flattened into a last axis."""
    kept = [d for d in range(a.ndim) if d not in axes]
    return lax.reshape(a, [a.shape[d] for d in kept] + [math.prod(a.shape[d] for d in axes)],
                       dimensions=kept + list(axes))


def _quantile_values(name, low_value, high_value, low_weight, high_weight, q_dtype):
    if name == "linear":
        lo = lax.mul(lax.convert_element_type(low_value, q_dtype), low_weight)
        return lax.add(lo, lax.mul(lax.convert_element_type(high_value, q_dtype), high_weight))
    if name == "lower":
        return low_value
    if name == "higher":
        return high_value
    if name == "nearest":
        return lax.select(lax.le(high_weight, lax.full_like(high_weight, 0.5)), low_value,
                          high_value)
    return lax.mul(lax.add(low_value, high_value), lax.full_like(low_value, 0.5))


@eager_jit(static_argnames=("axis", "method", "keepdims", "squash_nans"))
def _quantile(a, q, axis, method, keepdims, squash_nans):
    if method not in _QUANTILE_METHODS:
        raise errors.value_error("method can only be 'linear', 'lower', 'higher', 'midpoint', "
                                 "or 'nearest'")
    (a,) = promote_dtypes_inexact(a)
    (q,) = promote_dtypes_inexact(q)
    if dtypes.is_complex(a.dtype):
        raise errors.value_error("quantile does not support complex input, as the operation "
                                 "is poorly defined.")
    if q.ndim > 1:
        raise errors.value_error(f"q must be have rank <= 1, got shape {q.shape}")
    axes = canonicalize_axes(axis, a.ndim)
    rows = _rows_over_axes(a, axes)
    batch = rows.shape[:-1]
    nan_rows = reductions.any(_isnan(rows), axis=-1, keepdims=True)
    if squash_nans:
        counts = reductions.sum(lax.not_(_isnan(rows)), -1, keepdims=True, dtype=q.dtype)
    else:
        rows = lax.select(broadcast_to(nan_rows, rows.shape), lax.full_like(rows, np.nan), rows)
        counts = lax.full(batch + (1,), rows.shape[-1], q.dtype)
    rows = lax.sort(rows, dimension=rows.ndim - 1)
    qn = q.size
    top = lax.sub(counts, lax.full_like(counts, 1))
    position = ufuncs.multiply(broadcast_to(lax.reshape(q, (qn,)), batch + (qn,)), top)
    low, high = lax.floor(position), lax.ceil(position)
    high_weight = lax.sub(position, low)
    low_weight = lax.sub(lax.full_like(high_weight, 1), high_weight)

    def gather(index):
        index = lax.max(lax.full_like(index, 0), ufuncs.minimum(index, top))
        index = lax.convert_element_type(index, dtypes.int32)
        return indexing.take_along_axis(rows, index, axis=-1, mode="clip")

    out = _quantile_values(method, gather(low), gather(high), low_weight, high_weight, q.dtype)
    out = shapes.moveaxis(out, -1, 0)
    kept = tuple(1 if d in axes else n for d, n in enumerate(a.shape)) if keepdims else batch
    out = lax.reshape(out, q.shape + kept)
    return lax.convert_element_type(out, a.dtype)


def _quantile_axis(axis):
    return tuple(axis) if isinstance(axis, list) else axis


def _quantile_api(name, squash_nans, scale):
    def fn(a, q, axis=None, out=None, overwrite_input=False, method="linear", keepdims=False,
           *, weights=None):
        check_arraylike(name, a, q)
        if overwrite_input or out is not None:
            raise errors.value_error(f"hlox.numpy.{name} does not support overwrite_input=True "
                                     "or out != None")
        if weights is not None:
            raise NotImplementedError(f"The 'weights' argument to hlox.numpy.{name} is not "
                                      "supported.")
        if scale != 1:
            (q,) = promote_dtypes_inexact(q)
            q = ufuncs.divide(q, scale)
        return _quantile(a, q, axis=_quantile_axis(axis), method=method,
                         keepdims=bool(keepdims), squash_nans=squash_nans)
    fn.__name__ = fn.__qualname__ = name
    return fn


quantile = _quantile_api("quantile", False, 1)
nanquantile = _quantile_api("nanquantile", True, 1)
percentile = _quantile_api("percentile", False, 100)
nanpercentile = _quantile_api("nanpercentile", True, 100)


def nanmedian(a, axis=None, out=None, overwrite_input=False, keepdims=False):
    return nanquantile(a, 0.5, axis=axis, out=out, overwrite_input=overwrite_input,
                       keepdims=keepdims, method="midpoint")


# -- searching ------------------------------------------------------------------------
def _total_le(a, b):
    return lax.not_(lax._total_order_lt(b, a))


def _search_scan(sorted_arr, query, side):
    """Binary search, one step per level, as JAX's 'scan' method."""
    n = sorted_arr.shape[0]
    go_left_fn = _total_le if side == "left" else lax._total_order_lt
    low = lax.full(query.shape, 0, dtypes.int32)
    high = lax.full(query.shape, n, dtypes.int32)
    for _ in range(int(np.ceil(np.log2(n + 1)))):
        mid = lax.add(low, lax.div(lax.sub(high, low), lax.full_like(low, 2)))
        go_left = go_left_fn(query, indexing.take(sorted_arr, mid, mode="clip"))
        low, high = lax.select(go_left, low, mid), lax.select(go_left, mid, high)
    return high


def _search_compare_all(sorted_arr, query, side):
    op = lax._total_order_lt if side == "left" else _total_le
    values = lax.broadcast_in_dim(sorted_arr, sorted_arr.shape + query.shape, (0,))
    queries = lax.broadcast(query, sorted_arr.shape)
    hits = lax.convert_element_type(op(values, queries), dtypes.int32)
    return lax.reduce_sum(hits, [0])


def _rank(x):
    """The position of each element of x in its stable sorted order."""
    iota = lax.iota(dtypes.int32, x.shape[0])
    order = lax.sort((x, iota), dimension=0, is_stable=True, num_keys=1)[1]
    return indexing.scatter_update(lax.full_like(iota, 0), order, iota, "set")


def _search_sort(sorted_arr, query, side):
    """Co-sorting: a query's rank among the sorted values and the queries, less its rank
    among the queries alone."""
    flat = _ravel(query)
    if side == "left":
        index = _rank(lax.concatenate([flat, sorted_arr], 0))[:flat.size]
    else:
        index = _rank(lax.concatenate([sorted_arr, flat], 0))[sorted_arr.size:]
    return lax.reshape(lax.sub(index, _rank(flat)), query.shape)


_SEARCH_METHODS = {"scan": _search_scan, "scan_unrolled": _search_scan,
                   "compare_all": _search_compare_all, "sort": _search_sort}


@eager_jit(static_argnames=("side", "method"))
def searchsorted(a, v, side="left", sorter=None, *, method="scan"):
    check_arraylike("searchsorted", a, v, *(() if sorter is None else (sorter,)))
    a, v = asarray(a), asarray(v)
    if a.ndim != 1:
        raise errors.value_error("a should be 1-dimensional")
    if side not in ("left", "right"):
        raise errors.value_error(f"{side!r} is an invalid value for keyword 'side'. Expected "
                                 "one of ['left', 'right'].")
    if method not in _SEARCH_METHODS:
        raise errors.value_error(f"Unsupported method: {method}")
    a, v = promote_dtypes(a, v)
    if sorter is not None:
        a = indexing.take(a, asarray(sorter), mode="clip")
    if a.shape[0] == 0:
        return lax.full(v.shape, 0, dtypes.int32)
    return _SEARCH_METHODS[method](a, v, side)


@eager_jit(static_argnames=("right", "method"))
def digitize(x, bins, right=False, *, method=None):
    check_arraylike("digitize", x, bins)
    x, bins = asarray(x), asarray(bins)
    if bins.ndim != 1:
        raise errors.value_error(f"digitize: bins must be a 1-dimensional array; got bins={bins}")
    if bins.shape[0] == 0:
        return lax.full(x.shape, 0, dtypes.int32)
    side = "left" if right else "right"
    kwargs = {} if method is None else {"method": method}
    increasing = searchsorted(bins, x, side=side, **kwargs)
    decreasing = lax.sub(lax.full_like(increasing, bins.shape[0]),
                         searchsorted(lax.rev(bins, (0,)), x, side=side, **kwargs))
    return lax.select(broadcast_to(ufuncs.greater_equal(bins[-1], bins[0]), x.shape),
                      increasing, decreasing)


def select(condlist, choicelist, default=0):
    if len(condlist) != len(choicelist):
        raise errors.value_error(f"condlist must have length equal to choicelist "
                                 f"({len(condlist)} vs {len(choicelist)})")
    if not condlist:
        raise errors.value_error("condlist must be non-empty")
    check_arraylike("select", *condlist, *choicelist, default)
    choices = promote_dtypes(default, *choicelist)
    conditions = shapes.stack(shapes.broadcast_arrays(False, *condlist))
    which = reductions.argmax(lax.convert_element_type(conditions, dtypes.bool_), axis=0)
    return lax.select_n(*shapes.broadcast_arrays(which, *choices))


def piecewise(x, condlist, funclist, *args, **kw):
    check_arraylike("piecewise", x)
    x = asarray(x)
    nc, nf = len(condlist), len(funclist)
    if nf == nc + 1:
        funclist = list(funclist[-1:]) + list(funclist[:-1])
    elif nf == nc:
        funclist = [0] + list(funclist)
    else:
        raise errors.value_error(f"with {nc} condition(s), either {nc} or {nc + 1} functions "
                                 f"are expected; got {nf}")
    conds = creation.array(condlist, dtype=dtypes.bool_)
    counts = reductions.cumsum(shapes.concatenate([lax.full_like(conds[:1], False), conds], 0),
                               axis=0)
    which = reductions.argmax(counts, axis=0)  # the last true condition wins, as in numpy
    values = [lax.convert_element_type(asarray(f(x, *args, **kw) if callable(f) else f),
                                       x.dtype) for f in funclist]
    return lax.select_n(*shapes.broadcast_arrays(which, *values))


# -- interpolation, convolution ---------------------------------------------------------------
def _interp_side(value, name):
    if isinstance(value, str):
        if value != "extrapolate":
            raise errors.value_error(f"the only valid string value of `{name}` is "
                                     f"'extrapolate', but got: {value!r}")
        return True
    return False


def _interp(x, xp, fp, left, right, period):
    check_arraylike("interp", x, xp, fp)
    if np.shape(xp) != np.shape(fp) or np.ndim(xp) != 1:
        raise errors.value_error("xp and fp must be one-dimensional arrays of equal size")
    x, xp = promote_dtypes_inexact(x, xp)
    (fp,) = promote_dtypes_inexact(fp)
    extrapolate_left, extrapolate_right = _interp_side(left, "left"), _interp_side(right, "right")
    if dtypes.is_complex(x.dtype):
        raise errors.value_error("hlox.numpy.interp: complex x values not supported.")
    if period is not None:
        if np.ndim(period) != 0:
            raise errors.value_error(f"period must be a scalar; got {period}")
        period = ufuncs.abs(period)
        x, xp = ufuncs.remainder(x, period), ufuncs.remainder(xp, period)
        xp, fp = lax.sort_key_val(xp, fp)
        xp = shapes.concatenate([ufuncs.subtract(xp[-1:], period), xp,
                                 ufuncs.add(xp[:1], period)])
        fp = shapes.concatenate([fp[-1:], fp, fp[:1]])
    i = ufuncs.clip(searchsorted(xp, x, side="right"), 1, xp.shape[0] - 1)
    im1 = lax.sub(i, lax.full_like(i, 1))
    f_lo, x_lo = indexing.take(fp, im1), indexing.take(xp, im1)
    df = ufuncs.subtract(indexing.take(fp, i), f_lo)
    dx = ufuncs.subtract(indexing.take(xp, i), x_lo)
    delta = ufuncs.subtract(x, x_lo)
    flat = lax.le(lax.abs(dx), lax.full_like(lax.abs(dx), np.spacing(np.finfo(xp.dtype).eps)))
    step = ufuncs.multiply(ufuncs.divide(delta, ufuncs.where(flat, 1, dx)), df)
    f = ufuncs.where(flat, f_lo, ufuncs.add(f_lo, step))
    if not extrapolate_left and period is None:
        f = ufuncs.where(ufuncs.less(x, xp[0]), fp[0] if left is None else left, f)
    if not extrapolate_right and period is None:
        f = ufuncs.where(ufuncs.greater(x, xp[-1]), fp[-1] if right is None else right, f)
    return f


@functools.lru_cache(maxsize=None)
def _interp_with_static(static_argnames):
    return eager_jit(_interp, static_argnames=static_argnames)


def interp(x, xp, fp, left=None, right=None, period=None):
    static = tuple(name for name, value in (("left", left), ("right", right))
                   if value is None or isinstance(value, str))
    static += ("period",) if period is None else ()
    return _interp_with_static(static)(x, xp, fp, left=left, right=right, period=period)


_CONV_PADDING = {"valid": lambda n: (0, 0), "same": lambda n: (n // 2, n - n // 2 - 1),
                 "full": lambda n: (n - 1, n - 1)}


def _conv(x, y, mode, op, precision, preferred_element_type):
    check_arraylike(op, x, y)
    x, y = asarray(x), asarray(y)
    if x.ndim != 1 or y.ndim != 1:
        raise errors.value_error(f"{op}() only support 1-dimensional inputs.")
    x, y = (promote_dtypes_inexact if preferred_element_type is None else promote_dtypes)(x, y)
    if x.shape[0] == 0 or y.shape[0] == 0:
        raise errors.value_error(f"{op}: inputs cannot be empty, got shapes {x.shape} and "
                                 f"{y.shape}.")
    if mode not in _CONV_PADDING:
        raise errors.value_error("mode must be one of ['full', 'same', 'valid']")
    reverse = False
    if op == "correlate":
        y = lax.conj(y) if dtypes.is_complex(y.dtype) else y
        if x.shape[0] < y.shape[0]:
            x, y, reverse = y, x, True
    else:
        if x.shape[0] < y.shape[0]:
            x, y = y, x
        y = lax.rev(y, (0,))
    out = lax.conv_general_dilated(
        lax.reshape(x, (1, 1, x.shape[0])), lax.reshape(y, (1, 1, y.shape[0])), (1,),
        [_CONV_PADDING[mode](y.shape[0])], precision=precision,
        preferred_element_type=preferred_element_type)
    out = lax.reshape(out, out.shape[2:])
    return lax.rev(out, (0,)) if reverse else out


@eager_jit(static_argnames=("mode", "precision", "preferred_element_type"))
def convolve(a, v, mode="full", *, precision=None, preferred_element_type=None):
    return _conv(a, v, mode, "convolve", precision, preferred_element_type)


@eager_jit(static_argnames=("mode", "precision", "preferred_element_type"))
def correlate(a, v, mode="valid", *, precision=None, preferred_element_type=None):
    return _conv(a, v, mode, "correlate", precision, preferred_element_type)


# -- histograms -------------------------------------------------------------------------
def histogram_bin_edges(a, bins=10, range=None, weights=None):  # noqa: A002
    if isinstance(bins, str):
        raise NotImplementedError("string values for `bins` not implemented.")
    check_arraylike("histogram_bin_edges", a, bins)
    arr = asarray(a)
    dtype = dtypes.to_inexact(arr.dtype, False)[0]
    if np.ndim(bins) == 1:
        return lax.convert_element_type(asarray(bins), dtype)
    bins = _index(bins, "bins argument of histogram_bin_edges")
    bounds = None if range is None else creation.array(range)
    if bounds is not None and bounds.shape != (2,):
        raise errors.value_error(f"`range` must be either None or a sequence of scalars, got "
                                 f"{range}")
    return _linear_edges(arr, bounds, bins=bins, dtype=dtype)


@eager_jit(static_argnames=("bins", "dtype"))
def _linear_edges(arr, bounds, bins, dtype):
    if bounds is None:
        bounds = creation.array([reductions.min(arr), reductions.max(arr)])
    bounds = lax.convert_element_type(bounds, dtype)
    lo, hi = bounds[0], bounds[1]
    same = ufuncs.equal(lo, hi)
    lo = ufuncs.where(same, ufuncs.subtract(lo, 0.5), lo)
    hi = ufuncs.where(same, ufuncs.add(hi, 0.5), hi)
    return creation.linspace(lo, hi, bins + 1, dtype=dtype)


def _histogram_operands(name, a, weights):
    if weights is None:
        (a,) = promote_dtypes_inexact(a)
        return a, lax.full_like(a, 1)
    check_arraylike(name, weights)
    return tuple(promote_dtypes_inexact(a, weights))


def histogram(a, bins=10, range=None, weights=None, density=None):  # noqa: A002
    check_arraylike("histogram", a, bins)
    a, weights = _histogram_operands("histogram", a, weights)
    if a.shape != weights.shape:
        raise errors.value_error("weights should have the same shape as a.")
    edges = histogram_bin_edges(a, bins, range, weights)
    return _histogram_counts(a, edges, weights, density=bool(density)), edges


@eager_jit(static_argnames=("density",))
def _histogram_counts(a, edges, weights, density):
    n = edges.shape[0]
    index = searchsorted(edges, a, side="right")
    index = ufuncs.where(ufuncs.equal(a, edges[-1]), n - 1, index)
    counts = lax.full((n,), 0, weights.dtype).at[index].add(weights)[1:]
    if density:
        counts = ufuncs.divide(ufuncs.divide(counts, diff(edges)), reductions.sum(counts))
    return counts


def histogramdd(sample, bins=10, range=None, weights=None, density=None):  # noqa: A002
    check_arraylike("histogramdd", sample)
    sample, w = _histogram_operands("histogramdd", sample, weights)
    if weights is not None and w.shape != sample.shape[:1]:
        raise errors.value_error("should have one weight for each sample.")
    n_samples, dims = sample.shape
    if range is not None and (len(range) != dims or any(r is not None and np.shape(r)[0] != 2
                                                        for r in range)):
        raise errors.value_error(f"For sample.shape={(n_samples, dims)}, range must be a "
                                 f"sequence of {dims} pairs or Nones; got range={range}")
    try:
        per_dim = list(bins)
    except TypeError:
        per_dim = [bins] * dims
    if len(per_dim) != dims:
        raise errors.value_error("should be a bin for each dimension.")
    flat = lax.full((n_samples,), 0, dtypes.default_int())
    all_edges, nbins = [], []
    for i in builtins.range(dims):
        column = sample[:, i]
        edges = histogram_bin_edges(column, per_dim[i], None if range is None else range[i])
        index = searchsorted(edges, column, side="right")
        index = ufuncs.where(ufuncs.equal(column, edges[-1]), ufuncs.subtract(index, 1), index)
        size = edges.shape[0] + 1
        index = lax.convert_element_type(ufuncs.clip(index, 0, size - 1), flat.dtype)
        flat = ufuncs.add(ufuncs.multiply(flat, size), index)
        all_edges.append(edges)
        nbins.append(size)
    hist = bincount(flat, None if weights is None else w, length=math.prod(nbins))
    hist = lax.reshape(hist, nbins)[(slice(1, -1),) * dims]
    if density:
        hist = lax.convert_element_type(hist, sample.dtype)
        hist = ufuncs.divide(hist, reductions.sum(hist))
        for i, edges in enumerate(all_edges):
            shape = [1] * dims
            shape[i] = edges.shape[0] - 1
            hist = ufuncs.divide(hist, lax.reshape(diff(edges), shape))
    return hist, all_edges


def histogram2d(x, y, bins=10, range=None, weights=None, density=None):  # noqa: A002
    check_arraylike("histogram2d", x, y)
    try:
        n = len(bins)
    except TypeError:
        n = 1
    if n not in (1, 2):
        bins = [asarray(bins), asarray(bins)]
    sample = lax.transpose(creation.array([x, y]), (1, 0))
    hist, edges = histogramdd(sample, bins, range, weights, density)
    return hist, edges[0], edges[1]


def bincount(x, weights=None, minlength=0, *, length=None):
    check_arraylike("bincount", x)
    x = asarray(x)
    if dtypes.is_bool(x.dtype):
        x = lax.convert_element_type(x, dtypes.int32)
    if not dtypes.is_integer(x.dtype):
        raise errors.type_error(f"x argument to bincount must have an integer type; got "
                                f"{x.dtype}")
    if x.ndim != 1:
        raise errors.value_error("only 1-dimensional input supported.")
    minlength = _index(minlength, "argument 'minlength' of hlox.numpy.bincount")
    if length is None:
        host = concrete(x, "argument 'x' of hlox.numpy.bincount. To avoid this error, pass a "
                           "static `length` argument.")
        length = max(minlength, host.size and int(max(0, np.max(host))) + 1)
    else:
        length = _index(length, "argument 'length' of hlox.numpy.bincount")
    if weights is None:
        weights = lax.full(x.shape, 1, dtypes.default_int())
    else:
        check_arraylike("bincount", weights)
        weights = asarray(weights)
        if weights.shape != x.shape:
            raise errors.value_error(f"shape of weights must match shape of x. Got "
                                     f"{weights.shape} and {x.shape}")
    return _bincount(x, weights, length=length)


@eager_jit(static_argnames=("length",))
def _bincount(x, weights, length):
    zeros = lax.full((length,), 0, weights.dtype)
    return zeros.at[ufuncs.maximum(x, 0)].add(weights, mode="drop")


# -- integer and floating-point decomposition --------------------------------------------------
def _gcd_step(state):
    x1, x2 = state
    nonzero = lax.ne(x2, lax.full_like(x2, 0))
    safe = lax.select(nonzero, x2, lax.full_like(x2, 1))
    x1, x2 = lax.select(nonzero, x2, x1), lax.select(nonzero, lax.rem(x1, safe),
                                                     lax.full_like(x2, 0))
    swap = lax.lt(x1, x2)
    return lax.select(swap, x2, x1), lax.select(swap, x1, x2)


def _gcd_continue(state):
    return reductions.any(lax.ne(state[1], lax.full_like(state[1], 0)))


def _integer_operands(name, x1, x2):
    x1, x2 = promote_args(name, x1, x2)
    if not dtypes.is_integer(x1.dtype):
        raise errors.value_error(f"Arguments to hlox.numpy.{name} must be integers.")
    return ufuncs.abs(x1), ufuncs.abs(x2)


@eager_jit
def gcd(x1, x2):
    return while_loop(_gcd_continue, _gcd_step, _integer_operands("gcd", x1, x2))[0]


@eager_jit
def lcm(x1, x2):
    x1, x2 = _integer_operands("lcm", x1, x2)
    d = gcd(x1, x2)
    zero = lax.eq(d, lax.full_like(d, 0))
    product = ufuncs.multiply(x1, ufuncs.floor_divide(x2, lax.select(zero, lax.full_like(d, 1), d)))
    return lax.select(zero, lax.full_like(d, 0), product)


_SAME_WIDTH_INT = {2: np.dtype(np.int16), 4: np.dtype(np.int32), 8: np.dtype(np.int64)}


def _real_float_operand(name, x):
    (x,) = promote_args_inexact(name, x)
    if dtypes.is_complex(x.dtype):
        raise errors.type_error(f"{name} does not support complex-valued inputs")
    return x


def _frexp(x):
    info = dtypes.finfo(x.dtype)
    int_type = _SAME_WIDTH_INT[x.dtype.itemsize]
    mask = (1 << info.nexp) - 1
    bias = 1 - info.minexp
    subnormal = lax.lt(lax.abs(x), lax.full_like(x, info.tiny))
    scaled = lax.select(subnormal, lax.mul(x, lax.full_like(x, 1 << info.nmant)), x)
    exponent = lax.select(subnormal, lax.full(x.shape, -info.nmant, int_type),
                          lax.full(x.shape, 0, int_type))
    bits = lax.bitcast_convert_type(scaled, int_type)

    def const(v):
        return lax.full(x.shape, v, int_type)
    biased = lax.and_(lax.shift_right_arithmetic(bits, const(info.nmant)), const(mask))
    exponent = lax.add(exponent, lax.add(lax.sub(biased, const(bias)), const(1)))
    bits = lax.or_(lax.and_(bits, const(~(mask << info.nmant))), const((bias - 1) << info.nmant))
    mantissa = lax.bitcast_convert_type(bits, x.dtype)
    special = lax.or_(lax.or_(ufuncs.isinf(x), _isnan(x)), lax.eq(x, lax.full_like(x, 0)))
    exponent = lax.select(special, lax.full_like(exponent, 0), exponent)
    return lax.select(special, x, mantissa), lax.convert_element_type(exponent, dtypes.int32)


@eager_jit
def frexp(x, /):
    check_arraylike("frexp", x)
    return _frexp(_real_float_operand("frexp", x))


@eager_jit
def ldexp(x1, x2, /):
    check_arraylike("ldexp", x1, x2)
    d1, d2 = dtypes.dtype_of(x1)[0], dtypes.dtype_of(x2)[0]
    if dtypes.is_complex(d1) or dtypes.is_inexact(d2):
        raise errors.value_error(f"ldexp not supported for input types {(d1, d2)}")
    (x1,) = promote_args_inexact("ldexp", x1)
    x2 = lax.convert_element_type(asarray(x2), x1.dtype)
    m, e = _frexp(x1)
    e = ufuncs.add(lax.convert_element_type(e, x2.dtype), x2)
    e = lax.convert_element_type(e, x1.dtype)
    positive = lax.gt(e, lax.full_like(e, 0))
    m = lax.select(positive, lax.mul(m, lax.full_like(m, 2)), m)
    e = lax.select(positive, lax.sub(e, lax.full_like(e, 1)), e)
    out = lax.mul(m, lax.pow(lax.full_like(e, 2), e))
    keep = lax.or_(ufuncs.isinf(x1), lax.eq(x1, lax.full_like(x1, 0)))
    return lax.select(keep, x1, out)


@eager_jit
def modf(x, /, out=None):
    check_arraylike("modf", x)
    if out is not None:
        raise NotImplementedError("The 'out' argument to hlox.numpy.modf is not supported.")
    (x,) = promote_dtypes_inexact(x)
    whole = lax.select(lax.ge(x, lax.full_like(x, 0)), lax.floor(x), lax.ceil(x))
    return lax.sub(x, whole), whole


@eager_jit
def nextafter(x1, x2, /):
    x1, x2 = promote_args_inexact("nextafter", x1, x2)
    return lax.nextafter(x1, x2)


@eager_jit
def spacing(x, /):
    (x,) = promote_args_inexact("spacing", x)
    if dtypes.is_complex(x.dtype):
        raise errors.value_error("hlox.numpy.spacing is not defined for complex inputs.")
    inf = lax.full_like(x, np.inf)
    if x.dtype == dtypes.float16:
        return lax.sub(lax.nextafter(x, inf), x)
    result = lax.sub(lax.nextafter(x, ufuncs.copysign(inf, x)), x)
    tiny = ufuncs.copysign(lax.full_like(x, dtypes.finfo(x.dtype).smallest_subnormal), x)
    return lax.select(lax.eq(result, lax.full_like(result, 0)), tiny, result)


@eager_jit
def bitwise_count(x, /):
    (x,) = promote_args_numeric("bitwise_count", x)
    if not dtypes.is_integer(x.dtype):
        raise errors.type_error(f"bitwise_count is only defined for integer dtypes, got "
                                f"{x.dtype.name}")
    return lax.convert_element_type(lax.population_count(ufuncs.abs(x)), dtypes.uint8)


@custom_jvp
def _i0(x):
    ax = lax.abs(x)
    return lax.mul(lax.exp(ax), lax_special.bessel_i0e(ax))


@_i0.defjvp
def _i0_jvp(primals, tangents):
    (x,) = primals
    y, t = jvp(_i0.fun, primals, tangents)
    return y, ufuncs.where(lax.eq(x, lax.full_like(x, 0)), lax.full_like(t, 0), t)


@eager_jit
def i0(x):
    (x,) = promote_args_inexact("i0", x)
    if not dtypes.is_float(x.dtype):
        raise errors.value_error(f"Unsupported input type to hlox.numpy.i0: {x.dtype}")
    return _i0(x)


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


# -- bit packing --------------------------------------------------------------------------
def _bitorder_bits(bitorder):
    if bitorder not in ("little", "big"):
        raise errors.value_error("'order' must be either 'little' or 'big'")
    bits = lax.iota(dtypes.uint8, 8)
    return lax.rev(bits, (0,)) if bitorder == "big" else bits


def _axis_last(arr, axis):
    if axis is None:
        return _ravel(arr), 0
    axis = canonicalize_axis(axis, arr.ndim)
    return shapes.moveaxis(arr, axis, -1), axis


@eager_jit(static_argnames=("axis", "bitorder"))
def packbits(a, axis=None, bitorder="big"):
    check_arraylike("packbits", a)
    arr = asarray(a)
    if not (dtypes.is_integer(arr.dtype) or dtypes.is_bool(arr.dtype)):
        raise errors.type_error("Expected an input array of integer or boolean data type")
    bits = _bitorder_bits(bitorder)
    arr = lax.convert_element_type(lax.ne(arr, lax.full_like(arr, 0)), dtypes.uint8)
    arr, axis = _axis_last(arr, axis)
    extra = -arr.shape[-1] % 8
    arr = lax.pad(arr, lax.full((), 0, dtypes.uint8),
                  [(0, 0, 0)] * (arr.ndim - 1) + [(0, extra, 0)])
    arr = lax.reshape(arr, arr.shape[:-1] + (arr.shape[-1] // 8, 8))
    packed = lax.reduce_or(lax.shift_left(arr, broadcast_to(bits, arr.shape)), [arr.ndim - 1])
    return shapes.moveaxis(packed, -1, axis)


@eager_jit(static_argnames=("axis", "count", "bitorder"))
def unpackbits(a, axis=None, count=None, bitorder="big"):
    check_arraylike("unpackbits", a)
    arr = asarray(a)
    if arr.dtype != dtypes.uint8:
        raise errors.type_error("Expected an input array of unsigned byte data type")
    masks = lax.shift_left(lax.full((8,), 1, dtypes.uint8), _bitorder_bits(bitorder))
    arr, axis = _axis_last(arr, axis)
    wide = lax.broadcast_in_dim(arr, arr.shape + (8,), tuple(range(arr.ndim)))
    bits = lax.ne(lax.and_(wide, broadcast_to(masks, wide.shape)), lax.full_like(wide, 0))
    bits = lax.convert_element_type(bits, dtypes.uint8)
    bits = lax.reshape(bits, bits.shape[:-2] + (bits.shape[-2] * 8,))
    if count is not None:
        extra = count - bits.shape[-1]
        if extra > 0:
            bits = lax.pad(bits, lax.full((), 0, dtypes.uint8),
                           [(0, 0, 0)] * (bits.ndim - 1) + [(0, extra, 0)])
        else:
            bits = _slice_axis(bits, 0, count, bits.ndim - 1)
    return shapes.moveaxis(bits, -1, axis)


# -- set operations ------------------------------------------------------------------------
_UNIQUE_SIZE_HINT = ("To make hlox.numpy.unique() compatible with JIT and other transforms, "
                     "you can specify a concrete value for the size argument, which will "
                     "determine the output size.")


class _UniqueAllResult(NamedTuple):
    values: object
    indices: object
    inverse_indices: object
    counts: object


class _UniqueCountsResult(NamedTuple):
    values: object
    counts: object


class _UniqueInverseResult(NamedTuple):
    values: object
    inverse_indices: object


@eager_jit(static_argnames=("axis", "equal_nan"))
def _unique_sorted_mask(ar, axis, equal_nan):
    """The slices along `axis` sorted (lexicographically), a mask of the first of each run of
    equal slices, and the sorting permutation."""
    aux = shapes.moveaxis(ar, axis, 0)
    if dtypes.is_complex(aux.dtype):
        aux = lax.select(_isnan(aux), lax.full_like(aux, np.nan), aux)
    size, rest = aux.shape[0], math.prod(aux.shape[1:])
    if rest == 0:
        size, perm = 1, lax.full((1,), 0, dtypes.default_int())
        aux = lax.full((1,) + aux.shape[1:], 0, aux.dtype)
    else:
        rows = lax.reshape(aux, (size, rest))
        perm = sorting.lexsort([rows[:, j] for j in reversed(range(rest))])
        aux = indexing.take(aux, perm, axis=0)
    if not aux.size:
        return aux, lax.full((size,), False, dtypes.bool_), perm
    later, earlier = aux[1:], aux[:-1]
    neq = lax.ne(later, earlier)
    if equal_nan and dtypes.is_inexact(aux.dtype):
        neq = lax.and_(neq, lax.not_(lax.and_(_isnan(later), _isnan(earlier))))
    changed = reductions.any(neq, axis=tuple(range(1, aux.ndim)))
    return aux, lax.concatenate([lax.full((1,), True, dtypes.bool_), changed], 0), perm


def _unique(ar, axis, return_index=False, return_inverse=False, return_counts=False,
            equal_nan=True, size=None, fill_value=None, return_true_size=False):
    """Without `size` the number of unique slices is read from the concrete mask: the
    result is then the sized one with nothing to fill."""
    if ar.shape[axis] == 0 and size and fill_value is None:
        raise errors.value_error("hlox.numpy.unique: for zero-sized input with nonzero size "
                                 "argument, fill_value must be specified")
    if size is None:
        mask = _unique_sorted_mask(ar, axis=axis, equal_nan=equal_nan)[1]
        size = int(np.count_nonzero(np.asarray(mask))) if ar.size else 0
    return _unique_sized(ar, fill_value, axis=axis, return_index=return_index,
                         return_inverse=return_inverse, return_counts=return_counts,
                         equal_nan=equal_nan, size=size, return_true_size=return_true_size)


@eager_jit(static_argnames=("axis", "return_index", "return_inverse", "return_counts",
                            "equal_nan", "size", "return_true_size"))
def _unique_sized(ar, fill_value, axis, return_index, return_inverse, return_counts, equal_nan,
                  size, return_true_size):
    aux, mask, perm = _unique_sorted_mask(ar, axis=axis, equal_nan=equal_nan)
    int_dtype = dtypes.default_int()
    ind = indexing.nonzero(mask, size=size)[0]
    result = indexing.take(aux, ind, axis=0) if aux.size else aux
    n_unique = reductions.sum(mask, dtype=int_dtype)
    if fill_value is not None:
        fill = lax.convert_element_type(asarray(fill_value), result.dtype)
        if result.shape[0]:
            valid = lax.broadcast_in_dim(_iota_lt(size, n_unique), result.shape, (0,))
            result = lax.select(valid, result, broadcast_to(fill, result.shape))
        else:
            result = broadcast_to(fill, (size,) + result.shape[1:])
    out = (shapes.moveaxis(result, 0, axis),)
    if return_index:
        out += (indexing.take(perm, ind) if aux.size else perm,)
    if return_inverse:
        out += (_unique_inverse(mask, perm) if aux.size
                else lax.full((ar.shape[axis],), 0, int_dtype),)
    if return_counts:
        out += (_unique_counts(mask, size, aux.size, ar.shape[axis]),)
    if return_true_size:
        out += (n_unique,)
    return out[0] if len(out) == 1 else out


def _unique_inverse(mask, perm):
    int_dtype = dtypes.default_int()
    first = lax.sub(reductions.cumsum(mask, dtype=int_dtype), lax.full(mask.shape, 1, int_dtype))
    return indexing.scatter_update(lax.full(mask.shape, 0, int_dtype), perm, first, "set")


def _unique_counts(mask, size, aux_size, n):
    """Differences of the run starts, the missing starts (nonzero's fill 0) set to the end."""
    int_dtype = dtypes.default_int()
    if not aux_size:
        return lax.full((1,) if n else (0,), n, int_dtype)
    starts = indexing.nonzero(mask, size=size + 1)[0]
    tail = starts[1:]
    tail = lax.select(lax.ne(tail, lax.full_like(tail, 0)), tail,
                      lax.full_like(tail, mask.shape[0]))
    starts = lax.concatenate([starts[:1], tail], 0)
    return lax.sub(starts[1:], starts[:-1])


def _size_or_concrete(size, arrays, where):
    if size is None:
        for a in arrays:
            concrete(a, f"The error arose in {where}. {_UNIQUE_SIZE_HINT}")
        return None
    return _index(size, f"The error arose for the size argument of {where}. {_UNIQUE_SIZE_HINT}")


def unique(ar, return_index=False, return_inverse=False, return_counts=False, axis=None, *,
           equal_nan=True, size=None, fill_value=None, sorted=True):  # noqa: A002
    check_arraylike("unique", ar)
    arr = asarray(ar)
    arr_shape = arr.shape
    size = _size_or_concrete(size, [arr], "hlox.numpy.unique()")
    if axis is None:
        axis_int, arr = 0, _ravel(arr)
    else:
        axis_int = canonicalize_axis(axis, arr.ndim)
    result = _unique(arr, axis_int, return_index, return_inverse, return_counts,
                     equal_nan=equal_nan, size=size, fill_value=fill_value)
    if return_inverse and axis is None:
        i = 2 if return_index else 1
        result = (*result[:i], lax.reshape(result[i], arr_shape), *result[i + 1:])
    return result


def unique_all(x, /, *, size=None, fill_value=None):
    check_arraylike("unique_all", x)
    return _UniqueAllResult(*unique(x, True, True, True, equal_nan=False, size=size,
                                    fill_value=fill_value))


def unique_counts(x, /, *, size=None, fill_value=None):
    check_arraylike("unique_counts", x)
    return _UniqueCountsResult(*unique(x, return_counts=True, equal_nan=False, size=size,
                                       fill_value=fill_value))


def unique_inverse(x, /, *, size=None, fill_value=None):
    check_arraylike("unique_inverse", x)
    return _UniqueInverseResult(*unique(x, return_inverse=True, equal_nan=False, size=size,
                                        fill_value=fill_value))


def unique_values(x, /, *, size=None, fill_value=None):
    check_arraylike("unique_values", x)
    return unique(x, equal_nan=False, size=size, fill_value=fill_value)


def _in1d(ar1, ar2, invert, method):
    arr1, arr2 = promote_dtypes(ar1, ar2)
    arr1, arr2 = _ravel(arr1), _ravel(arr2)
    if arr1.size == 0 or arr2.size == 0:
        return lax.full(arr1.shape, invert, dtypes.bool_)
    if method in ("auto", "compare_all"):
        eq = ufuncs.equal(arr1[:, None], arr2[None, :])
        found = reductions.any(eq, axis=-1)
    elif method in ("binary_search", "sort"):  # 'sort' runs the same binary search
        arr2 = lax.sort(arr2)
        nearest = indexing.take(arr2, searchsorted(arr2, arr1), mode="clip")
        found = lax.eq(arr1, nearest)
    else:
        raise errors.value_error(f"method={method!r} is not implemented; options are "
                                 "'compare_all', 'binary_search', 'sort', and 'auto'")
    return lax.not_(found) if invert else found


@eager_jit(static_argnames=("assume_unique", "invert", "method"))
def isin(element, test_elements, assume_unique=False, invert=False, *, method="auto"):
    check_arraylike("isin", element, test_elements)
    element = asarray(element)
    return lax.reshape(_in1d(element, asarray(test_elements), invert, method), element.shape)


def _operands_1d(name, ar1, ar2):
    check_arraylike(name, ar1, ar2)
    a1, a2 = promote_dtypes(asarray(ar1), asarray(ar2))
    return _ravel(a1), _ravel(a2)


def union1d(ar1, ar2, *, size=None, fill_value=None):
    a1, a2 = _operands_1d("union1d", ar1, ar2)
    size = _size_or_concrete(size, [a1, a2], "union1d()")
    return unique(lax.concatenate([a1, a2], 0), size=size, fill_value=fill_value)


def _where_fill(vals, valid, fill_value):
    if fill_value is None:  # JAX fills with the largest, then the smallest found value
        vals = lax.select(valid, vals, broadcast_to(reductions.max(vals), vals.shape))
        return lax.select(valid, vals, broadcast_to(reductions.min(vals), vals.shape))
    return lax.select(valid, vals, broadcast_to(lax.convert_element_type(asarray(fill_value),
                                                                        vals.dtype), vals.shape))


def setdiff1d(ar1, ar2, assume_unique=False, *, size=None, fill_value=None):
    check_arraylike("setdiff1d", ar1, ar2)
    a1, a2 = _ravel(asarray(ar1)), _ravel(asarray(ar2))
    size = _size_or_concrete(size, [a1], "setdiff1d()")
    if size is None:
        if not assume_unique:
            a1 = unique(a1)
        return a1[_in1d(a1, a2, True, "auto")] if a1.size else a1
    return _setdiff1d_size(a1, a2, fill_value, assume_unique=assume_unique, size=size)


@eager_jit(static_argnames=("assume_unique", "size"))
def _setdiff1d_size(a1, a2, fill_value, assume_unique, size):
    fill = lax.convert_element_type(asarray(0 if fill_value is None else fill_value), a1.dtype)
    if a1.size == 0:
        return broadcast_to(fill, (size,))
    if not assume_unique:
        a1 = unique(a1, size=a1.size)
    mask = _in1d(a1, a2, True, "auto")
    if not assume_unique:  # unique filled the tail with copies of the smallest value
        copies = reductions.sum(lax.eq(a1, broadcast_to(a1[0], a1.shape)),
                                dtype=dtypes.default_int())
        n_unique = lax.sub(lax.full_like(copies, a1.size + 1), copies)
        mask = lax.and_(mask, _iota_lt(a1.size, n_unique))
    count = reductions.sum(mask, dtype=dtypes.default_int())
    picked = indexing.take(a1, indexing.nonzero(mask, size=size)[0])
    return lax.select(_iota_lt(size, count), picked, broadcast_to(fill, (size,)))


def _concat_unique(a1, a2):
    """The unique values of a1 then those of a2 packed at the front, and how many."""
    u1, n1 = _unique(a1, 0, size=a1.size, return_true_size=True)
    u2, n2 = _unique(a2, 0, size=a2.size, return_true_size=True)
    arr = lax.full((a1.size + a2.size,), 0, u1.dtype)
    arr = lax.dynamic_update_slice(arr, u1, (0,))
    arr = lax.dynamic_update_slice(arr, u2, (n1,))
    return arr, ufuncs.add(n1, n2)


def setxor1d(ar1, ar2, assume_unique=False, *, size=None, fill_value=None):
    a1, a2 = _operands_1d("setxor1d", ar1, ar2)
    size = _size_or_concrete(size, [a1, a2], "setxor1d()")
    if size is not None:
        return _setxor1d_size(a1, a2, fill_value, assume_unique, size)
    if not assume_unique:
        a1, a2 = unique(a1), unique(a2)
    aux = lax.concatenate([a1, a2], 0)
    if aux.size == 0:
        return aux
    aux = lax.sort(aux)
    flag = np.asarray(_run_flags(aux, lax.asarray(True), lax.asarray(True)))
    return aux[lax.asarray(flag[1:] & flag[:-1])]


def _run_flags(aux, first, last):
    """[first, aux[1:] != aux[:-1], last]: where a run of equal values starts or ends."""
    inner = lax.ne(aux[1:], aux[:-1])
    return lax.concatenate([lax.reshape(first, (1,)), inner, lax.reshape(last, (1,))], 0)


@eager_jit(static_argnames=("assume_unique", "size"))
def _setxor1d_size(a1, a2, fill_value, assume_unique, size):
    if assume_unique:
        aux = lax.sort(lax.concatenate([a1, a2], 0))
        flag = _run_flags(aux, lax.asarray(aux.size > 0), lax.asarray(True))
    else:
        arr, n_unique = _concat_unique(a1, a2)
        mask = _iota_lt(arr.size + 1, ufuncs.add(n_unique, 1))
        aux = lax.sort((lax.not_(mask[1:]), arr), dimension=0, num_keys=2)[1]
        flag = _run_flags(aux, lax.asarray(aux.size > 0), lax.asarray(False))
        flag = lax.and_(mask, flag.at[n_unique].set(True))
    keep = lax.and_(flag[1:], flag[:-1])
    n = reductions.sum(keep, dtype=dtypes.default_int())
    if aux.size:
        picked = indexing.nonzero(keep, size=size, fill_value=aux.size)[0]
        vals = indexing.take(aux, picked, mode="fill", fill_value=0)
    else:
        vals = lax.full((size,), 0, aux.dtype)
    return _where_fill(vals, _iota_lt(size, n), fill_value)


def intersect1d(ar1, ar2, assume_unique=False, return_indices=False, *, size=None,
                fill_value=None):
    a1, a2 = _operands_1d("intersect1d", ar1, ar2)
    size = _size_or_concrete(size, [a1, a2], "intersect1d()")
    if size is not None:
        return _intersect1d_size(a1, a2, fill_value, assume_unique, size, return_indices)
    ind1 = ind2 = None
    if not assume_unique:
        if return_indices:
            a1, ind1 = unique(a1, return_index=True)
            a2, ind2 = unique(a2, return_index=True)
        else:
            a1, a2 = unique(a1), unique(a2)
    arr = lax.concatenate([a1, a2], 0)
    iota = lax.iota(dtypes.int32, arr.shape[0])
    aux, order = lax.sort((arr, iota), dimension=0, num_keys=1)
    mask = lax.asarray(np.asarray(lax.eq(aux[1:], aux[:-1])))
    values = aux[:-1][mask]
    if not return_indices:
        return values
    idx1 = order[:-1][mask]
    idx2 = ufuncs.subtract(order[1:][mask], a1.shape[0])
    if not assume_unique:
        idx1, idx2 = indexing.take(ind1, idx1), indexing.take(ind2, idx2)
    return values, idx1, idx2


@eager_jit(static_argnames=("assume_unique", "size", "return_indices"))
def _intersect1d_size(a1, a2, fill_value, assume_unique, size, return_indices):
    int_dtype = dtypes.default_int()
    if assume_unique:
        ind1, n1 = lax.iota(int_dtype, a1.size), lax.full((), a1.size, int_dtype)
        ind2 = lax.iota(int_dtype, a2.size)
        arr = lax.concatenate([a1, a2], 0)
        aux, order = lax.sort((arr, lax.iota(int_dtype, arr.size)), dimension=0, num_keys=1)
        mask = lax.full((arr.size,), True, dtypes.bool_)
    else:
        u1, ind1, n1 = _unique(a1, 0, size=a1.size, return_index=True, return_true_size=True,
                               fill_value=0)
        u2, ind2, n2 = _unique(a2, 0, size=a2.size, return_index=True, return_true_size=True,
                               fill_value=0)
        arr = lax.full((a1.size + a2.size,), 0, u1.dtype)
        arr = lax.dynamic_update_slice(lax.dynamic_update_slice(arr, u1, (0,)), u2, (n1,))
        mask = _iota_lt(arr.size, ufuncs.add(n1, n2))
        _, aux, order = lax.sort((lax.not_(mask), arr, lax.iota(int_dtype, arr.size)),
                                 dimension=0, num_keys=2)
    hit = lax.and_(lax.eq(aux[1:], aux[:-1]), mask[1:])
    n = reductions.sum(hit, dtype=int_dtype)
    valid = _iota_lt(size, n)
    if aux.size:
        positions = indexing.nonzero(hit, size=size, fill_value=aux.size)[0]
        vals = indexing.take(aux, positions, mode="fill", fill_value=0)
    else:
        positions = lax.full((size,), 0, int_dtype)
        vals = lax.full((size,), 0, aux.dtype)
    vals = _where_fill(vals, valid, fill_value)
    if not return_indices:
        return vals
    idx1 = indexing.take(order, positions, mode="fill", fill_value=a1.size)
    idx1 = lax.select(valid, idx1, lax.full_like(idx1, a1.size))
    idx2 = ufuncs.subtract(indexing.take(order, ufuncs.add(positions, 1), mode="fill",
                                         fill_value=a2.size), n1)
    idx2 = lax.select(valid, idx2, lax.full_like(idx2, a2.size))
    if not assume_unique:
        idx1 = indexing.take(ind1, idx1, mode="fill", fill_value=ind1.size)
        idx2 = indexing.take(ind2, idx2, mode="fill", fill_value=ind2.size)
    return vals, idx1, idx2


def trim_zeros(filt, trim="fb", axis=None):
    check_arraylike("trim_zeros", filt)
    arr = asarray(filt)
    host = np.asarray(concrete(arr, "Error arose in the `filt` argument of trim_zeros()"))
    axes = set(canonicalize_axes(axis, arr.ndim))
    trim = trim.lower()
    if not axes or ("f" not in trim and "b" not in trim):
        return arr
    index = []
    for ax in range(arr.ndim):
        if ax not in axes:
            index.append(slice(None))
            continue
        mask = np.any(host != 0, axis=tuple(d for d in range(arr.ndim) if d != ax))
        if not mask.any():
            index.append(slice(0, 0))
            continue
        start = int(mask.argmax()) if "f" in trim else None
        stop = arr.shape[ax] - int(mask[::-1].argmax()) if "b" in trim else None
        index.append(slice(start, stop))
    return arr[tuple(index)]


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
