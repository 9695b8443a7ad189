"""Ops that JAX's exports contain but hlox's frontend does not emit itself (chlo.square from
jnp.var, chlo.top_k from lax.top_k): see tests/passes/test_jax_export_corpus.py."""
import numpy as np

from autodiff_cases import Case, distinct, rand, raw_op


def top_k(k):
    """x -> chlo.top_k(x, k): (the k largest values along the last axis, their int32 indices)."""
    def fn(x):
        from hlox.frontend.core import Tracer, current_trace
        from hlox.frontend.primitives import emit
        from hlox.lowering.mlir import ir
        trace = current_trace()
        shape = x.shape[:-1] + (k,)
        avals = [x.aval.update(shape=shape), x.aval.update(shape=shape, dtype=np.dtype(np.int32),
                                                          weak_type=False)]
        op = emit(trace, "chlo.top_k", [trace.value_of(x)], avals,
                  {"k": ir.IntegerAttr.get(ir.IntegerType.get_signless(64), k)})
        return tuple(Tracer(trace, a, r) for a, r in zip(avals, op.results))
    return fn


def _top_k_values(k):
    return lambda x: top_k(k)(x)[0] * 2.0


CASES = {
    "chlo.square": [Case(raw_op("chlo.square"), (rand(2, 3),))],
    "chlo.top_k": [Case(_top_k_values(3), (distinct(2, 5),)),
                   Case(lambda x: top_k(2)(x)[0], (distinct(6),), name="vector")],
}
