"""Index helpers, index tricks, insertion/deletion, gufunc-style vectorization, partitioning,
host I/O and dtype queries: the rest of jax.numpy's array-manipulation surface."""
from __future__ import annotations

import builtins
import functools
import operator
import re

import ml_dtypes
import numpy as np

from hlox.frontend import dtypes, errors, lax
from hlox.numerics.numpy import creation, elementwise, indexing, linalg, reductions, shape, sorting
from hlox.numerics.numpy._util import (ArrayTypes, asarray, broadcast_shapes, broadcast_to,
                                       canonicalize_axis, check_arraylike)
from hlox.numerics.numpy.creation import concrete
from hlox.transforms.vmap import vmap

__all__ = [
    # index helpers
    "tril_indices", "triu_indices", "tril_indices_from", "triu_indices_from",
    "diag_indices_from", "mask_indices", "ix_", "unravel_index", "ravel_multi_index",
    # index tricks
    "mgrid", "ogrid", "r_", "c_", "s_", "index_exp",
    # function application
    "fromfunction", "vectorize", "apply_along_axis", "apply_over_axes", "matvec", "vecmat",
    # building and editing arrays
    "copy", "block", "resize", "delete", "insert", "put_along_axis", "rollaxis", "unstack",
    "fill_diagonal", "diagflat", "choose", "extract", "place", "geomspace",
    "partition", "argpartition",
    # host data
    "frombuffer", "fromiter", "fromstring", "load", "save", "savez",
    "printoptions", "get_printoptions", "set_printoptions",
    # type queries
    "isscalar", "iterable", "iscomplex", "isreal", "iscomplexobj", "isrealobj", "can_cast",
    "isdtype", "ComplexWarning",
    # dtype aliases and classes
    "single", "double", "csingle", "cdouble", "character", "flexible", "object_",
    "int1", "int2", "int4", "uint1", "uint2", "uint4", "float4_e2m1fn", "float6_e2m3fn",
    "float6_e3m2fn", "float8_e3m4", "float8_e4m3", "float8_e4m3b11fnuz", "float8_e4m3fnuz",
    "float8_e5m2fnuz", "float8_e8m0fnu",
]


def _array(name, x):
    check_arraylike(name, x)
    return asarray(x)


def _index(x, what):
    return operator.index(concrete(x, what))


def _int_array(values):
    """Host index values as a default-int array (a constant under jit)."""
    dtype = dtypes.default_int()
    return lax.asarray(np.asarray(values).astype(dtype), dtype)


def _along(axis, index):
    """An index tuple selecting `index` along `axis` and everything elsewhere."""
    return (slice(None),) * axis + (index,)


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
    return indexing.nonzero(mask_func(creation.ones((n, n)), k), size=size)


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
    from hlox.numerics.numpy._util import promote_dtypes
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
            obj = creation.array(item)
            item_ndim = obj.ndim
        obj = creation.array(obj, ndmin=ndmin)
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


# -- function application ----------------------------------------------------------------------
def fromfunction(function, shape, *, dtype=float, **kwargs):
    dims = creation._shape_arg(shape)
    for i in range(len(dims)):
        in_axes = tuple(0 if j == len(dims) - 1 - i else None for j in range(len(dims)))
        function = vmap(function, in_axes=in_axes)
    return function(*(creation.arange(d, dtype=dtype) for d in dims), **kwargs)


_DIM = r"\w+"
_CORE = r"\((?:{0}(?:,{0})*)?\)".format(_DIM)
_SIGNATURE = r"^{0}(?:,{0})*->{0}(?:,{0})*$".format(_CORE)


def _parse_signature(signature):
    if not re.match(_SIGNATURE, signature):
        raise errors.value_error(f"not a valid gufunc signature: {signature}")
    return [[tuple(re.findall(_DIM, arg)) for arg in re.findall(_CORE, side)]
            for side in signature.split("->")]


def _record_core_sizes(sizes, shape_, core, context, is_input):
    """Check `shape_` against its core dimensions, filling in `sizes` (name -> size)."""
    if len(shape_) < len(core) if is_input else len(shape_) != len(core):
        what = ("input with shape {} does not have enough dimensions for all core dimensions {} {}"
                if is_input else "output shape {} does not match core dimensions {} {}")
        raise errors.value_error(what.format(shape_, core, context))
    for name, size in zip(core, shape_[len(shape_) - len(core):]):
        if sizes.setdefault(name, size) != size:
            raise errors.value_error(f"inconsistent size for core dimension {name!r}: {size!r} "
                                     f"vs {sizes[name]!r} {context}")


