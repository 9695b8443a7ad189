"""Cases for gather, scatter, dynamic_slice / dynamic_update_slice with batched starts, and
pad and reduce with batched scalars (format: README.md)."""
from __future__ import annotations

import numpy as np

import hlox.numpy as jnp
from hlox import lax
from hlox.frontend import ops

from batching_cases import B, Case, distinct, ints, rand, same

GDN, SDN = lax.GatherDimensionNumbers, lax.ScatterDimensionNumbers


def _gather(dnums, sizes, mode="promise_in_bounds"):
    return lambda x, i: lax.gather(x, i, dnums, sizes, mode=mode)


def _raw_gather(**params):
    """ops.gather itself, for an index_vector_dim past the last axis of the indices."""
    return lambda x, i: ops.gather.bind(x, i, **params)


def _scatter(fn, dnums, mode="promise_in_bounds"):
    return lambda x, i, u: fn(x, i, u, dnums, mode=mode)


def _unique_rows(hi, n):
    """n distinct indices in [0, hi) per example, as [n, 1] int32 rows."""
    return np.stack([np.random.default_rng(b).permutation(hi)[:n] for b in range(B)]
                    ).astype(np.int32)[..., None]

def _argmax_with_inits(x, m, k):
    """A two-operand reduce (not a monoid) whose init values are arguments."""
    idx = lax.broadcasted_iota(np.int32, x.shape, 1)

    def body(acc, val):
        pick = lax.gt(acc[0], val[0])
        return lax.select(pick, acc[0], val[0]), lax.select(pick, acc[1], val[1])
    return lax.reduce((x, idx), (m, k), body, (1,))

CASES = {
    "stablehlo.gather": [
        Case(lambda x, i: x[i], (rand(5, 4), ints(5, 2)), name="take-rows"),
        Case(_gather(GDN(offset_dims=(1,), collapsed_slice_dims=(0, 2), start_index_map=(0, 2)),
                     (1, 3, 1)),
             (rand(4, 5, 2), ints(3, 3, 2)), name="two-index-dims"),
        Case(_gather(GDN(offset_dims=(0, 2), collapsed_slice_dims=(1,), start_index_map=(1,)),
                     (4, 1, 2)),
             (rand(4, 6, 2), ints(6, 2, 1, lo=-2) * 3), name="clamped-out-of-bounds"),
        Case(_gather(GDN(offset_dims=(2,), collapsed_slice_dims=(1,), start_index_map=(1,),
                         operand_batching_dims=(0,), start_indices_batching_dims=(0,)),
                     (1, 1, 3)),
             (rand(2, 5, 3), ints(5, 2, 4, 1)), name="own-batching-dims"),
        Case(_raw_gather(offset_dims=(1,), collapsed_slice_dims=(0,), start_index_map=(0,),
                         index_vector_dim=1, slice_sizes=(1, 4)),
             (rand(5, 4), ints(5, 2)), name="implicit-index-vector-dim"),
        Case(lambda x, i: jnp.take_along_axis(x, i, axis=1), (rand(2, 5), ints(5, 2, 3)),
             name="take-along-axis"),
    ],
    "stablehlo.scatter": [
        Case(lambda x, i, u: x.at[i].add(u), (rand(5, 4), ints(5, 2), rand(2, 4)),
             name="add-rows"),
        Case(_scatter(lax.scatter, SDN(update_window_dims=(1,), inserted_window_dims=(0,),
                                       scatter_dims_to_operand_dims=(0,))),
             (rand(5, 2), _unique_rows(5, 3), rand(3, 2)), name="set-rows"),
        Case(_scatter(lax.scatter_add, SDN(update_window_dims=(), inserted_window_dims=(0, 1),
                                           scatter_dims_to_operand_dims=(0, 1))),
             (rand(4, 5), ints(4, 3, 2), rand(3)), name="add-points"),
        Case(_scatter(lax.scatter_max, SDN(update_window_dims=(0,), inserted_window_dims=(1,),
                                           scatter_dims_to_operand_dims=(1,))),
             (rand(2, 6), ints(8, 3, 1, lo=-2), rand(2, 3)), name="max-dropping-out-of-bounds"),
        Case(_scatter(lax.scatter_add, SDN(update_window_dims=(2,), inserted_window_dims=(1,),
                                           scatter_dims_to_operand_dims=(1,),
                                           operand_batching_dims=(0,),
                                           scatter_indices_batching_dims=(0,))),
             (rand(2, 5, 3), ints(5, 2, 4, 1), rand(2, 4, 3)), name="own-batching-dims"),
    ],
    "stablehlo.dynamic_slice": [
        Case(lambda x, i, j: lax.dynamic_slice(x, (i, j), (2, 3)),
             (rand(5, 4), ints(7, lo=-2), ints(3)), name="clamped-starts"),
        Case(lambda x, i: lax.dynamic_slice_in_dim(x, i, 2, axis=1), (rand(3, 5, 2), ints(4)),
             name="in-dim"),
    ],
    "stablehlo.dynamic_update_slice": [
        Case(lambda x, u, i, j: lax.dynamic_update_slice(x, u, (i, j)),
             (rand(5, 4), rand(2, 3), ints(7, lo=-2), ints(3)), name="clamped-starts"),
        Case(lambda x, u, i: lax.dynamic_update_index_in_dim(x, u, i, 0),
             (rand(4, 2, 5), rand(2, 5), ints(4)), name="index-in-dim"),
    ],
    "stablehlo.pad": [
        Case(lambda x, v: lax.pad(x, v, [(1, -1, 1), (0, 2, 0)]), (rand(3, 2), rand()),
             name="batched-value"),
        Case(lambda x, v: lax.pad(x, v, [(2, 0, 0)]), (ints(9, 3), ints(9)), name="int-value"),
    ],
    "stablehlo.reduce": [
        Case(lambda x, i: lax.reduce(x, i, lax.add, (1,)), (rand(2, 3), rand()),
             name="add-batched-init"),
        Case(lambda x, i: lax.reduce(x, i, lax.max, (0, 2)), (rand(2, 3, 4), rand()),
             name="max-batched-init"),
        Case(lambda x, i: lax.reduce(x, i, lax.mul, (0,)), (ints(4, 2, 2), ints(3)),
             name="int-multiply-batched-init"),
        Case(lambda x, m: lax.reduce(x, m * 0.0, lax.add, (0,)), (rand(0, 4), rand()),
             name="empty-batched-init"),
        Case(_argmax_with_inits, (distinct(2, 5), same(-np.inf), ints(3)), loop=True,
             name="argmax-batched-inits-per-example"),
    ],
}
