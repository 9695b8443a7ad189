"""Control flow: stablehlo.while, stablehlo.if and stablehlo.case, bodies traced into regions."""
from __future__ import annotations

from hlox.frontend import dtypes
from hlox.frontend.op_builders import build_region
from hlox.frontend.primitives import Primitive, emit
from hlox.lowering.avals import ShapedArray


def _while_rule(*avals, cond, body, attributes=None):
    return list(avals)


def _while_emit(trace, values, out_avals, *, cond, body, attributes=None):
    op = emit(trace, "stablehlo.while", values, out_avals, attributes, regions=2)
    carried = [ShapedArray(a.shape, a.dtype) for a in out_avals]
    build_region(trace, op.regions[0], carried, cond)
    build_region(trace, op.regions[1], carried, body)
    return list(op.results)


# `cond(*carry) -> [pred]` and `body(*carry) -> [carry...]` are traced into the two regions;
# `attributes` (e.g. hlox.trip_count, hlox.max_steps) are set on the op for the passes to read.
while_loop = Primitive("stablehlo.while", _while_rule, _while_emit, multiple_results=True)


def _branches_primitive(op_name, selector_ok, selector_kind):
    """`stablehlo.if` / `stablehlo.case`: `branches` are nullary callables traced into the
    regions (for `if`, the false branch is the second region; for `case`, branch i runs for
    index i and the last one when the index is out of range)."""
    def rule(selector, *, branches, result_avals):
        if selector.shape != () or not selector_ok(selector.dtype):
            raise TypeError(f"{op_name} needs a scalar {selector_kind} selector, got "
                            f"{selector.str_short()}")
        return list(result_avals)

    def emit_rule(trace, values, out_avals, *, branches, result_avals):
        op = emit(trace, op_name, values, out_avals, regions=len(branches))
        for region, branch in zip(op.regions, branches):
            build_region(trace, region, [], branch)
        return list(op.results)
    return Primitive(op_name, rule, emit_rule, multiple_results=True)


if_ = _branches_primitive("stablehlo.if", lambda d: d == dtypes.bool_, "boolean")
case = _branches_primitive("stablehlo.case", lambda d: d == dtypes.int32, "int32")