def _checked_outputs(func, sizes, out_cores, context):
    def wrapped(*args):
        out = func(*args)
        outs = out if isinstance(out, tuple) else [out]
        if len(out_cores) > 1 and not isinstance(out, tuple):
            raise errors.type_error(f"output must be a tuple when multiple outputs are expected, "
                                    f"got: {out!r}\n{context}")
        if len(outs) != len(out_cores):
            raise errors.type_error(f"wrong number of output arguments: expected "
                                    f"{len(out_cores)}, got {len(outs)} {context}")
        known = dict(sizes)
        for o, core in zip(outs, out_cores):
            _record_core_sizes(known, np.shape(o), core, context, is_input=False)
        return out
    return wrapped


def _bind_excluded(func, excluded, args, kwargs):
    """`func` with the excluded positional/keyword arguments fixed; the remaining arguments."""
    if not excluded:
        return func, list(args), kwargs
    fixed = [(i, args[i]) for i in sorted(e for e in excluded if isinstance(e, int)) if i < len(args)]
    fixed_kw = {k: v for k, v in kwargs.items() if k in excluded}

    def bound(*dynamic, **kw):
        full = list(dynamic)
        for i, a in fixed:
            full.insert(i, a)
        return func(*full, **kw, **fixed_kw)
    return (bound, [a for i, a in enumerate(args) if i not in excluded],
            {k: v for k, v in kwargs.items() if k not in excluded})


def vectorize(pyfunc, *, excluded=frozenset(), signature=None):
    """Broadcasting over leading (non-core) dimensions, one `vmap` per broadcast dimension."""
    if any(not isinstance(e, (str, int)) for e in excluded):
        raise errors.type_error(f"jax.numpy.vectorize can only exclude integer or string "
                                f"arguments, but excluded={excluded!r}")
    if any(isinstance(e, int) and e < 0 for e in excluded):
        raise errors.value_error(f"excluded={excluded!r} contains negative numbers")

    @functools.wraps(pyfunc)
    def wrapped(*args, **kwargs):
        context = (f"on vectorized function with excluded={excluded!r} and "
                   f"signature={signature!r}")
        func, args, kwargs = _bind_excluded(pyfunc, excluded, args, kwargs)
        in_cores, out_cores = (_parse_signature(signature) if signature is not None
                               else ([()] * len(args), None))
        nones = {i for i, a in enumerate(args) if a is None}
        if nones:
            if any(in_cores[i] != () for i in nones):
                raise errors.value_error(f"Cannot pass None at locations {nones} with "
                                         f"signature={signature!r}")
            func, args, _ = _bind_excluded(func, nones, args, {})
            in_cores = [c for i, c in enumerate(in_cores) if i not in nones]
        args = [asarray(a) for a in args]
        if len(args) != len(in_cores):
            raise errors.type_error(f"wrong number of positional arguments: expected "
                                    f"{len(in_cores)}, got {len(args)} {context}")
        sizes = {}
        for a, core in zip(args, in_cores):
            _record_core_sizes(sizes, a.shape, core, context, is_input=True)
        loops = [a.shape[:a.ndim - len(core)] for a, core in zip(args, in_cores)]
        loop_shape = broadcast_shapes(*loops)
        if out_cores is not None:
            func = _checked_outputs(func, sizes, out_cores, context)
        return _vectorized_call(func, args, loops, loop_shape, kwargs)

    return wrapped


def _vectorized_call(func, args, loops, loop_shape, kwargs):
    squeezed = [shape.squeeze(a, tuple(i for i, d in enumerate(lp) if d == 1))
                for a, lp in zip(args, loops)]
    padded = [(1,) * (len(loop_shape) - len(lp)) + lp for lp in loops]
    missing = []
    for back, sizes in enumerate(zip(*(p[::-1] for p in padded))):
        in_axes = tuple(None if d == 1 else 0 for d in sizes)
        if all(a is None for a in in_axes):
            missing.append(len(loop_shape) - 1 - back)
        else:
            func = vmap(func, in_axes)
    result = func(*squeezed, **kwargs)
    if not missing:
        return result
    if isinstance(result, tuple):
        return tuple(shape.expand_dims(r, missing) for r in result)
    return shape.expand_dims(result, missing)


