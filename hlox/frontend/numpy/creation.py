"""Array creation: `array asarray zeros ones full ... arange linspace eye tri meshgrid`."""
from __future__ import annotations

import numpy as np

from hlox.frontend import dtypes, errors, lax
from hlox.frontend.core import Tracer
from hlox.lowering.array import Array

__all__ = ["array", "asarray", "zeros", "ones", "full", "empty", "zeros_like", "ones_like",
           "full_like", "empty_like"]


def _dtype_arg(dtype):
    return None if dtype is None else dtypes.canonicalize(dtypes.to_dtype(dtype))


def array(object, dtype=None, copy=True, order=None, ndmin=0):  # noqa: A002
    dtype = _dtype_arg(dtype)
    if isinstance(object, (Tracer, Array)):
        out = object if dtype is None else lax.convert_element_type(object, dtype)
    elif isinstance(object, (list, tuple)) and _contains_arrays(object):
        from hlox.frontend.numpy import shape as shape_ops
        parts = [array(o) for o in object]
        out = shape_ops.stack(parts) if parts else lax.asarray(np.zeros((0,)), dtype)
        if dtype is not None:
            out = lax.convert_element_type(out, dtype)
    else:
        if dtypes.is_python_scalar(object):
            out = lax.asarray(object, dtype) if dtype is not None else _strong_scalar(object)
        else:
            host = np.asarray(object)
            if host.dtype.kind == "O":
                raise errors.type_error(f"cannot convert {type(object).__name__} to an hlox array")
            if dtype is None and host.dtype.kind in "iuf" and host.dtype.itemsize == 8 and isinstance(object, (list, tuple)):
                host = host.astype(dtypes.default_int() if host.dtype.kind == "i" else
                                   dtypes.default_float() if host.dtype.kind == "f" else host.dtype)
            out = lax.asarray(host, dtype)
    if ndmin and out.ndim < ndmin:
        out = lax.reshape(out, (1,) * (ndmin - out.ndim) + out.shape)
    return out


def _strong_scalar(x):
    dtype, _ = dtypes.python_scalar_dtype(x)
    return lax.asarray(np.asarray(x, dtype), dtype)


def _contains_arrays(seq):
    for e in seq:
        if isinstance(e, (Tracer, Array)):
            return True
        if isinstance(e, (list, tuple)) and _contains_arrays(e):
            return True
    return False


def asarray(a, dtype=None, order=None, *, copy=None, device=None):
    return array(a, dtype=dtype, copy=False)


def _shape_arg(shape):
    if isinstance(shape, (int, np.integer)):
        return (int(shape),)
    try:
        shape = tuple(int(operator_index(d)) for d in shape)
    except TypeError:
        raise errors.type_error(f"Shapes must be 1D sequences of concrete values of integer "
                                f"type, got {shape!r}") from None
    if any(d < 0 for d in shape):
        raise errors.value_error(f"negative dimensions are not allowed, got {shape}")
    return shape


def operator_index(d):
    import operator
    return operator.index(d)


def full(shape, fill_value, dtype=None, *, device=None):
    shape = _shape_arg(shape)
    if dtype is None:
        dtype, _ = dtypes.dtype_of(fill_value)
    fill = asarray(fill_value, _dtype_arg(dtype))
    if fill.ndim:
        from hlox.frontend.numpy._util import broadcast_to
        return broadcast_to(fill, shape)
    return lax.broadcast(fill, shape)


def zeros(shape, dtype=None, *, device=None):
    return full(shape, 0, dtype or dtypes.default_float())


def ones(shape, dtype=None, *, device=None):
    return full(shape, 1, dtype or dtypes.default_float())


def empty(shape, dtype=None, *, device=None):
    return zeros(shape, dtype)


def full_like(a, fill_value, dtype=None, shape=None, *, device=None):
    from hlox.frontend.core import aval_of
    aval = aval_of(a)
    out_shape = aval.shape if shape is None else _shape_arg(shape)
    out = full(out_shape, fill_value, dtype if dtype is not None else aval.dtype)
    return out


def zeros_like(a, dtype=None, shape=None, *, device=None):
    return full_like(a, 0, dtype, shape)


def ones_like(a, dtype=None, shape=None, *, device=None):
    return full_like(a, 1, dtype, shape)


def empty_like(a, dtype=None, shape=None, *, device=None):
    return zeros_like(a, dtype, shape)
