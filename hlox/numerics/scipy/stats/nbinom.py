"""`hlox.numerics.scipy.stats.nbinom`, as jax.scipy.stats.nbinom."""
from __future__ import annotations

import numpy as np

from hlox.frontend import lax
from hlox.numerics.numpy import elementwise as ew
from hlox.numerics.numpy._util import promote_args_inexact
from hlox.numerics.scipy.arguments import const
from hlox.numerics.scipy.special import gammaln, xlogy
from hlox.numerics.scipy.stats._util import jit_public

__all__ = ["logpmf", "pmf"]


def logpmf(k, n, p, loc=0):
    k, n, p, loc = promote_args_inexact("nbinom.logpmf", k, n, p, loc)
    one = const(k, 1)
    y = lax.sub(k, loc)
    comb_term = lax.sub(lax.sub(gammaln(lax.add(y, n)), gammaln(n)), gammaln(lax.add(y, one)))
    log_linear_term = lax.add(xlogy(n, p), xlogy(y, lax.sub(one, p)))
    log_probs = lax.add(comb_term, log_linear_term)
    return ew.where(lax.lt(k, loc), -np.inf, log_probs)


def pmf(k, n, p, loc=0):
    return lax.exp(logpmf(k, n, p, loc))


jit_public(globals())