def apply_along_axis(func1d, axis, arr, *args, **kwargs):
    check_arraylike("apply_along_axis", arr)
    ndim = np.ndim(arr)
    axis = canonicalize_axis(axis, ndim)
    func = lambda x: func1d(x, *args, **kwargs)  # noqa: E731
    for i in range(1, ndim - axis):
        func = vmap(func, in_axes=i, out_axes=-1)
    for _ in range(axis):
        func = vmap(func, in_axes=0, out_axes=0)
    return func(asarray(arr))


def apply_over_axes(func, a, axes):
    x = _array("apply_over_axes", a)
    for axis in axes:
        b = asarray(func(x, axis))
        if b.ndim == x.ndim - 1:
            b = shape.expand_dims(b, axis)
        elif b.ndim != x.ndim:
            raise errors.value_error("function is not returning an array of the correct shape")
        x = b
    return x


def matvec(x1, x2, /):
    check_arraylike("matvec", x1, x2)
    return vectorize(linalg.matmul, signature="(n,m),(m)->(n)")(x1, x2)


def vecmat(x1, x2, /):
    check_arraylike("vecmat", x1, x2)
    return vectorize(linalg.matmul, signature="(n),(n,m)->(m)")(elementwise.conj(x1), x2)


# -- building and editing arrays --------------------------------------------------------------
def copy(a, order=None):
    check_arraylike("copy", a)
    return creation.array(a, copy=True, order=order)


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
    vals = creation.array(asarray(values), dtype=x.dtype, ndmin=x.ndim)
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


