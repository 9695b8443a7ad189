"""Shared numpy-semantics helpers: promotion, broadcasting, axes, concrete values, one
compiled call per eager op."""
from __future__ import annotations

import operator
import warnings

import numpy as np

from hlox import config
from hlox.frontend import dtypes, errors, lax, shapes
from hlox.frontend.core import Tracer, aval_of, current_trace
from hlox.frontend.jit import jit
from hlox.frontend.shapes import broadcast_shapes  # noqa: F401  (the numpy modules' import)
from hlox.lowering.array import Array
from hlox.numerics.numpy.array_constructors import array

ArrayTypes = (Tracer, Array)


def asarray(x, dtype=None):
    if isinstance(x, (list, tuple)) and any(isinstance(e, ArrayTypes) for e in _flat(x)):
        return array(x, dtype)
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


def broadcast_to(x, shape):
    return shapes.broadcast_to(asarray(x), shape)


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


def check_rank_promotion(name, arrays):
    """jax_numpy_rank_promotion: 'warn' or 'raise' (JAX's messages) when non-scalar operands of
    different ranks would be broadcast together."""
    mode = config.jax_numpy_rank_promotion
    if mode == "allow" or len(arrays) < 2:
        return
    shapes_ = [np.shape(a) for a in arrays]
    if len({len(s) for s in shapes_ if s}) < 2:
        return
    shown = " ".join(map(str, shapes_))
    if mode == "warn":
        warnings.warn(f"Following NumPy automatic rank promotion for {name} on shapes {shown}. "
                      "Set the jax_numpy_rank_promotion config option to 'allow' to disable this "
                      "warning; for more information, see "
                      "https://docs.jax.dev/en/latest/rank_promotion_warning.html.", stacklevel=3)
    else:
        raise ValueError(f"Operands could not be broadcast together for {name} on shapes {shown} "
                         "and with the config option jax_numpy_rank_promotion='raise'. For more "
                         "information, see https://docs.jax.dev/en/latest/rank_promotion_warning.html.")


def promote_args(name, *args):
    check_arraylike(name, *args)
    check_rank_promotion(name, args)
    return promote_shapes(*promote_dtypes(*args))


def promote_args_inexact(name, *args):
    check_arraylike(name, *args)
    check_rank_promotion(name, args)
    return promote_shapes(*promote_dtypes_inexact(*args))


def promote_args_numeric(name, *args):
    check_arraylike(name, *args)
    check_rank_promotion(name, args)
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


def concrete(x, what):
    """A host value for `x`, or JAX's ConcretizationTypeError naming `what` when it is traced."""
    if isinstance(x, Tracer):
        raise errors.ConcretizationTypeError(x._concretization_message(
            f"Abstract tracer value encountered where concrete value is expected: {what}"))
    return np.asarray(x) if isinstance(x, Array) else x


# -- small shared pieces ----------------------------------------------------------------
def _slice_axis(x, start, stop, axis):
    """x[..., start:stop, ...] along `axis` with Python-style (possibly negative) bounds."""
    start, stop, _ = slice(start, stop).indices(x.shape[axis])
    return lax.slice_in_dim(x, start, max(start, stop), axis=axis)


def _ravel(x):
    return lax.reshape(x, (x.size,))


def _index(value, what):
    return operator.index(concrete(value, what))


def _iota_lt(n, bound):
    """arange(n) < bound (bound a traced count)."""
    return lax.lt(lax.iota(bound.dtype, n), lax.broadcast(bound, (n,)))


def _array(name, x):
    check_arraylike(name, x)
    return asarray(x)


def _int_array(values):
    """Host index values as a default-int array (a constant under jit)."""
    dtype = dtypes.default_int()
    return lax.asarray(np.asarray(values).astype(dtype), dtype)


def _along(axis, index):
    """An index tuple selecting `index` along `axis` and everything elsewhere."""
    return (slice(None),) * axis + (index,)


# -- one compiled call per eager op ------------------------------------------
_JITTED: dict = {}


def _fused(fn, arrays, static):
    """`fn(arrays, static)`, compiled as one program when no trace is active."""
    if current_trace() is not None:
        return fn(tuple(arrays), static)
    jitted = _JITTED.get(fn)
    if jitted is None:
        jitted = _JITTED[fn] = jit(fn, static_argnums=1)
    return jitted(tuple(arrays), static)


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


def arraylike(name, x):
    """`x` as an array, after JAX's check that it is array-like (not a list)."""
    check_arraylike(name, x)
    return asarray(x)


def ensure_arraylike(name, *args):
    """JAX's check that arguments are array-like, converting them to arrays (one or a tuple)."""
    check_arraylike(name, *args)
    return asarray(args[0]) if len(args) == 1 else tuple(asarray(a) for a in args)


def promote_dtypes_complex(*args):
    """Convert arrays to their common dtype made complex (weak type kept as JAX does)."""
    arrays = promote_dtypes(*args)
    dtype, weak = arrays[0].dtype, arrays[0].aval.weak_type
    if not dtypes.is_complex(dtype):
        new = dtypes.complex_of(dtypes.to_inexact(dtype, weak)[0])
        arrays = [lax.convert_element_type(a, new, weak_type=weak) for a in arrays]
    return arrays


def canonicalize_axis_tuple(axis, ndim, allow_duplicate=False):
    if axis is None:
        return tuple(range(ndim))
    if isinstance(axis, (list, tuple)):
        axes = tuple(canonicalize_axis(a, ndim) for a in axis)
        if not allow_duplicate and len(set(axes)) != len(axes):
            raise errors.value_error(f"repeated axis: {axes}")
        return axes
    return (canonicalize_axis(axis, ndim),)


def concrete_or_error(force, x, context=""):
    """JAX's core.concrete_or_error: force(x) for a concrete `x` (x itself when force is None),
    ConcretizationTypeError for a traced one."""
    x = concrete(x, context)
    return x if force is None else force(x)
