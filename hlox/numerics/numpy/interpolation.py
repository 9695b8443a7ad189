"""Linear interpolation: interp."""
from __future__ import annotations

import functools

import numpy as np

from hlox.frontend import dtypes, errors, lax
from hlox.frontend.jit import eager_jit
from hlox.numerics.numpy import elementwise as ufuncs, indexing_routines, shape as shapes
from hlox.numerics.numpy._util import check_arraylike, promote_dtypes_inexact
from hlox.numerics.numpy.searching import searchsorted

__all__ = ["interp"]


# -- interpolation, convolution ---------------------------------------------------------------
def _interp_side(value, name):
    if isinstance(value, str):
        if value != "extrapolate":
            raise errors.value_error(f"the only valid string value of `{name}` is "
                                     f"'extrapolate', but got: {value!r}")
        return True
    return False


def _interp(x, xp, fp, left, right, period):
    check_arraylike("interp", x, xp, fp)
    if np.shape(xp) != np.shape(fp) or np.ndim(xp) != 1:
        raise errors.value_error("xp and fp must be one-dimensional arrays of equal size")
    x, xp = promote_dtypes_inexact(x, xp)
    (fp,) = promote_dtypes_inexact(fp)
    extrapolate_left, extrapolate_right = _interp_side(left, "left"), _interp_side(right, "right")
    if dtypes.is_complex(x.dtype):
        raise errors.value_error("hlox.numpy.interp: complex x values not supported.")
    if period is not None:
        if np.ndim(period) != 0:
            raise errors.value_error(f"period must be a scalar; got {period}")
        period = ufuncs.abs(period)
        x, xp = ufuncs.remainder(x, period), ufuncs.remainder(xp, period)
        xp, fp = lax.sort_key_val(xp, fp)
        xp = shapes.concatenate([ufuncs.subtract(xp[-1:], period), xp,
                                 ufuncs.add(xp[:1], period)])
        fp = shapes.concatenate([fp[-1:], fp, fp[:1]])
    i = ufuncs.clip(searchsorted(xp, x, side="right"), 1, xp.shape[0] - 1)
    im1 = lax.sub(i, lax.full_like(i, 1))
    f_lo, x_lo = indexing_routines.take(fp, im1), indexing_routines.take(xp, im1)
    df = ufuncs.subtract(indexing_routines.take(fp, i), f_lo)
    dx = ufuncs.subtract(indexing_routines.take(xp, i), x_lo)
    delta = ufuncs.subtract(x, x_lo)
    flat = lax.le(lax.abs(dx), lax.full_like(lax.abs(dx), np.spacing(np.finfo(xp.dtype).eps)))
    step = ufuncs.multiply(ufuncs.divide(delta, ufuncs.where(flat, 1, dx)), df)
    f = ufuncs.where(flat, f_lo, ufuncs.add(f_lo, step))
    if not extrapolate_left and period is None:
        f = ufuncs.where(ufuncs.less(x, xp[0]), fp[0] if left is None else left, f)
    if not extrapolate_right and period is None:
        f = ufuncs.where(ufuncs.greater(x, xp[-1]), fp[-1] if right is None else right, f)
    return f


@functools.lru_cache(maxsize=None)
def _interp_with_static(static_argnames):
    return eager_jit(_interp, static_argnames=static_argnames)


def interp(x, xp, fp, left=None, right=None, period=None):
    static = tuple(name for name, value in (("left", left), ("right", right))
                   if value is None or isinstance(value, str))
    static += ("period",) if period is None else ()
    return _interp_with_static(static)(x, xp, fp, left=left, right=right, period=period)
