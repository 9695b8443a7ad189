"""Shape manipulation: reshape, transpose, joining, splitting, tiling, flipping, padding."""
from __future__ import annotations

import operator

import numpy as np

from hlox.frontend import dtypes, errors, lax, ops
from hlox.frontend.core import Tracer, aval_of
from hlox.numerics.numpy._util import (ArrayTypes, asarray, broadcast_shapes, broadcast_to,
                                       canonicalize_axes, canonicalize_axis, check_arraylike,
                                       concrete, promote_dtypes)


__all__ = ["shape", "ndim", "size", "reshape", "ravel", "flatten", "transpose", "permute_dims",
           "matrix_transpose", "swapaxes", "moveaxis", "expand_dims", "squeeze", "broadcast_to",
           "broadcast_arrays", "broadcast_shapes", "atleast_1d", "atleast_2d", "atleast_3d",
           "concatenate", "concat", "stack", "hstack", "vstack", "dstack", "column_stack",
           "split", "array_split", "hsplit", "vsplit", "dsplit", "tile", "repeat", "flip",
           "fliplr", "flipud", "roll", "rot90", "pad", "append", "astype"]


def _array(name, x):
    check_arraylike(name, x)
    return asarray(x)


# -- queries -----------------------------------------------------------------------------
def shape(a):
    return aval_of(a).shape


def ndim(a):
    return len(aval_of(a).shape)


def size(a, axis=None):
    s = aval_of(a).shape
    if axis is None:
        return int(np.prod(s, dtype=np.int64))
    return s[canonicalize_axis(axis, len(s))]


def astype(x, dtype, /, *, copy=False, device=None):
    return lax.convert_element_type(_array("astype", x), dtype)


