"""func.call: differentiate the callee into a function of its own and call that.

Callees marked `hlox.stop_gradient` have a zero derivative.
"""
from __future__ import annotations

from hlox.lowering.mlir import ir
from hlox.passes import irutil
from hlox.passes.autodiff.common import instantiate, jvp_rule, vjp_rule, zeros_like
from hlox.frontend.core import Tracer
from hlox.frontend.primitives import emit

STOP_GRADIENT_ATTR = "hlox.stop_gradient"


def _callee(site):
    name = ir.FlatSymbolRefAttr(site.attr("callee")).value
    return name, irutil.find_function(site.module_op, name)


def _derived(site, kind, wrt):
    """The callee's derivative function for these arguments, made once per module."""
    from hlox.passes.autodiff import forward, reverse
    name, callee = _callee(site)
    mask = "".join("1" if i in wrt else "0" for i in range(len(site.inputs)))
    new_name = f"{name}_{kind}_{mask}"
    existing = irutil.functions(site.module_op).get(new_name)
    if existing is not None:
        return new_name
    make = forward.jvp if kind == "jvp" else reverse.vjp
    fn = make(site.module_op, name, wrt=list(wrt), name=new_name)
    fn.attributes["sym_visibility"] = ir.StringAttr.get("private")
    return new_name


def _call(site, callee, operands, result_avals):
    op = emit(site.trace, "func.call", [site.trace.value_of(v) for v in operands], result_avals,
              {"callee": ir.FlatSymbolRefAttr.get(callee)})
    return [Tracer(site.trace, a, r) for a, r in zip(result_avals, op.results)]


@jvp_rule("func.call")
def _call_jvp(site, tangents):
    _, callee = _callee(site)
    if STOP_GRADIENT_ATTR in callee.attributes:
        return [None] * len(site.outputs)
    wrt = [i for i, t in enumerate(tangents) if t is not None]
    name = _derived(site, "jvp", wrt)
    outs = _call(site, name, site.inputs + [tangents[i] for i in wrt],
                 [o.aval for o in site.outputs] * 2)
    return outs[len(site.outputs):]


@vjp_rule("func.call")
def _call_vjp(site, cts):
    _, callee = _callee(site)
    if STOP_GRADIENT_ATTR in callee.attributes:
        return [None] * len(site.inputs)
    wrt = [i for i, (x, a) in enumerate(zip(site.inputs, site.active))
           if a and irutil.is_differentiable_type(site.op.operands[i].type)]
    if not wrt:
        return [None] * len(site.inputs)
    name = _derived(site, "vjp", wrt)
    seeds = [instantiate(c, o) for c, o in zip(cts, site.outputs)]
    result_avals = [o.aval for o in site.outputs] + [site.inputs[i].aval for i in wrt]
    outs = _call(site, name, site.inputs + seeds, result_avals)
    grads = dict(zip(wrt, outs[len(site.outputs):]))
    return [grads.get(i) for i in range(len(site.inputs))]


__all__ = ["STOP_GRADIENT_ATTR", "zeros_like"]
