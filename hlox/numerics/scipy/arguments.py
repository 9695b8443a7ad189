"""Argument checks and promotions shared by hlox's scipy.special functions."""
from __future__ import annotations

import numpy as np

from hlox.frontend import dtypes, errors, lax
from hlox.numerics.numpy import array_constructors as arrays
from hlox.numerics.numpy._util import promote_args_inexact


def inexact_unary(name, fn):
    def wrapped(x):
        (x,) = promote_args_inexact(name, x)
        return fn(x)
    wrapped.__name__ = name
    return wrapped


def const(x, value):
    """A rank-0 constant of x's dtype (JAX's `_lax_const`)."""
    return lax.full_like(x, value, shape=())


def real_only(name, *args):
    args = promote_args_inexact(name, *args)
    if dtypes.is_complex(args[0].dtype):
        raise errors.value_error(f"{name} does not support complex-valued inputs.")
    return args


def float32_or_64(name, x):
    x = arrays.asarray(x)
    if x.dtype not in (np.float32, np.float64):
        raise errors.type_error(f"x.dtype={x.dtype} is not supported, see docstring for "
                                "supported types.")
    return x