# -- reshaping -----------------------------------------------------------------------------
def _new_shape(old, size_, new):
    new = (operator.index(new),) if np.ndim(new) == 0 else tuple(operator.index(d) for d in new)
    if new.count(-1) > 1:
        raise errors.type_error(f"can only specify one unknown axis size with a `-1` value, "
                                f"got {new}")
    if -1 in new:
        known = int(np.prod([d for d in new if d != -1], dtype=np.int64))
        if known <= 0 or size_ % known:
            raise errors.type_error(f"cannot reshape array of shape {old} (size {size_}) into "
                                    f"shape {new} because the product of specified axis sizes "
                                    f"({known}) does not evenly divide {size_}")
        new = tuple(size_ // known if d == -1 else d for d in new)
    if any(d < 0 for d in new) or int(np.prod(new, dtype=np.int64)) != size_:
        raise errors.type_error(f"cannot reshape array of shape {old} (size {size_}) into shape "
                                f"{new} (size {int(np.prod(new, dtype=np.int64))})")
    return new


def reshape(a, shape=None, order="C", *, copy=None):
    x = _array("reshape", a)
    new = _new_shape(x.shape, x.size, shape)
    if order == "C":
        return lax.reshape(x, new)
    if order == "F":
        reversed_ = tuple(range(x.ndim))[::-1]
        out = lax.reshape(lax.transpose(x, reversed_), new[::-1])
        return lax.transpose(out, tuple(range(len(new)))[::-1])
    if order == "A":
        raise NotImplementedError("np.reshape order=A is not implemented.")
    raise errors.value_error(f"Unexpected value for 'order' argument: {order}.")


def ravel(a, order="C"):
    x = _array("ravel", a)
    return reshape(x, (x.size,), order)


def flatten(a, order="C"):
    """`Array.flatten`: ravel under its method name."""
    return ravel(a, order)


def _check_permutation(perm, x):
    if sorted(perm) != list(range(x.ndim)):
        raise errors.type_error(f"transpose permutation isn't a permutation of operand "
                                f"dimensions, got permutation {tuple(perm)} for operand shape "
                                f"{x.shape}.")
    return lax.transpose(x, perm)


def transpose(a, axes=None):
    x = _array("transpose", a)
    if axes is None:
        return lax.transpose(x, tuple(range(x.ndim))[::-1])
    return _check_permutation([canonicalize_axis(ax, x.ndim) for ax in axes], x)


def permute_dims(a, /, axes):
    return transpose(a, axes)


def matrix_transpose(x, /):
    x = _array("matrix_transpose", x)
    if x.ndim < 2:
        raise errors.value_error(f"matrix_transpose requires at least 2 dimensions; got "
                                 f"ndim={x.ndim}")
    return swapaxes(x, -1, -2)


def swapaxes(a, axis1, axis2):
    x = _array("swapaxes", a)
    perm = list(range(x.ndim))
    for ax in (axis1, axis2):
        if not -x.ndim <= operator.index(ax) < x.ndim:
            raise errors.index_error(f"index {ax} is out of bounds for axis 0 with size {x.ndim}")
    a1, a2 = operator.index(axis1) % x.ndim, operator.index(axis2) % x.ndim
    perm[a1], perm[a2] = perm[a2], perm[a1]
    return lax.transpose(x, perm)


def _axis_tuple(axis):
    return (axis,) if np.ndim(axis) == 0 else tuple(axis)


def moveaxis(a, source, destination):
    x = _array("moveaxis", a)
    src, dst = _axis_tuple(source), _axis_tuple(destination)
    if len(src) != len(dst):
        raise errors.value_error(f"Inconsistent number of elements: {len(src)} vs {len(dst)}")
    src = [canonicalize_axis(s, x.ndim) for s in src]
    dst = [canonicalize_axis(d, x.ndim) for d in dst]
    perm = [i for i in range(x.ndim) if i not in src]
    for d, s in sorted(zip(dst, src)):
        perm.insert(d, s)
    return _check_permutation(perm, x)


def expand_dims(a, axis):
    x = _array("expand_dims", a)
    axes = _axis_tuple(axis)
    out_ndim = x.ndim + len(axes)
    dims = [canonicalize_axis(ax, out_ndim) for ax in axes]
    if len(set(dims)) != len(dims):
        raise errors.value_error(f"repeated axis in lax.expand_dims: {axes}")
    return lax.expand_dims(x, dims)


def squeeze(a, axis=None):
    x = _array("squeeze", a)
    if axis is None:
        dims = [i for i, d in enumerate(x.shape) if d == 1]
    else:
        dims = canonicalize_axes(_axis_tuple(axis), x.ndim)
        if any(x.shape[d] != 1 for d in dims):
            raise errors.value_error(f"cannot select an axis to squeeze out which has size not "
                                     f"equal to one, got shape={x.shape} and dimensions={dims}")
    return lax.reshape(x, [d for i, d in enumerate(x.shape) if i not in dims])


def broadcast_arrays(*args):
    check_arraylike("broadcast_arrays", *args)
    arrays = [asarray(a) for a in args]
    target = broadcast_shapes(*(a.shape for a in arrays))
    return [broadcast_to(a, target) for a in arrays]


def _atleast(name, min_ndim, place):
    """`place(shape)`: the shape a low-rank array takes when lifted to `min_ndim` dims."""
    def fn(*arys):
        check_arraylike(name, *arys)
        outs = [asarray(a) for a in arys]
        outs = [a if a.ndim >= min_ndim else lax.reshape(a, place(a.shape)) for a in outs]
        return outs[0] if len(outs) == 1 else outs
    fn.__name__ = name
    return fn


atleast_1d = _atleast("atleast_1d", 1, lambda s: (1,))
atleast_2d = _atleast("atleast_2d", 2, lambda s: (1,) + (s or (1,)))
atleast_3d = _atleast("atleast_3d", 3, lambda s: {0: (1, 1, 1), 1: (1,) + s + (1,)}.get(
    len(s), s + (1,)))


# -- joining -----------------------------------------------------------------------------
def _sequence(name, arrays):
    """The arrays of a sequence argument; an array argument is a sequence of its rows."""
    if isinstance(arrays, (*ArrayTypes, np.ndarray)):
        x = asarray(arrays)
        return [lax.index_in_dim(x, i, 0, keepdims=False) for i in range(x.shape[0])]
    arrays = list(arrays)
    check_arraylike(name, *arrays)
    return [asarray(a) for a in arrays]


def concatenate(arrays, axis=0, dtype=None):
    if isinstance(arrays, (*ArrayTypes, np.ndarray)):
        return _concatenate_rows(asarray(arrays), axis, dtype)
    xs = _sequence("concatenate", arrays)
    if not xs:
        raise errors.value_error("Need at least one array to concatenate.")
    if axis is None:
        xs, axis = [ravel(x) for x in xs], 0
    if any(x.ndim == 0 for x in xs):
        raise errors.value_error("Zero-dimensional arrays cannot be concatenated.")
    if len({x.ndim for x in xs}) > 1:
        raise errors.type_error(f"Cannot concatenate arrays with different numbers of "
                                f"dimensions: got {', '.join(str(x.shape) for x in xs)}.")
    axis = canonicalize_axis(axis, xs[0].ndim)
    xs = promote_dtypes(*xs)
    if dtype is not None:
        xs = [lax.convert_element_type(x, dtype) for x in xs]
    return lax.concatenate(xs, axis)


def _concatenate_rows(x, axis, dtype):
    """Concatenating the rows of one array is a transpose and a reshape."""
    if x.ndim == 0 or x.shape[0] == 0:
        raise errors.value_error("Need at least one array to concatenate.")
    if axis is None:
        out = ravel(x)
    elif x.ndim == 1:
        raise errors.value_error("Zero-dimensional arrays cannot be concatenated.")
    else:
        axis = canonicalize_axis(axis, x.ndim - 1)
        shape = list(x.shape[1:])
        shape[axis] *= x.shape[0]
        out = lax.reshape(moveaxis(x, 0, axis), shape)
    return out if dtype is None else lax.convert_element_type(out, dtype)


def concat(arrays, /, *, axis=0):
    return concatenate(arrays, axis)


def stack(arrays, axis=0, out=None, dtype=None):
    xs = _sequence("stack", arrays)
    if not xs:
        raise errors.value_error("Need at least one array to stack.")
    if len({x.shape for x in xs}) > 1:
        raise errors.value_error(f"All input arrays must have the same shape. Got "
                                 f"{', '.join(str(x.shape) for x in xs)}.")
    axis = canonicalize_axis(axis, xs[0].ndim + 1)
    return concatenate([lax.expand_dims(x, [axis]) for x in xs], axis, dtype)


def _stacker(name, lift, axis_of):
    def fn(tup, *, dtype=None):
        xs = _sequence(name, tup)
        xs = [lift(x) for x in xs]
        return concatenate(xs, axis_of(xs), dtype)
    fn.__name__ = name
    return fn


hstack = _stacker("hstack", atleast_1d, lambda xs: 0 if xs and xs[0].ndim == 1 else 1)
vstack = _stacker("vstack", atleast_2d, lambda xs: 0)
dstack = _stacker("dstack", atleast_3d, lambda xs: 2)
column_stack = _stacker("column_stack",
                        lambda x: x if x.ndim >= 2 else lax.transpose(atleast_2d(x), (1, 0)),
                        lambda xs: 1)


def append(arr, values, axis=None):
    if axis is None:
        return concatenate([ravel(arr), ravel(values)], 0)
    return concatenate([arr, values], axis)


# -- splitting -----------------------------------------------------------------------------
def _split_bounds(n, indices_or_sections, name, equal):
    if np.ndim(indices_or_sections) == 0:
        sections = operator.index(concrete(indices_or_sections, f"the sections of {name}"))
        if sections <= 0:
            raise errors.value_error(f"number sections must be larger than 0, got {sections}")
        if equal and n % sections:
            raise errors.value_error(f"array split does not result in an equal division: rest "
                                     f"is {n % sections}")
        base, extra = divmod(n, sections)
        sizes = [base + 1] * extra + [base] * (sections - extra)
        cuts = list(np.cumsum([0] + sizes))
    else:
        points = np.asarray(concrete(indices_or_sections, f"the indices of {name}"))
        cuts = [0] + [operator.index(p) for p in points.tolist()] + [n]
        if any(b < a for a, b in zip(cuts[:-1], cuts[1:])):
            raise errors.value_error(f"Sizes passed to split must be nonnegative, got "
                                     f"{list(np.diff(cuts))}")
    return list(zip(cuts[:-1], cuts[1:]))


def _split(name, ary, indices_or_sections, axis, equal, min_ndim=0):
    x = _array(name, ary)
    if x.ndim < min_ndim:
        raise errors.value_error(f"{name} only works on arrays of {min_ndim} or more dimensions")
    axis = canonicalize_axis(axis(x) if callable(axis) else axis, x.ndim)
    spans = _split_bounds(x.shape[axis], indices_or_sections, name, equal)
    return [lax.slice_in_dim(x, lo, hi, 1, axis) for lo, hi in spans]


def split(ary, indices_or_sections, axis=0):
    return _split("split", ary, indices_or_sections, axis, True)


def array_split(ary, indices_or_sections, axis=0):
    return _split("array_split", ary, indices_or_sections, axis, False)


def hsplit(ary, indices_or_sections):
    return _split("hsplit", ary, indices_or_sections, lambda x: 1 if x.ndim > 1 else 0, True, 1)


def vsplit(ary, indices_or_sections):
    return _split("vsplit", ary, indices_or_sections, 0, True, 1)


def dsplit(ary, indices_or_sections):
    return _split("dsplit", ary, indices_or_sections, 2, True, 3)


# -- repetition ----------------------------------------------------------------------------
def tile(A, reps):
    x = _array("tile", A)
    reps = _axis_tuple(reps)
    reps = tuple(operator.index(concrete(r, "the reps of jnp.tile")) for r in reps)
    if any(r < 0 for r in reps):
        raise errors.value_error(f"tile reps must be non-negative, got {reps}")
    n = max(len(reps), x.ndim)
    reps = (1,) * (n - len(reps)) + reps
    x = lax.reshape(x, (1,) * (n - x.ndim) + x.shape)
    interleaved = [d for pair in zip(reps, x.shape) for d in pair]
    tiled = lax.broadcast_in_dim(x, interleaved, tuple(range(1, 2 * n, 2)))
    return lax.reshape(tiled, [r * d for r, d in zip(reps, x.shape)])


def take_static(x, index, axis):
    """x[..., index, ...] along `axis` for host integer indices: one gather."""
    index = np.asarray(index, np.int32).reshape(-1, 1)
    sizes = list(x.shape)
    sizes[axis] = 1
    return ops.gather.bind(
        x, lax.asarray(index, dtypes.int32),
        offset_dims=tuple(d for d in range(x.ndim) if d != axis), collapsed_slice_dims=(axis,),
        start_index_map=(axis,), index_vector_dim=1, slice_sizes=tuple(sizes))


def repeat(a, repeats, axis=None, *, total_repeat_length=None):
    check_arraylike("repeat", a, *(() if isinstance(repeats, (int, np.integer)) else (repeats,)))
    x = asarray(a)
    if axis is None:
        x, axis = ravel(x), 0
    axis = canonicalize_axis(axis, x.ndim)
    reps = np.asarray(concrete(repeats, "the repeats of jnp.repeat"))
    if not (dtypes.is_integer(reps.dtype) or reps.dtype == np.bool_):
        raise errors.type_error(f"repeats must be integers, got {reps.dtype}")
    if np.any(reps < 0):
        raise errors.value_error(f"repeats may not contain negative values, got {reps}")
    n = x.shape[axis]
    if reps.ndim == 0 and total_repeat_length is None:
        return _repeat_uniform(x, int(reps), axis)
    if reps.ndim > 1 or reps.size not in (1, n):
        raise errors.value_error(f"repeats of shape {reps.shape} cannot be broadcast to the "
                                 f"{n} entries of axis {axis} of an array of shape {x.shape}")
    reps = np.broadcast_to(reps.reshape(-1), (n,))
    starts = np.cumsum(reps) - reps
    total = int(reps.sum()) if total_repeat_length is None else operator.index(total_repeat_length)
    if n == 0 or total == 0:
        return lax.slice_in_dim(x, 0, 0, 1, axis) if total == 0 else x
    # Output position j copies the last entry whose run starts at or before j (JAX pads with
    # the final entry when total_repeat_length exceeds the sum).
    index = np.searchsorted(starts, np.arange(total), side="right") - 1
    return take_static(x, index, axis)


def _repeat_uniform(x, r, axis):
    expanded = x.shape[:axis + 1] + (r,) + x.shape[axis + 1:]
    dims = tuple(d for d in range(x.ndim + 1) if d != axis + 1)
    out = list(x.shape)
    out[axis] *= r
    return lax.reshape(lax.broadcast_in_dim(x, expanded, dims), out)


# -- flips and rotations ---------------------------------------------------------------------
def flip(m, axis=None):
    x = _array("flip", m)
    axes = canonicalize_axes(None if axis is None else _axis_tuple(axis), x.ndim)
    return lax.rev(x, axes)


def fliplr(m):
    return flip(m, 1)


def flipud(m):
    return flip(m, 0)


def rot90(m, k=1, axes=(0, 1)):
    x = _array("rot90", m)
    if x.ndim < 2:
        raise errors.value_error(f"rot90 requires its first argument to have ndim at least "
                                 f"two, but got first argument of shape {x.shape}, which has "
                                 f"ndim {x.ndim}")
    if len(axes) != 2:
        raise errors.value_error(f"rot90 axes must be a pair of axes, got {axes}")
    ax0, ax1 = (canonicalize_axis(ax, x.ndim) for ax in axes)
    if ax0 == ax1:
        raise errors.value_error("Axes must be different")
    k = operator.index(k) % 4
    if k == 0:
        return x
    if k == 2:
        return flip(x, (ax0, ax1))
    perm = list(range(x.ndim))
    perm[ax0], perm[ax1] = ax1, ax0
    return lax.transpose(flip(x, ax1), perm) if k == 1 else flip(lax.transpose(x, perm), ax1)


def roll(a, shift, axis=None):
    x = _array("roll", a)
    if axis is None:
        return lax.reshape(roll(ravel(x), shift, 0), x.shape)
    traced = isinstance(shift, Tracer)
    shifts, axes = np.broadcast_arrays(np.zeros(shift.shape, int) if traced else
                                       np.asarray(shift), np.asarray(axis))
    out = x
    for i, (s, ax) in enumerate(zip(shifts.reshape(-1), axes.reshape(-1))):
        ax = canonicalize_axis(ax, x.ndim)
        if traced:
            s = shift if shift.ndim == 0 else lax.reshape(lax.slice(shift, [i], [i + 1]), ())
            out = _roll_traced(out, s, ax)
        else:
            out = _roll_static(out, int(s), ax)
    return out


def _roll_static(x, shift, axis):
    n = x.shape[axis]
    if n == 0 or shift % n == 0:
        return x
    cut = n - shift % n
    return lax.concatenate([lax.slice_in_dim(x, cut, n, 1, axis),
                            lax.slice_in_dim(x, 0, cut, 1, axis)], axis)


def _roll_traced(x, shift, axis):
    n = x.shape[axis]
    if n == 0:
        return x
    shift = lax.convert_element_type(shift, dtypes.int32)
    start = lax.rem(lax.sub(n, lax.rem(shift, n)), n)
    start = lax.select(lax.lt(start, 0), lax.add(start, n), start)
    return lax.dynamic_slice_in_dim(lax.concatenate([x, x], axis), start, n, axis)


# -- padding ---------------------------------------------------------------------------------
def _pad_widths(pad_width, nd):
    widths = np.asarray(concrete(pad_width, "the pad_width of jnp.pad"))
    if widths.size and not dtypes.is_integer(widths.dtype):
        raise errors.type_error("`pad_width` must be of integral type.")
    if widths.shape not in ((nd, 2), (1, 2), (2,), (1,), ()):
        raise errors.value_error(f"jnp.pad: pad_width with nd={nd} has unsupported shape "
                                 f"{widths.shape}. Valid shapes are ({nd}, 2), (1, 2), (2,), "
                                 f"(1,), or ().")
    pairs = widths.ndim == 2 or widths.shape == (2,)
    widths = np.broadcast_to(widths.reshape(-1, 2 if pairs else 1), (nd, 2))
    if np.any(widths < 0):
        raise errors.value_error("index can't contain negative values")
    return [(int(lo), int(hi)) for lo, hi in widths]


def _pad_constant(x, widths, constant_values=0):
    value = asarray(constant_values)
    if value.ndim == 0:
        return lax.pad(x, lax.convert_element_type(value, x.dtype),
                       [(lo, hi, 0) for lo, hi in widths])
    value = broadcast_to(lax.convert_element_type(value, x.dtype), (x.ndim, 2))
    for axis, (lo, hi) in enumerate(widths):
        for side, amount in ((0, lo), (1, hi)):
            config = [(0, 0, 0)] * x.ndim
            config[axis] = (amount, 0, 0) if side == 0 else (0, amount, 0)
            v = lax.reshape(lax.slice(value, [axis, side], [axis + 1, side + 1]), ())
            x = lax.pad(x, v, config)
    return x


def _check_nonempty(x, axis, widths, mode):
    if x.shape[axis] == 0 and any(widths[axis]):
        raise errors.value_error(f"Cannot apply '{mode}' padding to empty axis")
    return x.shape[axis] > 0 and any(widths[axis])


def _pad_by_index(mode, source_index):
    """Modes where each padded position copies one source position: one gather per axis."""
    def pad_fn(x, widths):
        for axis, (lo, hi) in enumerate(widths):
            if _check_nonempty(x, axis, widths, mode):
                n = x.shape[axis]
                x = take_static(x, source_index(np.arange(-lo, n + hi), n), axis)
        return x
    return pad_fn


def _pad_mirror(mode):
    """reflect/symmetric: grow each side by mirror images of the array grown so far (numpy's
    iteration), with 'odd' reflection about the edge value."""
    def pad_fn(x, widths, reflect_type="even"):
        if reflect_type not in ("even", "odd"):
            raise errors.value_error(f"reflect_type must be 'even' or 'odd', got {reflect_type!r}")
        for axis in range(x.ndim):
            if not _check_nonempty(x, axis, widths, mode):
                continue
            n = x.shape[axis]
            x = _mirror_side(x, axis, widths[axis][0], n, True, mode, reflect_type)
            x = _mirror_side(x, axis, widths[axis][1], n, False, mode, reflect_type)
        return x
    return pad_fn


def _mirror_side(x, axis, amount, n, before, mode, reflect_type):
    offset = 1 if mode == "reflect" and n > 1 else 0
    while amount > 0:
        chunk = min(amount, n - offset)
        amount -= chunk
        size_ = x.shape[axis]
        if before:
            edge = lax.slice_in_dim(x, 0, 1, 1, axis)
            piece = lax.slice_in_dim(x, offset, offset + chunk, 1, axis)
        else:
            edge = lax.slice_in_dim(x, size_ - 1, size_, 1, axis)
            piece = lax.slice_in_dim(x, size_ - chunk - offset, size_ - offset, 1, axis)
        piece = lax.rev(piece, [axis])
        if reflect_type == "odd":
            piece = lax.sub(lax.mul(broadcast_to(edge, piece.shape), 2), piece)
        x = lax.concatenate([piece, x] if before else [x, piece], axis)
    return x


_PAD_MODES = {
    # mode: (function(x, widths, **kwargs), accepted keyword arguments)
    "constant": (_pad_constant, {"constant_values"}),
    "empty": (_pad_constant, set()),
    "edge": (_pad_by_index("edge", lambda i, n: np.clip(i, 0, n - 1)), set()),
    "wrap": (_pad_by_index("wrap", lambda i, n: i % n), set()),
    "reflect": (_pad_mirror("reflect"), {"reflect_type"}),
    "symmetric": (_pad_mirror("symmetric"), {"reflect_type"}),
}


def pad(array, pad_width, mode="constant", **kwargs):
    x = _array("pad", array)
    if mode not in _PAD_MODES:
        raise NotImplementedError(f"Unimplemented padding mode '{mode}' for np.pad.")
    fn, accepted = _PAD_MODES[mode]
    unsupported = set(kwargs) - accepted
    if unsupported:
        raise errors.value_error(f"unsupported keyword arguments for mode '{mode}': "
                                 f"{unsupported}")
    widths = _pad_widths(pad_width, x.ndim)
    if not any(lo or hi for lo, hi in widths):
        return x
    return fn(x, widths, **kwargs)
