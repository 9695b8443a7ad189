"""Index helpers and index tricks: tril/triu indices, diag_indices_from, mask_indices,
ix_, unravel_index, ravel_multi_index, mgrid ogrid r_ c_ s_ index_exp."""
from __future__ import annotations

import numpy as np

from hlox.frontend import dtypes, errors, lax
from hlox.numerics.numpy import array_constructors, creation, elementwise, shape, sorting
from hlox.numerics.numpy._util import (_array, _index, _int_array, asarray, check_arraylike,
                                       concrete, promote_dtypes)

__all__ = ["tril_indices", "triu_indices", "tril_indices_from", "triu_indices_from",
           "diag_indices_from", "mask_indices", "ix_", "unravel_index", "ravel_multi_index",
           "mgrid", "ogrid", "r_", "c_", "s_", "index_exp"]


# -- index helpers ---------------------------------------------------------------------------
def _triangle_indices(name, host_fn):
    def fn(n, k=0, m=None):
        n = _index(n, f"n argument of jnp.{name}")
        k = _index(k, f"k argument of jnp.{name}")
        m = n if m is None else _index(m, f"m argument of jnp.{name}")
        return tuple(_int_array(i) for i in host_fn(n, k, m))
    fn.__name__ = name
    return fn


tril_indices = _triangle_indices("tril_indices", np.tril_indices)


triu_indices = _triangle_indices("triu_indices", np.triu_indices)


def _from_shape(name, indices_fn):
    def fn(arr, k=0):
        arr_shape = arr.shape if hasattr(arr, "shape") else _array(name, arr).shape
        if len(arr_shape) != 2:
            raise errors.value_error("Only 2-D inputs are accepted")
        return indices_fn(arr_shape[0], k=k, m=arr_shape[1])
    fn.__name__ = name
    return fn


tril_indices_from = _from_shape("tril_indices_from", tril_indices)


triu_indices_from = _from_shape("triu_indices_from", triu_indices)


def diag_indices_from(arr):
    s = _array("diag_indices_from", arr).shape
    if len(s) < 2:
        raise errors.value_error("input array must be at least 2-d")
    if len(set(s)) != 1:
        raise errors.value_error("All dimensions of input must be of equal length")
    return creation.diag_indices(s[0], ndim=len(s))


def mask_indices(n, mask_func, k=0, *, size=None):
    return sorting.nonzero(mask_func(creation.ones((n, n)), k), size=size)


def ix_(*args):
    check_arraylike("ix", *args)
    out = []
    for i, a in enumerate(asarray(a) for a in args):
        if a.ndim != 1:
            raise errors.value_error(f"Arguments to jax.numpy.ix_ must be 1-dimensional, got "
                                     f"shape {a.shape}")
        if dtypes.is_bool(a.dtype):
            raise NotImplementedError("Boolean arguments to jax.numpy.ix_ are not implemented")
        shape_ = [1] * len(args)
        shape_[i] = a.shape[0]
        out.append(lax.full(shape_, 0, dtypes.canonicalize(np.intp)) if a.size == 0
                   else lax.broadcast_in_dim(a, shape_, (i,)))
    return tuple(out)


def unravel_index(indices, shape):
    rest = _array("unravel_index", indices)
    try:
        dims = list(shape)
    except TypeError:
        dims = [shape]
    if any(np.ndim(d) != 0 for d in dims):
        raise errors.value_error("unravel_index: shape should be a scalar or 1D sequence.")
    coords = [0] * len(dims)
    for i in reversed(range(len(dims))):
        rest, coords[i] = elementwise.divmod(rest, dims[i])
    # out-of-range flat indices clamp to the first / last position, as in JAX
    high = elementwise.greater(rest, 0)
    low = (lax.full((), False, dtypes.bool_) if dtypes.dtype_of(rest)[0].kind == "u"
           else elementwise.less(rest, -1))
    return tuple(elementwise.where(high, d - 1, elementwise.where(low, 0, c))
                 for d, c in zip(dims, coords))


_RAVEL_MODES = {
    "raise": lambda i, d: i,
    "ignore": lambda i, d: i,
    "clip": lambda i, d: elementwise.clip(i, 0, d - 1),
    "wrap": lambda i, d: elementwise.remainder(i, d),
}


