"""`hlox.numerics.scipy.stats.beta`, as jax.scipy.stats.beta."""
from __future__ import annotations

import numpy as np

from hlox.frontend import lax
from hlox.numerics.numpy import elementwise as ew
from hlox.numerics.numpy._util import promote_args_inexact
from hlox.numerics.scipy.arguments import const
from hlox.numerics.scipy.special import betainc, betaln, xlog1py, xlogy
from hlox.numerics.scipy.stats._util import jit_public

__all__ = ["logpdf", "pdf", "cdf", "logcdf", "sf", "logsf"]


def logpdf(x, a, b, loc=0, scale=1):
    x, a, b, loc, scale = promote_args_inexact("beta.logpdf", x, a, b, loc, scale)
    one = const(x, 1)
    zero = const(a, 0)
    shape_term = lax.neg(betaln(a, b))
    y = lax.div(lax.sub(x, loc), scale)
    log_linear_term = lax.add(xlogy(lax.sub(a, one), y), xlog1py(lax.sub(b, one), lax.neg(y)))
    log_probs = lax.sub(lax.add(shape_term, log_linear_term), lax.log(scale))
    result = ew.where(ew.logical_or(lax.gt(x, lax.add(loc, scale)), lax.lt(x, loc)), -np.inf,
                       log_probs)
    nonpositive = ew.logical_or(ew.logical_or(lax.le(a, zero), lax.le(b, zero)),
                                 lax.le(scale, zero))
    return ew.where(nonpositive, np.nan, result)


def pdf(x, a, b, loc=0, scale=1):
    return lax.exp(logpdf(x, a, b, loc, scale))


def cdf(x, a, b, loc=0, scale=1):
    x, a, b, loc, scale = promote_args_inexact("beta.cdf", x, a, b, loc, scale)
    return betainc(a, b, lax.clamp(const(x, 0), lax.div(lax.sub(x, loc), scale), const(x, 1)))


def logcdf(x, a, b, loc=0, scale=1):
    return lax.log(cdf(x, a, b, loc, scale))


def sf(x, a, b, loc=0, scale=1):
    x, a, b, loc, scale = promote_args_inexact("beta.sf", x, a, b, loc, scale)
    return betainc(b, a, 1 - lax.clamp(const(x, 0), lax.div(lax.sub(x, loc), scale), const(x, 1)))


def logsf(x, a, b, loc=0, scale=1):
    return lax.log(sf(x, a, b, loc, scale))


jit_public(globals())
