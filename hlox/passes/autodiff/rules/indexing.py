"""Derivatives of gather, scatter, sort and top_k (JAX's rules in lax/slicing.py and lax/lax.py).

gather is linear in its operand; its transpose is a scatter-add of the same windows (with
the start indices clamped as gather clamps them). scatter differentiates per combiner
(set, add, subtract, multiply, maximum, minimum); updates whose window falls out of bounds
are dropped by scatter, so their cotangents are masked to zero. sort is re-emitted with an
iota operand to get the permutation, which gathers the tangents and scatters cotangents back.
"""
from __future__ import annotations

import numpy as np

from hlox.frontend import dtypes, lax, ops
from hlox.frontend.primitives import emit
from hlox.lowering import mlir
from hlox.lowering.mlir import ir, stablehlo
from hlox.passes.autodiff.common import add_maybe, instantiate, jvp_rule, vjp_rule, zeros_like
from hlox.passes.autodiff.rules.structural import linear_in, reemit


# -- dimension numbers ------------------------------------------------------------------------
def gather_params(site):
    """The ops.gather parameters of a stablehlo.gather site."""
    d = stablehlo.GatherDimensionNumbers(site.attr("dimension_numbers"))
    return dict(offset_dims=tuple(d.offset_dims), collapsed_slice_dims=tuple(d.collapsed_slice_dims),
                start_index_map=tuple(d.start_index_map), index_vector_dim=d.index_vector_dim,
                slice_sizes=tuple(site.ints("slice_sizes")),
                operand_batching_dims=tuple(d.operand_batching_dims),
                start_indices_batching_dims=tuple(d.start_indices_batching_dims),
                indices_are_sorted=_flag(site, "indices_are_sorted"))


def scatter_params(site):
    """The ops.scatter parameters (less the combiner) of a stablehlo.scatter site."""
    d = stablehlo.ScatterDimensionNumbers(site.attr("scatter_dimension_numbers"))
    return dict(update_window_dims=tuple(d.update_window_dims),
                inserted_window_dims=tuple(d.inserted_window_dims),
                scatter_dims_to_operand_dims=tuple(d.scattered_dims_to_operand_dims),
                index_vector_dim=d.index_vector_dim,
                input_batching_dims=tuple(d.input_batching_dims),
                scatter_indices_batching_dims=tuple(d.scatter_indices_batching_dims),
                indices_are_sorted=_flag(site, "indices_are_sorted"),
                unique_indices=_flag(site, "unique_indices"))


def _flag(site, name):
    return site.has(name) and ir.BoolAttr(site.attr(name)).value


def scatter_of_gather(g):
    """The scatter that writes back the windows a gather with parameters `g` reads."""
    return dict(update_window_dims=g["offset_dims"], inserted_window_dims=g["collapsed_slice_dims"],
                scatter_dims_to_operand_dims=g["start_index_map"],
                index_vector_dim=g["index_vector_dim"],
                input_batching_dims=g["operand_batching_dims"],
                scatter_indices_batching_dims=g["start_indices_batching_dims"],
                indices_are_sorted=g["indices_are_sorted"], unique_indices=False)


def gather_of_scatter(s, operand_shape, updates_shape):
    """The gather that reads the windows a scatter with parameters `s` writes."""
    windows = iter(s["update_window_dims"])
    sizes = tuple(1 if d in s["inserted_window_dims"] or d in s["input_batching_dims"]
                  else updates_shape[next(windows)] for d in range(len(operand_shape)))
    return dict(offset_dims=s["update_window_dims"], collapsed_slice_dims=s["inserted_window_dims"],
                start_index_map=s["scatter_dims_to_operand_dims"],
                index_vector_dim=s["index_vector_dim"], slice_sizes=sizes,
                operand_batching_dims=s["input_batching_dims"],
                start_indices_batching_dims=s["scatter_indices_batching_dims"],
                indices_are_sorted=s["indices_are_sorted"])


def _upper_bounds(indices, operand_shape, g):
    """Per index entry, the largest start index whose window fits (in indices' shape)."""
    bounds = np.asarray([operand_shape[d] - g["slice_sizes"][d] for d in g["start_index_map"]],
                        dtype=indices.dtype)
    ivd = g["index_vector_dim"]
    if ivd == indices.ndim:
        return lax.full(indices.shape, bounds[0], indices.dtype)
    return lax.broadcast_in_dim(lax.asarray(bounds, indices.dtype), indices.shape, (ivd,))


