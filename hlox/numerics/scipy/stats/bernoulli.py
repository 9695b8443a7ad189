"""`hlox.numerics.scipy.stats.bernoulli`, as jax.scipy.stats.bernoulli."""
from __future__ import annotations

import numpy as np

from hlox.frontend import lax
from hlox.numerics.numpy import elementwise as ew, indexing_routines
from hlox.numerics.numpy._util import promote_args_inexact
from hlox.numerics.scipy.arguments import const
from hlox.numerics.scipy.special import xlog1py, xlogy
from hlox.numerics.scipy.stats._util import jit_public

__all__ = ["logpmf", "pmf", "cdf", "ppf"]


def logpmf(k, p, loc=0):
    k, p, loc = promote_args_inexact("bernoulli.logpmf", k, p, loc)
    zero = const(k, 0)
    one = const(k, 1)
    x = lax.sub(k, loc)
    log_probs = xlogy(x, p) + xlog1py(lax.sub(one, x), -p)
    return ew.where(ew.logical_or(lax.lt(x, zero), lax.gt(x, one)), -np.inf, log_probs)


def pmf(k, p, loc=0):
    return ew.exp(logpmf(k, p, loc))


def cdf(k, p):
    k, p = promote_args_inexact("bernoulli.cdf", k, p)
    zero, one = (const(k, 0), const(k, 1))
    conds = [ew.isnan(k) | ew.isnan(p) | (p < zero) | (p > one), lax.lt(k, zero),
             ew.logical_and(lax.ge(k, zero), lax.lt(k, one)), lax.ge(k, one)]
    vals = [np.nan, zero, one - p, one]
    return indexing_routines.select(conds, vals)


def ppf(q, p):
    q, p = promote_args_inexact("bernoulli.ppf", q, p)
    zero, one = (const(q, 0), const(q, 1))
    invalid = ew.isnan(q) | ew.isnan(p) | (p < zero) | (p > one) | (q < zero) | (q > one)
    return ew.where(invalid, np.nan, ew.where(lax.le(q, one - p), zero, one))


jit_public(globals())
