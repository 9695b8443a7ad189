"""Cases for the gather, scatter and sort rules (format: README.md)."""
import numpy as np

import hlox.numpy as jnp
from hlox import lax

from autodiff_cases import Case, distinct, rand

REPEATED = np.array([3, 0, 3, 1], np.int32)  # index 3 twice
UNIQUE = np.array([4, 0, 2], np.int32)
OUT_OF_BOUNDS = np.array([1, 7, 2], np.int32)  # 7 is dropped by scatter, clamped by gather


def _scatter_dnums():
    return lax.ScatterDimensionNumbers(update_window_dims=(1,), inserted_window_dims=(0,),
                                       scatter_dims_to_operand_dims=(0,))


def _rows(fn):
    """A lax scatter of rows of a (5, 2) operand at indices (k, 1)."""
    return lambda x, i, u: fn(x, i[:, None], u, _scatter_dnums())


def _gather_batched(x, i):
    """take_along_axis in JAX's sort-JVP form: gather with operand/start-index batching dims."""
    dnums = lax.GatherDimensionNumbers(offset_dims=(), collapsed_slice_dims=(1,),
                                       start_index_map=(1,), operand_batching_dims=(0,),
                                       start_indices_batching_dims=(0,))
    return lax.gather(x, i[..., None], dnums, (1, 1))


CASES = {
    "stablehlo.gather": [
        Case(lambda x, i: x[i], (rand(5), REPEATED), name="getitem-repeated"),
        Case(lambda x, i: jnp.take(x, i, axis=1), (rand(3, 5), UNIQUE), name="take-axis1"),
        Case(lambda x, i: lax.gather(x, i[:, None], lax.GatherDimensionNumbers(
            offset_dims=(1,), collapsed_slice_dims=(0,), start_index_map=(0,)), (1, 2)),
            (rand(5, 3), OUT_OF_BOUNDS), name="windows-clamped"),
        Case(_gather_batched, (rand(2, 4), np.array([[3, 0, 0], [1, 2, 3]], np.int32)),
             name="batching-dims"),
        Case(lambda e, i: jnp.sum(e[i], axis=1), (rand(6, 3), np.array([[0, 5], [2, 2]], np.int32)),
             name="embedding"),
    ],
    "stablehlo.scatter": [
        Case(lambda x, i, u: x.at[i].add(u), (rand(5), REPEATED, rand(4)), name="add"),
        Case(lambda x, i, u: x.at[i].subtract(u), (rand(5), REPEATED, rand(4)), name="subtract"),
        Case(_rows(lax.scatter_add), (rand(5, 2), OUT_OF_BOUNDS, rand(3, 2)),
             name="add-rows-dropped"),
        Case(lambda x, i, u: x.at[i].set(u), (rand(5), REPEATED, rand(4)), name="set-repeated"),
        Case(lambda x, i, u: x.at[i].set(u, unique_indices=True), (rand(5), UNIQUE, rand(3)),
             name="set-unique"),
        Case(_rows(lax.scatter), (rand(5, 2), OUT_OF_BOUNDS, rand(3, 2)), name="set-rows-dropped"),
        Case(lambda x, i, u: x.at[i].mul(u, unique_indices=True), (rand(5), UNIQUE, rand(3)),
             name="multiply"),
        Case(lambda x, i, u: x.at[i].mul(u), (rand(5), REPEATED, rand(4)), wrt=(0,),
             name="multiply-operand-repeated"),
        Case(lambda x, i, u: x.at[i].max(u), (distinct(5), REPEATED, distinct(4)), name="max"),
        Case(lambda x, i, u: x.at[i].min(u), (distinct(5), REPEATED, distinct(4)), name="min"),
        Case(lambda x, i, u: x.at[i].max(u),
             (np.array([0.5, 0.1, 0.2, 0.3, 0.9]), REPEATED, np.array([0.3, 0.5, 0.3, 0.0])),
             kinks_ok=True, name="max-ties"),
    ],
    "stablehlo.sort": [
        Case(lax.sort, (distinct(6),), name="1d"),
        Case(lambda x: lax.sort(x, dimension=0), (distinct(4, 3),), name="axis0"),
        Case(lambda k, v: lax.sort_key_val(k, v), (distinct(2, 5), rand(2, 5)), name="key-val"),
        Case(lambda k, v: lax.sort_key_val(k, v)[1], (np.array([3, 1, 2, 0], np.int32), rand(4)),
             name="int-keys"),
        Case(lambda x, y: lax.sort((x, y), num_keys=2),
             (np.array([1.0, 0.0, 1.0, 0.0]), distinct(4)), wrt=(1,), name="two-keys"),
    ],
}