def _clamped(indices, operand_shape, g):
    """The start indices as gather uses them: clamped so that each window fits."""
    return lax.clamp(lax.full((), 0, indices.dtype), indices,
                     _upper_bounds(indices, operand_shape, g))


def _in_bounds(indices, operand_shape, g, out_shape):
    """Per window of a gather result (broadcast to `out_shape`): does its window fit unclamped?"""
    upper = _upper_bounds(indices, operand_shape, g)
    ok = lax.and_(lax.ge(indices, lax.full_like(indices, 0)), lax.le(indices, upper))
    if g["index_vector_dim"] < indices.ndim:
        ok = lax.reduce_and(ok, (g["index_vector_dim"],))
    batch = [d for d in range(len(out_shape)) if d not in g["offset_dims"]]
    return lax.broadcast_in_dim(ok, out_shape, batch)


# -- emitting gathers and scatters --------------------------------------------------------------
def _set_body(a, b):
    return [b]


def _binary_body(name):
    def body(a, b):
        return [ops.binary[name].bind(a, b)]
    return body


def gather(operand, indices, g):
    return ops.gather.bind(operand, indices, **g)


def scatter(operand, indices, updates, s, combiner):
    body = _set_body if combiner == "set" else _binary_body(combiner)
    return ops.scatter.bind(operand, indices, updates, combiner=body, **s)


def gather_transpose(ct, operand_shape, indices, g):
    """The cotangent of a gather's operand: scatter-add the windows at the clamped starts."""
    clamped = _clamped(indices, operand_shape, g)
    return scatter(lax.full(operand_shape, 0, ct.dtype), clamped, ct, scatter_of_gather(g), "add")


def _gather_windows(x, indices, s, updates_shape):
    """The windows of x that a scatter writes, zero for windows it drops (out of bounds)."""
    g = gather_of_scatter(s, x.shape, updates_shape)
    windows = gather(x, indices, g)
    keep = _in_bounds(indices, x.shape, g, windows.shape)
    return lax.select(keep, windows, zeros_like(windows))


# -- gather -------------------------------------------------------------------------------------
jvp_rule("stablehlo.gather")(linear_in(0))


@vjp_rule("stablehlo.gather")
def _gather_vjp(site, cts):
    (ct,) = cts
    operand, indices = site.inputs
    return [gather_transpose(ct, operand.shape, indices, gather_params(site)), None]


# -- scatter ------------------------------------------------------------------------------------
SCATTER_COMBINERS = {"stablehlo.add": "add", "stablehlo.subtract": "subtract",
                     "stablehlo.multiply": "multiply", "stablehlo.maximum": "maximum",
                     "stablehlo.minimum": "minimum"}


def scatter_combiner(site):
    """'set', 'add', 'subtract', 'multiply', 'maximum' or 'minimum' for a single-operand
    scatter whose body is one of those; fails naming the op otherwise."""
    if len(site.inputs) != 3:
        site.fail("no differentiation rule for a scatter of several operands")
    block = site.op.regions[0].blocks[0]
    body = [op.operation for op in block.operations]
    a, b = block.arguments
    returned = list(body[-1].operands)
    if len(body) == 1 and returned == [b]:
        return "set"
    if len(body) == 2 and returned == [body[0].results[0]]:
        kind = SCATTER_COMBINERS.get(body[0].name)
        operands = list(body[0].operands)
        if kind and (operands == [a, b] or (operands == [b, a] and kind != "subtract")):
            return kind
    site.fail("no differentiation rule for this scatter body (supported: set, add, subtract, "
              "multiply, maximum, minimum)")


def _differentiable(x):
    return dtypes.is_inexact(x.dtype)


