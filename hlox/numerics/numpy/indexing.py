"""NumPy indexing with JAX's semantics: `x[idx]`, `x.at[idx].op(...)`, take, nonzero, ...

An index is parsed on the host into a list of entries (one per index element,
each naming the axes of `x` it consumes), then lowered the cheapest way:
static integers and slices to `stablehlo.slice` (+ `reverse`, `reshape`),
traced scalar integers to `dynamic_slice`, everything else to one `gather`
(updates to one `scatter`). Out-of-bounds rules are JAX's: retrieval clamps
(or fills with mode="fill"), updates drop out-of-bounds windows (or clamp with
mode="clip"); negative indices wrap once. Boolean masks must be concrete.
"""
from __future__ import annotations

import operator
from typing import Any, NamedTuple

import numpy as np

from hlox.frontend import dtypes, errors, lax, ops
from hlox.frontend.core import Tracer, current_trace
from hlox.numerics.numpy._util import (asarray, broadcast_shapes, broadcast_to,
                                       canonicalize_axis, check_arraylike, promote_dtypes)
from hlox.lowering.array import Array

__all__ = ["take", "take_along_axis", "nonzero", "argwhere", "flatnonzero", "compress", "put"]

_INDEX_DTYPE = dtypes.int32


class NonConcreteBooleanIndexError(IndexError):
    """A boolean mask index was traced: its number of True entries decides the result shape."""


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


def _default_fill_value(dtype):
    if dtypes.is_inexact(dtype):
        return np.nan
    if dtypes.is_bool(dtype):
        return True
    info = np.iinfo(dtype)
    return info.min if dtypes.is_signed(dtype) else info.max


# -- parsing -------------------------------------------------------------------------
NONE, ELLIPSIS, SLICE, INT, BOOL, ARRAY = "none", "ellipsis", "slice", "int", "bool", "array"


class Entry(NamedTuple):
    """One index element. `value`: an int (INT), (start, step, size) (SLICE), a bool
    (scalar BOOL) or an array (ARRAY, BOOL); `axes`: the axes of x it consumes;
    `pos`: its position in the user's index (decides where advanced dims go)."""
    kind: str
    value: Any
    axes: tuple
    pos: int


def _is_int_scalar(i):
    return isinstance(i, (int, np.integer)) and not isinstance(i, (bool, np.bool_))


def _sequence_index(idx):
    if not idx:
        return np.zeros((0,), _INDEX_DTYPE)
    if any(isinstance(e, (Tracer, Array)) for e in np.ravel(np.asarray(idx, dtype=object))):
        return asarray(idx)
    return np.asarray(idx)


def _array_kind(idx):
    if dtypes.is_bool(idx.dtype):
        return BOOL
    if dtypes.is_integer(idx.dtype):
        return ARRAY
    raise errors.type_error(f"Indexer must have integer or boolean type, got indexer with type "
                            f"{np.dtype(idx.dtype).name}")


def _classify(idx):
    """(kind, value) of one index element; lists become arrays."""
    if idx is None:
        return NONE, None
    if idx is Ellipsis:
        return ELLIPSIS, None
    if isinstance(idx, slice):
        return SLICE, idx
    if isinstance(idx, (bool, np.bool_)):
        return BOOL, bool(idx)
    if _is_int_scalar(idx):
        return INT, operator.index(idx)
    if isinstance(idx, str):
        raise errors.type_error(f"hlox does not support string indexing; got idx={idx!r}")
    if isinstance(idx, (list, tuple)):
        idx = _sequence_index(idx)
    if isinstance(idx, (Tracer, Array, np.ndarray)):
        return _array_kind(idx), idx
    if isinstance(idx, (float, complex, np.generic)):
        raise errors.type_error(f"Indexer must have integer or boolean type, got indexer with type "
                                f"{np.dtype(type(idx)).name}")
    raise errors.index_error("only integers, slices (`:`), ellipsis (`...`), newaxis (`None`) and "
                             f"integer or boolean arrays are valid indices. Got {idx!r}")


def _as_tuple(index):
    if isinstance(index, tuple):
        return index
    if isinstance(index, list):
        raise errors.type_error(
            "Using a non-tuple sequence for multidimensional indexing is not allowed; use "
            "`arr[array(seq)]` or `arr[tuple(seq)]` instead of `arr[seq]`.")
    return (index,)


