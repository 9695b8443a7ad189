"""Derivatives of stablehlo.if, stablehlo.case and stablehlo.while.

Each region is outlined into a private function (its captured values become
parameters), the function is differentiated by the same passes, and a new
region op calls the derivative functions. Forward mode covers if, case and
while; reverse mode covers if and case (the adjoint runs in the branch the
forward took) and while loops with a known bound on their trip count: the
forward loop stacks the carries the adjoint needs, and a second loop runs the
body's VJP backwards over them.
"""
from __future__ import annotations

import numpy as np

from hlox.frontend import lax, ops
from hlox.frontend.jit import call_function
from hlox.lowering.mlir import ir
from hlox.passes import irutil
from hlox.passes.autodiff.common import Site, instantiate, jvp_rule, vjp_rule, zeros_like

TRIP_COUNT_ATTR = "hlox.trip_count"
MAX_STEPS_ATTR = "hlox.max_steps"
CHECKPOINT_ATTR = "hlox.checkpoint_every"


def _outline(site, region, tag):
    base = f"{irutil.symbol_name(site.trace.func_op)}_{tag}"
    fn, captured = irutil.outline_region(site.module_op, region, base, site.trace.func_op)
    return irutil.symbol_name(fn), captured


def _call(site, name, operands):
    return call_function(site.trace, name, operands, irutil.result_avals(site.module_op, name))


def _tracers(site, values):
    return [site.trace.tracer(v) for v in values]


def _derive(site, kind, name, wrt):
    from hlox.passes.autodiff import forward, reverse
    make = forward.jvp if kind == "jvp" else reverse.vjp
    new = make(site.module_op, name, wrt=list(wrt),
               name=irutil.unique_name(site.module_op, f"{name}_{kind}"))
    new.attributes["sym_visibility"] = ir.StringAttr.get("private")
    return irutil.symbol_name(new)


def _replace_results(site, new_values):
    """Later ops use the new op's primal results; the old op is left for dead-code removal."""
    for old, new in zip(site.op.results, new_values):
        old.replace_all_uses_with(site.trace.value_of(new))


def _branch_primitive(site):
    return ops.if_ if site.name == "stablehlo.if" else ops.case


# -- if / case ---------------------------------------------------------------------------------
@jvp_rule("stablehlo.if", "stablehlo.case")
def _branches_jvp(site, tangents):
    selector = site.inputs[0]
    n_out = len(site.outputs)
    calls = []
    for k, region in enumerate(site.op.regions):
        name, captured = _outline(site, region, f"branch{k}")
        wrt = [i for i, v in enumerate(captured) if site.env.get(v) is not None
               and irutil.is_differentiable_type(v.type)]
        jvp_name = _derive(site, "jvp", name, wrt)
        operands = _tracers(site, captured) + [site.env[captured[i]] for i in wrt]
        calls.append((jvp_name, operands))
    avals = [o.aval for o in site.outputs] * 2

    def branch(name, operands):
        return lambda: call_function(site.trace, name, operands, avals)
    outs = _branch_primitive(site).bind(selector, branches=tuple(branch(*c) for c in calls),
                                        result_avals=tuple(avals))
    _replace_results(site, outs[:n_out])
    for new, t in zip(outs[:n_out], outs[n_out:]):
        site.env[site.trace.value_of(new)] = t
    return outs[n_out:]


@vjp_rule("stablehlo.if", "stablehlo.case")
def _branches_vjp(site, cts):
    selector = site.inputs[0]
    seeds = [instantiate(c, o) for c, o in zip(cts, site.outputs)]
    branches, union = [], []
    for k, region in enumerate(site.op.regions):
        name, captured = _outline(site, region, f"branch{k}")
        wrt = [i for i, v in enumerate(captured) if v in site.active_values
               and irutil.is_differentiable_type(v.type)]
        for i in wrt:
            if captured[i] not in union:
                union.append(captured[i])
        branches.append((_derive(site, "vjp", name, wrt) if wrt else None, captured, wrt))
    if not union:
        return [None] * len(site.inputs)
    union_tracers = _tracers(site, union)

    def branch(vjp_name, captured, wrt):
        def body():
            grads = {}
            if vjp_name is not None:
                outs = _call(site, vjp_name, _tracers(site, captured) + seeds)
                grads = {captured[i]: g for i, g in zip(wrt, outs[len(site.outputs):])}
            return [grads[u] if u in grads else zeros_like(t) for u, t in zip(union, union_tracers)]
        return body
    outs = _branch_primitive(site).bind(selector, branches=tuple(branch(*b) for b in branches),
                                        result_avals=tuple(t.aval for t in union_tracers))
    site.captured_cts = dict(zip(union, outs))
    return [None] * len(site.inputs)


