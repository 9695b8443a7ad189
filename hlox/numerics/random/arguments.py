"""Checks and canonical forms of the shape, dtype and axis arguments of the samplers."""
from __future__ import annotations

import operator
from collections.abc import Sequence

import numpy as np

from hlox.frontend import dtypes, errors
from hlox.numerics.numpy._util import promote_dtypes_inexact


def canonical_shape(shape):
    try:
        if isinstance(shape, (Sequence, np.ndarray)):
            return tuple(operator.index(d) for d in shape)
        return (operator.index(shape),)
    except TypeError:
        raise errors.type_error("Shapes must be 1D sequences of concrete values of integer "
                                f"type, got {shape}.") from None


def optional_shape(shape):
    return None if shape is None else canonical_shape(shape)


def check_shape(name, shape, *param_shapes):
    if param_shapes:
        broadcast = np.broadcast_shapes(shape, *param_shapes)
        if broadcast != tuple(shape):
            raise errors.value_error(
                f"{name} parameter shapes must be broadcast-compatible with shape argument, "
                "and the result of broadcasting the shapes must equal the shape argument, but "
                f"got result {broadcast} for shape argument {tuple(shape)}.")


def float_dtype(name, dtype, kinds=(np.floating,), what="a float"):
    dtype = dtypes.canonicalize(dtypes.to_dtype(float if dtype is None else dtype))
    if not any(dtypes.issubdtype(dtype, k) for k in kinds):
        raise errors.value_error(f"dtype argument to `{name}` must be {what} dtype, got {dtype}")
    return dtype


def int_dtype(name, dtype):
    dtype = dtypes.canonicalize(dtypes.to_dtype(int if dtype is None else dtype))
    if not dtypes.is_integer(dtype):
        raise errors.type_error(f"{name} only accepts integer dtypes, got {dtype}")
    return dtype


def shape_of(x):
    return tuple(np.shape(x))


def canonical_axis(axis, ndim):
    axis = operator.index(axis)
    if not -ndim <= axis < ndim:
        raise errors.value_error(f"axis {axis} is out of bounds for array of dimension {ndim}")
    return axis % ndim


def promote_inexact(*args):
    return promote_dtypes_inexact(*args)
