"""Batching stablehlo.if, stablehlo.case and stablehlo.while.

Regions are outlined into functions and batched by the same pass. An unbatched
predicate keeps a real `if`/`case`; a batched one runs every branch and selects
per example. A while loop whose predicate is batched runs until every example is
done, freezing the carries of finished examples; otherwise it stays one loop
over batched carries.
"""
from __future__ import annotations

from hlox.frontend import lax, ops
from hlox.frontend.jit import call_function
from hlox.lowering.mlir import ir
from hlox.passes import irutil
from hlox.passes.batching.common import batch_rule, materialize


def _outline(site, region, tag):
    base = f"{irutil.symbol_name(site.trace.func_op)}_{tag}"
    fn, captured = irutil.outline_region(site.module_op, region, base, site.trace.func_op)
    return irutil.symbol_name(fn), captured


def _batched(site, name, in_dims, materialize_outputs=False):
    """The batched version of @name; returns (its name, the batch dim of each result)."""
    from hlox.passes.batching.core import batch_with_dims
    fn, out_dims = batch_with_dims(site.module_op, name, in_dims, site.size,
                                   irutil.unique_name(site.module_op, f"{name}_batch"),
                                   materialize_outputs=materialize_outputs)
    fn.attributes["sym_visibility"] = ir.StringAttr.get("private")
    return irutil.symbol_name(fn), out_dims


def _call(site, name, operands):
    return call_function(site.trace, name, operands, irutil.result_avals(site.module_op, name))


def _captured_entries(site, captured):
    return [site.env[v] for v in captured]


def _spread(pred, like):
    """A per-example predicate (batch,) broadcast over a batched value."""
    return lax.broadcast_in_dim(pred, like.shape, [0]) if like.ndim > 1 else pred


# -- if / case ---------------------------------------------------------------------------------
@batch_rule("stablehlo.if", "stablehlo.case")
def _branches(site, args, dims):
    selector, sel_dim = args[0], dims[0]
    branches = []
    for k, region in enumerate(site.op.regions):
        name, captured = _outline(site, region, f"branch{k}")
        entries = _captured_entries(site, captured)
        batched_name, _ = _batched(site, name, [d for _, d in entries], materialize_outputs=True)
        branches.append((batched_name, [v for v, _ in entries]))
    if sel_dim is None:
        avals = irutil.result_avals(site.module_op, branches[0][0])
        prim = ops.if_ if site.name == "stablehlo.if" else ops.case
        outs = prim.bind(selector, branches=tuple(
            (lambda n=n, v=v: _call(site, n, v)) for n, v in branches), result_avals=tuple(avals))
        return [(o, 0) for o in outs]
    # a batched selector: every branch runs, each example keeps its own branch's results
    results = [_call(site, n, v) for n, v in branches]
    selector = materialize(selector, sel_dim, site.size)
    if site.name == "stablehlo.if":
        return [(lax.select(_spread(selector, t), t, f), 0) for t, f in zip(*results)]
    index = lax.clamp(0, selector, len(branches) - 1)
    outs = list(results[-1])
    for k in reversed(range(len(branches) - 1)):
        pick = lax.eq(index, lax.full(index.shape, k, index.dtype))
        outs = [lax.select(_spread(pick, o), r, o) for r, o in zip(results[k], outs)]
    return [(o, 0) for o in outs]


# -- while ---------------------------------------------------------------------------------------
@batch_rule("stablehlo.while")
def _while(site, args, dims):
    n = len(args)
    cond_name, cond_caps = _outline(site, site.op.regions[0], "cond")
    body_name, body_caps = _outline(site, site.op.regions[1], "body")
    cond_entries = _captured_entries(site, cond_caps)
    body_entries = _captured_entries(site, body_caps)
    carry_batched = [d is not None for d in dims]
    while True:  # which carries end up batched: a fixpoint over the body
        in_dims = [0 if b else None for b in carry_batched] + [d for _, d in body_entries]
        body_b, out_dims = _batched(site, body_name, in_dims)
        grown = [b or d is not None for b, d in zip(carry_batched, out_dims)]
        if grown == carry_batched:
            break
        irutil.find_function(site.module_op, body_b).erase()
        carry_batched = grown
    cond_in = [0 if b else None for b in carry_batched] + [d for _, d in cond_entries]
    cond_b, (pred_dim,) = _batched(site, cond_name, cond_in)
    if pred_dim is not None and not all(carry_batched):
        # finished examples are frozen with a select: every carry must be batched for that
        irutil.find_function(site.module_op, body_b).erase()
        irutil.find_function(site.module_op, cond_b).erase()
        carry_batched = [True] * n
        body_b, out_dims = _batched(site, body_name, [0] * n + [d for _, d in body_entries])
        cond_b, _ = _batched(site, cond_name, [0] * n + [d for _, d in cond_entries])
    carry = [materialize(a, d, site.size) if b else a
             for a, d, b in zip(args, dims, carry_batched)]
    cond_vals = [v for v, _ in cond_entries]
    body_vals = [v for v, _ in body_entries]
    n_cc = len(cond_vals)

    def predicate(c, inv):
        return _call(site, cond_b, list(c) + list(inv[:n_cc]))[0]

    def cond(*state):
        c, inv = state[:n], state[n:]
        pred = predicate(c, inv)
        return [lax.reduce_or(pred, [0]) if pred_dim is not None else pred]

    def body(*state):
        c, inv = state[:n], state[n:]
        new = _call(site, body_b, list(c) + list(inv[n_cc:]))
        new = [lax.broadcast(x, (site.size,)) if b and d is None else x  # a batched carry the
               for x, b, d in zip(new, carry_batched, out_dims)]          # body resets
        if pred_dim is not None:  # examples whose loop has ended keep their carry
            running = predicate(c, inv)
            new = [lax.select(_spread(running, x), x, old) for x, old in zip(new, c)]
        return list(new) + list(inv)
    outs = ops.while_loop.bind(*carry, *cond_vals, *body_vals, cond=cond, body=body,
                               attributes=_copied_attrs(site))
    return [(o, 0 if b else None) for o, b in zip(outs[:n], carry_batched)]


def _copied_attrs(site):
    attrs = site.op.attributes
    return {name: attrs[name] for name in attrs if name.startswith("hlox.")} or None
