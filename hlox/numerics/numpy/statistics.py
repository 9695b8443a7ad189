"""Statistics: cov corrcoef, quantiles and percentiles, nanmedian, histograms and bincount.

bincount without `length` needs concrete input (its output shape depends on the values)."""
from __future__ import annotations

import builtins
import math

import numpy as np

from hlox.frontend import dtypes, errors, lax
from hlox.frontend.jit import eager_jit
from hlox.numerics.numpy import (array_constructors, creation, elementwise as ufuncs,
                                 indexing_routines, reductions, shape as shapes,
                                 tensor_contractions)
from hlox.numerics.numpy._util import (_index, asarray, broadcast_to, canonicalize_axes,
                                       check_arraylike, concrete, promote_args_inexact,
                                       promote_dtypes_inexact)
from hlox.numerics.numpy.differences import diff
from hlox.numerics.numpy.searching import searchsorted

__all__ = ["cov", "corrcoef", "quantile", "nanquantile", "percentile", "nanpercentile", "nanmedian",
           "histogram_bin_edges", "histogram", "histogramdd", "histogram2d", "bincount"]


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
    return shapes.squeeze(ufuncs.divide(tensor_contractions.dot(X, ufuncs.conjugate(X_T)), f))


@eager_jit(static_argnames=("rowvar", "dtype"))
def corrcoef(x, y=None, rowvar=True, dtype=None):
    check_arraylike("corrcoef", x)
    _check_inexact_dtype("corrcoef", dtype)
    c = cov(x, y, rowvar, dtype=dtype)
    if c.ndim == 0:
        return ufuncs.divide(c, c)
    stddev = lax.convert_element_type(ufuncs.sqrt(ufuncs.real(tensor_contractions.diagonal(c))), c.dtype)
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
    nan_rows = reductions.any(ufuncs.isnan(rows), axis=-1, keepdims=True)
    if squash_nans:
        counts = reductions.sum(lax.not_(ufuncs.isnan(rows)), -1, keepdims=True, dtype=q.dtype)
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
        return indexing_routines.take_along_axis(rows, index, axis=-1, mode="clip")

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
    bounds = None if range is None else array_constructors.array(range)
    if bounds is not None and bounds.shape != (2,):
        raise errors.value_error(f"`range` must be either None or a sequence of scalars, got "
                                 f"{range}")
    return _linear_edges(arr, bounds, bins=bins, dtype=dtype)


@eager_jit(static_argnames=("bins", "dtype"))
def _linear_edges(arr, bounds, bins, dtype):
    if bounds is None:
        bounds = array_constructors.array([reductions.min(arr), reductions.max(arr)])
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
    sample = lax.transpose(array_constructors.array([x, y]), (1, 0))
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
