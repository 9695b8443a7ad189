"""`hlox.numerics.scipy.stats.dirichlet`, as jax.scipy.stats.dirichlet."""
from __future__ import annotations

import numpy as np

from hlox.frontend import errors, lax
from hlox.numerics.numpy import (array_constructors as arrays, elementwise as ew, reductions,
                                 shape as shape_ops)
from hlox.numerics.numpy._util import promote_dtypes_inexact
from hlox.numerics.scipy.arguments import const
from hlox.numerics.scipy.special import gammaln, xlogy
from hlox.numerics.scipy.stats._util import jit_public

__all__ = ["logpdf", "pdf"]


def _is_simplex(x):
    x_sum = reductions.sum(x, axis=0)
    return reductions.all(x > 0, axis=0) & (abs(x_sum - 1) < 1e-06)


def logpdf(x, alpha):
    return _logpdf(*promote_dtypes_inexact(arrays.asarray(x), arrays.asarray(alpha)))


def _logpdf(x, alpha):
    if alpha.ndim != 1:
        raise errors.value_error(f"`alpha` must be one-dimensional; got alpha.shape={alpha.shape}")
    if x.shape[0] not in (alpha.shape[0], alpha.shape[0] - 1):
        raise errors.value_error(f"`x` must have either the same number of entries as `alpha` or "
                                 f"one entry fewer; got x.shape={x.shape}, "
                                 f"alpha.shape={alpha.shape}")
    one = const(x, 1)
    if x.shape[0] != alpha.shape[0]:
        x = shape_ops.concatenate([x, lax.sub(one, x.sum(0, keepdims=True))], axis=0)
    normalize_term = reductions.sum(gammaln(alpha)) - gammaln(reductions.sum(alpha))
    if x.ndim > 1:
        alpha = lax.broadcast_in_dim(alpha, alpha.shape + (1,) * (x.ndim - 1), (0,))
    log_probs = lax.sub(reductions.sum(xlogy(lax.sub(alpha, one), x), axis=0), normalize_term)
    return ew.where(_is_simplex(x), log_probs, -np.inf)


def pdf(x, alpha):
    return lax.exp(logpdf(x, alpha))


jit_public(globals())
