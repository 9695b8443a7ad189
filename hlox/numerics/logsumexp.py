"""logsumexp and the masked reductions (with `where=` and keepdims) it shares with hlox.nn's
softmax and standardize."""
from __future__ import annotations

import numpy as np

from hlox.frontend import dtypes, lax
from hlox.numerics.numpy import elementwise as ew
from hlox.numerics.numpy._util import (asarray, broadcast_to, canonicalize_axes,
                                       promote_args_inexact)

__all__ = ["count_masked", "keep_dims", "logsumexp", "reduce_masked"]


def reduce_masked(monoid, x, axis=None, keepdims=False, where=None, identity=None):
    """Reduce `x` over `axis` with `lax.reduce_monoid`; masked-out elements count as `identity`
    (the monoid's own identity when None), as jnp's reductions with `where=` and `initial=`."""
    x = asarray(x)
    axes = canonicalize_axes(axis, x.ndim)
    if where is not None:
        fill = lax.identity_value(monoid, x.dtype) if identity is None else identity
        x = lax.select(broadcast_to(asarray(where), x.shape), x,
                       lax.full_like(x, fill))
    out = lax.reduce_monoid(x, monoid, axes)
    return keep_dims(out, x.shape, axes) if keepdims else out


def keep_dims(reduced, shape, axes):
    return lax.reshape(reduced, [1 if i in axes else d for i, d in enumerate(shape)])


def count_masked(x, axis=None, keepdims=False, where=None, dtype=None):
    """How many elements each reduction of `x` over `axis` sees."""
    x = asarray(x)
    ones = lax.full_like(x, 1, dtype or dtypes.default_float())
    return reduce_masked("add", ones, axis, keepdims, where)


def logsumexp(a, axis=None, b=None, keepdims=False, return_sign=False, where=None):
    """log(sum(b * exp(a))) computed after subtracting the (finite) maximum, as JAX does."""
    if where is not None:
        a = ew.where(where, a, 0)
    if b is not None:
        a, b = promote_args_inexact("logsumexp", a, b)
        a = ew.where(lax.ne(b, 0), a, -np.inf)
    else:
        (a,) = promote_args_inexact("logsumexp", a)
    axes = canonicalize_axes(axis, a.ndim)
    real = lax.real(a) if dtypes.is_complex(a.dtype) else a
    amax = reduce_masked("maximum", real, axes, True, where, -np.inf)
    amax = lax.stop_gradient(lax.select(lax.is_finite(amax), amax, lax.full_like(amax, 0)))
    exp_a = lax.exp(ew.subtract(a, lax.convert_element_type(amax, a.dtype)))
    if b is not None:
        exp_a = lax.mul(exp_a, b)
    sumexp = reduce_masked("add", exp_a, axes, keepdims, where)
    sign = lax.sign(sumexp)
    if return_sign or not dtypes.is_complex(a.dtype):
        sumexp = lax.abs(sumexp)
    amax = amax if keepdims else lax.reshape(amax, sumexp.shape)
    out = ew.add(lax.log(sumexp), lax.convert_element_type(amax, sumexp.dtype))
    if return_sign:
        return out, sign
    if b is not None and not dtypes.is_complex(out.dtype):
        out = ew.where(lax.lt(sign, 0), np.nan, out)
    return out