@jvp_rule("stablehlo.scatter")
def _scatter_jvp(site, tangents):
    kind = scatter_combiner(site)
    operand, indices, updates = site.inputs
    t_x, _, t_u = tangents
    if not _differentiable(operand) or (t_x is None and t_u is None):
        return [None]
    s = scatter_params(site)
    if kind in ("add", "subtract") or (kind == "set" and s["unique_indices"]):
        return linear_in(0, 2)(site, tangents)
    if kind == "set":
        keep_x, keep_u = _set_masks(site, s)
        masked_x = None if t_x is None else lax.select(keep_x, t_x, zeros_like(t_x))
        masked_u = None if t_u is None else lax.select(keep_u, t_u, zeros_like(t_u))
        return [scatter(instantiate(masked_x, operand), indices, instantiate(masked_u, updates),
                        s, "add")]
    if kind == "multiply":
        from_x = None if t_x is None else reemit(site, [t_x, indices, updates])[0]
        from_u = None
        if t_u is not None:
            _require_unique(site, s)
            from_u = lax.mul(operand, scatter(zeros_like(operand), indices, t_u, s, "add"))
        return [add_maybe(from_x, from_u)]
    coef_x, coef_u = _extremal_coefficients(site, s)
    windows = None if t_x is None else lax.mul(_gather_windows(t_x, indices, s, updates.shape),
                                               coef_x)
    moved = add_maybe(windows, None if t_u is None else lax.mul(t_u, coef_u))
    return [scatter(instantiate(t_x, operand), indices, moved, s, "add")]


@vjp_rule("stablehlo.scatter")
def _scatter_vjp(site, cts):
    kind = scatter_combiner(site)
    (ct,) = cts
    operand, indices, updates = site.inputs
    if not _differentiable(operand):
        return [None, None, None]
    s = scatter_params(site)
    want_x, want_u = site.active[0], site.active[2]
    ct_x = ct_u = None
    if kind in ("add", "subtract"):
        ct_x = ct
        if want_u:
            ct_u = _gather_windows(ct, indices, s, updates.shape)
            ct_u = lax.neg(ct_u) if kind == "subtract" else ct_u
    elif kind == "set" and s["unique_indices"]:
        ct_x = scatter(ct, indices, zeros_like(updates), s, "set") if want_x else None
        ct_u = _gather_windows(ct, indices, s, updates.shape) if want_u else None
    elif kind == "set":
        keep_x, keep_u = _set_masks(site, s)
        ct_x = lax.select(keep_x, ct, zeros_like(ct))
        if want_u:
            windows = _gather_windows(ct, indices, s, updates.shape)
            ct_u = lax.select(keep_u, windows, zeros_like(windows))
    elif kind == "multiply":
        ct_x = reemit(site, [ct, indices, updates])[0] if want_x else None
        if want_u:
            _require_unique(site, s)
            ct_u = _gather_windows(lax.mul(ct, operand), indices, s, updates.shape)
    else:
        coef_x, coef_u = _extremal_coefficients(site, s)
        windows = _gather_windows(ct, indices, s, updates.shape)
        if want_x:
            ct_x = lax.add(ct, scatter(zeros_like(ct), indices, lax.mul(windows, coef_x), s, "add"))
        ct_u = lax.mul(windows, coef_u) if want_u else None
    return [ct_x if want_x else None, None, ct_u]


def _require_unique(site, s):
    if not s["unique_indices"]:
        site.fail("scatter-multiply is differentiable with respect to its updates only with "
                  "unique_indices=True (as in JAX)")


def _set_masks(site, s):
    """JAX's id trick for scatter (set) with possibly repeated indices: (operand positions that
    no update overwrote, updates that won their position)."""
    operand, indices, updates = site.inputs
    ids_shape = [1 if d in s["update_window_dims"] else n for d, n in enumerate(updates.shape)]
    n_ids = int(np.prod(ids_shape, dtype=np.int64))
    ids = lax.add(lax.reshape(lax.iota(np.int32, n_ids), ids_shape),
                  lax.full(ids_shape, 1, np.int32))
    ids = lax.broadcast_in_dim(ids, updates.shape, tuple(range(updates.ndim)))
    scattered = scatter(lax.full(operand.shape, 0, np.int32), indices, ids, s, "set")
    won = lax.eq(ids, gather(scattered, indices, gather_of_scatter(s, operand.shape, updates.shape)))
    return lax.eq(scattered, lax.full_like(scattered, 0)), won


