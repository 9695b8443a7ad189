"""Cases for the collectives over named axes (format: README.md).

The functions bind a one-member axis "k" (a collective over one device is the identity, so
they run on one device): the checks see the rules' derivative ops compile and agree with
finite differences. Their values over a real axis (under vmap) are checked against JAX in
tests/test_collectives_vmap.py.
"""
from __future__ import annotations

from hlox import lax
from hlox.frontend.collectives import axis_frame

from autodiff_cases import Case, rand


def in_axis(fn):
    """fn traced with the one-member axis "k" bound (the batching cases use it too)."""
    def run(*args):
        with axis_frame("k", 1):
            return fn(*args)
    return run


CASES = {
    "stablehlo.all_reduce": [
        Case(in_axis(lambda x: lax.sin(lax.psum(x * x, "k"))), (rand(2, 3),), name="psum"),
    ],
    "stablehlo.all_gather": [
        Case(in_axis(lambda x: lax.all_gather(x * x, "k", axis=1)), (rand(2, 3),)),
    ],
    "stablehlo.reduce_scatter": [
        Case(in_axis(lambda x: lax.psum_scatter(x * x, "k", scatter_dimension=1, tiled=True)),
             (rand(2, 3),)),
    ],
    "stablehlo.collective_permute": [
        Case(in_axis(lambda x: lax.ppermute(x * x, "k", [(0, 0)])), (rand(2, 3),)),
    ],
    "stablehlo.all_to_all": [
        Case(in_axis(lambda x: lax.all_to_all(x * x, "k", 0, 1, tiled=True)), (rand(2, 3),)),
    ],
}
