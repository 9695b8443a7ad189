"""Sorting and searching for nonzeros: `sort argsort lexsort sort_complex` (NaNs last, stable by
default, as JAX), `nonzero flatnonzero argwhere` (on a stable sort)."""
from __future__ import annotations

import operator

import numpy as np

from hlox.frontend import dtypes, errors, lax
from hlox.frontend.core import Tracer
from hlox.numerics.numpy._util import (_fused, _static_fill, asarray, canonicalize_axis,
                                       check_arraylike)

__all__ = ["sort", "argsort", "lexsort", "sort_complex", 
           "nonzero", "flatnonzero", "argwhere"]


def _flat_or_axis(a, axis):
    a = asarray(a)
    if axis is None:
        return lax.reshape(a, (a.size,)), 0
    return a, canonicalize_axis(axis, a.ndim)


def sort(a, axis=-1, *, kind=None, order=None, stable=True, descending=False):
    check_arraylike("sort", a)
    if order is not None:
        raise errors.value_error("hlox.numpy.sort does not support the order argument")
    a, axis = _flat_or_axis(a, axis)
    if a.ndim == 0:
        return a
    out = lax.sort(a, dimension=axis, is_stable=stable)
    return lax.rev(out, (axis,)) if descending else out


def argsort(a, axis=-1, *, kind=None, order=None, stable=True, descending=False):
    check_arraylike("argsort", a)
    if order is not None:
        raise errors.value_error("hlox.numpy.argsort does not support the order argument")
    a, axis = _flat_or_axis(a, axis)
    index_dtype = dtypes.default_int()
    if a.ndim == 0:
        return lax.full((), 0, index_dtype)
    keys = lax.neg(a) if descending and not dtypes.is_bool(a.dtype) else (
        lax.not_(a) if descending else a)
    iota = lax.broadcasted_iota(index_dtype, a.shape, axis)
    return lax.sort((keys, iota), dimension=axis, is_stable=True, num_keys=1)[1]


def lexsort(keys, axis=-1):
    keys = [asarray(k) for k in keys]
    if not keys:
        raise errors.type_error("need sequence of keys with len > 0 in lexsort")
    shape = keys[0].shape
    if any(k.shape != shape for k in keys):
        raise errors.value_error("all keys need to be the same shape")
    axis = canonicalize_axis(axis, len(shape))
    iota = lax.broadcasted_iota(dtypes.default_int(), shape, axis)
    ordered = list(reversed(keys))  # the last key is the primary one
    return lax.sort(tuple(ordered) + (iota,), dimension=axis, is_stable=True,
                    num_keys=len(ordered))[-1]


def sort_complex(a):
    a = sort(a, axis=0)
    return a if dtypes.is_complex(a.dtype) else lax.convert_element_type(a, dtypes.default_complex())


# -- nonzero and friends --------------------------------------------------------------
def _fill_tuple(fill_value, ndim):
    fills = fill_value if isinstance(fill_value, tuple) else (fill_value,) * ndim
    if len(fills) != ndim or any(np.shape(f) != () for f in fills):
        raise errors.value_error(f"fill_value must be a scalar or a tuple of length {ndim}; "
                                 f"got {fill_value}")
    return tuple(0 if f is None else _static_fill(f) for f in fills)


def _nonzero_impl(arrays, static):
    (x,) = arrays
    size, fills = static
    int_dtype = dtypes.default_int()
    if x.size == 0 or size == 0:
        return tuple(lax.full((size,), 0, int_dtype) for _ in x.shape)
    flat = lax.reshape(x if dtypes.is_bool(x.dtype) else lax.ne(x, lax.full_like(x, 0)), (x.size,))
    iota = lax.iota(int_dtype, x.size)
    # a stable sort on "is zero" puts the flat positions of nonzeros first, in order
    _, order = lax.sort((lax.convert_element_type(lax.not_(flat), int_dtype), iota), 0,
                        is_stable=True, num_keys=1)
    order = (lax.slice(order, [0], [size]) if size <= x.size
             else lax.pad(order, 0, [(0, size - x.size, 0)]))
    count = lax.reduce_sum(lax.convert_element_type(flat, int_dtype), [0])
    valid = lax.lt(lax.iota(int_dtype, size), lax.broadcast(count, (size,)))
    strides = np.cumprod((1,) + x.shape[:0:-1])[::-1]
    return tuple(lax.select(valid, lax.rem(lax.div(order, int(s)), int(d)),
                            lax.full((size,), f, int_dtype))
                 for s, d, f in zip(strides, x.shape, fills))


def nonzero(a, *, size=None, fill_value=None):
    check_arraylike("nonzero", a)
    x = asarray(a)
    if x.ndim == 0:
        raise errors.value_error("Calling nonzero on 0d arrays is not allowed. Use "
                                 "hlox.numpy.atleast_1d(scalar).nonzero() instead.")
    if size is None:
        if isinstance(x, Tracer):
            raise errors.ConcretizationTypeError(x._concretization_message(
                "The size argument of hlox.numpy.nonzero must be statically specified to use "
                "hlox.numpy.nonzero within transformations (jit, vmap, grad)"))
        return tuple(lax.asarray(i.astype(dtypes.default_int())) for i in np.nonzero(np.asarray(x)))
    size = operator.index(size)
    return _fused(_nonzero_impl, [x], (size, _fill_tuple(fill_value, x.ndim)))


def flatnonzero(a, *, size=None, fill_value=None):
    x = asarray(a)
    return nonzero(lax.reshape(x, (x.size,)), size=size, fill_value=fill_value)[0]


def argwhere(a, *, size=None, fill_value=None):
    x = asarray(a)
    coords = nonzero(lax.reshape(x, (1,)) if x.ndim == 0 else x, size=size, fill_value=fill_value)
    return _fused(_stack_columns, coords, x.ndim == 0)


def _stack_columns(columns, empty):
    n = columns[0].shape[0]
    if empty:
        return lax.full((n, 0), 0, columns[0].dtype)
    return lax.concatenate([lax.reshape(c, (n, 1)) for c in columns], 1)
