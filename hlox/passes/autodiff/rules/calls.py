"""func.call: differentiate the callee into a function of its own and call that.

Callees marked `hlox.stop_gradient` have a zero derivative; callees carrying
custom rules (`hlox.custom_jvp`, `hlox.custom_vjp_fwd`/`_bwd`, see
frontend/custom_derivatives.py) are differentiated by calling those rules.
Callees marked `hlox.remat = "<policy>"` (frontend/checkpoint.py) are
rematerialized: the forward keeps only the results of the callee's ops that the
policy saves, and the backward recomputes the rest behind an
`optimization_barrier`, so that XLA cannot merge the recomputation with the forward.
"""
from __future__ import annotations

from hlox.frontend.ad_annotations import (CHECKPOINT_NAME_ATTR, CUSTOM_JVP_ATTR, CUSTOM_VJP_BWD_ATTR,
                                         CUSTOM_VJP_FWD_ATTR, LAYOUT_ATTR, REMAT_ATTR, REMAT_CSE_ATTR,
                                         SAVED_ATTR, STOP_GRADIENT_ATTR)
from hlox.frontend.core import Tracer
from hlox.frontend.primitives import emit
from hlox.lowering.mlir import ir, stablehlo
from hlox.passes import irutil
from hlox.passes.registry import PassError
from hlox.passes.autodiff.common import instantiate, jvp_rule, vjp_rule, zeros_like



def _callee(site):
    name = ir.FlatSymbolRefAttr(site.attr("callee")).value
    return name, irutil.find_function(site.module_op, name)


def _symbol_attr(func_op, attr):
    return ir.FlatSymbolRefAttr(func_op.attributes[attr]).value


def _layout(func_op):
    return [ir.IntegerAttr(a).value for a in ir.ArrayAttr(func_op.attributes[LAYOUT_ATTR])]


def _derived(site, name, kind, wrt):
    """The derivative function of @name for these arguments, made once per module."""
    from hlox.passes.autodiff import forward, reverse
    n_args = len(irutil.entry_block(irutil.find_function(site.module_op, name)).arguments)
    mask = "".join("1" if i in wrt else "0" for i in range(n_args))
    new_name = f"{name}_{kind}_{mask}"
    if new_name not in irutil.functions(site.module_op):
        make = forward.jvp if kind == "jvp" else reverse.vjp
        fn = make(site.module_op, name, wrt=list(wrt), name=new_name)
        fn.attributes["sym_visibility"] = ir.StringAttr.get("private")
    return new_name


def _call(site, callee, operands, result_avals):
    op = emit(site.trace, "func.call", [site.trace.value_of(v) for v in operands], result_avals,
              {"callee": ir.FlatSymbolRefAttr.get(callee)})
    return [Tracer(site.trace, a, r) for a, r in zip(result_avals, op.results)]


def _differentiable(site, i):
    return irutil.is_differentiable_type(site.op.operands[i].type)


@jvp_rule("func.call")
def _call_jvp(site, tangents):
    name, callee = _callee(site)
    attrs = callee.attributes
    n_out = len(site.outputs)
    if STOP_GRADIENT_ATTR in attrs:
        return [None] * n_out
    if CUSTOM_VJP_FWD_ATTR in attrs:
        site.fail("can't apply forward-mode autodiff (jvp) to a custom_vjp function")
    if CUSTOM_JVP_ATTR in attrs:
        n, k, _ = _layout(callee)
        xs, captures = site.inputs[:n], site.inputs[n:n + k]
        ts = [instantiate(t, x) for t, x in zip(tangents[:n], xs)]
        outs = _call(site, _symbol_attr(callee, CUSTOM_JVP_ATTR), xs + ts + captures,
                     [o.aval for o in site.outputs] * 2)
        return outs[n_out:]
    wrt = [i for i, t in enumerate(tangents) if t is not None]
    derived = _derived(site, name, "jvp", wrt)
    outs = _call(site, derived, site.inputs + [tangents[i] for i in wrt],
                 [o.aval for o in site.outputs] * 2)
    return outs[n_out:]


@vjp_rule("func.call")
def _call_vjp(site, cts):
    name, callee = _callee(site)
    attrs = callee.attributes
    if STOP_GRADIENT_ATTR in attrs:
        return [None] * len(site.inputs)
    seeds = [instantiate(c, o) for c, o in zip(cts, site.outputs)]
    if CUSTOM_VJP_FWD_ATTR in attrs:
        return _custom_vjp_vjp(site, callee, seeds)
    if CUSTOM_JVP_ATTR in attrs:
        return _custom_jvp_vjp(site, callee, seeds)
    wrt = [i for i, a in enumerate(site.active) if a and _differentiable(site, i)]
    if not wrt:
        return [None] * len(site.inputs)
    if REMAT_ATTR in attrs:
        return _remat_vjp(site, name, callee, seeds, wrt)
    return _vjp_via(site, _derived(site, name, "vjp", wrt), site.inputs + seeds, wrt)


