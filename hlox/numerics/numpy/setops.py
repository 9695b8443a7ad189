"""Set operations: unique (and its array-API forms), isin, union1d intersect1d setdiff1d
setxor1d. Their output shape depends on the values: concrete input, or `size=` under a trace."""
from __future__ import annotations

import math
from typing import NamedTuple

import numpy as np

from hlox.frontend import dtypes, errors, lax
from hlox.frontend.jit import eager_jit
from hlox.numerics.numpy import (elementwise as ufuncs, indexing, indexing_routines, reductions,
                                 shape as shapes, sorting)
from hlox.numerics.numpy._util import (_index, _iota_lt, _ravel, asarray, broadcast_to,
                                       canonicalize_axis, check_arraylike, concrete, promote_dtypes)
from hlox.numerics.numpy.searching import searchsorted

__all__ = ["unique", "unique_all", "unique_counts", "unique_inverse", "unique_values", "isin",
           "union1d", "setdiff1d", "setxor1d", "intersect1d"]


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
        aux = lax.select(ufuncs.isnan(aux), lax.full_like(aux, np.nan), aux)
    size, rest = aux.shape[0], math.prod(aux.shape[1:])
    if rest == 0:
        size, perm = 1, lax.full((1,), 0, dtypes.default_int())
        aux = lax.full((1,) + aux.shape[1:], 0, aux.dtype)
    else:
        rows = lax.reshape(aux, (size, rest))
        perm = sorting.lexsort([rows[:, j] for j in reversed(range(rest))])
        aux = indexing_routines.take(aux, perm, axis=0)
    if not aux.size:
        return aux, lax.full((size,), False, dtypes.bool_), perm
    later, earlier = aux[1:], aux[:-1]
    neq = lax.ne(later, earlier)
    if equal_nan and dtypes.is_inexact(aux.dtype):
        neq = lax.and_(neq, lax.not_(lax.and_(ufuncs.isnan(later), ufuncs.isnan(earlier))))
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
    ind = sorting.nonzero(mask, size=size)[0]
    result = indexing_routines.take(aux, ind, axis=0) if aux.size else aux
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
        out += (indexing_routines.take(perm, ind) if aux.size else perm,)
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
    starts = sorting.nonzero(mask, size=size + 1)[0]
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
        nearest = indexing_routines.take(arr2, searchsorted(arr2, arr1), mode="clip")
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
    picked = indexing_routines.take(a1, sorting.nonzero(mask, size=size)[0])
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
        picked = sorting.nonzero(keep, size=size, fill_value=aux.size)[0]
        vals = indexing_routines.take(aux, picked, mode="fill", fill_value=0)
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
        idx1, idx2 = indexing_routines.take(ind1, idx1), indexing_routines.take(ind2, idx2)
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
        positions = sorting.nonzero(hit, size=size, fill_value=aux.size)[0]
        vals = indexing_routines.take(aux, positions, mode="fill", fill_value=0)
    else:
        positions = lax.full((size,), 0, int_dtype)
        vals = lax.full((size,), 0, aux.dtype)
    vals = _where_fill(vals, valid, fill_value)
    if not return_indices:
        return vals
    idx1 = indexing_routines.take(order, positions, mode="fill", fill_value=a1.size)
    idx1 = lax.select(valid, idx1, lax.full_like(idx1, a1.size))
    idx2 = ufuncs.subtract(indexing_routines.take(order, ufuncs.add(positions, 1), mode="fill",
                                         fill_value=a2.size), n1)
    idx2 = lax.select(valid, idx2, lax.full_like(idx2, a2.size))
    if not assume_unique:
        idx1 = indexing_routines.take(ind1, idx1, mode="fill", fill_value=ind1.size)
        idx2 = indexing_routines.take(ind2, idx2, mode="fill", fill_value=ind2.size)
    return vals, idx1, idx2
