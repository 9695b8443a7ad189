"""Cases for convolution, reduce_window and select_and_scatter."""
from __future__ import annotations

import numpy as np

from hlox import lax

from autodiff_cases import Case, distinct, rand


def _conv(**kw):
    return lambda x, w: lax.conv_general_dilated(x, w, **kw)


def _window(computation, init, *args):
    return lambda x: lax.reduce_window(x, init, computation, *args)


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
}