# -- while: forward mode ---------------------------------------------------------------------
def _loop_parts(site):
    cond_name, cond_caps = _outline(site, site.op.regions[0], "cond")
    body_name, body_caps = _outline(site, site.op.regions[1], "body")
    return cond_name, cond_caps, body_name, body_caps


@jvp_rule("stablehlo.while")
def _while_jvp(site, tangents):
    carry = site.inputs
    n = len(carry)
    cond_name, cond_caps, body_name, body_caps = _loop_parts(site)
    floats = [i for i in range(n) if irutil.is_differentiable_type(site.op.operands[i].type)]
    cap_wrt = [j for j, v in enumerate(body_caps) if site.env.get(v) is not None
               and irutil.is_differentiable_type(v.type)]
    if not floats or (all(tangents[i] is None for i in floats) and not cap_wrt):
        return [None] * n
    # every floating-point carry is treated as active: a tangent can enter any of them
    jvp_name = _derive(site, "jvp", body_name, floats + [n + j for j in cap_wrt])
    t_carry = [instantiate(tangents[i], carry[i]) for i in floats]
    t_caps = [site.env[body_caps[j]] for j in cap_wrt]
    invariant = _tracers(site, cond_caps) + _tracers(site, body_caps) + t_caps
    n_cc, n_bc = len(cond_caps), len(body_caps)

    def cond(*state):
        c, inv = state[:n], state[n + len(floats):]
        return _call(site, cond_name, list(c) + list(inv[:n_cc]))

    def body(*state):
        c, tc, inv = state[:n], state[n:n + len(floats)], state[n + len(floats):]
        caps, tcaps = inv[n_cc:n_cc + n_bc], inv[n_cc + n_bc:]
        outs = _call(site, jvp_name, list(c) + list(caps) + list(tc) + list(tcaps))
        new_c, new_t = outs[:n], outs[n:]
        return list(new_c) + [new_t[i] for i in floats] + list(inv)
    outs = ops.while_loop.bind(*carry, *t_carry, *invariant, cond=cond, body=body,
                               attributes=_copied_attrs(site))
    _replace_results(site, outs[:n])
    result = [None] * n
    for i, t in zip(floats, outs[n:n + len(floats)]):
        result[i] = t
        site.env[site.trace.value_of(outs[i])] = t
    return result


def _copied_attrs(site):
    attrs = site.op.attributes
    return {name: attrs[name] for name in attrs if name.startswith("hlox.")} or None


# -- while: reverse mode ---------------------------------------------------------------------
def _int_attr(site, name):
    return irutil.int_attr(site.op, name) if site.has(name) else None


def _counted_trip_count(site, cond_name, body_name):
    """The trip count of a loop `i = c0; while i < N: ...; i = i + 1` with constant c0 and N
    (the compare and the increment may sit in functions the regions call)."""
    module = site.module_op
    cond_ret = irutil.terminator(irutil.entry_block(irutil.find_function(module, cond_name)))
    compare, calls = _resolve(module, cond_ret.operands[0])
    if _name(compare) != "stablehlo.compare" or \
            "LT" not in str(compare.owner.attributes["comparison_direction"]):
        return None
    lhs, rhs = (_resolve(module, v, calls)[0] for v in compare.owner.operands)
    k = _argument_number(lhs)
    if k is None or k >= len(site.op.operands):
        return None
    bound, start = _constant_value(rhs), _constant_value(site.op.operands[k])
    body_ret = irutil.terminator(irutil.entry_block(irutil.find_function(module, body_name)))
    step, calls = _resolve(module, body_ret.operands[k])
    if bound is None or start is None or _name(step) != "stablehlo.add":
        return None
    a, b = (_resolve(module, v, calls)[0] for v in step.owner.operands)
    one = _constant_value(b) if _argument_number(a) == k else \
        _constant_value(a) if _argument_number(b) == k else None
    if one != 1:
        return None
    return max(int(bound) - int(start), 0)


