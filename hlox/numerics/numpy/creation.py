"""Array creation: `zeros ones full ... arange linspace logspace geomspace eye tri meshgrid`."""
from __future__ import annotations

import operator

import numpy as np

from hlox.frontend import dtypes, errors, lax
from hlox.frontend.core import aval_of
from hlox.numerics.numpy import elementwise
from hlox.numerics.numpy._util import (ArrayTypes, _index, broadcast_shapes, broadcast_to,
                                       canonicalize_axis, check_arraylike, concrete)
from hlox.numerics.numpy.array_constructors import _dtype_arg, array, asarray  # noqa: F401
from hlox.numerics.numpy.shape import moveaxis

__all__ = ["zeros", "ones", "full", "empty", "zeros_like", "ones_like", "full_like", "empty_like",
           "arange", "linspace", "logspace", "geomspace", "eye", "identity", "tri", "tril", "triu",
           "meshgrid", "indices", "diag_indices"]


# -- filled arrays ---------------------------------------------------------------------
def _shape_arg(shape):
    try:
        if isinstance(shape, (int, np.integer)) or (hasattr(shape, "ndim") and shape.ndim == 0):
            shape = (operator.index(shape),)
        else:
            shape = tuple(operator.index(d) for d in shape)
    except TypeError:
        raise errors.type_error(f"Shapes must be 1D sequences of concrete values of integer "
                                f"type, got {shape!r}.") from None
    if any(d < 0 for d in shape):
        raise errors.type_error(f"broadcast_in_dim shape must have every element be "
                                f"nonnegative, got {shape}.")
    return shape


def _scalar(value, dtype, weak):
    """`value` (host or device scalar) as a rank-0 array of `dtype` with weak flag `weak`."""
    if isinstance(value, ArrayTypes):
        return lax.convert_element_type(value, dtype, weak_type=weak)
    host = np.asarray(value)
    if dtypes.is_complex(host.dtype) and not dtypes.is_complex(dtype):
        host = host.real
    if dtypes.is_python_scalar(value) and dtypes.is_inexact(host.dtype) and \
            not dtypes.is_inexact(dtype):
        # a Python float -> int is the device's conversion in JAX (a numpy value: numpy's)
        return lax.convert_element_type(lax.asarray(value), dtype, weak_type=weak)
    return lax._as_weak(lax.asarray(host.astype(dtype), dtype), weak)


def _filled(shape, value, dtype, weak):
    return lax.broadcast(_scalar(value, dtype, weak), shape)


def full(shape, fill_value, dtype=None, *, device=None):
    check_arraylike("full", fill_value)
    dtype = _dtype_arg(dtype)
    if np.ndim(fill_value):
        return broadcast_to(asarray(fill_value, dtype), _shape_arg(shape))
    fill_dtype, fill_weak = dtypes.dtype_of(fill_value)
    return _filled(_shape_arg(shape), fill_value, fill_dtype if dtype is None else dtype,
                   dtype is None and fill_weak)


def _default_float_full(value, name):
    def fn(shape, dtype=None, *, device=None):
        dtype = dtypes.default_float() if dtype is None else _dtype_arg(dtype, name)
        return _filled(_shape_arg(shape), value, dtype, False)
    fn.__name__ = fn.__qualname__ = name
    return fn


zeros = _default_float_full(0, "zeros")
ones = _default_float_full(1, "ones")
empty = _default_float_full(0, "empty")
zeros.__name__, ones.__name__, empty.__name__ = "zeros", "ones", "empty"


def full_like(a, fill_value, dtype=None, shape=None, *, device=None):
    check_arraylike("full_like", fill_value)
    aval = aval_of(a)
    out_shape = aval.shape if shape is None else _shape_arg(shape)
    out_dtype = aval.dtype if dtype is None else _dtype_arg(dtype)
    if np.ndim(fill_value):
        return broadcast_to(asarray(fill_value, out_dtype), out_shape)
    return _filled(out_shape, fill_value, out_dtype, dtype is None and aval.weak_type)


def _like(value, name):
    def fn(a, dtype=None, shape=None, *, device=None):
        return full_like(a, value, dtype, shape)
    fn.__name__ = name
    return fn


zeros_like = _like(0, "zeros_like")
ones_like = _like(1, "ones_like")
empty_like = _like(0, "empty_like")


