"""Ops that JAX's exports contain (chlo.square from jnp.var, chlo.top_k from lax.top_k,
threefry's bitcast_convert): see
tests/passes/test_jax_export_corpus.py."""
import numpy as np

from hlox import lax

from autodiff_cases import raw_op
from autodiff_cases.jax_export import top_k
from batching_cases import Case, distinct, ints, rand

CASES = {
    "chlo.square": [Case(raw_op("chlo.square"), (rand(2, 3),))],
    "chlo.top_k": [Case(top_k(3), (distinct(2, 5),))],
    "stablehlo.bitcast_convert": [
        Case(lambda x: lax.bitcast_convert_type(x, np.float32), (ints(2**20, 4, 2, dtype=np.uint32),)),
        Case(lambda x: lax.bitcast_convert_type(x, np.uint8), (ints(2**20, 3, dtype=np.uint32),),
             name="narrower"),
    ],
}
