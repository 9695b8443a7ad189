"""Building and editing arrays: copy block resize delete insert rollaxis unstack
diagflat trim_zeros partition argpartition."""
from __future__ import annotations

import builtins

import numpy as np

from hlox.frontend import dtypes, errors, lax
from hlox.numerics.numpy import (array_constructors, creation, elementwise, reductions, shape,
                                 sorting)
from hlox.numerics.numpy._util import (ArrayTypes, _along, _array, _index, _int_array, asarray,
                                       broadcast_shapes, canonicalize_axes, canonicalize_axis,
                                       check_arraylike, concrete)

__all__ = ["trim_zeros", "copy", "block", "resize", "delete", "insert", "rollaxis", "unstack",
           "diagflat", "partition", "argpartition"]


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


# -- building and editing arrays --------------------------------------------------------------
def copy(a, order=None):
    check_arraylike("copy", a)
    return array_constructors.array(a, copy=True, order=order)


def _atleast_nd(x, n):
    return lax.reshape(x, (1,) * (n - x.ndim) + x.shape) if x.ndim < n else x


def _block(xs):
    """(result, depth of list nesting)."""
    if isinstance(xs, tuple):
        raise errors.value_error(f"jax.numpy.block does not allow tuples, got {xs}")
    if not isinstance(xs, list):
        return asarray(xs), 1
    if not xs:
        raise errors.value_error("jax.numpy.block does not allow empty list arguments")
    parts, depths = zip(*(_block(x) for x in xs))
    if len(set(depths)) > 1:
        raise errors.value_error("Mismatched list depths in jax.numpy.block")
    rank = builtins.max(depths[0], *(p.ndim for p in parts))
    return shape.concatenate([_atleast_nd(p, rank) for p in parts], axis=-depths[0]), depths[0] + 1


def block(arrays):
    return _block(arrays)[0]