# -- ranges ---------------------------------------------------------------------------
def arange(start, stop=None, step=None, dtype=None, *, device=None):
    """Built on iota from concrete bounds, computed in `dtype` as JAX does."""
    dtype = _dtype_arg(dtype)
    check_arraylike("arange", *(v for v in (start, stop, step) if v is not None))
    names = ("stop" if stop is None and step is None else "start", "stop", "step")
    start, stop, step = (None if v is None else concrete(v, f"the jnp.arange argument '{n}'")
                         for v, n in zip((start, stop, step), names))
    for name, v in zip(names, (start, stop, step)):
        if v is not None and np.ndim(v) != 0:
            raise errors.value_error(f"jax.numpy.arange: arguments must be scalars; got {name}={v}")
        if v is not None and np.iscomplexobj(v):
            raise errors.value_error("Passing complex start/stop/step to jnp.arange is no "
                                     "longer supported starting in JAX v0.10.0.")
    if dtype is None:
        dtype = dtypes.result_type(*(v for v in (start, stop, step) if v is not None))
    if stop is None:
        start, stop = 0, start
    if step is None:
        size = max(0, int(np.ceil(stop - start)))
        ramp = lax.iota(dtype, size)
        return ramp if start == 0 else lax.add(_filled((size,), start, dtype, False), ramp)
    if step == 0:
        raise ZeroDivisionError("arange: step must not be zero")
    work = dtypes.float32 if dtypes.is_float(dtype) and dtype.itemsize < 4 else dtype
    size = max(0, int(np.ceil((stop - start) / step)))
    ramp = lax.mul(_filled((size,), step, work, False), lax.iota(work, size))
    return lax.convert_element_type(lax.add(_filled((size,), start, work, False), ramp), dtype)


def _inexact_dtypes(start, stop, dtype):
    if dtype is None:
        dtype, _ = dtypes.to_inexact(dtypes.result_type(start, stop), False)
    else:
        dtype = _dtype_arg(dtype)
    compute, _ = dtypes.to_inexact(dtype, False)
    return dtype, compute


def linspace(start, stop, num=50, endpoint=True, retstep=False, dtype=None, axis=0, *,
             device=None):
    num = operator.index(concrete(num, "the 'num' argument of jnp.linspace"))
    axis = operator.index(concrete(axis, "the 'axis' argument of jnp.linspace"))
    if num < 0:
        raise errors.value_error(f"Number of samples, {num}, must be non-negative.")
    check_arraylike("linspace", start, stop)
    dtype, compute = _inexact_dtypes(start, stop, dtype)
    start, stop = asarray(start, compute), asarray(stop, compute)
    bounds = list(broadcast_shapes(start.shape, stop.shape))
    start, stop = broadcast_to(start, bounds), broadcast_to(stop, bounds)
    axis = len(bounds) + axis + 1 if axis < 0 else axis
    shape = bounds[:axis] + [1] + bounds[axis:]
    div = num - 1 if endpoint else num
    if num > 1:
        delta = lax.div(lax.sub(stop, start), div)
        real = dtypes.real_dtype(compute)
        iota_shape = [1] * len(shape)
        iota_shape[axis] = div
        frac = lax.convert_element_type(
            lax.div(lax.reshape(lax.iota(real, div), iota_shape), div),
            compute)
        frac = broadcast_to(frac, shape[:axis] + [div] + shape[axis + 1:])
        lo, hi = (broadcast_to(lax.reshape(v, shape), frac.shape) for v in (start, stop))
        out = lax.add(lax.mul(lo, lax.sub(1, frac)), lax.mul(hi, frac))
        if endpoint:
            out = lax.concatenate([out, lax.reshape(stop, shape)], axis)
    elif num == 1:
        delta = _filled((), np.nan, compute, False) if endpoint else lax.sub(stop, start)
        out = lax.reshape(start, shape)
    else:
        delta = _filled((), np.nan, compute, False)
        out = _filled(shape[:axis] + [0] + shape[axis + 1:], 0, compute, False)
    if dtypes.is_integer(dtype) and not dtypes.is_integer(out.dtype):
        out = lax.floor(out)
    out = lax.convert_element_type(out, dtype)
    return (out, delta) if retstep else out


def logspace(start, stop, num=50, endpoint=True, base=10.0, dtype=None, axis=0):
    dtype, compute = _inexact_dtypes(start, stop, dtype)
    lin = linspace(asarray(start, compute), asarray(stop, compute), num, endpoint=endpoint,
                   axis=axis)
    return lax.convert_element_type(elementwise.power(base, lin), dtype)


# -- matrices --------------------------------------------------------------------------
def _dims(N, M, name):
    n = operator.index(concrete(N, f"the 'N' argument of jnp.{name}"))
    m = n if M is None else operator.index(concrete(M, f"the 'M' argument of jnp.{name}"))
    if n < 0 or m < 0:
        raise errors.value_error(f"negative dimensions are not allowed, got {N} and {M}")
    return n, m