def _consumed(kind, value):
    if kind in (NONE, ELLIPSIS):
        return 0
    if kind == BOOL:
        return np.ndim(value) if not isinstance(value, (Tracer, Array)) else value.ndim
    return 1


def _static_int(v, index, pos):
    if v is None:
        return None
    if isinstance(v, Tracer):
        raise errors.index_error(f"Slice entries must be static integers. Got {index} at "
                                 f"position {pos}")
    return operator.index(v)


def _slice_triple(s, size, pos):
    """(start, step, length) of a static slice over an axis of `size`."""
    start, stop, step = (_static_int(v, s, pos) for v in (s.start, s.stop, s.step))
    start, stop, step = slice(start, stop, step).indices(size)
    return start, step, len(range(start, stop, step))


def parse(index, shape):
    """Entries for `x[index]` with x of `shape`; the ellipsis is still an entry."""
    raw = [_classify(i) for i in _as_tuple(index)]
    counts = [_consumed(k, v) for k, v in raw]
    ellipses = [p for p, (k, _) in enumerate(raw) if k == ELLIPSIS]
    if len(ellipses) > 1:
        raise errors.index_error("an index can only have a single ellipsis ('...')")
    if sum(counts) > len(shape):
        raise errors.index_error(f"Too many indices: array is {len(shape)}-dimensional, but "
                                 f"{sum(counts)} were indexed")
    if ellipses:
        counts[ellipses[0]] = len(shape) - sum(counts)
    entries, axis = [], 0
    for pos, ((kind, value), n) in enumerate(zip(raw, counts)):
        axes = tuple(range(axis, axis + n))
        if kind == SLICE:
            value = _slice_triple(value, shape[axis], pos)
        entries.append(Entry(kind, value, axes, pos))
        axis += n
    return entries


def _expand_ellipsis(entries, ndim):
    """Replace the ellipsis (and the implicit trailing `:`s) by full slices."""
    out = []
    for e in entries:
        if e.kind == ELLIPSIS:
            out.extend(Entry(SLICE, None, (a,), e.pos) for a in e.axes)
        else:
            out.append(e)
    used = sum(len(e.axes) for e in entries)
    out.extend(Entry(SLICE, None, (a,), len(entries)) for a in range(used, ndim))
    return out


def _full_slices(entries, shape):
    return [e._replace(value=(0, 1, shape[e.axes[0]])) if e.kind == SLICE and e.value is None
            else e for e in entries]


def _concrete_mask(value, pos):
    if isinstance(value, Tracer):
        raise NonConcreteBooleanIndexError(
            f"Array boolean indices must be concrete; got {value.aval.str_short()}\n"
            f"  at {errors.user_location_str()}\n"
            "The number of True entries decides the result's shape, so the mask cannot be "
            "traced. Use hlox.numpy.where(mask, x, fill) or .at[...].get with a static size "
            "(e.g. hlox.numpy.nonzero(mask, size=n)) instead.")
    return np.asarray(value)


def expand_bools(entries, shape):
    """Boolean masks become integer arrays (np.nonzero); a scalar bool inserts a new axis
    of length 1 indexed by arange(0 or 1). Returns (entries, shape with new axes)."""
    out, new_shape, axis = [], [], 0
    for e in entries:
        if e.kind != BOOL:
            n = len(e.axes)
            out.append(e._replace(axes=tuple(range(len(new_shape), len(new_shape) + n))))
            new_shape.extend(shape[axis:axis + n])
            axis += n
            continue
        mask = _concrete_mask(e.value, e.pos)
        if mask.ndim == 0:
            out.append(Entry(ARRAY, np.arange(int(mask), dtype=_INDEX_DTYPE), (len(new_shape),),
                             e.pos))
            new_shape.append(1)
            continue
        expected = [shape[a] for a in e.axes]
        if not all(m in (0, s) for m, s in zip(mask.shape, expected)):
            raise errors.index_error(f"boolean index did not match shape of indexed array in "
                                     f"index {e.pos}: got {mask.shape}, expected {expected}")
        for nz in np.nonzero(mask):
            out.append(Entry(ARRAY, nz.astype(_INDEX_DTYPE), (len(new_shape),), e.pos))
            new_shape.append(shape[axis])
            axis += 1
    return out, tuple(new_shape)