def _resolve(module_op, value, calls=()):
    """Follow `value` through func.calls: a call's result becomes the value its callee returns,
    an argument of a callee the call's operand. Returns (value, the calls still entered)."""
    while True:
        owner = value.owner
        if isinstance(owner, ir.Block):
            if not calls:
                return value, calls
            value, calls = calls[-1].operands[ir.BlockArgument(value).arg_number], calls[:-1]
        elif owner.name == "func.call":
            callee = irutil.find_function(module_op, ir.FlatSymbolRefAttr(
                owner.attributes["callee"]).value)
            ret = irutil.terminator(irutil.entry_block(callee))
            value, calls = ret.operands[ir.OpResult(value).result_number], calls + (owner,)
        else:
            return value, calls


def _name(value):
    return None if isinstance(value.owner, ir.Block) else value.owner.name


def _argument_number(value):
    """k when `value` is the k-th argument of the outlined function itself."""
    return ir.BlockArgument(value).arg_number if isinstance(value.owner, ir.Block) else None


def _constant_value(value):
    owner = value.owner
    if isinstance(owner, ir.Block) or owner.name != "stablehlo.constant":
        return None
    array = np.asarray(ir.DenseElementsAttr(owner.attributes["value"]))
    if array.size != 1:
        return None
    return array.reshape(-1)[0].item()


def _classify_carries(module_op, body_name, n):
    """Per carry: 'invariant' (returned unchanged), 'write_only' (only ever the target of a
    dynamic_update_slice that is returned in its place: its value never affects a derivative),
    or 'stacked' (the adjoint needs its value at every step)."""
    fn = irutil.find_function(module_op, body_name)
    block = irutil.entry_block(fn)
    ret = irutil.terminator(block)
    kinds = []
    for j in range(n):
        if _invariant(block, ret, j):
            kinds.append("invariant")
            continue
        kinds.append("write_only" if _write_only(block, ret, j) else "stacked")
    return kinds


def _invariant(block, ret, j):
    """Whether a loop body returns carry j unchanged, directly or through an inner loop."""
    arg, out = block.arguments[j], ret.operands[j]
    if out == arg:
        return True
    owner = out.owner
    if isinstance(owner, ir.Block) or owner.name != "stablehlo.while":
        return False
    k = ir.OpResult(out).result_number
    body = owner.regions[1].blocks[0]
    return owner.operands[k] == arg and _invariant(body, irutil.terminator(body), k)


def _write_only(block, ret, j):
    """Whether carry j of a loop body is only ever the target of a dynamic_update_slice
    returned in its place, directly or through an inner loop that does the same."""
    arg, out = block.arguments[j], ret.operands[j]
    uses, owner = list(arg.uses), out.owner
    if len(uses) != 1 or isinstance(owner, ir.Block) or uses[0].owner != owner \
            or len(list(out.uses)) != 1:
        return False
    if owner.name == "stablehlo.dynamic_update_slice":
        return owner.operands[0] == arg
    if owner.name == "stablehlo.while":
        k = ir.OpResult(out).result_number
        cond, body = owner.regions[0].blocks[0], owner.regions[1].blocks[0]
        return owner.operands[k] == arg and not list(cond.arguments[k].uses) and \
            _write_only(body, irutil.terminator(body), k)
    return False


