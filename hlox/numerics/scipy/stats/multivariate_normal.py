"""`hlox.numerics.scipy.stats.multivariate_normal`, as jax.scipy.stats.multivariate_normal."""
from __future__ import annotations

import numpy as np

from hlox.frontend import errors, lax, lax_linalg
from hlox.frontend import shapes
from hlox.numerics.numpy import (array_constructors as arrays, elementwise as ew,
                                 tensor_contractions as contractions)
from hlox.numerics.numpy._util import broadcast_to, promote_dtypes_inexact
from hlox.numerics.scipy.stats._util import jit_public

__all__ = ["logpdf", "pdf"]


def logpdf(x, mean, cov, allow_singular=None):
    if allow_singular is not None:
        raise NotImplementedError("allow_singular argument of multivariate_normal.logpdf")
    x, mean, cov = promote_dtypes_inexact(arrays.asarray(x), arrays.asarray(mean), arrays.asarray(cov))
    if not mean.shape:
        return (-1 / 2 * ew.square(x - mean) / cov
                - 1 / 2 * (ew.log(2 * np.pi) + ew.log(cov)))
    n = mean.shape[-1]
    if not np.shape(cov):
        y = x - mean
        return (-1 / 2 * contractions.einsum("...i,...i->...", y, y) / cov
                - n / 2 * (ew.log(2 * np.pi) + ew.log(cov)))
    if cov.ndim < 2 or cov.shape[-2:] != (n, n):
        raise errors.value_error("multivariate_normal.logpdf got incompatible shapes")
    chol = lax_linalg.cholesky(cov)
    y = _solve_lower_transposed(chol, x - mean)
    return (-1 / 2 * contractions.einsum("...i,...i->...", y, y) - n / 2 * ew.log(2 * np.pi)
            - ew.log(chol.diagonal(axis1=-1, axis2=-2)).sum(-1))


def _solve_lower_transposed(chol, b):
    """triangular_solve(chol, b, lower=True, transpose_a=True) on vectors b [..., n], with the
    batch dimensions of chol and b broadcast (jnp.vectorize's '(n,n),(n)->(n)')."""
    batch = shapes.broadcast_shapes(chol.shape[:-2], b.shape[:-1])
    chol = broadcast_to(chol, batch + chol.shape[-2:])
    b = broadcast_to(b, batch + b.shape[-1:])[..., None, :]
    out = lax_linalg.triangular_solve(chol, b, left_side=False, lower=True, transpose_a=True)
    return out[..., 0, :]


def pdf(x, mean, cov):
    return lax.exp(logpdf(x, mean, cov))


jit_public(globals(), {"logpdf": ("allow_singular",)})