# -- one compiled call per eager indexing op ------------------------------------------
_JITTED: dict = {}


def _fused(fn, arrays, static):
    """`fn(arrays, static)`, compiled as one program when no trace is active."""
    if current_trace() is not None:
        return fn(tuple(arrays), static)
    jitted = _JITTED.get(fn)
    if jitted is None:
        from hlox.frontend.jit import jit
        jitted = _JITTED[fn] = jit(fn, static_argnums=1)
    return jitted(tuple(arrays), static)


def _split_arrays(entries):
    """Static entries (arrays replaced by None) and the arrays, in order."""
    arrays = [e.value for e in entries if e.kind == ARRAY]
    static = tuple(e._replace(value=None) if e.kind == ARRAY else e for e in entries)
    return static, arrays


def _join_arrays(static, arrays):
    it = iter(arrays)
    return [e._replace(value=next(it)) if e.kind == ARRAY else e for e in static]


# -- index arithmetic -------------------------------------------------------------------
def _normalize(i, size, wrap):
    """An index as int32, negative values wrapped once (unsigned never are)."""
    i = asarray(i)
    signed = i.dtype.kind != "u"
    i = lax.convert_element_type(i, _INDEX_DTYPE)
    if wrap and signed:
        i = lax.select(lax.lt(i, 0), lax.add(i, size), i)
    return i


def _static_start(i, size, wrap):
    if size == 0:
        raise errors.index_error("index is out of bounds for an axis with size 0")
    if wrap and i < 0:
        i += size
    return min(max(i, 0), size - 1)


def _slice_window(start, step, length):
    """(lowest index, |step|) of a slice's elements."""
    lo = start + step * (length - 1) if step < 0 and length else (start if length else 0)
    return lo, abs(step)


class _Windows(NamedTuple):
    starts: list
    sizes: list
    strides: list
    reversed_axes: list
    out_shape: list


def _windows(entries, shape, wrap):
    """Per-axis windows for indices made only of ints, scalar arrays, slices and None."""
    w = _Windows([], [], [], [], [])
    for e in entries:
        if e.kind == NONE:
            w.out_shape.append(1)
            continue
        (axis,) = e.axes
        if e.kind == INT:
            w.starts.append(_static_start(e.value, shape[axis], wrap))
            w.sizes.append(1)
            w.strides.append(1)
        elif e.kind == ARRAY:
            if shape[axis] == 0:
                raise errors.index_error(f"index is out of bounds for axis {axis} with size 0")
            w.starts.append(_normalize(e.value, shape[axis], wrap))
            w.sizes.append(1)
            w.strides.append(1)
        else:
            start, step, length = e.value
            lo, stride = _slice_window(start, step, length)
            w.starts.append(lo)
            w.sizes.append(length)
            w.strides.append(stride)
            w.out_shape.append(length)
            if step < 0:
                w.reversed_axes.append(axis)
    return w


def _is_window_index(entries):
    return all(e.kind in (NONE, INT, SLICE) or (e.kind == ARRAY and np.ndim(e.value) == 0)
               for e in entries)


def _slice_by_windows(x, w):
    spans = [(n - 1) * st + 1 if n else 0 for n, st in zip(w.sizes, w.strides)]
    if all(isinstance(s, int) for s in w.starts):
        y = lax.slice(x, w.starts, [s + n for s, n in zip(w.starts, spans)], w.strides)
    else:  # a dynamic window covering the strided elements, then a static strided slice
        y = lax.slice(lax.dynamic_slice(x, w.starts, spans), [0] * x.ndim, spans, w.strides)
    return lax.reshape(lax.rev(y, w.reversed_axes), w.out_shape)


def _window_impl(arrays, static):
    x, *index_arrays = arrays
    entries, wrap = static
    return _slice_by_windows(x, _windows(_join_arrays(entries, index_arrays), x.shape, wrap))


class GatherPlan(NamedTuple):
    indices: Any            # int32 (..., k) start indices, or None when nothing is indexed
    dnums: Any              # lax.GatherDimensionNumbers
    slice_sizes: tuple
    slice_shape: tuple      # the result's shape, None axes included
    newaxis_dims: tuple
    reversed_dims: tuple
    advanced: bool


