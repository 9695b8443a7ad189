"""`array` and `asarray`: arrays from Python scalars, sequences (of arrays too), numpy values."""
from __future__ import annotations

import numpy as np

from hlox.frontend import dtypes, errors, lax
from hlox.frontend.core import Tracer
from hlox.lowering.array import Array

__all__ = ["array", "asarray"]

_ARRAY_TYPES = (Tracer, Array)


def _dtype_arg(dtype, fun_name=None):
    """A dtype argument of a jnp function (named after the caller unless given)."""
    if dtype is None:
        return None
    import sys
    return dtypes.check_user_dtype(dtypes.to_dtype(dtype),
                                   fun_name or sys._getframe(1).f_code.co_name)



def array(object, dtype=None, copy=True, order=None, ndmin=0):  # noqa: A002
    if order is not None and order != "K":
        raise NotImplementedError("Only implemented for order='K'")
    dtype = _dtype_arg(dtype)
    if hasattr(object, "__jax_array__"):
        object = object.__jax_array__()  # noqa: A001
    if isinstance(object, _ARRAY_TYPES):
        out = object if dtype is None else lax.convert_element_type(object, dtype)
    elif isinstance(object, (list, tuple)):
        out = _from_sequence(object, dtype)
    else:
        if dtypes.is_python_scalar(object):
            _check_int_range(object, dtype)
        host = np.asarray(object)
        if host.dtype.kind in "OUS":
            raise errors.type_error(f"Unexpected input type for array: {type(object)}")
        out = lax.asarray(object, dtype)
    if ndmin > out.ndim:
        out = lax.reshape(out, (1,) * (ndmin - out.ndim) + out.shape)
    return out


def _check_int_range(x, dtype):
    if type(x) is int:
        target = dtype if dtype is not None and dtypes.is_integer(dtype) else dtypes.default_int()
        info = np.iinfo(target)
        if not info.min <= x <= info.max and (dtype is None or dtypes.is_integer(dtype)):
            raise OverflowError(f"Python int {x} too large to convert to {target.name}")


def _leaves(seq):
    for e in seq:
        if isinstance(e, (list, tuple)):
            yield from _leaves(e)
        else:
            if e is None:
                raise errors.value_error("None is not a valid value for jnp.array")
            yield e.__jax_array__() if hasattr(e, "__jax_array__") else e


def _from_sequence(seq, dtype):
    """A list/tuple: one dtype by promotion over its leaves (never weak), then stacked."""
    leaves = list(_leaves(seq))
    if dtype is None:
        dtype = (dtypes.promote([dtypes.dtype_of(x) for x in leaves])[0] if leaves
                 else dtypes.default_float())
    if not any(isinstance(x, _ARRAY_TYPES) for x in leaves):
        return lax.asarray(np.asarray(seq, dtype=dtype), dtype)
    parts = [lax.expand_dims(array(e, dtype), [0]) for e in seq]
    return lax.concatenate(parts, 0)


def asarray(a, dtype=None, order=None, *, copy=None, device=None):
    return array(a, dtype=dtype, copy=bool(copy), order=order)


