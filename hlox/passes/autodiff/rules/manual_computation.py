"""Derivatives of `sdy.manual_computation` (shard_map) whose region calls one function.

The derivative is another manual computation over the same mesh whose region calls the
derived body (made once per module by the forward or reverse pass, its collectives given
their device groups again). Reverse mode follows JAX's shard_map transpose: the cotangent
of an output replicated over a manual axis reaches every member of that axis, so it is
divided by the axis size (the body's psum transposes back to a psum), and the cotangent of
an input replicated over a manual axis is the psum of the members' cotangents.
"""
from __future__ import annotations

import math
import re

from hlox.frontend import collectives, lax
from hlox.frontend.core import Tracer
from hlox.frontend.primitives import emit
from hlox.frontend.shard_map import resolve_collectives, resolve_in
from hlox.lowering import mlir
from hlox.lowering.avals import ShapedArray
from hlox.lowering.mlir import ir
from hlox.lowering import sharding as sharding_lib
from hlox.passes.autodiff.common import instantiate, jvp_rule, vjp_rule
from hlox.passes.autodiff.rules.calls import _call, _derived, _differentiable, _result_avals


def _body_call(site):
    """The function the region calls; a region with other ops (JAX's exports, a derived
    manual computation) is outlined into a private function first."""
    block = site.op.regions[0].blocks[0]
    ops = [op.operation for op in block.operations]
    if len(ops) == 2 and ops[0].name == "func.call" and \
            list(ops[0].operands) == list(block.arguments) and \
            list(ops[1].operands) == list(ops[0].results):
        return ir.FlatSymbolRefAttr(ops[0].attributes["callee"]).value
    return _outline(site, block, ops)


def _outline(site, block, ops):
    from hlox.lowering.mlir import func as func_dialect
    from hlox.lowering.symbols import fresh_symbol_name
    terminator = ops[-1]
    arg_types = [a.type for a in block.arguments]
    result_types = [v.type for v in terminator.operands]
    name = fresh_symbol_name(site.module_op, "shmap_body")
    with site.op.context, site.op.location:
        module_block = site.module_op.regions[0].blocks[0]
        fn = func_dialect.FuncOp(name, ir.FunctionType.get(arg_types, result_types),
                                 ip=ir.InsertionPoint(module_block))
        fn.attributes["sym_visibility"] = ir.StringAttr.get("private")
        entry = fn.add_entry_block()
        ret = func_dialect.ReturnOp(list(terminator.operands), ip=ir.InsertionPoint(entry))
        for old, new in zip(block.arguments, entry.arguments):
            old.replace_all_uses_with(new)
        for op in ops[:-1]:
            op.move_before(ret.operation)
        terminator.erase()
        call = func_dialect.CallOp(result_types, ir.FlatSymbolRefAttr.get(name),
                                   list(block.arguments), ip=ir.InsertionPoint(block))
        ir.Operation.create("sdy.return", operands=list(call.results),
                            ip=ir.InsertionPoint(block))
    return name


def _mesh(site, symbol):
    op = sharding_lib.mesh_ops(site.module_op).get(symbol)
    if op is None:
        site.fail(f"no sdy.mesh @{symbol} in the module")
    return sharding_lib.mesh_of_op(op, None)  # axis names and sizes are all the groups need


_VALUE = re.compile(r"<@([\w.$-]+), \[((?:\{[^}]*\}(?:, )?)*)\]")


def _specs(attr):
    """[(mesh symbol, [axes of each dimension])] of a sharding_per_value attribute."""
    specs = []
    for symbol, dims in _VALUE.findall(str(attr)):
        specs.append((symbol, [re.findall(r'"([^"]+)"', d) for d in re.findall(r"\{[^}]*\}", dims)]))
    return specs


def _spec_text(symbol, dims):
    return "<@" + symbol + ", [" + ", ".join(
        "{" + ", ".join(f'"{a}"' for a in d) + "}" for d in dims) + "]>"


def _per_value(items):
    return ir.Attribute.parse("#sdy.sharding_per_value<[" + ", ".join(items) + "]>")


def _manual_axes(site):
    return re.findall(r'"([^"]+)"', str(site.attr("manual_axes")))


def _unmentioned(spec, manual):
    used = {a for dims in spec[1] for a in dims}
    return [a for a in manual if a not in used]


