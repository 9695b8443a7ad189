"""Cases for ops that run once per example on purpose: rng_bit_generator with per-example keys
and an opaque custom_call (format: README.md)."""
from __future__ import annotations

import numpy as np

from hlox.frontend import ops
from hlox.lowering.mlir import ir

from batching_cases import Case, emit_op, ints, rand


_SHARDING = emit_op("stablehlo.custom_call",
                    call_target_name=lambda: ir.StringAttr.get("Sharding"),
                    **{"mhlo.sharding": lambda: ir.StringAttr.get("{replicated}")})
CASES = {
    "stablehlo.rng_bit_generator": [
        Case(lambda key: ops.rng_bit_generator.bind(key, shape=(2, 3), dtype=np.dtype(np.uint32),
                                                    algorithm="THREE_FRY"),
             (ints(2 ** 31, 2, dtype=np.uint64),), loop=True, name="per-example-keys"),
    ],
    "stablehlo.custom_call": [
        Case(lambda x: _SHARDING(x) * 2.0, (rand(2, 3),), loop=True, name="sharding"),
    ],
}
