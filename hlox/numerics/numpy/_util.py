"""Shared numpy-semantics helpers: promotion, broadcasting, axes."""
from __future__ import annotations

import numpy as np

from hlox.frontend import dtypes, errors, lax
from hlox.frontend.core import Tracer, aval_of
from hlox.lowering.array import Array

ArrayTypes = (Tracer, Array)


def asarray(x, dtype=None):
    if isinstance(x, (list, tuple)) and any(isinstance(e, ArrayTypes) for e in _flat(x)):
        from hlox.numerics.numpy import creation
        return creation.array(x, dtype)
    return lax.asarray(x, dtype)


def _flat(seq):
    for e in seq:
        if isinstance(e, (list, tuple)):
            yield from _flat(e)
        else:
            yield e


def check_arraylike(name, *args):
    for i, a in enumerate(args):
        if not (isinstance(a, ArrayTypes) or dtypes.is_python_scalar(a)
                or isinstance(a, (np.ndarray, np.generic))):
            raise errors.type_error(f"{name} requires ndarray or scalar arguments, got "
                                    f"{type(a).__name__} at position {i}")


def broadcast_shapes(*shapes):
    shapes = [tuple(s) for s in shapes]
    ndim = max((len(s) for s in shapes), default=0)
    out = []
    for i in range(ndim):
        sizes = {s[len(s) - ndim + i] for s in shapes if len(s) - ndim + i >= 0}
        sizes.discard(1)
        if len(sizes) > 1:
            raise errors.value_error(
                "Incompatible shapes for broadcasting: "
                + ", ".join(str(s) for s in shapes))
        out.append(sizes.pop() if sizes else 1)
    return tuple(out)


def broadcast_to(x, shape):
    x = asarray(x)
    shape = (int(shape),) if np.ndim(shape) == 0 else tuple(int(d) for d in shape)
    if x.shape == shape:
        return x
    if x.ndim > len(shape):
        raise errors.value_error(f"cannot broadcast array of shape {x.shape} to shape {shape}")
    lead = len(shape) - x.ndim
    for i, d in enumerate(x.shape):
        if d not in (1, shape[lead + i]):
            raise errors.value_error(f"Incompatible shapes for broadcasting: {x.shape} and "
                                     f"requested shape {shape}")
    squeeze = [i for i, d in enumerate(x.shape) if d == 1 and shape[lead + i] != 1]
    if squeeze:
        x = lax.reshape(x, [d for i, d in enumerate(x.shape) if i not in squeeze])
        dims = [lead + i for i in range(len(squeeze) + x.ndim) if i not in squeeze]
    else:
        dims = list(range(lead, len(shape)))
    return lax.broadcast_in_dim(x, shape, dims)


def promote_dtypes(*args):
    """Convert arrays to their common dtype (weak type kept as JAX does)."""
    arrays = [asarray(a) if not dtypes.is_python_scalar(a) else a for a in args]
    dtype, weak = dtypes.promote([dtypes.dtype_of(a) for a in arrays])
    return [_to(a, dtype, weak) for a in arrays]


def _to(a, dtype, weak):
    if dtypes.is_python_scalar(a):
        out = lax.asarray(np.asarray(a).astype(dtype) if not (isinstance(a, complex) and not dtypes.is_complex(dtype)) else a, dtype)
        return lax._as_weak(out, weak) if weak else out
    if a.dtype == dtype and a.aval.weak_type == weak:
        return a
    return lax.convert_element_type(a, dtype, weak_type=weak)


def promote_dtypes_inexact(*args):
    arrays = promote_dtypes(*args)
    dtype, weak = arrays[0].dtype, arrays[0].aval.weak_type
    if not dtypes.is_inexact(dtype):
        new, weak = dtypes.to_inexact(dtype, weak)
        arrays = [lax.convert_element_type(a, new, weak_type=weak) for a in arrays]
    return arrays


def promote_dtypes_numeric(*args):
    arrays = promote_dtypes(*args)
    if arrays and dtypes.is_bool(arrays[0].dtype):
        arrays = [lax.convert_element_type(a, dtypes.default_int(), weak_type=False) for a in arrays]
    return arrays


def promote_shapes(*arrays):
    shape = broadcast_shapes(*(a.shape for a in arrays))
    return [broadcast_to(a, shape) for a in arrays]


def promote_args(name, *args):
    check_arraylike(name, *args)
    return promote_shapes(*promote_dtypes(*args))


def promote_args_inexact(name, *args):
    check_arraylike(name, *args)
    return promote_shapes(*promote_dtypes_inexact(*args))


def promote_args_numeric(name, *args):
    check_arraylike(name, *args)
    return promote_shapes(*promote_dtypes_numeric(*args))


def canonicalize_axis(axis, ndim):
    axis = int(axis)
    if not -ndim <= axis < max(ndim, 1) or (ndim == 0 and axis not in (0, -1)):
        raise errors.value_error(f"axis {axis} is out of bounds for array of dimension {ndim}")
    return axis % ndim if ndim else 0


def canonicalize_axes(axis, ndim):
    if axis is None:
        return tuple(range(ndim))
    if isinstance(axis, (list, tuple)):
        axes = tuple(canonicalize_axis(a, ndim) for a in axis)
        if len(set(axes)) != len(axes):
            raise errors.value_error(f"repeated axis in {axis}")
        return axes
    return (canonicalize_axis(axis, ndim),)


def shape_of(x):
    return aval_of(x).shape


def ndim_of(x):
    return len(aval_of(x).shape)