def resize(a, new_shape):
    check_arraylike("resize", a)
    new_shape = creation._shape_arg(new_shape)
    flat = shape.ravel(a)
    size = int(np.prod(new_shape, dtype=np.int64))
    if flat.size == 0 or size == 0:
        return creation.zeros_like(flat, shape=new_shape)
    flat = shape.tile(flat, -(-size // flat.size))
    return lax.reshape(lax.slice(flat, [0], [size]), new_shape)


def _flat_or_axis(x, axis):
    if axis is None:
        return shape.ravel(x), 0
    return x, canonicalize_axis(concrete(axis, "axis argument"), x.ndim)


def delete(arr, obj, axis=None, *, assume_unique_indices=False):
    x, axis = _flat_or_axis(_array("delete", arr), axis)
    n = x.shape[axis]
    if isinstance(obj, (int, np.integer)) and not isinstance(obj, (bool, np.bool_)):
        obj = canonicalize_axis(obj, n)
        return shape.concatenate([lax.slice_in_dim(x, 0, obj, 1, axis),
                                  lax.slice_in_dim(x, obj + 1, n, 1, axis)], axis)
    if isinstance(obj, slice):
        return shape.take_static(x, np.delete(np.arange(n), obj), axis)
    check_arraylike("delete", x, obj)
    if hasattr(obj, "__jax_array__"):
        obj = obj.__jax_array__()
    if assume_unique_indices and dtypes.is_integer(dtypes.dtype_of(obj)[0]):
        return _delete_unique(x, asarray(obj), axis)
    host = np.asarray(concrete(obj, "'obj' array argument of jnp.delete()"))
    if dtypes.is_integer(host.dtype):
        keep = np.ones(n, bool)
        keep[host] = False
    elif host.dtype == np.bool_:
        if host.shape != (n,):
            raise errors.value_error("np.delete(arr, obj): for boolean indices, obj must be "
                                     "one-dimensional with length matching specified axis.")
        keep = ~host
    else:
        raise errors.value_error(f"np.delete(arr, obj): got obj.dtype={host.dtype}; must be "
                                 f"integer or bool.")
    return shape.take_static(x, np.flatnonzero(keep), axis)


def _delete_unique(x, obj, axis):
    """Traceable delete of distinct indices: output position i reads input position
    i + (number of deleted positions at or before it)."""
    n = x.shape[axis]
    obj = shape.ravel(obj)
    obj = elementwise.clip(elementwise.where(elementwise.less(obj, 0), obj + n, obj), 0, n)
    obj = sorting.sort(obj)
    obj = elementwise.subtract(obj, creation.arange(obj.size, dtype=obj.dtype))
    i = creation.arange(n - obj.size, dtype=obj.dtype)
    shifts = reductions.sum(elementwise.greater_equal(i[None, :], obj[:, None]), 0, dtype=i.dtype)
    return x[_along(axis, elementwise.add(i, shifts))]


def insert(arr, obj, values, axis=None):
    check_arraylike("insert", arr, 0 if isinstance(obj, slice) else obj, values)
    x, axis = _flat_or_axis(asarray(arr), axis)
    n = x.shape[axis]
    idx = (creation.arange(*obj.indices(n)) if isinstance(obj, slice) else asarray(obj))
    if idx.ndim > 1:
        raise errors.value_error(f"jnp.insert(): obj must be a slice, a one-dimensional array, or "
                                 f"a scalar; got {obj}")
    if not dtypes.is_integer(idx.dtype):
        if idx.size == 0 and not isinstance(obj, ArrayTypes):
            idx = lax.convert_element_type(idx, dtypes.default_int())
        else:
            raise errors.value_error(f"jnp.insert(): index array must be integer typed; got {obj}")
    vals = array_constructors.array(asarray(values), dtype=x.dtype, ndmin=x.ndim)
    if idx.size == 1:
        first = lax.reshape(idx, ())
        if idx.ndim == 0:
            vals = shape.moveaxis(vals, 0, axis)
        idx = lax.broadcast(first, (vals.shape[axis],))
    count = broadcast_shapes(idx.shape, (vals.shape[axis],))[0]
    out_shape = list(x.shape)
    out_shape[axis] += count
    idx = elementwise.clip(elementwise.where(elementwise.less(idx, 0), idx + n, idx), 0, n)
    # each inserted value lands after the values inserted before it at smaller or equal indices
    at_values = idx.at[sorting.argsort(idx)].add(creation.arange(count, dtype=idx.dtype))
    keep = creation.ones(n + count, dtype=dtypes.bool_).at[at_values].set(False)
    at_input = elementwise.where(keep, size=n)[0]
    out = creation.zeros_like(x, shape=tuple(out_shape))
    out = out.at[_along(axis, at_values)].set(vals)
    return out.at[_along(axis, at_input)].set(x)


def rollaxis(a, axis, start=0):
    x = _array("rollaxis", a)
    start = _index(start, "'start' argument of jnp.rollaxis()")
    axis = canonicalize_axis(axis, x.ndim)
    if not -x.ndim <= start <= x.ndim:
        raise errors.value_error(f"start={start} must satisfy {-x.ndim}<=start<={x.ndim}")
    start = start + x.ndim if start < 0 else start
    return shape.moveaxis(x, axis, start - 1 if start > axis else start)


def unstack(x, /, *, axis=0):
    x = _array("unstack", x)
    if x.ndim == 0:
        raise errors.value_error("Unstack requires arrays with rank > 0, however a scalar array "
                                 "was passed.")
    axis = canonicalize_axis(axis, x.ndim)
    return tuple(lax.index_in_dim(x, i, axis, keepdims=False) for i in range(x.shape[axis]))




def diagflat(v, k=0):
    check_arraylike("diagflat", v)
    flat = shape.ravel(v)
    k = _index(k, "k argument of jnp.diagflat")
    size = flat.shape[0] + abs(k)
    i = np.arange(flat.shape[0])
    positions = i + k + i * size if k >= 0 else i + (i - k) * size
    out = creation.zeros(size * size, dtype=flat.dtype).at[_int_array(positions)].set(flat)
    return lax.reshape(out, (size, size))




def partition(a, kth, axis=-1):
    """The kth smallest at position kth, the smaller ones sorted before it and the larger ones
    in descending order after it (the order JAX's top_k-based partition gives)."""
    x, axis, kth = _partition_operand("partition", a, kth, axis)
    s = sorting.sort(x, axis=axis)
    n = x.shape[axis]
    return shape.concatenate([lax.slice_in_dim(s, 0, kth + 1, 1, axis),
                              lax.rev(lax.slice_in_dim(s, kth + 1, n, 1, axis), [axis])], axis)


def argpartition(a, kth, axis=-1):
    """Positions of the kth+1 smallest (stably sorted), then the others in increasing order."""
    x, axis, kth = _partition_operand("argpartition", a, kth, axis)
    order = lax.convert_element_type(sorting.argsort(x, axis=axis), dtypes.int32)
    n = x.shape[axis]
    rest = sorting.sort(lax.slice_in_dim(order, kth + 1, n, 1, axis), axis=axis)
    return shape.concatenate([lax.slice_in_dim(order, 0, kth + 1, 1, axis), rest], axis)


def _partition_operand(name, a, kth, axis):
    x = _array(name, a)
    if dtypes.is_complex(x.dtype):
        raise NotImplementedError(f"jnp.{name} for complex dtype is not implemented.")
    if dtypes.is_bool(x.dtype):  # JAX negates the operand, which booleans refuse
        raise errors.type_error(f"jnp.{name} does not accept boolean arrays")
    axis = canonicalize_axis(axis, x.ndim)
    return x, axis, canonicalize_axis(_index(kth, f"kth argument of jnp.{name}"), x.shape[axis])
