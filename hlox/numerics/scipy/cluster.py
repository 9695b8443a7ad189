"""`hlox.numerics.scipy.cluster`, as jax.scipy.cluster.vq: assigning observations to the
nearest code of a code book."""
from __future__ import annotations

from hlox.numerics.numpy import namespace as jnp
from hlox.numerics.numpy._util import check_arraylike, promote_dtypes_inexact

__all__ = ["vq"]


def _as_matrices(obs, code_book):
    """(M, N) observations and (K, N) codes; 1-D inputs are single-feature vectors."""
    if obs.ndim != code_book.ndim:
        raise ValueError("Observation and code_book should have the same rank")
    if obs.ndim == 1:
        return obs[:, None], code_book[:, None]
    if obs.ndim != 2:
        raise ValueError("ndim different than 1 or 2 are not supported")
    return obs, code_book


def vq(obs, code_book, check_finite=True):
    """For each observation, the index of the nearest code (Euclidean) and its distance.
    `check_finite` is accepted for SciPy's signature and has no effect."""
    check_arraylike("scipy.cluster.vq.vq", obs, code_book)
    obs, code_book = promote_dtypes_inexact(jnp.asarray(obs), jnp.asarray(code_book))
    obs, code_book = _as_matrices(obs, code_book)
    distances = jnp.sqrt(jnp.sum((obs[:, None, :] - code_book[None, :, :]) ** 2, axis=-1))
    code = jnp.argmin(distances, axis=1)
    return code, jnp.min(distances, axis=1)
