"""Indexing routines: take take_along_axis compress choose select piecewise extract,
and the updates put put_along_axis place fill_diagonal (all on gather/scatter)."""
from __future__ import annotations

import builtins
import operator

import numpy as np

from hlox.frontend import dtypes, errors, lax, slicing
from hlox.numerics.numpy import array_constructors, creation, elementwise, reductions, shape
from hlox.numerics.numpy._util import (_fused, _static_fill, asarray, broadcast_shapes,
                                       broadcast_to, canonicalize_axis, check_arraylike, concrete,
                                       promote_dtypes)
from hlox.numerics.numpy.indexing import scatter_update
from hlox.numerics.numpy.sorting import nonzero

__all__ = ["select", "piecewise", "put_along_axis", "fill_diagonal", "choose", "extract", "place",
           "take", "take_along_axis", "compress", "put"]


def _tile_to_size(x, size):
    if x.size < size:
        x = shape.tile(x, -(-size // x.size))
    return lax.slice(x, [0], [size]) if x.size > size else x


_CHOOSE_MODES = {
    "wrap": lambda a, n: elementwise.remainder(a, n),
    "clip": lambda a, n: elementwise.clip(a, 0, n - 1),
}


def select(condlist, choicelist, default=0):
    if len(condlist) != len(choicelist):
        raise errors.value_error(f"condlist must have length equal to choicelist "
                                 f"({len(condlist)} vs {len(choicelist)})")
    if not condlist:
        raise errors.value_error("condlist must be non-empty")
    check_arraylike("select", *condlist, *choicelist, default)
    choices = promote_dtypes(default, *choicelist)
    conditions = shape.stack(shape.broadcast_arrays(False, *condlist))
    which = reductions.argmax(lax.convert_element_type(conditions, dtypes.bool_), axis=0)
    return lax.select_n(*shape.broadcast_arrays(which, *choices))


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
    conds = array_constructors.array(condlist, dtype=dtypes.bool_)
    counts = reductions.cumsum(shape.concatenate([lax.full_like(conds[:1], False), conds], 0),
                               axis=0)
    which = reductions.argmax(counts, axis=0)  # the last true condition wins, as in numpy
    values = [lax.convert_element_type(asarray(f(x, *args, **kw) if callable(f) else f),
                                       x.dtype) for f in funclist]
    return lax.select_n(*shape.broadcast_arrays(which, *values))


def put_along_axis(arr, indices, values, axis, inplace=True, *, mode=None):
    if inplace:
        raise errors.value_error("jax.numpy.put_along_axis cannot modify arrays in-place, because "
                                 "JAX arrays are immutable. Pass inplace=False to instead return "
                                 "an updated array.")
    check_arraylike("put_along_axis", arr, indices, values)
    x, idx, vals = asarray(arr), asarray(indices), asarray(values)
    original_shape = x.shape
    x, axis = (shape.ravel(x), 0) if axis is None else (x, canonicalize_axis(axis, x.ndim))
    if x.ndim != idx.ndim:
        raise errors.value_error(f"put_along_axis arguments 'arr' and 'indices' must have same "
                                 f"ndim. Got arr.ndim={x.ndim} and indices.ndim={idx.ndim}.")
    try:
        vals = broadcast_to(vals, idx.shape)
    except ValueError:
        raise errors.value_error(f"put_along_axis argument 'values' must be broadcastable to "
                                 f"'indices'. Got values.shape={vals.shape} and "
                                 f"indices.shape={idx.shape}.") from None
    where_ = list(creation.indices(x.shape, sparse=True))
    where_[axis] = idx
    return lax.reshape(x.at[tuple(where_)].set(vals, mode=mode), original_shape)


def fill_diagonal(a, val, wrap=False, *, inplace=True):
    if inplace:
        raise NotImplementedError("JAX arrays are immutable, must use inplace=False")
    if wrap:
        raise NotImplementedError("wrap=True is not implemented, must use wrap=False")
    check_arraylike("fill_diagonal", a, val)
    x, v = asarray(a), asarray(val)
    if x.ndim < 2:
        raise errors.value_error("array must be at least 2-d")
    if x.ndim > 2 and len(set(x.shape)) != 1:
        raise errors.value_error("All dimensions of input must be of equal length")
    n = builtins.min(x.shape)
    return x.at[creation.diag_indices(n, x.ndim)].set(
        v if v.ndim == 0 else _tile_to_size(shape.ravel(v), n))


def choose(a, choices, out=None, mode="raise"):
    if out is not None:
        raise NotImplementedError("The 'out' argument to jnp.choose is not supported.")
    check_arraylike("choose", a, *choices)
    a, choices = asarray(a), [asarray(c) for c in choices]
    if not dtypes.is_integer(a.dtype):
        raise errors.value_error("`a` array must be integer typed")
    n = len(choices)
    if mode == "raise":
        host = np.asarray(concrete(a, "jnp.choose was jit-compiled with mode='raise'. Use "
                                      "mode='wrap' or mode='clip' instead."))
        if np.any((host < 0) | (host >= n)):
            raise errors.value_error("invalid entry in choice array")
    elif mode in _CHOOSE_MODES:
        a = _CHOOSE_MODES[mode](a, n)
    else:
        raise errors.value_error(f"mode={mode!r} not understood. Must be 'raise', 'wrap', or "
                                 f"'clip'")
    a, *choices = shape.broadcast_arrays(a, *choices)
    return array_constructors.array(choices)[(a,) + creation.indices(a.shape, sparse=True)]


def extract(condition, arr, *, size=None, fill_value=0):
    check_arraylike("extract", condition, arr, fill_value)
    return compress(shape.ravel(condition), shape.ravel(arr), size=size,
                             fill_value=fill_value)


def place(arr, mask, vals, *, inplace=True):
    check_arraylike("place", arr, mask, vals)
    x, m, v = asarray(arr), asarray(mask), shape.ravel(vals)
    if inplace:
        raise errors.value_error("jax.numpy.place cannot modify arrays in-place, because JAX "
                                 "arrays are immutable. Pass inplace=False to instead return an "
                                 "updated array.")
    if x.size != m.size:
        raise errors.value_error("place: arr and mask must be the same size")
    if not v.size:
        raise errors.value_error("Cannot place values from an empty array")
    if not x.size:
        return x
    (positions,) = elementwise.where(shape.ravel(m), size=m.size, fill_value=m.size)
    flat = shape.ravel(x).at[positions].set(_tile_to_size(v, m.size), mode="drop")
    return lax.reshape(flat, x.shape)


# -- take / take_along_axis --------------------------------------------------------------
_TAKE_MODES = {None: slicing.FILL, "fill": slicing.FILL, "clip": slicing.CLIP, "wrap": slicing.PROMISE}


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
    slicing.check_indices(indices, "take")
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
        indices = slicing.normalize_index(indices, n, True)
    slice_sizes = list(a.shape)
    slice_sizes[axis] = 1
    k = indices.ndim
    dn = lax.GatherDimensionNumbers(
        offset_dims=tuple(range(axis)) + tuple(range(axis + k, a.ndim + k - 1)),
        collapsed_slice_dims=(axis,), start_index_map=(axis,))
    return slicing.gather_with_mode(a, lax.expand_dims(indices, (k,)), dn, slice_sizes,
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
    mode = slicing.parse_mode(mode, slicing.FILL)
    wrap = mode != slicing.PROMISE if wrap_negative_indices is None else bool(wrap_negative_indices)
    return _fused(_take_along_axis_impl, [a, indices],
                  (axis, out_shape, mode, _static_fill(fill_value), wrap))


def _take_along_axis_impl(arrays, static):
    a, indices = arrays
    return slicing.take_along_axis(a, indices, *static)


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


_PUT_MODES = {None: slicing.FILL, "clip": slicing.PROMISE, "wrap": slicing.PROMISE}


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
