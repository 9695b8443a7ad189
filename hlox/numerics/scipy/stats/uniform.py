"""`hlox.numerics.scipy.stats.uniform`, as jax.scipy.stats.uniform."""
from __future__ import annotations

import numpy as np

from hlox.frontend import lax
from hlox.numerics.numpy import array_constructors as arrays, elementwise as ew, indexing_routines
from hlox.numerics.numpy._util import promote_args_inexact
from hlox.numerics.scipy.stats._util import jit_public

__all__ = ["logpdf", "pdf", "cdf", "ppf"]


def logpdf(x, loc=0, scale=1):
    x, loc, scale = promote_args_inexact("uniform.logpdf", x, loc, scale)
    log_probs = lax.neg(lax.log(scale))
    return ew.where(ew.logical_or(lax.gt(x, lax.add(loc, scale)), lax.lt(x, loc)), -np.inf,
                     log_probs)


def pdf(x, loc=0, scale=1):
    return lax.exp(logpdf(x, loc, scale))


def cdf(x, loc=0, scale=1):
    x, loc, scale = promote_args_inexact("uniform.cdf", x, loc, scale)
    zero, one = (arrays.array(0, x.dtype), arrays.array(1, x.dtype))
    conds = [lax.lt(x, loc), lax.gt(x, lax.add(loc, scale)),
             lax.ge(x, loc) & lax.le(x, lax.add(loc, scale))]
    vals = [zero, one, lax.div(lax.sub(x, loc), scale)]
    return indexing_routines.select(conds, vals)


def ppf(q, loc=0, scale=1):
    q, loc, scale = promote_args_inexact("uniform.ppf", q, loc, scale)
    return ew.where(ew.isnan(q) | (q < 0) | (q > 1), np.nan, lax.add(loc, lax.mul(scale, q)))


jit_public(globals())
