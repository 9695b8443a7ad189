"""`hlox.numerics.scipy.stats.multinomial`, as jax.scipy.stats.multinomial."""
from __future__ import annotations

import numpy as np

from hlox.frontend import errors, lax
from hlox.numerics.numpy import array_constructors as arrays, elementwise as ew, reductions
from hlox.numerics.numpy._util import promote_args_inexact, promote_dtypes_numeric
from hlox.numerics.scipy.special import gammaln, xlogy
from hlox.numerics.scipy.stats._util import jit_public

__all__ = ["logpmf", "pmf"]


def logpmf(x, n, p):
    p, = promote_args_inexact("multinomial.logpmf", p)
    x, n = promote_dtypes_numeric(arrays.asarray(x), arrays.asarray(n))  # no broadcasting, as JAX
    if not np.issubdtype(x.dtype, np.integer):
        raise errors.value_error(f"x and n must be of integer type; got x.dtype={x.dtype}, "
                                 f"n.dtype={n.dtype}")
    x = x.astype(p.dtype)
    n = n.astype(p.dtype)
    logprobs = gammaln(n + 1) + reductions.sum(xlogy(x, p) - gammaln(x + 1), axis=-1)
    return ew.where(ew.equal(reductions.sum(x), n), logprobs, -np.inf)


def pmf(x, n, p):
    return lax.exp(logpmf(x, n, p))


jit_public(globals())
