"""`hlox.numerics.scipy.stats.gumbel_l`, as jax.scipy.stats.gumbel_l."""
from __future__ import annotations

from hlox.frontend import lax
from hlox.numerics.numpy import elementwise as ew
from hlox.numerics.scipy.special import xlog1py, xlogy
from hlox.numerics.scipy.stats._util import jit_public, on_open_unit_interval, on_standard_variable

__all__ = ["logpdf", "pdf", "logcdf", "cdf", "ppf", "sf", "logsf"]

logpdf = on_standard_variable(
    "gumbel_l.logpdf", lambda z, scale: lax.add(xlogy(-1, scale), lax.sub(z, lax.exp(z))))
logcdf = on_standard_variable(
    "gumbel_l.logcdf", lambda z, scale: lax.log(-lax.expm1(lax.neg(lax.exp(z)))))
logsf = on_standard_variable("gumbel_l.logsf", lambda z, scale: lax.neg(lax.exp(z)))
ppf = on_open_unit_interval(
    "gumbel_l.ppf",
    lambda p, loc, scale: lax.add(loc, lax.mul(scale, lax.log(xlog1py(-1, lax.neg(p))))))


def pdf(x, loc=0, scale=1):
    return lax.exp(logpdf(x, loc, scale))


def cdf(x, loc=0, scale=1):
    return lax.exp(logcdf(x, loc, scale))


def sf(x, loc=0, scale=1):
    return ew.exp(logsf(x, loc, scale))


jit_public(globals())
