"""Cases for cholesky and triangular_solve."""
from __future__ import annotations

import numpy as np

from hlox import lax
from hlox.frontend import lax_linalg, ops

from autodiff_cases import Case, positive, rand


def _spd(m):
    """A symmetric positive-definite matrix (batch) made from any square m."""
    n = m.shape[-1]
    return lax.add(lax_linalg.batch_matmul(m, lax_linalg.matrix_transpose(m)),
                   lax.broadcast(lax.mul(lax.convert_element_type(
                       lax.eq(lax.broadcasted_iota(np.int32, (n, n), 0),
                              lax.broadcasted_iota(np.int32, (n, n), 1)), m.dtype), float(n)),
                       m.shape[:-2]))


def _spd_point(n):
    m = rand(n, n)
    return m @ m.T + n * np.eye(n)


def _well_conditioned(n, *batch):
    return rand(*batch, n, n) + 3 * np.eye(n)


def _solve(**kw):
    return lambda a, b: lax.linalg.triangular_solve(a, b, **kw)


CASES = {
    "stablehlo.cholesky": [
        Case(lambda m: lax.linalg.cholesky(_spd(m)), (rand(3, 3),), name="lower"),
        Case(lambda m: lax.linalg.cholesky(_spd(m)), (rand(2, 3, 3),), name="batched"),
        Case(lambda a: lax.linalg.cholesky(a, symmetrize_input=False),
             (_spd_point(3),),
             name="reads-lower-triangle"),
        Case(lambda m: lax_linalg.triu(ops.cholesky.bind(_spd(m), lower=False)), (rand(3, 3),),
             name="upper"),
    ],
    "stablehlo.triangular_solve": [
        Case(_solve(left_side=True, lower=True), (_well_conditioned(3), rand(3, 2)),
             name="left-lower"),
        Case(_solve(left_side=False, lower=False, transpose_a=True),
             (_well_conditioned(3), rand(2, 3)), name="right-upper-transposed"),
        Case(_solve(left_side=True, lower=False, unit_diagonal=True, transpose_a=True),
             (_well_conditioned(3, 2), rand(2, 3, 2)), name="batched-unit-diagonal"),
        Case(_solve(left_side=True, lower=True), (_well_conditioned(4), positive(4)),
             name="vector"),
    ],
}
