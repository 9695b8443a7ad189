"""Cases for custom_calls to jaxlib's LAPACK kernels (potrf, trsm, getrf, syevd), emitted as
JAX's exports emit them by hlox.frontend.linalg_ops. The rules follow JAX's convention for a
symmetric input (the tangent of the whole matrix), so the Cholesky and eigen cases symmetrize
their matrix first, as jnp.linalg does; LU's pivots and every `info` have no derivative."""
from __future__ import annotations

import numpy as np

from hlox import lax
from hlox.frontend import lax_linalg, linalg_ops

from autodiff_cases import Case, rand

OP = "stablehlo.custom_call"


def _spd(m):
    """A symmetric positive-definite matrix (batch) made from any square m."""
    n = m.shape[-1]
    eye = lax.broadcast(np.eye(n) * n, m.shape[:-2])
    return lax.add(lax_linalg.batch_matmul(m, lax_linalg.matrix_transpose(m)), eye)


def _potrf(lower):
    return lambda m: linalg_ops.potrf.bind(_spd(m), lower=lower)[0]


def _trsm(**flags):
    return lambda a, b: linalg_ops.trsm.bind(a, b, **flags)[0]


def _getrf(a):
    lu, _, _ = linalg_ops.getrf.bind(a)
    return lu


def _syevd(lower):
    """Eigenvalues, and eigenvectors squared (their signs are LAPACK's choice)."""
    def fn(a):
        v, w, _ = linalg_ops.syevd.bind(lax_linalg.symmetrize(a), lower=lower)
        return w, lax.mul(v, v)
    return fn


def _well_conditioned(n, *batch):
    return rand(*batch, n, n) + 3 * np.eye(n)


def _distinct_spectrum(n, *batch):
    return rand(*batch, n, n) * 0.3 + np.diag(np.arange(1.0, n + 1))


CASES = {OP: [
    Case(_potrf(True), (rand(3, 3),), name="potrf-lower"),
    Case(_potrf(False), (rand(3, 3),), name="potrf-upper"),
    Case(_potrf(True), (rand(2, 3, 3),), name="potrf-batched"),
    Case(_trsm(left_side=True, lower=True), (_well_conditioned(3), rand(3, 2)),
         name="trsm-left-lower"),
    Case(_trsm(left_side=False, lower=False, transpose_a="T"), (_well_conditioned(3), rand(2, 3)),
         name="trsm-right-upper-transposed"),
    Case(_trsm(left_side=True, lower=False, unit_diagonal=True, transpose_a="T"),
         (_well_conditioned(3, 2), rand(2, 3, 2)), name="trsm-batched-unit-diagonal"),
    Case(_getrf, (_well_conditioned(3),), name="getrf"),
    Case(_getrf, (rand(2, 3, 3),), name="getrf-batched-pivoting"),
    Case(_getrf, (rand(3, 4) + np.eye(3, 4) * 3,), name="getrf-wide"),
    Case(_getrf, (rand(4, 3) + np.eye(4, 3) * 3,), name="getrf-tall"),
    Case(_syevd(True), (_distinct_spectrum(3),), name="syevd-lower"),
    Case(_syevd(False), (_distinct_spectrum(3, 2),), name="syevd-upper-batched"),
]}
