"""`hlox.numerics.scipy.stats.poisson`, as jax.scipy.stats.poisson."""
from __future__ import annotations

import numpy as np

from hlox.frontend import lax
from hlox.numerics.numpy import elementwise as ew
from hlox.numerics.numpy._util import promote_args_inexact
from hlox.numerics.scipy.arguments import const
from hlox.numerics.scipy.special import gammaincc, gammaln, xlogy
from hlox.numerics.scipy.stats._util import jit_public

__all__ = ["logpmf", "pmf", "cdf"]


def logpmf(k, mu, loc=0):
    k, mu, loc = promote_args_inexact("poisson.logpmf", k, mu, loc)
    zero = const(k, 0)
    x = lax.sub(k, loc)
    log_probs = xlogy(x, mu) - gammaln(x + 1) - mu
    return ew.where(ew.logical_or(lax.lt(x, zero), lax.ne(ew.round(k), k)), -np.inf, log_probs)


def pmf(k, mu, loc=0):
    return ew.exp(logpmf(k, mu, loc))


def cdf(k, mu, loc=0):
    k, mu, loc = promote_args_inexact("poisson.logpmf", k, mu, loc)
    zero = const(k, 0)
    x = lax.sub(k, loc)
    p = gammaincc(ew.floor(1 + x), mu)
    return ew.where(lax.lt(x, zero), zero, p)


jit_public(globals())
