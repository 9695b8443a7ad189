"""Batching `sdy.manual_computation` (vmap of shard_map, vmap of pmap).

As in JAX, the batch dimension is not split over the mesh: every operand that carries it
gets it in front, unsharded (a `{}` dimension in its spec), the body is batched into a
function of its own (its collectives over mesh axes stay collectives on the batched
values; those over a vmap axis name are batched as everywhere), and every result comes
back batched in front.
"""
from __future__ import annotations

from hlox.frontend.jit import call_function
from hlox.frontend.shard_map import resolve_collectives
from hlox.lowering.avals import ShapedArray
from hlox.lowering.mlir import ir
from hlox.passes import irutil
from hlox.passes.batching.common import batch_rule, batched_axis_name, move_to_front
from hlox.passes.batching.core import batch
from hlox.passes.manual_computation import ManualComputation


def _batched_spec(spec):
    symbol, dims = spec
    return symbol, [[]] + dims


def _front(aval, size):
    return ShapedArray((size,) + aval.shape, aval.dtype)


@batch_rule("sdy.manual_computation")
def _manual_computation(site, args, dims):
    mc = ManualComputation(site)
    in_axes = [None if d is None else 0 for d in dims]
    name = f"{mc.callee}_batch{site.size}_" + "_".join("n" if d is None else "0" for d in dims)
    if batched_axis_name() is not None:
        name += "_axis_" + "".join(c if c.isalnum() else "_" for c in batched_axis_name())
    if name not in irutil.functions(site.module_op):
        fn = batch(site.module_op, mc.callee, in_axes=in_axes, size=site.size, name=name)
        fn.attributes["sym_visibility"] = ir.StringAttr.get("private")
        resolve_collectives(site.module_op, name, mc.mesh)
    operands = [move_to_front(x, d) for x, d in zip(args, dims)]
    in_specs = [s if d is None else _batched_spec(s) for s, d in zip(mc.in_specs, dims)]
    local = [a if d is None else _front(a, site.size) for a, d in zip(mc.local_avals, dims)]
    local_out = irutil.result_avals(site.module_op, name)
    _, outs = mc.emit(operands, in_specs, [_batched_spec(s) for s in mc.out_specs], local,
                      [_front(a, site.size) for a in site.out_avals],
                      lambda xs: call_function(site.trace, name, xs, local_out))
    return [(o, 0) for o in outs]