def _advanced_positions(entries):
    """Entries that take part in advanced indexing, and where their result dims go."""
    if not any(e.kind == ARRAY and np.ndim(e.value) > 0 for e in entries):
        return [], None
    adv = [n for n, e in enumerate(entries) if e.kind in (ARRAY, INT)]
    positions = sorted({entries[n].pos for n in adv})
    contiguous = positions[-1] - positions[0] == len(positions) - 1
    return adv, (adv[0] if contiguous else 0)


def _stack_indices(parts, batch_shape):
    """One (*batch_shape, k) index array from (array, first batch dim) parts."""
    if not parts:
        return None
    full = list(batch_shape) + [1]
    cols = [lax.broadcast_in_dim(g, full, tuple(range(d, d + g.ndim))) for g, d in parts]
    return lax.concatenate(cols, len(batch_shape))


def to_gather(entries, shape, wrap):
    """A GatherPlan for fully expanded entries (no ellipsis, no bool)."""
    adv, adv_at = _advanced_positions(entries)
    parts, batch_shape = [], []
    offset_dims, collapsed, start_map, slice_sizes = [], [], [], []
    slice_shape, newaxis, reversed_dims = [], [], []
    y_axis = out_axis = 0   # result axis with / without the None axes
    for n, e in enumerate(entries):
        if adv and n == adv_at:
            arrays = [_normalize(entries[m].value, shape[entries[m].axes[0]], wrap) for m in adv]
            bshape = broadcast_shapes(*(a.shape for a in arrays))
            parts += [(broadcast_to(a, bshape), len(batch_shape)) for a in arrays]
            batch_shape += bshape
            axes = [entries[m].axes[0] for m in adv]
            start_map += axes
            collapsed += axes
            slice_shape += bshape
            y_axis += len(bshape)
            out_axis += len(bshape)
        if n in adv:
            slice_sizes.append(1)
            continue
        if e.kind == NONE:
            slice_shape.append(1)
            newaxis.append(y_axis)
            y_axis += 1
            continue
        (axis,) = e.axes
        if e.kind in (INT, ARRAY):
            if shape[axis] == 0:
                raise errors.index_error(f"index is out of bounds for axis {axis} with size 0")
            value = e.value + shape[axis] if e.kind == INT and wrap and e.value < 0 else e.value
            parts.append((lax.convert_element_type(asarray(value), _INDEX_DTYPE) if e.kind == INT
                          else _normalize(value, shape[axis], wrap), len(batch_shape)))
            collapsed.append(axis)
            start_map.append(axis)
            slice_sizes.append(1)
            continue
        start, step, length = e.value
        lo, stride = _slice_window(start, step, length)
        slice_shape.append(length)
        if step < 0:
            reversed_dims.append(out_axis)
        if stride == 1:
            if length != shape[axis]:
                parts.append((lax.convert_element_type(asarray(lo), _INDEX_DTYPE), len(batch_shape)))
                start_map.append(axis)
            slice_sizes.append(length)
            offset_dims.append(out_axis)
        else:
            iota = lax.iota(_INDEX_DTYPE, length)
            parts.append((lax.add(lax.mul(iota, stride), lo), len(batch_shape)))
            batch_shape.append(length)
            start_map.append(axis)
            collapsed.append(axis)
            slice_sizes.append(1)
        y_axis += 1
        out_axis += 1
    dnums = lax.GatherDimensionNumbers(offset_dims=tuple(offset_dims),
                                       collapsed_slice_dims=tuple(sorted(collapsed)),
                                       start_index_map=tuple(start_map))
    return GatherPlan(_stack_indices(parts, batch_shape), dnums, tuple(slice_sizes),
                      tuple(slice_shape), tuple(newaxis), tuple(reversed_dims), bool(adv))


