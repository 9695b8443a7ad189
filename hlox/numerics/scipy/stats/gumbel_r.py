"""`hlox.numerics.scipy.stats.gumbel_r`, as jax.scipy.stats.gumbel_r."""
from __future__ import annotations

from hlox.frontend import lax
from hlox.numerics.nn.activations import log1mexp
from hlox.numerics.scipy.arguments import const
from hlox.numerics.scipy.special import xlogy
from hlox.numerics.scipy.stats._util import jit_public, on_open_unit_interval, on_standard_variable

__all__ = ["logpdf", "pdf", "logcdf", "cdf", "ppf", "sf", "logsf"]


def _logsf(z, scale):
    return log1mexp(lax.exp(lax.neg(z)))


logpdf = on_standard_variable(
    "gumbel_r.logpdf",
    lambda z, scale: lax.add(xlogy(-1, scale), lax.neg(lax.add(z, lax.exp(lax.neg(z))))))
logcdf = on_standard_variable("gumbel_r.logcdf", lambda z, scale: lax.neg(lax.exp(lax.neg(z))))
sf = on_standard_variable(
    "gumbel_r.sf", lambda z, scale: lax.sub(const(z, 1), lax.exp(lax.neg(lax.exp(lax.neg(z))))))
logsf = on_standard_variable("gumbel_r.logsf", _logsf)
ppf = on_open_unit_interval(
    "gumbel_r.ppf", lambda p, loc, scale: lax.sub(loc, lax.mul(scale, lax.log(xlogy(-1, p)))))


def pdf(x, loc=0, scale=1):
    return lax.exp(logpdf(x, loc, scale))


def cdf(x, loc=0, scale=1):
    return lax.exp(logcdf(x, loc, scale))


jit_public(globals())