def _vjp_via(site, derived, operands, wrt):
    """Call a VJP function `N(...) -> (y..., ct_x_wrt...)`; cotangents per call operand."""
    result_avals = [o.aval for o in site.outputs] + [site.inputs[i].aval for i in wrt]
    outs = _call(site, derived, operands, result_avals)
    grads = dict(zip(wrt, outs[len(site.outputs):]))
    return [grads.get(i) for i in range(len(site.inputs))]


# -- checkpoint / remat ------------------------------------------------------------------------
def _is_dot(op, _names):
    return op.name in ("stablehlo.dot_general", "stablehlo.dot", "stablehlo.convolution")


def _is_unbatched_dot(op, _names):
    if op.name != "stablehlo.dot_general":
        return False
    dims = stablehlo.DotDimensionNumbers(op.attributes["dot_dimension_numbers"])
    return not dims.lhs_batching_dimensions and not dims.rhs_batching_dimensions


def _checkpoint_name(module_op, op):
    if op.name != "func.call":
        return None
    callee = irutil.find_function(module_op, ir.FlatSymbolRefAttr(op.attributes["callee"]).value)
    attrs = callee.attributes
    if CHECKPOINT_NAME_ATTR not in attrs:
        return None
    return ir.StringAttr(attrs[CHECKPOINT_NAME_ATTR]).value


# policy term -> predicate(op, name of the op's value or None, the term's names) -> save?
REMAT_POLICIES = {
    "everything_saveable": lambda op, name, names: True,
    "dots_saveable": lambda op, name, names: _is_dot(op, names),
    "dots_with_no_batch_dims_saveable": lambda op, name, names: _is_unbatched_dot(op, names),
    "save_only_these_names": lambda op, name, names: name in names,
    "save_any_names_but_these": lambda op, name, names: name is not None and name not in names,
    "save_anything_except_these_names": lambda op, name, names: name not in names,
}


def _policy_terms(callee):
    spec = ir.StringAttr(callee.attributes[REMAT_ATTR]).value
    terms = []
    for term in filter(None, spec.split("|")):
        kind, _, names = term.partition(":")
        if kind not in REMAT_POLICIES:
            raise PassError(f"unknown rematerialization policy '{kind}' in {REMAT_ATTR} of "
                            f"@{irutil.symbol_name(callee)} (known: "
                            f"{', '.join(sorted(REMAT_POLICIES))}, or empty for nothing_saveable)",
                            op=callee)
        terms.append((REMAT_POLICIES[kind], set(filter(None, names.split(",")))))
    return terms


def _saved_ops(module_op, callee):
    """The callee's top-level ops whose results the policy keeps for the backward pass."""
    terms = _policy_terms(callee)
    ops = [op.operation for op in irutil.entry_block(callee).operations][:-1]
    return [op for op in ops if len(op.results) and any(
        save(op, _checkpoint_name(module_op, op), names) for save, names in terms)]


def _remat_vjp(site, name, callee, seeds, wrt):
    """The forward saves the policy's residuals; the backward recomputes the rest from the
    inputs and the residuals, which pass through an optimization_barrier together with the
    cotangents (so the recomputation cannot run, or be merged, before the backward)."""
    saved = _saved_ops(site.module_op, callee)
    n_ops = sum(1 for op in irutil.entry_block(callee).operations if len(op.results))
    if len(saved) == n_ops:  # everything saveable: the plain rule, XLA merges the forwards
        return _vjp_via(site, _derived(site, name, "vjp", wrt), site.inputs + seeds, wrt)
    residuals = []
    if saved:
        fwd_name, vjp_name = _remat_functions(site, name, callee, saved, wrt)
        residuals = _replace_primal_call(site, fwd_name, [r for op in saved for r in op.results])
    else:
        vjp_name = _derived(site, name, "vjp", wrt)
    operands = list(site.inputs) + list(seeds) + residuals
    prevent_cse = REMAT_CSE_ATTR not in callee.attributes or \
        ir.BoolAttr(callee.attributes[REMAT_CSE_ATTR]).value
    if prevent_cse:
        barrier = emit(site.trace, "stablehlo.optimization_barrier",
                       [site.trace.value_of(v) for v in operands], [v.aval for v in operands])
        operands = [Tracer(site.trace, v.aval, r) for v, r in zip(operands, barrier.results)]
    return _vjp_via(site, vjp_name, operands, wrt)


def _replace_primal_call(site, fwd_name, saved_values):
    """Call the forward that also returns the residuals where the primal call was."""
    from hlox.passes.autodiff.rules.control import _replace_results
    saved_ip = site.trace.ip
    site.trace.ip = ir.InsertionPoint(site.op)
    res_avals = [irutil.value_aval(v) for v in saved_values]
    outs = _call(site, fwd_name, site.inputs, [o.aval for o in site.outputs] + res_avals)
    _replace_results(site, outs[:len(site.outputs)])
    site.trace.ip = saved_ip
    return outs[len(site.outputs):]


