"""Derivatives of shape ops, contractions and reductions.

Linear ops differentiate by re-emitting the same op on tangents (`reemit`);
their VJPs are the transposes, written with lax.
"""
from __future__ import annotations

import numpy as np

from hlox.frontend import dtypes, lax
from hlox.passes.autodiff.common import add_maybe, instantiate, jvp_rule, vjp_rule, zeros_like
from hlox.passes.rules import clone_op


def reemit(site, operands):
    """The same op (attributes, regions) applied to other operands; returns its results."""
    return clone_op(site.trace, site.op, operands)


def linear_in(*positions):
    """JVP of an op linear in the operands at `positions` (the rest pass through as primals)."""
    def rule(site, tangents):
        if all(tangents[i] is None for i in positions):
            return [None] * len(site.outputs)
        operands = [instantiate(tangents[i], x) if i in positions else x
                    for i, x in enumerate(site.inputs)]
        return reemit(site, operands)
    return rule


for _name in ("stablehlo.broadcast_in_dim", "stablehlo.reshape", "stablehlo.transpose",
              "stablehlo.slice", "stablehlo.reverse"):
    jvp_rule(_name)(linear_in(0))
jvp_rule("stablehlo.dynamic_slice")(linear_in(0))
jvp_rule("stablehlo.dynamic_update_slice")(linear_in(0, 1))
jvp_rule("stablehlo.pad")(linear_in(0, 1))


@jvp_rule("stablehlo.concatenate")
def _concatenate_jvp(site, tangents):
    return linear_in(*range(len(site.inputs)))(site, tangents)


@vjp_rule("stablehlo.broadcast_in_dim")
def _broadcast_in_dim_vjp(site, cts):
    (ct,) = cts
    x = site.inputs[0]
    dims = site.ints("broadcast_dimensions")
    summed = [d for d in range(ct.ndim) if d not in dims]
    expanded = [d for i, d in enumerate(dims) if x.shape[i] == 1 and ct.shape[d] != 1]
    out = lax.reduce_sum(ct, sorted(summed + expanded)) if summed or expanded else ct
    return [lax.reshape(out, x.shape)]


@vjp_rule("stablehlo.reshape")
def _reshape_vjp(site, cts):
    return [lax.reshape(cts[0], site.inputs[0].shape)]


@vjp_rule("stablehlo.transpose")
def _transpose_vjp(site, cts):
    perm = site.ints("permutation")
    return [lax.transpose(cts[0], list(np.argsort(perm)))]


@vjp_rule("stablehlo.reverse")
def _reverse_vjp(site, cts):
    return [lax.rev(cts[0], site.ints("dimensions"))]


@vjp_rule("stablehlo.slice")
def _slice_vjp(site, cts):
    (ct,) = cts
    x = site.inputs[0]
    starts, strides = site.ints("start_indices"), site.ints("strides")
    config = []
    for d, s, st, n in zip(x.shape, starts, strides, ct.shape):
        hi = d - s - (n - 1) * st - 1 if n else d - s
        config.append((s, hi, st - 1) if n else (s, hi, 0))
    if any(n == 0 for n in ct.shape):
        return [zeros_like(x)]
    return [lax.pad(ct, lax.full((), 0, ct.dtype), config)]


@vjp_rule("stablehlo.concatenate")
def _concatenate_vjp(site, cts):
    (ct,) = cts
    dim = site.int("dimension")
    out, offset = [], 0
    for x, active in zip(site.inputs, site.active):
        size = x.shape[dim]
        out.append(lax.slice_in_dim(ct, offset, offset + size, axis=dim) if active else None)
        offset += size
    return out


@vjp_rule("stablehlo.pad")
def _pad_vjp(site, cts):
    (ct,) = cts
    lo, hi, interior = site.ints("edge_padding_low"), site.ints("edge_padding_high"), \
        site.ints("interior_padding")
    zero = lax.full((), 0, ct.dtype)
    unpadded = lax.pad(ct, zero, [(-a, -b, 0) for a, b in zip(lo, hi)])
    t_operand = lax.slice(unpadded, [0] * ct.ndim, unpadded.shape, [i + 1 for i in interior])
    t_value = None
    if site.active[1]:
        t_value = lax.sub(lax.reduce_sum(ct, range(ct.ndim)),
                          lax.reduce_sum(t_operand, range(ct.ndim)))
    return [t_operand if site.active[0] else None, t_value]


@vjp_rule("stablehlo.dynamic_slice")
def _dynamic_slice_vjp(site, cts):
    (ct,) = cts
    x, *starts = site.inputs
    return [lax.dynamic_update_slice(zeros_like(x), ct, starts)] + [None] * len(starts)


