"""Cases for the collectives over named axes (format: README.md).

The harness batches without an axis name, so these check the rules' other half: a
collective over an axis other than the batched one stays a collective, on the batched
operand. The per-example functions bind a one-member axis "k" (a collective over one device
is the identity, so they run on one device). Batching a collective over the batched axis
itself is checked against jax.vmap in tests/test_collectives_vmap.py.
"""
from __future__ import annotations

from hlox import lax

from autodiff_cases.collectives import in_axis
from batching_cases import Case, ints, rand


CASES = {
    "stablehlo.all_reduce": [
        Case(in_axis(lambda x: lax.psum(x, "k")), (rand(2, 3),), name="psum"),
        Case(in_axis(lambda x: lax.pmax(x * 2.0, "k")), (rand(4),), name="pmax"),
        Case(in_axis(lambda x: lax.pmin(x, "k")), (ints(5, 2),), name="pmin-int"),
    ],
    "stablehlo.all_gather": [
        Case(in_axis(lambda x: lax.all_gather(x, "k", axis=1)), (rand(2, 3),), name="axis1"),
        Case(in_axis(lambda x: lax.all_gather(x, "k", tiled=True)), (rand(2, 3),), name="tiled"),
    ],
    "stablehlo.reduce_scatter": [
        Case(in_axis(lambda x: lax.psum_scatter(x, "k", scatter_dimension=1, tiled=True)),
             (rand(2, 3),), name="tiled"),
    ],
    "stablehlo.collective_permute": [
        Case(in_axis(lambda x: lax.ppermute(x, "k", [(0, 0)])), (rand(2, 3),)),
    ],
    "stablehlo.all_to_all": [
        Case(in_axis(lambda x: lax.all_to_all(x, "k", 0, 1, tiled=True)), (rand(2, 3),),
             name="tiled"),
        Case(in_axis(lambda x: lax.all_to_all(x, "k", 1, 0)), (rand(2, 1),), name="untiled"),
    ],
    "stablehlo.partition_id": [
        Case(in_axis(lambda x: x + lax.axis_index("k")), (ints(5, 2),)),
    ],
}