def _extremal_coefficients(site, s):
    """JAX's _scatter_extremal_jvp weights (in the updates' shape): a tie between the operand and
    updates, or between updates, splits the derivative evenly. Returns (operand weight relative
    to the gathered operand tangent, update weight)."""
    operand, indices, updates = site.inputs
    out = site.outputs[0]
    g = gather_of_scatter(s, operand.shape, updates.shape)
    target = gather(out, indices, g)
    won = lax.eq(updates, target)
    retained = lax.eq(gather(operand, indices, g), target)
    one, zero = lax.full_like(updates, 1), lax.full_like(updates, 0)

    def count(mask):
        return gather(scatter(zeros_like(operand), indices, lax.select(mask, one, zero), s, "add"),
                      indices, g)
    n_won = count(won)
    n_refs = count(lax.full(updates.shape, True, np.bool_))
    share = lax.div(one, lax.select(retained, lax.add(n_won, one), n_won))
    coef_u = lax.select(won, share, zero)
    coef_x = lax.div(lax.sub(lax.select(retained, share, zero), one), n_refs)
    return coef_x, coef_u


# -- sort ---------------------------------------------------------------------------------------
def sort_with_permutation(site):
    """The site's sort re-emitted with an iota operand last: (sorted results, permutation)."""
    x = site.inputs[0]
    dim = site.int("dimension")
    iota = lax.broadcasted_iota(np.int32, x.shape, dim)
    operands = site.inputs + [iota]
    avals = [o.aval for o in site.outputs] + [iota.aval]
    attrs = {name: site.attr(name) for name in ("dimension", "is_stable") if site.has(name)}
    trace = site.trace
    new = emit(trace, "stablehlo.sort", [trace.value_of(o) for o in operands], avals, attrs,
               regions=1)
    scalar_types = [mlir.tensor_type((), a.dtype) for a in avals for _ in (0, 1)]
    block = new.regions[0].blocks.append(*scalar_types)
    _move_comparator(site.op, block)
    results = [trace.tracer(r) for r in new.results]
    return results[:-1], results[-1]


def _move_comparator(sort_op, block):
    """Copy sort_op's comparator into `block`, whose arguments extend the comparator's."""
    copy = sort_op.clone(ip=ir.InsertionPoint.at_block_begin(block))
    old = copy.regions[0].blocks[0]
    for old_arg, new_arg in zip(old.arguments, block.arguments):
        old_arg.replace_all_uses_with(new_arg)
    ip = ir.InsertionPoint(block)
    for op in [op.operation for op in old.operations]:
        op.detach_from_parent()
        ip.insert(op)
    copy.erase()


def _take_along_params(x, dim):
    """Gather parameters of x[..., perm, ...] along `dim` with indices of x's shape (+ a unit
    index vector), as JAX's sort JVP builds them."""
    batch = tuple(d for d in range(x.ndim) if d != dim)
    return dict(offset_dims=(), collapsed_slice_dims=(dim,), start_index_map=(dim,),
                index_vector_dim=x.ndim, slice_sizes=(1,) * x.ndim, operand_batching_dims=batch,
                start_indices_batching_dims=batch, indices_are_sorted=False)


@jvp_rule("stablehlo.sort")
def _sort_jvp(site, tangents):
    _, perm = sort_with_permutation(site)
    g = _take_along_params(perm, site.int("dimension"))
    return [gather(t, perm, g) if t is not None and _differentiable(t) else None
            for t in tangents]


@vjp_rule("stablehlo.sort")
def _sort_vjp(site, cts):
    _, perm = sort_with_permutation(site)
    g = _take_along_params(perm, site.int("dimension"))
    return [gather_transpose(ct, x.shape, perm, g) if ct is not None and active and
            _differentiable(x) else None
            for ct, x, active in zip(cts, site.inputs, site.active)]


@jvp_rule("chlo.top_k")
def _top_k_jvp(site, tangents):
    idx = site.outputs[1]
    return [gather(tangents[0], idx, _take_along_params(idx, idx.ndim - 1)), None]


@vjp_rule("chlo.top_k")
def _top_k_vjp(site, cts):
    idx, x = site.outputs[1], site.inputs[0]
    return [gather_transpose(cts[0], x.shape, idx, _take_along_params(idx, idx.ndim - 1))]


__all__ = ["SCATTER_COMBINERS", "gather", "gather_of_scatter", "gather_params", "gather_transpose",
           "scatter", "scatter_combiner", "scatter_of_gather", "scatter_params",
           "sort_with_permutation"]
