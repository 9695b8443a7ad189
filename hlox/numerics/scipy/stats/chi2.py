"""`hlox.numerics.scipy.stats.chi2`, as jax.scipy.stats.chi2."""
from __future__ import annotations

import numpy as np

from hlox.frontend import lax
from hlox.numerics.numpy import elementwise as ew
from hlox.numerics.numpy._util import promote_args_inexact
from hlox.numerics.scipy.arguments import const
from hlox.numerics.scipy.special import gammainc, gammaincc
from hlox.numerics.scipy.stats._util import jit_public

__all__ = ["logpdf", "pdf", "cdf", "logcdf", "sf", "logsf"]


def logpdf(x, df, loc=0, scale=1):
    x, df, loc, scale = promote_args_inexact("chi2.logpdf", x, df, loc, scale)
    one = const(x, 1)
    two = const(x, 2)
    y = lax.div(lax.sub(x, loc), scale)
    df_on_two = lax.div(df, two)
    kernel = lax.sub(lax.mul(lax.sub(df_on_two, one), lax.log(y)), lax.div(y, two))
    nrml_cnst = lax.neg(lax.add(lax.lgamma(df_on_two), lax.div(lax.mul(lax.log(two), df), two)))
    log_probs = lax.add(lax.sub(nrml_cnst, lax.log(scale)), kernel)
    return ew.where(lax.lt(x, loc), -np.inf, log_probs)


def pdf(x, df, loc=0, scale=1):
    return lax.exp(logpdf(x, df, loc, scale))


def _incomplete_gamma(name, fn):
    def wrapped(x, df, loc=0, scale=1):
        x, df, loc, scale = promote_args_inexact(name, x, df, loc, scale)
        two = const(scale, 2)
        y = lax.clamp(const(x, 0), lax.div(lax.sub(x, loc), lax.mul(scale, two)), const(x, np.inf))
        return fn(lax.div(df, two), y)
    wrapped.__name__ = name.split(".")[-1]
    return wrapped


cdf = _incomplete_gamma("chi2.cdf", gammainc)
sf = _incomplete_gamma("chi2.sf", gammaincc)


def logcdf(x, df, loc=0, scale=1):
    return lax.log(cdf(x, df, loc, scale))


def logsf(x, df, loc=0, scale=1):
    return lax.log(sf(x, df, loc, scale))


jit_public(globals())