@vjp_rule("stablehlo.dynamic_update_slice")
def _dynamic_update_slice_vjp(site, cts):
    (ct,) = cts
    x, update, *starts = site.inputs
    t_operand = lax.dynamic_update_slice(ct, zeros_like(update), starts) if site.active[0] else None
    t_update = lax.dynamic_slice(ct, starts, update.shape) if site.active[1] else None
    return [t_operand, t_update] + [None] * len(starts)


# -- dot_general ---------------------------------------------------------------------------
def _dot_dims(site):
    from hlox.lowering.mlir import stablehlo
    attr = stablehlo.DotDimensionNumbers(site.attr("dot_dimension_numbers"))
    return ((tuple(attr.lhs_contracting_dimensions), tuple(attr.rhs_contracting_dimensions)),
            (tuple(attr.lhs_batching_dimensions), tuple(attr.rhs_batching_dimensions)))


@jvp_rule("stablehlo.dot_general")
def _dot_general_jvp(site, tangents):
    lhs, rhs = site.inputs
    tl, tr = tangents
    a = reemit(site, [tl, rhs])[0] if tl is not None else None
    b = reemit(site, [lhs, tr])[0] if tr is not None else None
    return [add_maybe(a, b)]


def _ranges_like(*xs):
    start = 0
    for x in xs:
        yield tuple(range(start, start + len(x)))
        start += len(x)


def _remaining(original, *removed):
    removed = set().union(*map(set, removed))
    return [i for i in original if i not in removed]


def dot_transpose_lhs(g, x_aval, y, dims, swap_ans=False):
    """The cotangent of lhs of dot_general(x, y, dims) given the output cotangent g.

    The product is g . y (result dims: batch, x kept, x contracted); when the other operand
    order y . g lays the result out in x's own order, that order is used, so no transpose
    is left for XLA to undo.
    """
    (x_contract, y_contract), (x_batch, y_batch) = dims
    x_kept = _remaining(range(len(x_aval.shape)), x_contract, x_batch)
    y_kept = _remaining(range(y.ndim), y_contract, y_batch)
    if swap_ans:
        ans_batch, ans_y, _ = _ranges_like(x_batch, y_kept, x_kept)
    else:
        ans_batch, _, ans_y = _ranges_like(x_batch, x_kept, y_kept)
    x_contract_sorted_by_y = list(np.take(x_contract, np.argsort(y_contract))) if x_contract else []
    layout = list(x_batch) + x_kept + x_contract_sorted_by_y  # x's dims in g . y's result order
    swapped = list(x_batch) + x_contract_sorted_by_y + x_kept  # ... in y . g's result order
    if swapped == sorted(swapped) and layout != sorted(layout):
        out = lax.dot_general(y, g, ((tuple(y_kept), ans_y), (tuple(y_batch), ans_batch)))
    else:
        out = lax.dot_general(g, y, ((ans_y, tuple(y_kept)), (ans_batch, tuple(y_batch))))
        out = lax.transpose(out, tuple(int(a) for a in np.argsort(layout)))
    return out if out.dtype == x_aval.dtype else lax.convert_element_type(out, x_aval.dtype)


def dot_transpose_rhs(g, x, y_aval, dims):
    (x_contract, y_contract), (x_batch, y_batch) = dims
    swapped = ((y_contract, x_contract), (y_batch, x_batch))
    return dot_transpose_lhs(g, y_aval, x, swapped, swap_ans=True)


@vjp_rule("stablehlo.dot_general")
def _dot_general_vjp(site, cts):
    (ct,) = cts
    lhs, rhs = site.inputs
    dims = _dot_dims(site)
    return [dot_transpose_lhs(ct, lhs.aval, rhs, dims) if site.active[0] else None,
            dot_transpose_rhs(ct, lhs, rhs.aval, dims) if site.active[1] else None]


# -- reduce ---------------------------------------------------------------------------------
def reduce_body_kind(site):
    """'add', 'multiply', 'maximum', 'minimum' for single-operand monoid bodies; 'select' for
    bodies that only compare and select (argmax-style); None otherwise."""
    body = site.op.regions[0].blocks[0]
    names = [op.operation.name for op in body.operations][:-1]
    if len(names) == 1 and len(site.outputs) == 1:
        return {"stablehlo.add": "add", "stablehlo.multiply": "multiply",
                "stablehlo.maximum": "maximum", "stablehlo.minimum": "minimum"}.get(names[0])
    arithmetic = {n for n in names if n not in (
        "stablehlo.compare", "stablehlo.select", "stablehlo.and", "stablehlo.or",
        "stablehlo.not", "stablehlo.xor")}
    return "select" if not arithmetic else None


def _reduce_dims(site):
    return site.ints("dimensions")


