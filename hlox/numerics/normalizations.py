"""JAX's functions that normalize over an axis: softmax, log_softmax (which subtracts the
maximum first, as JAX's does), logmeanexp and standardize, with `where=` masks."""
from __future__ import annotations

import numpy as np

from hlox.frontend import dtypes, errors, lax
from hlox.numerics.numpy._util import arraylike
from hlox.numerics.numpy import elementwise as jnp
from hlox.numerics.numpy._util import asarray
from hlox.numerics.logsumexp import count_masked, logsumexp, reduce_masked

__all__ = ["log_softmax", "logmeanexp", "softmax", "standardize"]


def _max_keepdims(x, axis, where):
    return reduce_masked("maximum", x, axis, True, where, -np.inf)


def softmax(x, axis=-1, where=None):
    x = arraylike("softmax", x)
    x_max = _max_keepdims(x, axis, where)
    x_safe = x if where is None else jnp.where(where, x, -np.inf)
    unnormalized = jnp.exp(jnp.subtract(x_safe, x_max))
    result = jnp.divide(unnormalized, reduce_masked("add", unnormalized, axis, True, where))
    return result if where is None else jnp.where(where, result, 0)


def log_softmax(x, axis=-1, where=None):
    x = arraylike("log_softmax", x)
    x_max = _max_keepdims(x, axis, where)
    x_safe = x if where is None else jnp.where(where, x, -np.inf)
    shifted = jnp.subtract(x_safe, lax.stop_gradient(x_max))
    result = jnp.subtract(shifted, jnp.log(reduce_masked("add", jnp.exp(shifted), axis, True,
                                                         where)))
    return result if where is None else jnp.where(where, result, -np.inf)


def logmeanexp(x, axis=None, where=None, keepdims=False):
    lse = logsumexp(x, axis=axis, where=where, keepdims=keepdims)
    count = count_masked(asarray(x), axis, keepdims, where, lse.dtype)
    return jnp.subtract(lse, jnp.log(count))


def _mean(x, axis, where):
    total = reduce_masked("add", x, axis, True, where)
    return jnp.divide(total, count_masked(x, axis, True, where, _mean_dtype(x)))


def _mean_dtype(x):
    return dtypes.to_inexact(x.dtype, False)[0]


def standardize(x, axis=-1, mean=None, variance=None, epsilon=1e-5, where=None, *,
                algorithm="fast"):
    x = arraylike("standardize", x)
    if mean is None:
        mean = _mean(x, axis, where)
    if variance is None:
        if algorithm == "stable":
            variance = _mean(jnp.square(jnp.subtract(x, mean)), axis, where)
        elif algorithm == "fast":
            variance = jnp.clip(jnp.subtract(_mean(jnp.square(x), axis, where),
                                             jnp.square(mean)), 0)
        else:
            raise errors.value_error(f"Unknown algorithm '{algorithm}'. Expected 'fast' or "
                                     "'stable'.")
    return jnp.multiply(jnp.subtract(x, mean), lax.rsqrt(jnp.add(variance, epsilon)))
