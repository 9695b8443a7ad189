"""func.call: differentiate the callee into a function of its own and call that.

Callees marked `hlox.stop_gradient` have a zero derivative; callees carrying
custom rules (`hlox.custom_jvp`, `hlox.custom_vjp_fwd`/`_bwd`, see
frontend/custom_derivatives.py) are differentiated by calling those rules.
"""
from __future__ import annotations

from hlox.frontend.core import Tracer
from hlox.frontend.primitives import emit
from hlox.lowering.mlir import ir
from hlox.passes import irutil
from hlox.passes.autodiff.common import instantiate, jvp_rule, vjp_rule, zeros_like

STOP_GRADIENT_ATTR = "hlox.stop_gradient"
CUSTOM_JVP_ATTR = "hlox.custom_jvp"
CUSTOM_VJP_FWD_ATTR = "hlox.custom_vjp_fwd"
CUSTOM_VJP_BWD_ATTR = "hlox.custom_vjp_bwd"
LAYOUT_ATTR = "hlox.custom_layout"


def _callee(site):
    name = ir.FlatSymbolRefAttr(site.attr("callee")).value
    return name, irutil.find_function(site.module_op, name)


def _symbol_attr(func_op, attr):
    return ir.FlatSymbolRefAttr(func_op.attributes[attr]).value


def _layout(func_op):
    return [ir.IntegerAttr(a).value for a in ir.ArrayAttr(func_op.attributes[LAYOUT_ATTR])]


def _result_avals(module_op, name):
    from hlox.frontend.avals import ShapedArray
    from hlox.lowering import mlir
    fn = irutil.find_function(module_op, name)
    ftype = ir.FunctionType(ir.TypeAttr(fn.attributes["function_type"]).value)
    return [ShapedArray(*mlir.shape_and_dtype(t)) for t in ftype.results]


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
    derived = _derived(site, name, "vjp", wrt)
    result_avals = [o.aval for o in site.outputs] + [site.inputs[i].aval for i in wrt]
    outs = _call(site, derived, site.inputs + seeds, result_avals)
    grads = dict(zip(wrt, outs[len(site.outputs):]))
    return [grads.get(i) for i in range(len(site.inputs))]


def _custom_jvp_vjp(site, callee, seeds):
    """Reverse mode through a custom JVP rule: transpose the rule in its tangent arguments."""
    n, k, _ = _layout(callee)
    rule = _symbol_attr(callee, CUSTOM_JVP_ATTR)
    xs, captures = site.inputs[:n], site.inputs[n:n + k]
    wrt = [n + i for i in range(n) if _differentiable(site, i)]
    derived = _derived(site, rule, "vjp", wrt)
    zero_ts = [zeros_like(x) for x in xs]
    zero_ys = [zeros_like(o) for o in site.outputs]
    result_avals = _result_avals(site.module_op, derived)
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
    fwd_outs = _call(site, fwd, xs + fwd_captures, _result_avals(site.module_op, fwd))
    residuals = fwd_outs[len(site.outputs):]
    grads = _call(site, bwd, residuals + seeds + bwd_captures, _result_avals(site.module_op, bwd))
    return grads + [None] * (len(site.inputs) - n)