@vjp_rule("stablehlo.while")
def _while_vjp(site, cts):
    carry = site.inputs
    n = len(carry)
    cond_name, cond_caps, body_name, body_caps = _loop_parts(site)
    bound = _int_attr(site, TRIP_COUNT_ATTR)
    exact = bound is not None
    if bound is None:
        bound = _counted_trip_count(site, cond_name, body_name)
        exact = bound is not None
    if bound is None:
        bound = _int_attr(site, MAX_STEPS_ATTR)
    if bound is None:
        site.fail("reverse-mode differentiation of a while loop whose trip count depends on the "
                  "data needs a bound: pass max_steps=N to hlox.lax.while_loop (JAX cannot "
                  "differentiate such a loop at all)")
    every = _int_attr(site, CHECKPOINT_ATTR)
    if every is not None and 0 < every < bound:
        return _checkpointed_vjp(site, cts, bound, exact, every)
    floats = [i for i in range(n) if irutil.is_differentiable_type(site.op.operands[i].type)]
    cap_wrt = [j for j, v in enumerate(body_caps) if v in site.active_values
               and irutil.is_differentiable_type(v.type)]
    kinds = _classify_carries(site.module_op, body_name, n)
    stacked = [j for j in range(n) if kinds[j] == "stacked"]
    # an invariant carry's cotangent reaches only its own initial value: skip inactive ones
    floats = [i for i in floats if kinds[i] != "invariant" or site.active[i]]
    forward = _stacking_forward(site, cond_name, cond_caps, body_name, body_caps, stacked, bound)
    steps, stacks = forward
    vjp_name = _derive(site, "vjp", body_name, floats + [n + j for j in cap_wrt])
    seeds = [instantiate(cts[i], site.outputs[i]) for i in floats]
    cap_tracers = _tracers(site, body_caps)
    acc0 = [zeros_like(cap_tracers[j]) for j in cap_wrt]
    out_avals = [o.aval for o in site.outputs]

    def cond(t, *_):
        return [lax.ge(t, lax.full((), 0, np.int32))]

    def body(t, *state):
        ct_c, acc = state[:len(floats)], state[len(floats):len(floats) + len(cap_wrt)]
        inv = state[len(floats) + len(cap_wrt):]
        caps = inv[:len(body_caps)]
        inits = inv[len(body_caps):len(body_caps) + n]
        stack_of = dict(zip(stacked, inv[len(body_caps) + n:]))
        c_t = []
        for j in range(n):
            if kinds[j] == "stacked":
                c_t.append(lax.dynamic_index_in_dim(stack_of[j], t, 0, keepdims=False))
            else:  # invariant: its initial value; write-only: any value will do
                c_t.append(inits[j])
        ct_full = [zeros_like_aval(a) for a in out_avals]
        for i, c in zip(floats, ct_c):
            ct_full[i] = c
        outs = _call(site, vjp_name, c_t + list(caps) + ct_full)
        grads = outs[n:]
        new_ct = grads[:len(floats)]
        new_acc = [lax.add(a, g) for a, g in zip(acc, grads[len(floats):])]
        return [lax.sub(t, lax.full((), 1, np.int32))] + list(new_ct) + new_acc + list(inv)
    start = lax.sub(steps, lax.full((), 1, np.int32))
    outs = ops.while_loop.bind(start, *seeds, *acc0, *cap_tracers, *carry, *stacks,
                               cond=cond, body=body, attributes=_bound_attrs(bound, exact))
    ct_carry = outs[1:1 + len(floats)]
    ct_caps = outs[1 + len(floats):1 + len(floats) + len(cap_wrt)]
    if not exact:  # a loop that ran past max_steps has no trustworthy adjoint: say so with NaN
        overflow = lax.gt(steps, lax.full((), bound, np.int32))
        ct_carry = [_poison(c, overflow) for c in ct_carry]
        ct_caps = [_poison(c, overflow) for c in ct_caps]
    result = [None] * n
    for i, c in zip(floats, ct_carry):
        result[i] = c
    site.captured_cts = {body_caps[j]: c for j, c in zip(cap_wrt, ct_caps)}
    return result


def _bound_attrs(bound, exact):
    """The backward loop runs as many steps as the forward one: the same bound, so that it
    can be differentiated in reverse mode again."""
    attr = ir.IntegerAttr.get(ir.IntegerType.get_signless(64), int(bound))
    return {TRIP_COUNT_ATTR if exact else MAX_STEPS_ATTR: attr}


