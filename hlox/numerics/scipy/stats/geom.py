"""`hlox.numerics.scipy.stats.geom`, as jax.scipy.stats.geom."""
from __future__ import annotations

import numpy as np

from hlox.frontend import lax
from hlox.numerics.numpy import elementwise as ew
from hlox.numerics.numpy._util import promote_args_inexact
from hlox.numerics.scipy.arguments import const
from hlox.numerics.scipy.special import xlog1py
from hlox.numerics.scipy.stats._util import jit_public

__all__ = ["logpmf", "pmf"]


def logpmf(k, p, loc=0):
    k, p, loc = promote_args_inexact("geom.logpmf", k, p, loc)
    zero = const(k, 0)
    one = const(k, 1)
    x = lax.sub(k, loc)
    log_probs = xlog1py(lax.sub(x, one), -p) + lax.log(p)
    return ew.where(lax.le(x, zero), -np.inf, log_probs)


def pmf(k, p, loc=0):
    return ew.exp(logpmf(k, p, loc))


jit_public(globals())
