"""lax.gather / lax.scatter* with JAX's out-of-bounds modes, and the batched gather behind
take_along_axis."""
from __future__ import annotations

import numpy as np

from hlox.frontend import dtypes, errors, lax, ops
from hlox.frontend.shapes import broadcast_to

__all__ = ["GatherScatterMode", "gather", "scatter", "scatter_add", "scatter_sub", "scatter_mul",
           "scatter_min", "scatter_max"]

INDEX_DTYPE = dtypes.int32


class GatherScatterMode:
    CLIP = "clip"
    FILL_OR_DROP = "fill"
    PROMISE_IN_BOUNDS = "promise_in_bounds"
    ONE_HOT = "one_hot"


# -- out-of-bounds modes ---------------------------------------------------------------
CLIP, FILL, PROMISE, ONE_HOT = "clip", "fill", "promise_in_bounds", "one_hot"
_MODE_NAMES = {"clip": CLIP, "fill": FILL, "drop": FILL, "fill_or_drop": FILL,
               "promise_in_bounds": PROMISE, "one_hot": ONE_HOT}


def parse_mode(mode, default):
    """A gather/scatter mode (a string, or an enum with such a name) as one of the names above."""
    if mode is None:
        return default
    name = mode if isinstance(mode, str) else getattr(mode, "name", mode)
    parsed = _MODE_NAMES.get(str(name).lower())
    if parsed is None:
        raise errors.value_error(f'Unknown gather mode "{mode}"')
    return parsed


def default_fill_value(dtype):
    if dtypes.is_inexact(dtype):
        return np.nan
    if dtypes.is_bool(dtype):
        return True
    info = np.iinfo(dtype)
    return info.min if dtypes.is_signed(dtype) else info.max


def normalize_index(i, size, wrap):
    """An index as int32, negative values wrapped once (unsigned never are)."""
    i = lax.asarray(i)
    signed = i.dtype.kind != "u"
    i = lax.convert_element_type(i, INDEX_DTYPE)
    if wrap and signed:
        i = lax.select(lax.lt(i, 0), lax.add(i, size), i)
    return i


def check_indices(indices, what):
    if not dtypes.is_integer(indices.dtype):
        raise errors.type_error(f"{what} indices must have an integer type, got "
                                f"{indices.aval.str_short()}")


def _index_bounds(indices, uppers):
    """`uppers` (one per index vector entry) broadcast against (..., k) indices."""
    upper = lax.asarray(np.asarray(uppers, indices.dtype), indices.dtype)
    return lax.broadcast_in_dim(upper, indices.shape, (indices.ndim - 1,))


def _clamp_indices(indices, uppers):
    return lax.clamp(0, indices, _index_bounds(indices, uppers))


def _in_bounds(indices, uppers):
    """Per batch position: is every start index within [0, upper]?"""
    ok = lax.and_(lax.ge(indices, 0), lax.le(indices, _index_bounds(indices, uppers)))
    return lax.reduce_and(ok, [indices.ndim - 1])


# -- gather ----------------------------------------------------------------------------
def gather_with_mode(operand, start_indices, dimension_numbers, slice_sizes, indices_are_sorted,
                     mode, fill_value):
    """lax.gather: index vectors on the last axis of `start_indices`."""
    check_indices(start_indices, "gather")
    mode = parse_mode(mode, PROMISE)
    if mode == ONE_HOT:
        raise errors.value_error("gather mode 'one_hot' is only supported by take_along_axis")
    dn = dimension_numbers
    uppers = [operand.shape[d] - slice_sizes[d] for d in dn.start_index_map]
    indices = _clamp_indices(start_indices, uppers) if mode == CLIP else start_indices
    out = ops.gather.bind(
        operand, indices, offset_dims=tuple(dn.offset_dims),
        collapsed_slice_dims=tuple(dn.collapsed_slice_dims),
        start_index_map=tuple(dn.start_index_map), index_vector_dim=indices.ndim - 1,
        slice_sizes=tuple(int(s) for s in slice_sizes),
        operand_batching_dims=tuple(dn.operand_batching_dims),
        start_indices_batching_dims=tuple(dn.start_indices_batching_dims),
        indices_are_sorted=bool(indices_are_sorted))
    if mode != FILL:
        return out
    fill = default_fill_value(operand.dtype) if fill_value is None else fill_value
    batch_dims = [d for d in range(out.ndim) if d not in dn.offset_dims]
    mask = lax.broadcast_in_dim(_in_bounds(start_indices, uppers), out.shape, batch_dims)
    return lax.select(mask, out, lax.full_like(out, np.asarray(fill).astype(out.dtype)))


def gather(operand, start_indices, dimension_numbers, slice_sizes, *, indices_are_sorted=False,
           unique_indices=False, mode=None, fill_value=None):
    return gather_with_mode(lax.asarray(operand), lax.asarray(start_indices), dimension_numbers,
                            tuple(slice_sizes), indices_are_sorted, mode, fill_value)


