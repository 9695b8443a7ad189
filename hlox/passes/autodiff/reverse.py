"""Reverse mode: `N(x..., ct_y...) -> (y..., ct_x_wrt...)` and `N(x...) -> (g_wrt...)`.

The pass copies F, keeps its forward computation, and before the return emits
the adjoint of every active op in reverse order. Cotangents accumulate per value
and stay symbolic zeros until some rule produces one; ops that do not depend on
a differentiated argument are never visited.
"""
from __future__ import annotations

from hlox.frontend import lax
from hlox.frontend.core import Trace
from hlox.lowering.mlir import ir
from hlox.passes import irutil
from hlox.passes.autodiff.common import NON_DIFFERENTIABLE, VJP_RULES, Site, add_maybe, instantiate, no_rule
from hlox.passes.autodiff.forward import check_wrt, default_wrt
from hlox.passes.registry import PassError


def vjp(module_op, func_name: str, wrt=None, name=None):
    """Add `N(x..., ct_y...) -> (y..., ct_x_wrt...)`; returns the new function op."""
    return _reverse(module_op, func_name, wrt, name or f"{func_name}_vjp", seed="arguments")


def grad(module_op, func_name: str, wrt=None, name=None):
    """Add `N(x...) -> (g_wrt...)` for a function with one floating-point scalar result."""
    func_op = irutil.find_function(module_op, func_name)
    results = list(irutil.terminator(irutil.entry_block(func_op)).operands)
    if len(results) != 1 or not irutil.is_differentiable_type(results[0].type) \
            or ir.RankedTensorType(results[0].type).rank != 0:
        types = ", ".join(str(r.type) for r in results) or "nothing"
        raise PassError(f"hlox-grad needs a function with exactly one floating-point scalar "
                        f"result; @{func_name} returns {types}", op=func_op)
    return _reverse(module_op, func_name, wrt, name or f"{func_name}_grad", seed="one")


@irutil.ir_dtypes
def _reverse(module_op, func_name, wrt, name, seed):
    func_op = irutil.find_function(module_op, func_name)
    wrt = default_wrt(func_op) if wrt is None else list(wrt)
    check_wrt(func_op, wrt)
    if name in irutil.functions(module_op):
        name = irutil.unique_name(module_op, name)
    new = irutil.clone_function(module_op, func_op, name)
    block = irutil.entry_block(new)
    args = list(block.arguments)
    outs = list(irutil.terminator(block).operands)
    ct_args = irutil.add_arguments(new, [v.type for v in outs]) if seed == "arguments" else []
    trace = Trace.over_function(module_op, new, description=f"hlox-{'vjp' if ct_args else 'grad'} of @{func_name}")
    with trace:
        ret = irutil.terminator(block)
        trace.ip = ir.InsertionPoint(ret)
        trace.location = ret.location
        if seed == "arguments":
            seeds = [trace.tracer(c) for c in ct_args]
        else:
            out = trace.tracer(outs[0])
            seeds = [lax.full((), 1, out.dtype)]
        cts = {}
        for v, s in zip(outs, seeds):
            if irutil.is_differentiable_type(v.type):
                cts[v] = add_maybe(cts.get(v), s)
        active = active_values(block, [args[i] for i in wrt])
        backpropagate(trace, module_op, block, cts, active)
        trace.ip = ir.InsertionPoint(irutil.terminator(block))
        grads = [instantiate(cts.get(args[i]), trace.tracer(args[i])) for i in wrt]
        grad_values = [trace.value_of(g) for g in grads]
    # rules may have replaced ops (a while loop by its stacking version): return what the
    # return op uses now
    outs = list(irutil.terminator(block).operands)
    irutil.set_returns(new, (outs if seed == "arguments" else []) + grad_values)
    irutil.remove_dead_code(new)
    return new


def active_values(block, sources):
    """Values of `block` that depend on `sources` and can carry a derivative."""
    active = set(sources)
    for op in list(block.operations)[:-1]:
        op = op.operation
        if op.name in NON_DIFFERENTIABLE:
            continue
        if any(v in active for v in _all_operands(op)):
            for r in op.results:
                if irutil.is_differentiable_type(r.type):
                    active.add(r)
    return active


def _all_operands(op):
    """Operands of `op` and values its regions use from outside (closed-over values)."""
    yield from op.operands
    for region in op.regions:
        for blk in region.blocks:
            for inner in blk.operations:
                yield from _all_operands(inner.operation)


def backpropagate(trace, module_op, block, cts, active):
    """Emit the adjoint of every active op of `block`, last op first, at `trace.ip`."""
    ip = trace.ip
    ops = [op.operation for op in block.operations][:-1]
    for op in reversed(ops):
        out_cts = [cts.pop(r, None) for r in op.results]
        if all(c is None for c in out_cts) or op.name in NON_DIFFERENTIABLE:
            continue
        operands = list(op.operands)
        if not any(v in active for v in operands) and not any(
                v in active for v in _all_operands(op)):
            continue
        rule = VJP_RULES.get(op.name)
        if rule is None:
            raise no_rule(op, "vjp")
        trace.ip = ip
        trace.location = op.location
        site = Site(trace, op, module_op, "vjp")
        site.active = [v in active for v in operands]
        site.active_values = active
        in_cts = rule(site, out_cts)
        for v, c, is_active in zip(operands, in_cts, site.active):
            if c is not None and is_active:
                cts[v] = add_maybe(cts.get(v), c)
        for v, c in site.captured_cts.items():  # region ops: cotangents of captured values
            if c is not None and v in active:
                cts[v] = add_maybe(cts.get(v), c)
    trace.ip = ip