def _diagonal_mask(shape, k, direction):
    """iota0 + k `direction` iota1: a boolean (rows, cols) mask around diagonal k."""
    rows = lax.broadcasted_iota(dtypes.int32, shape, 0)
    cols = lax.broadcasted_iota(dtypes.int32, shape, 1)
    if isinstance(k, ArrayTypes):
        k = lax.broadcast(lax.convert_element_type(k, dtypes.int32), shape)
    else:
        k = operator.index(k)
    return {"EQ": lax.eq, "GE": lax.ge}[direction](lax.add(rows, k), cols)


def _float_default(dtype):
    return dtypes.default_float() if dtype is None else _dtype_arg(dtype)


def eye(N, M=None, k=0, dtype=None, *, device=None):
    n, m = _dims(N, M, "eye")
    return lax.convert_element_type(_diagonal_mask((n, m), k, "EQ"), _float_default(dtype))


def identity(n, dtype=None):
    return eye(n, dtype=dtype)


def tri(N, M=None, k=0, dtype=None):
    n, m = _dims(N, M, "tri")
    dtype = dtypes.float32 if dtype is None else _dtype_arg(dtype)  # JAX: float32 even in x64
    return lax.convert_element_type(_diagonal_mask((n, m), k, "GE"), dtype)


def _triangle(name, keep_lower):
    def fn(m, k=0):
        check_arraylike(name, m)
        m = asarray(m)
        if m.ndim < 2:
            raise errors.value_error(f"Argument to jax.numpy.{name} must be at least 2D")
        rows, cols = m.shape[-2:]
        mask = broadcast_to(tri(rows, cols, k if keep_lower else k - 1, dtypes.bool_), m.shape)
        zero = zeros_like(m)
        return lax.select(mask, m, zero) if keep_lower else lax.select(mask, zero, m)
    fn.__name__ = name
    return fn


tril = _triangle("tril", True)
triu = _triangle("triu", False)


# -- grids -----------------------------------------------------------------------------
def meshgrid(*xi, copy=True, sparse=False, indexing="xy"):
    check_arraylike("meshgrid", *xi)
    if indexing not in ("xy", "ij"):
        raise errors.value_error(f"Valid values for indexing are 'xy' and 'ij', got {indexing}")
    args = [asarray(x) for x in xi]
    if any(a.ndim != 1 for a in args):
        raise errors.value_error(f"Arguments to jax.numpy.meshgrid must be 1D, got shapes "
                                 f"{[a.shape for a in args]}")
    dims = list(range(len(args)))
    if indexing == "xy" and len(args) >= 2:
        dims[0], dims[1] = 1, 0
    full_shape = [0] * len(args)
    for a, d in zip(args, dims):
        full_shape[d] = a.shape[0]
    outs = []
    for a, d in zip(args, dims):
        shape = [1] * len(args) if sparse else list(full_shape)
        shape[d] = a.shape[0]
        outs.append(lax.broadcast_in_dim(a, shape, (d,)))
    return outs


def indices(dimensions, dtype=None, sparse=False):
    dimensions = _shape_arg(dimensions)
    dtype = dtypes.default_int() if dtype is None else _dtype_arg(dtype)
    n = len(dimensions)
    grids = []
    for i, d in enumerate(dimensions):
        shape = tuple(d if j == i else (1 if sparse else dimensions[j]) for j in range(n))
        grids.append(lax.broadcasted_iota(dtype, shape, i))
    if sparse:
        return tuple(grids)
    return lax.concatenate([lax.expand_dims(g, [0]) for g in grids], 0) if grids else \
        _filled((0,), 0, dtype, False)


def diag_indices(n, ndim=2):
    n, ndim = operator.index(n), operator.index(ndim)
    if n < 0 or ndim < 0:
        raise errors.value_error(f"n argument to diag_indices must be nonnegative, got {n}")
    return (lax.iota(dtypes.default_int(), n),) * ndim


def geomspace(start, stop, num=50, endpoint=True, dtype=None, axis=0):
    num = _index(num, "'num' argument of jnp.geomspace")
    axis = _index(axis, "'axis' argument of jnp.geomspace")
    check_arraylike("geomspace", start, stop)
    dtype, compute = _inexact_dtypes(start, stop, dtype)
    start, stop = asarray(start, compute), asarray(stop, compute)
    sign = elementwise.sign(start)
    logs = [elementwise.log10(elementwise.divide(v, sign)) for v in (start, stop)]
    out = elementwise.multiply(sign, logspace(*logs, num, endpoint=endpoint, base=10.0,
                                                       dtype=compute, axis=0))
    return lax.convert_element_type(moveaxis(out, 0, canonicalize_axis(axis, out.ndim)),
                                    dtype)
