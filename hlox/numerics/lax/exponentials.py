"""lax's exp2 and cumlogsumexp."""
from __future__ import annotations

import operator

import numpy as np

from hlox.frontend import dtypes, errors, lax
from hlox.frontend.control_flow import associative_scan
from hlox.numerics.numpy import elementwise as ew

__all__ = ["cumlogsumexp", "exp2"]


def _real_float(name, x):
    x = lax.asarray(x)
    if not dtypes.is_float(x.dtype):
        raise errors.type_error(f"{name} does not accept dtype {x.dtype.name}. Accepted dtypes "
                                "are subtypes of floating.")
    return x


def exp2(x, *, accuracy=None):
    """2 ** x, as JAX computes it: exp(log(2) * x)."""
    x = lax.asarray(x)
    if not dtypes.is_inexact(x.dtype):
        raise errors.type_error(f"exp2 does not accept dtype {x.dtype.name}. Accepted dtypes "
                                "are subtypes of inexact (float or complex).")
    return lax.exp(lax.mul(x, float(np.log(2))))


def cumlogsumexp(operand, axis=0, reverse=False):
    """log(cumsum(exp(operand))) along `axis`, as the associative scan of logaddexp JAX runs
    off TPU."""
    x = _real_float("cumlogsumexp", operand)
    axis = operator.index(axis)
    if not 0 <= axis < x.ndim:
        raise errors.value_error(f"axis {axis} is out of bounds for array of shape {x.shape}")
    if x.shape[axis] == 0:
        return x
    return associative_scan(ew.logaddexp, x, reverse=bool(reverse), axis=axis)
