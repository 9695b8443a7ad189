"""Derivatives of `sdy.manual_computation` (shard_map).

The derivative is another manual computation over the same mesh whose region calls the
derived body (made once per module by the forward or reverse pass, its collectives given
their device groups again). Reverse mode follows JAX's shard_map transpose: the cotangent
of an output replicated over a manual axis reaches every member of that axis, so it is
divided by the axis size (the body's psum transposes back to a psum), and the cotangent of
an input replicated over a manual axis is the psum of the members' cotangents.
"""
from __future__ import annotations

import math

from hlox.frontend import collectives, lax
from hlox.frontend.shard_map import resolve_collectives, resolve_in
from hlox.passes import irutil
from hlox.passes.autodiff.common import instantiate, jvp_rule, vjp_rule
from hlox.passes.autodiff.rules.calls import _call, _derived, _differentiable
from hlox.passes.manual_computation import ManualComputation


@jvp_rule("sdy.manual_computation")
def _manual_computation_jvp(site, tangents):
    mc = ManualComputation(site)
    wrt = [i for i, t in enumerate(tangents) if t is not None]
    derived = _derived(site, mc.callee, "jvp", wrt)
    resolve_collectives(site.module_op, derived, mc.mesh)
    n_out = len(site.outputs)
    _, outs = mc.emit(site.inputs + [tangents[i] for i in wrt],
                      mc.in_specs + [mc.in_specs[i] for i in wrt], mc.out_specs * 2,
                      mc.local_avals + [mc.local_avals[i] for i in wrt],
                      [o.aval for o in site.outputs] * 2,
                      lambda args: _call(site, derived, args,
                                         irutil.result_avals(site.module_op, derived)))
    return outs[n_out:]


@vjp_rule("sdy.manual_computation")
def _manual_computation_vjp(site, cts):
    wrt = [i for i, a in enumerate(site.active) if a and _differentiable(site, i)]
    if not wrt:
        return [None] * len(site.inputs)
    mc = ManualComputation(site)
    seeds = [instantiate(c, o) for c, o in zip(cts, site.outputs)]
    derived = _derived(site, mc.callee, "vjp", wrt)
    resolve_collectives(site.module_op, derived, mc.mesh)
    local_out = irutil.result_avals(site.module_op, mc.callee)
    n_in, n_out = len(site.inputs), len(site.outputs)

    def body(args):
        xs, ct_ys = args[:n_in], args[n_in:]
        scaled = []
        for ct, spec in zip(ct_ys, mc.out_specs):
            replicas = math.prod(mc.mesh.shape[a] for a in mc.unmentioned(spec))
            scaled.append(ct if replicas == 1 else
                          lax.div(ct, lax.full(ct.shape, replicas, ct.dtype)))
        outs = _call(site, derived, xs + scaled, irutil.result_avals(site.module_op, derived))
        ys, ct_xs = outs[:n_out], outs[n_out:]
        summed = []
        for i, ct in zip(wrt, ct_xs):
            axes = mc.unmentioned(mc.in_specs[i])
            summed.append(collectives.all_reduce_p.bind(ct, names=tuple(axes), reduction="add")
                          if axes else ct)
        return ys + summed

    op, outs = mc.emit(site.inputs + seeds, mc.in_specs + mc.out_specs,
                       mc.out_specs + [mc.in_specs[i] for i in wrt], mc.local_avals + local_out,
                       [o.aval for o in site.outputs] + [site.inputs[i].aval for i in wrt], body)
    with site.module_op.context:
        resolve_in(op.operation, mc.mesh)
    grads = dict(zip(wrt, outs[n_out:]))
    return [grads.get(i) for i in range(n_in)]
