"""stablehlo.custom_call: the rule of the call target's op_catalog row (CUSTOM_CALL_BATCH_RULES);
a target hlox does not know is opaque and runs once per example."""
from __future__ import annotations

from hlox.frontend import op_catalog
from hlox.lowering.mlir import ir
from hlox.passes.batching.common import CUSTOM_CALL_BATCH_RULES, batch_rule
from hlox.passes.batching.core import per_example_loop


def target_row(op):
    """The op_catalog row of a custom_call's target, or None."""
    if "call_target_name" not in op.attributes:
        return None
    return op_catalog.custom_call_op(ir.StringAttr(op.attributes["call_target_name"]).value)


@batch_rule("stablehlo.custom_call")
def _custom_call(site, args, dims):
    row = target_row(site.op)
    rule = CUSTOM_CALL_BATCH_RULES.get(row.name) if row else None
    return (rule or per_example_loop)(site, args, dims)
