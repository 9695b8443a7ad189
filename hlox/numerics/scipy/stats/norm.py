"""`hlox.numerics.scipy.stats.norm`, as jax.scipy.stats.norm."""
from __future__ import annotations

import numpy as np

from hlox.frontend import lax
from hlox.numerics.numpy import array_constructors as arrays
from hlox.numerics.numpy._util import promote_args_inexact
from hlox.numerics.scipy.arguments import const
from hlox.numerics.scipy import special
from hlox.numerics.scipy.stats._util import jit_public, reflected

__all__ = ["logpdf", "pdf", "cdf", "logcdf", "ppf", "logsf", "sf", "isf"]


def logpdf(x, loc=0, scale=1):
    x, loc, scale = promote_args_inexact("norm.logpdf", x, loc, scale)
    scale_sqrd = lax.square(scale)
    log_normalizer = lax.log(lax.mul(const(x, 2 * np.pi), scale_sqrd))
    quadratic = lax.div(lax.square(lax.sub(x, loc)), scale_sqrd)
    return lax.div(lax.add(log_normalizer, quadratic), const(x, -2))


def pdf(x, loc=0, scale=1):
    return lax.exp(logpdf(x, loc, scale))


def cdf(x, loc=0, scale=1):
    x, loc, scale = promote_args_inexact("norm.cdf", x, loc, scale)
    return special.ndtr(lax.div(lax.sub(x, loc), scale))


def logcdf(x, loc=0, scale=1):
    x, loc, scale = promote_args_inexact("norm.logcdf", x, loc, scale)
    return special.log_ndtr(lax.div(lax.sub(x, loc), scale))


def ppf(q, loc=0, scale=1):
    return arrays.asarray(special.ndtri(q) * scale + loc, float)


logsf = reflected("norm.logsf", logcdf)


sf = reflected("norm.sf", cdf)


def isf(q, loc=0, scale=1):
    return ppf(lax.sub(const(q, 1), q), loc, scale)


jit_public(globals())