def _gather_impl(arrays, static):
    x, *index_arrays = arrays
    entries, new_shape, wrap, mode, fill_value, indices_are_sorted = static
    x = lax.reshape(x, new_shape)
    plan = to_gather(_join_arrays(entries, index_arrays), new_shape, wrap)
    if 0 in plan.slice_shape:
        return lax.full_like(x, 0, shape=plan.slice_shape)
    y = x
    if plan.indices is not None:
        y = gather_with_mode(x, plan.indices, plan.dnums, plan.slice_sizes,
                             indices_are_sorted or not plan.advanced, mode, fill_value)
    return lax.reshape(lax.rev(y, plan.reversed_dims), plan.slice_shape)


def _static_fill(fill_value):
    if fill_value is None:
        return None
    if isinstance(fill_value, Tracer):
        raise errors.ConcretizationTypeError(
            f"fill_value argument to indexed get() must be concrete, got "
            f"{fill_value.aval.str_short()}\n  at {errors.user_location_str()}")
    if np.ndim(fill_value) != 0:
        raise errors.value_error("fill_value argument to indexed get() must be a scalar")
    return np.asarray(fill_value).item()


def rewriting_take(x, index, *, indices_are_sorted=False, unique_indices=False, mode=None,
                   fill_value=None, wrap_negative_indices=True):
    """x[index] (x.at[index].get(...)): static slice, dynamic slice or one gather."""
    x = asarray(x)
    mode = parse_mode(mode, PROMISE)
    entries = _expand_ellipsis(parse(index, x.shape), x.ndim)
    entries = _full_slices(entries, x.shape)
    wrap = bool(wrap_negative_indices)
    if mode in (PROMISE, CLIP) and _is_window_index(entries):
        static, arrays = _split_arrays(entries)
        if not arrays:
            return _window_impl((x,), (static, wrap))
        return _fused(_window_impl, [x, *arrays], (static, wrap))
    entries, new_shape = expand_bools(entries, x.shape)
    static, arrays = _split_arrays(entries)
    return _fused(_gather_impl, [x, *arrays],
                  (static, new_shape, wrap, mode, _static_fill(fill_value),
                   bool(indices_are_sorted)))


def getitem(x, index):
    return rewriting_take(x, index)


# -- gather / scatter with out-of-bounds modes ---------------------------------------------
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


def _check_indices(indices, what):
    if not dtypes.is_integer(indices.dtype):
        raise errors.type_error(f"{what} indices must have an integer type, got "
                                f"{indices.aval.str_short()}")


def gather_with_mode(operand, start_indices, dimension_numbers, slice_sizes, indices_are_sorted,
                     mode, fill_value):
    """lax.gather: index vectors on the last axis of `start_indices`."""
    _check_indices(start_indices, "gather")
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
    fill = _default_fill_value(operand.dtype) if fill_value is None else fill_value
    batch_dims = [d for d in range(out.ndim) if d not in dn.offset_dims]
    mask = lax.broadcast_in_dim(_in_bounds(start_indices, uppers), out.shape, batch_dims)
    return lax.select(mask, out, lax.full_like(out, np.asarray(fill).astype(out.dtype)))


def _set_body(a, b):
    return [b]


def _binary_body(name):
    prim = ops.binary[name]

    def body(a, b):
        return [prim.bind(a, b)]
    body.__name__ = f"{name}_body"
    return body


