"""NumPy indexing with JAX's semantics: `x[idx]` and `x.at[idx].op(...)`.

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

from hlox.frontend import dtypes, errors, lax, slicing
from hlox.frontend.core import Tracer
from hlox.lowering.array import Array
from hlox.numerics.numpy import elementwise
from hlox.numerics.numpy._util import (_fused, _static_fill, asarray, broadcast_shapes,
                                       broadcast_to, promote_dtypes)

class NonConcreteBooleanIndexError(errors.JAXIndexError):
    """A boolean mask index was traced: its number of True entries decides the result shape."""


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
        return np.zeros((0,), slicing.INDEX_DTYPE)
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
            out.append(Entry(ARRAY, np.arange(int(mask), dtype=slicing.INDEX_DTYPE), (len(new_shape),),
                             e.pos))
            new_shape.append(1)
            continue
        expected = [shape[a] for a in e.axes]
        if not all(m in (0, s) for m, s in zip(mask.shape, expected)):
            raise errors.index_error(f"boolean index did not match shape of indexed array in "
                                     f"index {e.pos}: got {mask.shape}, expected {expected}")
        for nz in np.nonzero(mask):
            out.append(Entry(ARRAY, nz.astype(slicing.INDEX_DTYPE), (len(new_shape),), e.pos))
            new_shape.append(shape[axis])
            axis += 1
    return out, tuple(new_shape)


def _split_arrays(entries):
    """Static entries (arrays replaced by None) and the arrays, in order."""
    arrays = [e.value for e in entries if e.kind == ARRAY]
    static = tuple(e._replace(value=None) if e.kind == ARRAY else e for e in entries)
    return static, arrays


def _join_arrays(static, arrays):
    it = iter(arrays)
    return [e._replace(value=next(it)) if e.kind == ARRAY else e for e in static]


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
            w.starts.append(slicing.normalize_index(e.value, shape[axis], wrap))
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
            arrays = [slicing.normalize_index(entries[m].value, shape[entries[m].axes[0]], wrap) for m in adv]
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
            parts.append((lax.convert_element_type(asarray(value), slicing.INDEX_DTYPE) if e.kind == INT
                          else slicing.normalize_index(value, shape[axis], wrap), len(batch_shape)))
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
                parts.append((lax.convert_element_type(asarray(lo), slicing.INDEX_DTYPE), len(batch_shape)))
                start_map.append(axis)
            slice_sizes.append(length)
            offset_dims.append(out_axis)
        else:
            iota = lax.iota(slicing.INDEX_DTYPE, length)
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
        y = slicing.gather_with_mode(x, plan.indices, plan.dnums, plan.slice_sizes,
                             indices_are_sorted or not plan.advanced, mode, fill_value)
    return lax.reshape(lax.rev(y, plan.reversed_dims), plan.slice_shape)


def rewriting_take(x, index, *, indices_are_sorted=False, unique_indices=False, mode=None,
                   fill_value=None, wrap_negative_indices=True):
    """x[index] (x.at[index].get(...)): static slice, dynamic slice or one gather."""
    x = asarray(x)
    mode = slicing.parse_mode(mode, slicing.PROMISE)
    entries = _expand_ellipsis(parse(index, x.shape), x.ndim)
    entries = _full_slices(entries, x.shape)
    wrap = bool(wrap_negative_indices)
    if mode in (slicing.PROMISE, slicing.CLIP) and _is_window_index(entries):
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
        indices = lax.asarray(np.zeros((0,), slicing.INDEX_DTYPE), slicing.INDEX_DTYPE)
    dn = lax.ScatterDimensionNumbers(update_window_dims=plan.dnums.offset_dims,
                                     inserted_window_dims=plan.dnums.collapsed_slice_dims,
                                     scatter_dims_to_operand_dims=plan.dnums.start_index_map)
    out = slicing.scatter_with_mode(lax.reshape(xp, new_shape), indices, y, dn, combiner,
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
                   bool(indices_are_sorted), bool(unique_indices), slicing.parse_mode(mode, slicing.FILL)))


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
