"""Sorting: `sort argsort lexsort` (NaNs last, stable by default, as JAX)."""
from __future__ import annotations

from hlox.frontend import dtypes, errors, lax
from hlox.numerics.numpy._util import asarray, canonicalize_axis, check_arraylike

__all__ = ["sort", "argsort", "lexsort", "sort_complex"]


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