def _emit(site, operands, in_specs, out_specs, local_avals, out_avals, body):
    trace = site.trace
    attrs = {"in_shardings": _per_value([_spec_text(*s) for s in in_specs]),
             "out_shardings": _per_value([_spec_text(*s) for s in out_specs]),
             "manual_axes": site.attr("manual_axes")}
    op = emit(trace, "sdy.manual_computation", [trace.value_of(v) for v in operands], out_avals,
              attrs, regions=1)
    block = op.regions[0].blocks.append(*[mlir.tensor_type(a.shape, a.dtype) for a in local_avals])
    saved = trace.ip
    trace.ip = ir.InsertionPoint(block)
    try:
        args = [Tracer(trace, a, block.arguments[i]) for i, a in enumerate(local_avals)]
        emit(trace, "sdy.return", [trace.value_of(r) for r in body(args)], [])
    finally:
        trace.ip = saved
    return op, [Tracer(trace, a, r) for a, r in zip(out_avals, op.results)]


def _local_avals(site):
    return [ShapedArray(*mlir.shape_and_dtype(a.type))
            for a in site.op.regions[0].blocks[0].arguments]


@jvp_rule("sdy.manual_computation")
def _manual_computation_jvp(site, tangents):
    callee = _body_call(site)
    in_specs, out_specs = _specs(site.attr("in_shardings")), _specs(site.attr("out_shardings"))
    mesh = _mesh(site, in_specs[0][0] if in_specs else out_specs[0][0])
    wrt = [i for i, t in enumerate(tangents) if t is not None]
    derived = _derived(site, callee, "jvp", wrt)
    resolve_collectives(site.module_op, derived, mesh)
    local = _local_avals(site)
    n_out = len(site.outputs)
    _, outs = _emit(site, site.inputs + [tangents[i] for i in wrt],
                    in_specs + [in_specs[i] for i in wrt], out_specs * 2,
                    local + [local[i] for i in wrt], [o.aval for o in site.outputs] * 2,
                    lambda args: _call(site, derived, args, _result_avals(site.module_op, derived)))
    return outs[n_out:]


@vjp_rule("sdy.manual_computation")
def _manual_computation_vjp(site, cts):
    wrt = [i for i, a in enumerate(site.active) if a and _differentiable(site, i)]
    if not wrt:
        return [None] * len(site.inputs)
    callee = _body_call(site)
    in_specs, out_specs = _specs(site.attr("in_shardings")), _specs(site.attr("out_shardings"))
    mesh = _mesh(site, in_specs[0][0] if in_specs else out_specs[0][0])
    manual = _manual_axes(site)
    seeds = [instantiate(c, o) for c, o in zip(cts, site.outputs)]
    derived = _derived(site, callee, "vjp", wrt)
    resolve_collectives(site.module_op, derived, mesh)
    local = _local_avals(site)
    local_out = _result_avals(site.module_op, callee)
    n_in, n_out = len(site.inputs), len(site.outputs)

    def body(args):
        xs, ct_ys = args[:n_in], args[n_in:]
        scaled = []
        for ct, spec in zip(ct_ys, out_specs):
            replicas = math.prod(mesh.shape[a] for a in _unmentioned(spec, manual))
            scaled.append(ct if replicas == 1 else
                          lax.div(ct, lax.full(ct.shape, replicas, ct.dtype)))
        outs = _call(site, derived, xs + scaled, _result_avals(site.module_op, derived))
        ys, ct_xs = outs[:n_out], outs[n_out:]
        summed = []
        for i, ct in zip(wrt, ct_xs):
            axes = _unmentioned(in_specs[i], manual)
            summed.append(collectives.all_reduce_p.bind(ct, names=tuple(axes), reduction="add")
                          if axes else ct)
        return ys + summed

    op, outs = _emit(site, site.inputs + seeds, in_specs + out_specs,
                     out_specs + [in_specs[i] for i in wrt], local + local_out,
                     [o.aval for o in site.outputs] + [site.inputs[i].aval for i in wrt], body)
    with site.module_op.context:
        resolve_in(op.operation, mesh)
    grads = dict(zip(wrt, outs[n_out:]))
    return [grads.get(i) for i in range(n_in)]