def take_along_axis(a, indices, axis, out_shape, mode, fill_value, wrap):
    """a[..., indices, ...] along `axis` (a and indices of one rank, broadcast to out_shape);
    dims where both vary are gather batching dims."""
    if a.shape[axis] == 0:
        return lax.full(out_shape, 0, a.dtype)
    indices = normalize_index(indices, a.shape[axis], wrap)
    index_dims = [i for i, d in enumerate(indices.shape) if i == axis or d != 1]
    gather_indices = lax.reshape(broadcast_to(indices, [out_shape[i] if i in index_dims else 1
                                                        for i in range(a.ndim)]),
                                 [out_shape[i] for i in index_dims] + [1])
    slice_sizes, offset_dims, squeeze = [], [], []
    start_map, collapsed, operand_batch, indices_batch = [], [], [], []
    new_i = j = 0
    for i in range(a.ndim):
        if i == axis:
            slice_sizes.append(1)
            start_map.append(new_i)
            collapsed.append(new_i)
            new_i, j = new_i + 1, j + 1
        elif indices.shape[i] == 1:
            offset_dims.append(i)
            slice_sizes.append(a.shape[i])
            new_i += 1
        elif a.shape[i] == 1:
            squeeze.append(i)
            j += 1
        else:
            slice_sizes.append(1)
            operand_batch.append(new_i)
            indices_batch.append(j)
            new_i, j = new_i + 1, j + 1
    a = lax.reshape(a, [d for i, d in enumerate(a.shape) if i not in squeeze])
    dn = lax.GatherDimensionNumbers(offset_dims=tuple(offset_dims),
                                    collapsed_slice_dims=tuple(collapsed),
                                    start_index_map=tuple(start_map),
                                    operand_batching_dims=tuple(operand_batch),
                                    start_indices_batching_dims=tuple(indices_batch))
    return gather_with_mode(a, gather_indices, dn, slice_sizes, False, mode, fill_value)


# -- scatter ---------------------------------------------------------------------------
def _set_body(a, b):
    return [b]


def _binary_body(name):
    prim = ops.binary[name]

    def body(a, b):
        return [prim.bind(a, b)]
    body.__name__ = f"{name}_body"
    return body


COMBINERS = {"set": _set_body, "add": _binary_body("add"), "sub": _binary_body("subtract"),
             "multiply": _binary_body("multiply"), "minimum": _binary_body("minimum"),
             "maximum": _binary_body("maximum")}


def _window_sizes(operand, updates, dn):
    sizes, windows = [], iter(dn.update_window_dims)
    for d in range(operand.ndim):
        skip = d in dn.inserted_window_dims or d in dn.operand_batching_dims
        sizes.append(1 if skip else updates.shape[next(windows)])
    return sizes


def scatter_with_mode(operand, indices, updates, dimension_numbers, combiner_name,
                      indices_are_sorted, unique_indices, mode):
    """lax.scatter*: `combiner_name` names a COMBINERS body (or is a region body itself)."""
    check_indices(indices, "scatter")
    mode = parse_mode(mode, FILL)
    dn = dimension_numbers
    if mode == CLIP:
        sizes = _window_sizes(operand, updates, dn)
        indices = _clamp_indices(indices, [operand.shape[d] - sizes[d]
                                           for d in dn.scatter_dims_to_operand_dims])
    body = COMBINERS[combiner_name] if isinstance(combiner_name, str) else combiner_name
    return ops.scatter.bind(
        operand, indices, updates, update_window_dims=tuple(dn.update_window_dims),
        inserted_window_dims=tuple(dn.inserted_window_dims),
        scatter_dims_to_operand_dims=tuple(dn.scatter_dims_to_operand_dims),
        index_vector_dim=indices.ndim - 1, combiner=body,
        input_batching_dims=tuple(dn.operand_batching_dims),
        scatter_indices_batching_dims=tuple(dn.scatter_indices_batching_dims),
        indices_are_sorted=bool(indices_are_sorted), unique_indices=bool(unique_indices))


def _scatter_fn(combiner_name):
    def fn(operand, scatter_indices, updates, dimension_numbers, *, indices_are_sorted=False,
           unique_indices=False, mode=None, update_jaxpr=None, update_consts=None):
        return scatter_with_mode(lax.asarray(operand), lax.asarray(scatter_indices),
                                 lax.asarray(updates), dimension_numbers, combiner_name,
                                 indices_are_sorted, unique_indices, mode)
    return fn


scatter = _scatter_fn("set")
scatter_add = _scatter_fn("add")
scatter_sub = _scatter_fn("sub")
scatter_mul = _scatter_fn("multiply")
scatter_min = _scatter_fn("minimum")
scatter_max = _scatter_fn("maximum")
