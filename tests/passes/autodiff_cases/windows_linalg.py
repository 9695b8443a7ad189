"""Cases for convolution, reduce_window, select_and_scatter, cholesky and triangular_solve."""
from __future__ import annotations

import numpy as np

from hlox import lax
from hlox.frontend import lax_linalg, ops

from autodiff_cases import Case, distinct, positive, rand


def _conv(**kw):
    return lambda x, w: lax.conv_general_dilated(x, w, **kw)


def _window(computation, init, *args):
    return lambda x: lax.reduce_window(x, init, computation, *args)


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
    "stablehlo.convolution": [
        Case(_conv(window_strides=(1, 1), padding="SAME",
                   dimension_numbers=("NHWC", "HWIO", "NHWC")),
             (rand(2, 4, 3, 3), rand(3, 2, 3, 2)), name="nhwc-same"),
        Case(_conv(window_strides=(2, 1), padding=[(1, 0), (0, 2)], rhs_dilation=(1, 2)),
             (rand(1, 2, 5, 4), rand(3, 2, 2, 2)), name="nchw-stride-pad-rhs-dilation"),
        Case(_conv(window_strides=(2,), padding=[(1, 1)], lhs_dilation=(2,),
                   dimension_numbers=("NWC", "WIO", "CNW")),
             (rand(2, 4, 3), rand(2, 3, 2)), name="lhs-dilation-odd-layout"),
        Case(_conv(window_strides=(1,), padding="VALID", feature_group_count=2),
             (rand(2, 4, 5), rand(4, 2, 2)), name="feature-groups"),
        Case(_conv(window_strides=(1,), padding=[(0, 1)], batch_group_count=2),
             (rand(4, 3, 4), rand(4, 3, 2)), name="batch-groups"),
    ],
    "stablehlo.reduce_window": [
        Case(_window(lax.add, 0.0, (2, 2), (1, 2), [(1, 0), (0, 1)]), (rand(4, 5),), name="add"),
        Case(_window(lax.add, 0.0, (2, 2), (2, 1), "VALID", (2, 1), (1, 2)), (rand(3, 5),),
             name="add-dilations"),
        Case(_window(lax.max, -np.inf, (2, 3), (2, 2), [(1, 0), (0, 1)]), (distinct(5, 6),),
             name="max"),
        Case(_window(lax.min, np.inf, (3,), (1,), "SAME"), (distinct(7),), name="min"),
        Case(_window(lax.max, -np.inf, (2, 2), (1, 1), "VALID", (2, 1)), (distinct(3, 4),),
             name="max-base-dilation"),
        Case(lambda t, x: lax.select_and_gather_add(t, x, lax.le, (2,), (2,), [(0, 1)]),
             (rand(5), distinct(5)), name="select-body"),
    ],
    "stablehlo.select_and_scatter": [
        Case(lambda s, x: lax.select_and_scatter_add(s, x, lax.ge, (2, 2), (2, 1),
                                                     [(0, 1), (1, 0)]),
             (rand(2, 3), distinct(4, 3)), name="add-ge"),
        Case(lambda x, s, init: lax.select_and_scatter(x, lax.le, (3,), (2,), [(0, 0)], s, init,
                                                       lax.add),
             (distinct(7), rand(3), rand()), name="le-with-init"),
    ],
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