def ravel_multi_index(multi_index, dims, mode="raise", order="C", *, dtype=None):
    if len(multi_index) != len(dims):
        raise errors.value_error(f"len(multi_index)={len(multi_index)} != len(dims)={len(dims)}")
    dims = tuple(_index(d, "in `dims` argument of ravel_multi_index().") for d in dims)
    check_arraylike("ravel_multi_index", *multi_index)
    index = [asarray(i) for i in multi_index]
    if dtype is None:  # Python's int joins as a weak type
        dtype = dtypes.promote([(dtypes.default_int(), True)] + [dtypes.dtype_of(i) for i in index])[0]
    else:
        dtype = creation._dtype_arg(dtype)
    if not dtypes.is_integer(dtype):
        raise errors.value_error(f"dtype={dtype} is not an integer type.")
    if int(np.prod(dims, dtype=np.int64)) - 1 > np.iinfo(dtype).max:
        raise errors.value_error(f"jnp.ravel_multi_index: dtype={dtype} not large enough to hold "
                                 f"flattened index for dims={dims}.")
    if mode not in _RAVEL_MODES:
        raise errors.value_error(f"invalid mode={mode!r}. Expected 'raise', 'wrap', 'clip', or "
                                 f"'ignore'.")
    for i in index:
        if not dtypes.is_integer(i.dtype):
            raise errors.type_error("only int indices permitted")
        if mode == "raise":
            concrete(i, "ravel_multi_index was jit-compiled with mode='raise'. Use "
                        "mode='wrap' or mode='clip' instead.")
    if mode == "raise" and any(np.any((np.asarray(i) < 0) | (np.asarray(i) >= d))
                               for i, d in zip(index, dims)):
        raise errors.value_error("invalid entry in coordinates array")
    index = [_RAVEL_MODES[mode](i, d) for i, d in zip(index, dims)]
    if order not in ("C", "F"):
        raise errors.value_error(f"invalid order={order!r}. Expected 'C' or 'F'")
    strides = (np.cumprod((1,) + dims[:-1]) if order == "F"
               else np.cumprod((1,) + dims[1:][::-1])[::-1])
    out = lax.full((), 0, dtype)
    for i, s in zip(index, strides):
        out = elementwise.add(out, elementwise.multiply(lax.convert_element_type(i, dtype), int(s)))
    return out


# -- index tricks ----------------------------------------------------------------------------
def _grid_1d(s, name):
    start = concrete(s.start, f"slice start of jnp.{name}") or 0
    stop = concrete(s.stop, f"slice stop of jnp.{name}")
    step = concrete(s.step, f"slice step of jnp.{name}") or 1
    if np.iscomplex(step):
        return creation.linspace(start, stop, int(abs(step)))
    return creation.arange(start, stop, step)


def _grids(key, name):
    return promote_dtypes(*(_grid_1d(k, name) for k in key))


class _Mgrid:
    """`mgrid[a:b:s, ...]`: a dense grid (`meshgrid(..., indexing='ij')` stacked)."""

    def __getitem__(self, key):
        if isinstance(key, slice):
            return _grid_1d(key, "mgrid")
        grids = creation.meshgrid(*_grids(key, "mgrid"), indexing="ij")
        return shape.stack(grids, 0) if grids else creation.arange(0)


class _Ogrid:
    """`ogrid[a:b:s, ...]`: an open grid (sparse meshgrid)."""

    def __getitem__(self, key):
        if isinstance(key, slice):
            return _grid_1d(key, "ogrid")
        return creation.meshgrid(*_grids(key, "ogrid"), indexing="ij", sparse=True)


_MATRIX_DIRECTIVES = {"r": 0, "c": 1}


class _AxisConcat:
    """`r_[...]` / `c_[...]`: concatenates slices, scalars and arrays along an axis, with
    numpy's optional leading directive string 'axis,ndmin,trans1d' or 'r' / 'c'."""

    def __init__(self, name, axis, ndmin, trans1d):
        self.name, self.params = name, [axis, ndmin, trans1d, -1]

    def _parse_directive(self, directive):
        params = list(self.params)
        if directive in _MATRIX_DIRECTIVES:
            params[-1] = _MATRIX_DIRECTIVES[directive]
            return params
        vec = directive.split(",")
        vec = vec + params[len(vec):] if len(vec) < 4 else vec[:3] + [params[-1]]
        try:
            return [int(v) for v in vec]
        except ValueError:
            raise errors.value_error(f"could not understand directive {directive!r}") from None

    def __getitem__(self, key):
        items = key if isinstance(key, tuple) else (key,)
        params = self.params
        if items and isinstance(items[0], str):
            params, items = self._parse_directive(items[0]), items[1:]
        axis, ndmin, trans1d, matrix = params
        parts = [self._item(item, ndmin, trans1d) for item in items]
        out = shape.concatenate(parts, axis=axis)
        return shape.expand_dims(out, matrix) if matrix != -1 and out.ndim == 1 else out

    def _item(self, item, ndmin, trans1d):
        if isinstance(item, slice):
            obj, item_ndim = _grid_1d(item, self.name), 0
        elif isinstance(item, str):
            raise errors.value_error("string directive must be placed at the beginning")
        else:
            obj = array_constructors.array(item)
            item_ndim = obj.ndim
        obj = array_constructors.array(obj, ndmin=ndmin)
        if trans1d != -1 and ndmin - item_ndim > 0:
            shift = ndmin - abs(ndmin + trans1d + 1) % ndmin
            order = tuple(range(ndmin))
            obj = shape.transpose(obj, order[shift:] + order[:shift])
        return obj

    def __len__(self):
        return 0


mgrid, ogrid = _Mgrid(), _Ogrid()


r_ = _AxisConcat("r_", 0, 1, -1)


c_ = _AxisConcat("c_", -1, 2, 0)


s_, index_exp = np.s_, np.index_exp