def _remat_functions(site, name, callee, saved, wrt):
    """`F_remat_fwd(x...) -> (y..., residuals...)` and `F_remat_vjp(x..., ct_y...,
    residuals...) -> (y..., ct_x_wrt...)`, the VJP that reads the residuals instead of
    recomputing them. Made once per module and set of differentiated arguments."""
    from hlox.passes.autodiff import reverse
    module_op = site.module_op
    n_args = len(irutil.entry_block(callee).arguments)
    base = f"{name}_remat_" + "".join("1" if i in wrt else "0" for i in range(n_args))
    fwd_name, vjp_name = base + "_fwd", base + "_vjp"
    if vjp_name in irutil.functions(module_op):
        return fwd_name, vjp_name
    callee_ops = [o.operation for o in irutil.entry_block(callee).operations]
    positions = [i for i, op in enumerate(callee_ops) if op in saved]
    src = irutil.clone_function(module_op, callee, base + "_src")
    src_ops = [o.operation for o in irutil.entry_block(src).operations]
    i64 = ir.IntegerType.get_signless(64)
    for k, pos in enumerate(positions):
        src_ops[pos].attributes[SAVED_ATTR] = ir.IntegerAttr.get(i64, k)
    fwd = irutil.clone_function(module_op, src, fwd_name)
    fwd_block = irutil.entry_block(fwd)
    fwd_ops = [o.operation for o in fwd_block.operations]
    residuals = [r for pos in positions for r in fwd_ops[pos].results]
    irutil.set_returns(fwd, list(irutil.terminator(fwd_block).operands) + residuals)
    vjp = reverse.vjp(module_op, base + "_src", wrt=list(wrt), name=vjp_name)
    _read_residuals(vjp, len(positions))
    for fn in (fwd, vjp):
        fn.attributes["sym_visibility"] = ir.StringAttr.get("private")
        _strip_tags(fn)
    del fwd.attributes[REMAT_ATTR]
    src.erase()
    return fwd_name, vjp_name


def _read_residuals(vjp, n_saved):
    """Turn the forward copies of the saved ops in `vjp` into new arguments."""
    block = irutil.entry_block(vjp)
    first = {}
    for op in block.operations:
        op = op.operation
        if SAVED_ATTR in op.attributes:
            first.setdefault(ir.IntegerAttr(op.attributes[SAVED_ATTR]).value, op)
    ops = [first[k] for k in range(n_saved)]
    args = irutil.add_arguments(vjp, [r.type for op in ops for r in op.results])
    for old, new in zip([r for op in ops for r in op.results], args):
        old.replace_all_uses_with(new)
    irutil.remove_dead_code(vjp)


def _strip_tags(fn):
    for op in irutil.walk_nested(fn):
        if SAVED_ATTR in op.attributes:
            del op.attributes[SAVED_ATTR]


def _custom_jvp_vjp(site, callee, seeds):
    """Reverse mode through a custom JVP rule: transpose the rule in its tangent arguments."""
    n, k, _ = _layout(callee)
    rule = _symbol_attr(callee, CUSTOM_JVP_ATTR)
    xs, captures = site.inputs[:n], site.inputs[n:n + k]
    wrt = [n + i for i in range(n) if _differentiable(site, i)]
    derived = _derived(site, rule, "vjp", wrt)
    zero_ts = [zeros_like(x) for x in xs]
    zero_ys = [zeros_like(o) for o in site.outputs]
    result_avals = irutil.result_avals(site.module_op, derived)
    outs = _call(site, derived, xs + zero_ts + captures + zero_ys + seeds, result_avals)
    grads = dict(zip([w - n for w in wrt], outs[2 * len(site.outputs):]))
    return [grads.get(i) for i in range(len(site.inputs))]


def _custom_vjp_vjp(site, callee, seeds):
    """Reverse mode through custom_vjp: run the user's fwd for residuals, then their bwd."""
    n, kf, kb, _ = _layout(callee)
    fwd, bwd = _symbol_attr(callee, CUSTOM_VJP_FWD_ATTR), _symbol_attr(callee, CUSTOM_VJP_BWD_ATTR)
    xs = site.inputs[:n]
    fwd_captures = site.inputs[n:n + kf]
    bwd_captures = site.inputs[n + kf:n + kf + kb]
    fwd_outs = _call(site, fwd, xs + fwd_captures, irutil.result_avals(site.module_op, fwd))
    residuals = fwd_outs[len(site.outputs):]
    grads = _call(site, bwd, residuals + seeds + bwd_captures, irutil.result_avals(site.module_op, bwd))
    return grads + [None] * (len(site.inputs) - n)