def zeros_like_aval(aval):
    return lax.full(aval.shape, 0, aval.dtype)


def _poison(x, flag):
    return lax.select(lax.broadcast(flag, x.shape) if x.shape else flag,
                      lax.full(x.shape, float("nan"), x.dtype), x)


def _stacking_forward(site, cond_name, cond_caps, body_name, body_caps, stacked, bound):
    """Replace the forward loop by one that also counts its steps and stacks, before each
    step, the carries the adjoint needs. Returns (steps, stacks)."""
    carry = site.inputs
    n = len(carry)
    saved_ip = site.trace.ip
    site.trace.ip = ir.InsertionPoint(site.op)
    stacks0 = [lax.full((bound,) + carry[j].shape, 0, carry[j].dtype) for j in stacked]
    count0 = lax.full((), 0, np.int32)
    invariant = _tracers(site, cond_caps) + _tracers(site, body_caps)
    n_cc = len(cond_caps)
    n_s = len(stacked)

    def cond(*state):
        c, inv = state[:n], state[n + 1 + n_s:]
        return _call(site, cond_name, list(c) + list(inv[:n_cc]))

    def body(*state):
        c, count = state[:n], state[n]
        stacks, inv = state[n + 1:n + 1 + n_s], state[n + 1 + n_s:]
        new_stacks = [lax.dynamic_update_index_in_dim(s, c[j], count, 0)
                      for s, j in zip(stacks, stacked)]
        new_c = _call(site, body_name, list(c) + list(inv[n_cc:]))
        return list(new_c) + [lax.add(count, lax.full((), 1, np.int32))] + new_stacks + list(inv)
    outs = ops.while_loop.bind(*carry, count0, *stacks0, *invariant, cond=cond, body=body,
                               attributes=_copied_attrs(site))
    _replace_results(site, outs[:n])
    site.trace.ip = saved_ip
    return outs[n], outs[n + 1:n + 1 + n_s]




# -- while: reverse mode with checkpoints ------------------------------------------------------
def _checkpointed_vjp(site, cts, bound, exact, every):
    """`hlox.checkpoint_every = k`: the loop becomes an outer loop over segments of at most
    k steps, each an inner loop (bounded by k). Reverse mode then stacks one carry per
    segment, and the adjoint of each segment recomputes its inner loop from that carry,
    stacking its k carries: peak memory ~ (bound / k + k) carries instead of bound."""
    saved_ip = site.trace.ip
    site.trace.ip = ir.InsertionPoint(site.op)
    cond_block, body_block = site.op.regions[0].blocks[0], site.op.regions[1].blocks[0]

    def run(block, values):
        mapping = {a: site.trace.value_of(v) for a, v in zip(block.arguments, values)}
        outs = irutil.inline_block(block, mapping, site.trace.ip)
        return [site.trace.tracer(v) for v in outs]

    def segment(*carry):
        def inner_cond(j, *c):
            return [lax.and_(lax.lt(j, lax.full((), every, np.int32)), run(cond_block, c)[0])]

        def inner_body(j, *c):
            return [lax.add(j, lax.full((), 1, np.int32))] + run(body_block, c)
        outs = ops.while_loop.bind(lax.full((), 0, np.int32), *carry, cond=inner_cond,
                                   body=inner_body, attributes={MAX_STEPS_ATTR: _i64(every)})
        return outs[1:]
    outs = ops.while_loop.bind(*site.inputs, cond=lambda *c: run(cond_block, c), body=segment,
                               attributes=_bound_attrs(-(-bound // every), exact))
    _replace_results(site, outs)
    site.trace.ip = saved_ip
    new_op = site.trace.value_of(outs[0]).owner.operation
    new_site = Site(site.trace, new_op, site.module_op, "vjp")
    new_site.active, new_site.active_values = site.active, site.active_values
    result = _while_vjp(new_site, cts)
    site.captured_cts = new_site.captured_cts
    return result


def _i64(value):
    return ir.IntegerAttr.get(ir.IntegerType.get_signless(64), int(value))