def _tile_to_size(x, size):
    if x.size < size:
        x = shape.tile(x, -(-size // x.size))
    return lax.slice(x, [0], [size]) if x.size > size else x


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


def diagflat(v, k=0):
    check_arraylike("diagflat", v)
    flat = shape.ravel(v)
    k = _index(k, "k argument of jnp.diagflat")
    size = flat.shape[0] + abs(k)
    i = np.arange(flat.shape[0])
    positions = i + k + i * size if k >= 0 else i + (i - k) * size
    out = creation.zeros(size * size, dtype=flat.dtype).at[_int_array(positions)].set(flat)
    return lax.reshape(out, (size, size))


_CHOOSE_MODES = {
    "wrap": lambda a, n: elementwise.remainder(a, n),
    "clip": lambda a, n: elementwise.clip(a, 0, n - 1),
}


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
    return creation.array(choices)[(a,) + creation.indices(a.shape, sparse=True)]


def extract(condition, arr, *, size=None, fill_value=0):
    check_arraylike("extract", condition, arr, fill_value)
    return indexing.compress(shape.ravel(condition), shape.ravel(arr), size=size,
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


def geomspace(start, stop, num=50, endpoint=True, dtype=None, axis=0):
    num = _index(num, "'num' argument of jnp.geomspace")
    axis = _index(axis, "'axis' argument of jnp.geomspace")
    check_arraylike("geomspace", start, stop)
    dtype, compute = creation._inexact_dtypes(start, stop, dtype)
    start, stop = asarray(start, compute), asarray(stop, compute)
    sign = elementwise.sign(start)
    logs = [elementwise.log10(elementwise.divide(v, sign)) for v in (start, stop)]
    out = elementwise.multiply(sign, creation.logspace(*logs, num, endpoint=endpoint, base=10.0,
                                                       dtype=compute, axis=0))
    return lax.convert_element_type(shape.moveaxis(out, 0, canonicalize_axis(axis, out.ndim)),
                                    dtype)


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


# -- host data -----------------------------------------------------------------------------
def frombuffer(buffer, dtype=float, count=-1, offset=0):
    return asarray(np.frombuffer(buffer=buffer, dtype=dtype, count=count, offset=offset))


def fromstring(string, dtype=float, count=-1, *, sep):
    return asarray(np.fromstring(string, dtype=dtype, count=count, sep=sep))


def fromiter(*args, **kwargs):
    raise NotImplementedError("jnp.fromiter() is not implemented because it may be non-pure and "
                              "thus unsafe for use with JIT and other transformations. Consider "
                              "using jnp.asarray(np.fromiter(...)) instead.")


def load(file, *args, **kwargs):
    """numpy.load; a plain .npy array comes back as an hlox array (bfloat16 restored)."""
    out = np.load(file, *args, **kwargs)
    if not isinstance(out, np.ndarray):
        return out
    if out.dtype == np.dtype("V2"):  # how numpy saves bfloat16
        out = out.view(dtypes.bfloat16)
    return asarray(out)


save, savez = np.save, np.savez
printoptions, get_printoptions, set_printoptions = (np.printoptions, np.get_printoptions,
                                                     np.set_printoptions)


# -- type queries --------------------------------------------------------------------------
def isscalar(element):
    if np.isscalar(element):
        return True
    if isinstance(element, (np.ndarray, *ArrayTypes)):
        return element.ndim == 0
    if getattr(element, "__jax_array__", None) is not None:
        return asarray(element).ndim == 0
    return False


def iscomplexobj(x):
    if isinstance(x, (complex, np.complexfloating)):
        return True
    if x is None or isinstance(x, (bool, int, float, str, np.generic)):
        return False
    kind = getattr(x, "dtype", None)
    return np.dtype(kind if kind is not None else asarray(x).dtype).kind == "c"


def isrealobj(x):
    return not iscomplexobj(x)


def _imag_compare(name, compare):
    def fn(x, /):
        i = elementwise.imag(x)
        return compare(i, lax.full_like(i, 0))
    fn.__name__ = name
    return fn


iscomplex = _imag_compare("iscomplex", lax.ne)
isreal = _imag_compare("isreal", lax.eq)
iterable = np.iterable
can_cast = np.can_cast
ComplexWarning = np.exceptions.ComplexWarning

_SIGNED = [np.dtype(t) for t in (ml_dtypes.int1, ml_dtypes.int2, ml_dtypes.int4, np.int8, np.int16, np.int32,
                                 np.int64)]
_UNSIGNED = [np.dtype(t) for t in (ml_dtypes.uint1, ml_dtypes.uint2, ml_dtypes.uint4, np.uint8, np.uint16,
                                   np.uint32, np.uint64)]
_FLOATING = [np.dtype(getattr(ml_dtypes, n)) for n in (
    "bfloat16", "float4_e2m1fn", "float6_e2m3fn", "float6_e3m2fn", "float8_e3m4", "float8_e4m3",
    "float8_e4m3b11fnuz", "float8_e4m3fn", "float8_e4m3fnuz", "float8_e5m2", "float8_e5m2fnuz",
    "float8_e8m0fnu")] + [np.dtype(t) for t in (np.float16, np.float32, np.float64)]
_COMPLEX = [np.dtype(np.complex64), np.dtype(np.complex128)]
_DTYPE_KINDS = {
    "bool": {np.dtype(np.bool_)},
    "signed integer": set(_SIGNED),
    "unsigned integer": set(_UNSIGNED),
    "integral": set(_SIGNED + _UNSIGNED),
    "real floating": set(_FLOATING),
    "complex floating": set(_COMPLEX),
    "numeric": set(_SIGNED + _UNSIGNED + _FLOATING + _COMPLEX),
}


def isdtype(dtype, kind):
    """Whether `dtype` is one of the dtypes, or belongs to one of the named kinds, in `kind`."""
    options = set()
    for k in kind if isinstance(kind, tuple) else (kind,):
        if isinstance(k, str) and k in _DTYPE_KINDS:
            options |= _DTYPE_KINDS[k]
            continue
        try:
            options.add(np.dtype(k))
        except TypeError:
            if isinstance(k, str):
                raise errors.value_error(f"Unrecognized kind={k!r} expected one of "
                                         f"{list(_DTYPE_KINDS)}, or a compatible input for "
                                         f"jnp.dtype()") from None
            raise errors.type_error(f"Expected kind to be a dtype, string, or tuple; got "
                                    f"kind={k!r}") from None
    return np.dtype(dtype) in options


# -- dtype aliases (those hlox cannot hold raise TypeError when used as an array dtype) ------
single, double, csingle, cdouble = np.float32, np.float64, np.complex64, np.complex128
character, flexible, object_ = np.character, np.flexible, np.object_
int1, int2, int4 = ml_dtypes.int1, ml_dtypes.int2, ml_dtypes.int4
uint1, uint2, uint4 = ml_dtypes.uint1, ml_dtypes.uint2, ml_dtypes.uint4
float4_e2m1fn = ml_dtypes.float4_e2m1fn
float6_e2m3fn, float6_e3m2fn = ml_dtypes.float6_e2m3fn, ml_dtypes.float6_e3m2fn
float8_e3m4, float8_e4m3 = ml_dtypes.float8_e3m4, ml_dtypes.float8_e4m3
float8_e4m3b11fnuz, float8_e4m3fnuz = ml_dtypes.float8_e4m3b11fnuz, ml_dtypes.float8_e4m3fnuz
float8_e5m2fnuz, float8_e8m0fnu = ml_dtypes.float8_e5m2fnuz, ml_dtypes.float8_e8m0fnu
