"""Forward mode: `N(x..., t_wrt...) -> (y..., t_y...)` added beside `F`.

The pass copies F and, after each op that has a nonzero tangent flowing in,
inserts the op's JVP. Tangents are symbolic zeros until some rule produces one.
"""
from __future__ import annotations

from hlox.frontend.core import Trace
from hlox.lowering.mlir import ir
from hlox.passes import irutil
from hlox.passes.autodiff.common import JVP_RULES, NON_DIFFERENTIABLE, Site, instantiate, no_rule
from hlox.passes.registry import PassError


def default_wrt(func_op):
    args = irutil.entry_block(func_op).arguments
    return [i for i, a in enumerate(args) if irutil.is_differentiable_type(a.type)]


def check_wrt(func_op, wrt):
    args = irutil.entry_block(func_op).arguments
    for i in wrt:
        if not 0 <= i < len(args):
            raise PassError(f"wrt index {i} out of range: @{irutil.symbol_name(func_op)} has "
                            f"{len(args)} arguments", op=func_op)
        if not irutil.is_differentiable_type(args[i].type):
            raise PassError(f"argument {i} of @{irutil.symbol_name(func_op)} has type "
                            f"{args[i].type}, which has no tangent (only floating-point and "
                            "complex arguments can be differentiated)", op=func_op)


@irutil.ir_dtypes
def jvp(module_op, func_name: str, wrt=None, name=None):
    """Add the forward-mode derivative of @func_name; returns the new function op."""
    func_op = irutil.find_function(module_op, func_name)
    wrt = default_wrt(func_op) if wrt is None else list(wrt)
    check_wrt(func_op, wrt)
    new = irutil.clone_function(module_op, func_op, name or irutil.unique_name(module_op, f"{func_name}_jvp"))
    block = irutil.entry_block(new)
    args = list(block.arguments)
    tangent_args = irutil.add_arguments(new, [args[i].type for i in wrt])
    trace = Trace.over_function(module_op, new, description=f"hlox-jvp of @{func_name}")
    with trace:
        tangents = {args[i]: trace.tracer(t) for i, t in zip(wrt, tangent_args)}
        propagate(trace, module_op, block, tangents)
        ret = irutil.terminator(block)
        trace.ip = ir.InsertionPoint(ret)
        trace.location = ret.location
        outs = list(ret.operands)
        out_tangents = [instantiate(tangents.get(v), trace.tracer(v)) for v in outs]
        values = outs + [trace.value_of(t) for t in out_tangents]
    irutil.set_returns(new, values)
    irutil.remove_dead_code(new)
    return new


def propagate(trace, module_op, block, tangents):
    """Insert the JVP of every op of `block` (except its terminator) into it."""
    ops = [op.operation for op in block.operations][:-1]
    for op in ops:
        in_tangents = [tangents.get(v) for v in op.operands]
        captured = irutil.captured_by_regions(op)
        if all(t is None for t in in_tangents) and all(tangents.get(v) is None for v in captured):
            continue
        if op.name in NON_DIFFERENTIABLE or not any(
                irutil.is_differentiable_type(r.type) for r in op.results):
            continue
        rule = JVP_RULES.get(op.name)
        if rule is None:
            raise no_rule(op, "jvp")
        trace.ip = ir.InsertionPoint.after(op)
        trace.location = op.location
        site = Site(trace, op, module_op, "jvp")
        site.env = tangents
        out_tangents = rule(site, in_tangents)
        for result, t in zip(op.results, out_tangents):
            if t is not None and irutil.is_differentiable_type(result.type):
                tangents[result] = t
