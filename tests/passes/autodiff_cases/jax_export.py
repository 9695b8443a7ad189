"""Ops that JAX's exports contain (chlo.square from jnp.var, chlo.top_k from lax.top_k): see
tests/passes/test_jax_export_corpus.py."""
from hlox import lax

from autodiff_cases import Case, distinct, rand, raw_op


def top_k(k):
    """x -> chlo.top_k(x, k): (the k largest values along the last axis, their int32 indices)."""
    return lambda x: tuple(lax.top_k(x, k))


def _top_k_values(k):
    return lambda x: top_k(k)(x)[0] * 2.0


CASES = {
    "chlo.square": [Case(raw_op("chlo.square"), (rand(2, 3),))],
    "chlo.top_k": [Case(_top_k_values(3), (distinct(2, 5),)),
                   Case(lambda x: top_k(2)(x)[0], (distinct(6),), name="vector")],
}