_COMBINERS = {"set": _set_body, "add": _binary_body("add"), "sub": _binary_body("subtract"),
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
    """lax.scatter*: `combiner_name` names a _COMBINERS body (or is a region body itself)."""
    _check_indices(indices, "scatter")
    mode = parse_mode(mode, FILL)
    dn = dimension_numbers
    if mode == CLIP:
        sizes = _window_sizes(operand, updates, dn)
        indices = _clamp_indices(indices, [operand.shape[d] - sizes[d]
                                           for d in dn.scatter_dims_to_operand_dims])
    body = _COMBINERS[combiner_name] if isinstance(combiner_name, str) else combiner_name
    return ops.scatter.bind(
        operand, indices, updates, update_window_dims=tuple(dn.update_window_dims),
        inserted_window_dims=tuple(dn.inserted_window_dims),
        scatter_dims_to_operand_dims=tuple(dn.scatter_dims_to_operand_dims),
        index_vector_dim=indices.ndim - 1, combiner=body,
        input_batching_dims=tuple(dn.operand_batching_dims),
        scatter_indices_batching_dims=tuple(dn.scatter_indices_batching_dims),
        indices_are_sorted=bool(indices_are_sorted), unique_indices=bool(unique_indices))


# -- indexed updates: x.at[idx].op(y) -----------------------------------------------------
def _update_value(x, y):
    if (isinstance(y, int) and not isinstance(y, bool) and dtypes.is_integer(x.dtype)
            and np.iinfo(x.dtype).min <= y <= np.iinfo(x.dtype).max):
        return lax.asarray(np.asarray(y, x.dtype), x.dtype)
    return asarray(y)


def _scatter_impl(arrays, static):
    x, y, *index_arrays = arrays
    entries, new_shape, wrap, combiner, indices_are_sorted, unique_indices, mode = static
    dtype, weak = x.dtype, x.aval.weak_type
    plan = to_gather(_join_arrays(entries, index_arrays), new_shape, wrap)
    if 0 in plan.slice_shape:
        return x
    xp, y = promote_dtypes(x, y)
    y = broadcast_to(y, plan.slice_shape)
    y = lax.rev(lax.reshape(y, [d for i, d in enumerate(plan.slice_shape)
                                if i not in plan.newaxis_dims]), plan.reversed_dims)
    indices = plan.indices
    if indices is None:
        indices = lax.asarray(np.zeros((0,), _INDEX_DTYPE), _INDEX_DTYPE)
    dn = lax.ScatterDimensionNumbers(update_window_dims=plan.dnums.offset_dims,
                                     inserted_window_dims=plan.dnums.collapsed_slice_dims,
                                     scatter_dims_to_operand_dims=plan.dnums.start_index_map)
    out = scatter_with_mode(lax.reshape(xp, new_shape), indices, y, dn, combiner,
                            indices_are_sorted or not plan.advanced,
                            unique_indices or not plan.advanced, mode)
    return lax.convert_element_type(lax.reshape(out, x.shape), dtype, weak_type=weak)


def scatter_update(x, index, y, combiner, *, indices_are_sorted=False, unique_indices=False,
                   mode=None, wrap_negative_indices=True):
    x = asarray(x)
    y = _update_value(x, y)
    entries = _full_slices(_expand_ellipsis(parse(index, x.shape), x.ndim), x.shape)
    entries, new_shape = expand_bools(entries, x.shape)
    static, arrays = _split_arrays(entries)
    return _fused(_scatter_impl, [x, y, *arrays],
                  (static, new_shape, bool(wrap_negative_indices), combiner,
                   bool(indices_are_sorted), bool(unique_indices), parse_mode(mode, FILL)))


def _apply_body(func):
    def body(a, b):
        return [lax.convert_element_type(asarray(func(a)), a.dtype)]
    return body


_UPDATE_COMBINERS = {"set": "set", "add": "add", "subtract": "sub", "multiply": "multiply",
                     "mul": "multiply", "min": "minimum", "max": "maximum"}
# x.at[i].op(y) == ufunc(x, ones.at[i].multiply(y)): op -> name of the hlox.numpy ufunc
_RATIO_UPDATES = {"divide": "true_divide", "power": "power"}


def _update_method(combiner):
    def method(self, values, *, indices_are_sorted=False, unique_indices=False, mode=None,
               out_sharding=None, wrap_negative_indices=True):
        return scatter_update(self.array, self.index, values, combiner,
                              indices_are_sorted=indices_are_sorted,
                              unique_indices=unique_indices, mode=mode,
                              wrap_negative_indices=wrap_negative_indices)
    return method


def _ratio_method(ufunc_name):
    def method(self, values, *, indices_are_sorted=False, unique_indices=False, mode=None,
               out_sharding=None, wrap_negative_indices=True):
        from hlox.numerics.numpy import elementwise
        x = asarray(self.array)
        factors = scatter_update(lax.full_like(x, 1), self.index, values, "multiply",
                                 indices_are_sorted=indices_are_sorted,
                                 unique_indices=unique_indices, mode=mode,
                                 wrap_negative_indices=wrap_negative_indices)
        return getattr(elementwise, ufunc_name)(x, factors)
    return method


class IndexUpdateRef:
    """`x.at[index]`: methods return a copy of x updated at `index` (JAX's semantics)."""
    __slots__ = ("array", "index")

    def __init__(self, array, index):
        self.array = array
        self.index = index

    def __repr__(self):
        return f"IndexUpdateRef({self.array!r}, {self.index!r})"

    def get(self, *, indices_are_sorted=False, unique_indices=False, mode=None, fill_value=None,
            out_sharding=None, wrap_negative_indices=True):
        return rewriting_take(self.array, self.index, indices_are_sorted=indices_are_sorted,
                              unique_indices=unique_indices, mode=mode, fill_value=fill_value,
                              wrap_negative_indices=wrap_negative_indices)

    def apply(self, func, *, indices_are_sorted=False, unique_indices=False, mode=None,
              wrap_negative_indices=True):
        x = asarray(self.array)
        return scatter_update(x, self.index, lax.full((), 0, x.dtype), _apply_body(func),
                              indices_are_sorted=indices_are_sorted,
                              unique_indices=unique_indices, mode=mode,
                              wrap_negative_indices=wrap_negative_indices)


for _name, _combiner in _UPDATE_COMBINERS.items():
    setattr(IndexUpdateRef, _name, _update_method(_combiner))
for _name, _ufunc in _RATIO_UPDATES.items():
    setattr(IndexUpdateRef, _name, _ratio_method(_ufunc))


class IndexUpdateHelper:
    """The `.at` property: `x.at[index]` is an IndexUpdateRef."""
    __slots__ = ("array",)

    def __init__(self, array):
        self.array = array

    def __getitem__(self, index):
        return IndexUpdateRef(self.array, index)

    def __repr__(self):
        return f"IndexUpdateHelper({self.array!r})"


# -- take / take_along_axis --------------------------------------------------------------
_TAKE_MODES = {None: FILL, "fill": FILL, "clip": CLIP, "wrap": PROMISE}


def take(a, indices, axis=None, out=None, mode=None, unique_indices=False,
         indices_are_sorted=False, fill_value=None):
    if out is not None:
        raise NotImplementedError("The 'out' argument to hlox.numpy.take is not supported.")
    check_arraylike("take", a, indices)
    a, indices = asarray(a), asarray(indices)
    if mode == "raise":
        raise NotImplementedError("The 'raise' mode to hlox.numpy.take is not supported.")
    if mode not in _TAKE_MODES:
        raise errors.value_error(f"Invalid mode '{mode}' for np.take")
    _check_indices(indices, "take")
    if axis is None:
        a, axis = lax.reshape(a, (a.size,)), 0
    axis = canonicalize_axis(operator.index(axis), a.ndim)
    if a.shape[axis] == 0 and indices.size:
        raise errors.index_error("Cannot do a non-empty hlox.numpy.take() from an empty axis.")
    return _fused(_take_impl, [a, indices], (axis, mode, bool(indices_are_sorted),
                                              _static_fill(fill_value)))


def _take_impl(arrays, static):
    a, indices = arrays
    axis, mode, indices_are_sorted, fill_value = static
    n = a.shape[axis]
    if n == 0:
        return a
    if indices.size == 0:
        return lax.full_like(a, 0, shape=a.shape[:axis] + indices.shape + a.shape[axis + 1:])
    if mode == "wrap":
        indices = lax.rem(indices, n)
        if indices.dtype.kind != "u":
            indices = lax.rem(lax.add(indices, n), n)
    elif mode in (None, "fill"):
        indices = _normalize(indices, n, True)
    slice_sizes = list(a.shape)
    slice_sizes[axis] = 1
    k = indices.ndim
    dn = lax.GatherDimensionNumbers(
        offset_dims=tuple(range(axis)) + tuple(range(axis + k, a.ndim + k - 1)),
        collapsed_slice_dims=(axis,), start_index_map=(axis,))
    return gather_with_mode(a, lax.expand_dims(indices, (k,)), dn, slice_sizes,
                            indices_are_sorted, _TAKE_MODES[mode], fill_value)


def take_along_axis(arr, indices, axis=-1, mode=None, fill_value=None, *,
                    wrap_negative_indices=None):
    check_arraylike("take_along_axis", arr, indices)
    a, indices = asarray(arr), asarray(indices)
    if not dtypes.is_integer(indices.dtype):
        raise errors.type_error(f"take_along_axis indices must be of integer type, got "
                                f"{indices.dtype}")
    if axis is None:
        if indices.ndim != 1:
            raise errors.value_error(f"take_along_axis indices must be 1D if axis=None, got "
                                     f"shape {indices.shape}")
        a, axis = lax.reshape(a, (a.size,)), 0
    if a.ndim != indices.ndim:
        raise errors.value_error(f"indices and arr must have the same number of dimensions; "
                                 f"{indices.ndim} vs. {a.ndim}")
    axis = canonicalize_axis(axis, a.ndim)
    out_shape = broadcast_shapes(indices.shape, a.shape[:axis] + (1,) + a.shape[axis + 1:])
    mode = parse_mode(mode, FILL)
    wrap = mode != PROMISE if wrap_negative_indices is None else bool(wrap_negative_indices)
    return _fused(_take_along_axis_impl, [a, indices],
                  (axis, out_shape, mode, _static_fill(fill_value), wrap))


def _take_along_axis_impl(arrays, static):
    """Batched gather: dims where indices and arr both vary are gather batching dims."""
    a, indices = arrays
    axis, out_shape, mode, fill_value, wrap = static
    if a.shape[axis] == 0:
        return lax.full(out_shape, 0, a.dtype)
    indices = _normalize(indices, a.shape[axis], wrap)
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


# -- nonzero and friends ---------------------------------------------------------------------
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


def compress(condition, a, axis=None, *, size=None, fill_value=0, out=None):
    if out is not None:
        raise NotImplementedError("The 'out' argument to hlox.numpy.compress is not supported.")
    check_arraylike("compress", condition, a)
    cond = lax.convert_element_type(asarray(condition), dtypes.bool_)
    x = asarray(a)
    if cond.ndim != 1:
        raise errors.value_error("condition must be a 1D array")
    if axis is None:
        x, axis = lax.reshape(x, (x.size,)), 0
    axis = canonicalize_axis(axis, x.ndim)
    n = min(x.shape[axis], cond.shape[0])
    extra = cond[x.shape[axis]:]
    leading = (slice(None),) * axis
    x, cond = x[leading + (slice(0, n),)], cond[:n]
    if size is None:
        if extra.size and bool(np.any(np.asarray(extra))):
            raise errors.value_error("condition contains entries that are out of bounds")
        return x[leading + (cond,)]
    if not 0 <= size <= n:
        raise errors.value_error(f"size must be positive and not greater than the size of the "
                                 f"array axis; got size={size} for a.shape[axis]={n}")
    (picked,) = nonzero(cond, size=size, fill_value=n)
    return take(x, picked, axis=axis, mode="fill", fill_value=fill_value)


_PUT_MODES = {None: FILL, "clip": PROMISE, "wrap": PROMISE}


def put(a, ind, v, mode=None, *, inplace=True):
    if inplace:
        raise errors.value_error(
            "hlox.numpy.put cannot modify arrays in-place, because hlox arrays are immutable. "
            "Pass inplace=False to instead return an updated array.")
    check_arraylike("put", a, ind, v)
    x, ind, v = asarray(a), asarray(ind), asarray(v)
    ind, v = lax.reshape(ind, (ind.size,)), lax.reshape(v, (v.size,))
    if not x.size or not ind.size or not v.size:
        return x
    if mode == "raise":
        raise NotImplementedError("The 'raise' mode to hlox.numpy.put is not supported.")
    if mode not in _PUT_MODES:
        raise errors.value_error(f"mode should be one of 'wrap' or 'clip'; got mode={mode!r}")
    if v.size < ind.size:
        v = lax.concatenate([v] * -(-ind.size // v.size), 0)
    v = lax.slice(v, [0], [ind.size])
    if mode is None:  # JAX unravels the indices, which clips them to [-size, size)
        ind = lax.clamp(-x.size, ind, x.size - 1)
    elif mode == "clip":
        ind = lax.clamp(0, ind, x.size - 1)
    elif mode == "wrap":
        ind = lax.rem(lax.add(lax.rem(ind, x.size), x.size), x.size)
    flat = lax.reshape(x, (x.size,))
    out = scatter_update(flat, (ind,), v, "set", mode=_PUT_MODES[mode])
    return lax.reshape(out, x.shape)