def _broadcast_back(r, x, dims):
    kept = [d for d in range(x.ndim) if d not in dims]
    return lax.broadcast_in_dim(r, x.shape, kept)


def _prod_of_others(x, dims):
    """For each element, the product of the other elements in its reduction group."""
    kept = [d for d in range(x.ndim) if d not in dims]
    perm = kept + list(dims)
    xt = lax.transpose(x, perm)
    n = int(np.prod([x.shape[d] for d in dims], dtype=np.int64))
    flat = lax.reshape(xt, [x.shape[d] for d in kept] + [n])
    others = lax.reshape(_others_by_tree(flat), xt.shape)
    return lax.transpose(others, list(np.argsort(perm)))


def _others_by_tree(flat):
    """Products of the others along the last axis, as the adjoint of a pairwise product tree
    (JAX's _reduce_prod_tree): only slice/pad/mul/concatenate, so it differentiates again."""
    axis = flat.ndim - 1
    one = lax.full((), 1, flat.dtype)
    levels, cur = [], flat
    while cur.shape[axis] > 1:
        n = cur.shape[axis]
        half = (n + 1) // 2
        a = lax.slice_in_dim(cur, 0, half, axis=axis)
        b = lax.slice_in_dim(cur, half, n, axis=axis)
        if n % 2:
            b = lax.pad(b, one, [(0, 0, 0)] * axis + [(0, 1, 0)])
        levels.append((a, b, n))
        cur = lax.mul(a, b)
    g = lax.full(cur.shape, 1, flat.dtype)
    for a, b, n in reversed(levels):
        g = lax.concatenate([lax.mul(g, b), lax.mul(g, a)], axis)
        g = lax.slice_in_dim(g, 0, n, axis=axis)
    return g


def _chooser_indicators(x, out, dims):
    picked = lax.eq(x, _broadcast_back(out, x, dims))
    ind = lax.convert_element_type(picked, x.dtype)
    counts = lax.reduce_sum(ind, dims)
    return ind, counts


@jvp_rule("stablehlo.reduce")
def _reduce_jvp(site, tangents):
    kind = reduce_body_kind(site)
    n = len(site.outputs)
    dims = _reduce_dims(site)
    if kind == "add":
        t_x, t_init = tangents
        out_shape = site.outputs[0].shape
        summed = None if t_x is None else lax.reduce_sum(t_x, dims)
        init = None if t_init is None else lax.broadcast(t_init, out_shape)
        return [add_maybe(summed, init)]
    if kind == "multiply":
        x = site.inputs[0]
        return [lax.reduce_sum(lax.mul(tangents[0], _prod_of_others(x, dims)), dims)
                if tangents[0] is not None else None]
    if kind in ("maximum", "minimum", "select"):
        out = []
        for i in range(n):
            x, t, r = site.inputs[i], tangents[i], site.outputs[i]
            if t is None or not dtypes.is_inexact(x.dtype):
                out.append(None)
                continue
            ind, counts = _chooser_indicators(x, r, dims)
            out.append(lax.div(lax.reduce_sum(lax.mul(t, ind), dims), counts))
        return out
    site.fail("no differentiation rule for this reduce body (supported: add, multiply, "
              "maximum, minimum and compare/select reductions such as argmax)")


@vjp_rule("stablehlo.reduce")
def _reduce_vjp(site, cts):
    kind = reduce_body_kind(site)
    n = len(site.outputs)
    dims = _reduce_dims(site)
    if kind == "add":
        (ct,) = cts
        x, init = site.inputs
        return [_broadcast_back(ct, x, dims) if site.active[0] else None,
                lax.reduce_sum(ct, range(ct.ndim)) if site.active[1] else None]
    if kind == "multiply":
        (ct,) = cts
        x = site.inputs[0]
        return [lax.mul(_broadcast_back(ct, x, dims), _prod_of_others(x, dims)), None]
    if kind in ("maximum", "minimum", "select"):
        out = [None] * (2 * n)
        for i in range(n):
            x, ct, r = site.inputs[i], cts[i], site.outputs[i]
            if ct is None or not dtypes.is_inexact(x.dtype) or not site.active[i]:
                continue
            ind, counts = _chooser_indicators(x, r, dims)
            out[i] = lax.mul(_broadcast_back(lax.div(ct, counts), x, dims), ind)
        return out
    site.fail("no differentiation rule for this reduce body (supported: add, multiply, "
              "maximum, minimum and compare/select reductions such as argmax)")


@jvp_rule("stablehlo.optimization_barrier")
def _barrier_jvp(site, tangents):
    return list(tangents)


@vjp_rule("stablehlo.optimization_barrier")
def _barrier_vjp(site, cts):
    return list(cts)
