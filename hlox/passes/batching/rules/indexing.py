"""Batching rules for gather and scatter, and for the ops that become them when batched
operands reach an index or a scalar: dynamic_slice / dynamic_update_slice with batched start
indices (a gather / a scatter), pad with a batched padding value, reduce with batched init
values.

gather and scatter use StableHLO's own batching dimensions when both the operand and the
indices are batched; a batch of indices alone is one more batch dimension of the indices, a
batch of operands alone one more full-size window. The new batch axis is placed where no
transposes are needed.
"""
from __future__ import annotations

from hlox.frontend import lax, ops
from hlox.frontend.op_builders import i64_array
from hlox.lowering.mlir import stablehlo
from hlox.passes.autodiff.rules.indexing import gather, gather_params, scatter, scatter_params
from hlox.passes.batching.common import at_dim, batch_rule, insert, reemit, shift_axes
from hlox.passes.batching.core import per_example_loop

__all__ = ["dynamic_slice_as_gather", "dynamic_update_slice_as_scatter",
           "pad_with_batched_value", "reduce_with_batched_inits"]


def _slot(positions, k, rank):
    """Where a new axis goes to be the k-th of the axes at `positions` (of an array of `rank`)."""
    return positions[k] if k < len(positions) else rank


def _insert_sorted(axes, pairs, axis, pair):
    """(axes, pairs) with `axis` inserted in sorted position and `pair` beside it."""
    k = sum(a < axis for a in axes)
    return axes[:k] + (axis,) + axes[k:], pairs[:k] + (pair,) + pairs[k:]


# -- gather ---------------------------------------------------------------------------------------
@batch_rule("stablehlo.gather")
def _gather(site, args, dims):
    operand, indices = args
    od, xd = dims
    g = dict(gather_params(site), indices_are_sorted=False)
    out_rank = len(site.out_avals[0].shape)
    offsets = list(g["offset_dims"])
    if od is not None:
        for key in ("collapsed_slice_dims", "start_index_map", "operand_batching_dims"):
            g[key] = tuple(shift_axes(g[key], od))
    if xd is None:  # one more window, spanning the whole batch
        g["slice_sizes"] = insert(g["slice_sizes"], od, site.size)
        windows = [d for d in range(operand.ndim)
                   if d not in g["collapsed_slice_dims"] and d not in g["operand_batching_dims"]]
        q = _slot(offsets, windows.index(od), out_rank)
        g["offset_dims"] = tuple(sorted(shift_axes(offsets, q) + [q]))
        return [(gather(operand, indices, g), q)]
    ivd = g["index_vector_dim"] + (g["index_vector_dim"] >= xd)
    g["index_vector_dim"] = ivd
    g["start_indices_batching_dims"] = tuple(shift_axes(g["start_indices_batching_dims"], xd))
    if od is not None:  # a batching dimension pair of the gather
        g["slice_sizes"] = insert(g["slice_sizes"], od, min(1, site.size))
        g["operand_batching_dims"], g["start_indices_batching_dims"] = _insert_sorted(
            g["operand_batching_dims"], g["start_indices_batching_dims"], od, xd)
    batch_axes = [d for d in range(out_rank) if d not in offsets]
    index_axes = [d for d in range(indices.ndim) if d != ivd]
    q = _slot(batch_axes, index_axes.index(xd), out_rank)
    g["offset_dims"] = tuple(shift_axes(offsets, q))
    return [(gather(operand, indices, g), q)]


# -- scatter --------------------------------------------------------------------------------------
@batch_rule("stablehlo.scatter")
def _scatter(site, args, dims):
    """Every operand batched (the result is per example); the updates' batch axis goes where
    the new dimension numbers expect it."""
    n = (len(args) - 1) // 2
    operands, indices, updates = args[:n], args[n], args[n + 1:]
    xd = dims[n]
    bo = next((d for d in dims[:n] if d is not None), 0)
    operands = [at_dim(a, d, bo, site.size) for a, d in zip(operands, dims[:n])]
    s = dict(scatter_params(site), indices_are_sorted=False)
    for key in ("inserted_window_dims", "input_batching_dims", "scatter_dims_to_operand_dims"):
        s[key] = tuple(shift_axes(s[key], bo))
    windows = list(s["update_window_dims"])
    update_rank = len(site.in_avals[n + 1].shape)
    if xd is None:  # one more window, spanning the whole batch
        window_axes = [d for d in range(operands[0].ndim)
                       if d not in s["inserted_window_dims"] and d not in s["input_batching_dims"]]
        q = _slot(windows, window_axes.index(bo), update_rank)
        s["update_window_dims"] = tuple(sorted(shift_axes(windows, q) + [q]))
    else:  # a batching dimension pair of the scatter
        ivd = s["index_vector_dim"] + (s["index_vector_dim"] >= xd)
        s["index_vector_dim"] = ivd
        s["input_batching_dims"], s["scatter_indices_batching_dims"] = _insert_sorted(
            s["input_batching_dims"], tuple(shift_axes(s["scatter_indices_batching_dims"], xd)), bo, xd)
        scatter_axes = [d for d in range(update_rank) if d not in windows]
        index_axes = [d for d in range(indices.ndim) if d != ivd]
        q = _slot(scatter_axes, index_axes.index(xd), update_rank)
        s["update_window_dims"] = tuple(shift_axes(windows, q))
    updates = [at_dim(u, d, q, site.size) for u, d in zip(updates, dims[n + 1:])]
    dnums = stablehlo.ScatterDimensionNumbers.get(
        update_window_dims=list(s["update_window_dims"]),
        inserted_window_dims=list(s["inserted_window_dims"]),
        input_batching_dims=list(s["input_batching_dims"]),
        scatter_indices_batching_dims=list(s["scatter_indices_batching_dims"]),
        scattered_dims_to_operand_dims=list(s["scatter_dims_to_operand_dims"]),
        index_vector_dim=s["index_vector_dim"])
    shapes = [insert(a.shape, bo, site.size) for a in site.out_avals]
    outs = reemit(site, operands + [indices] + updates, shapes, scatter_dimension_numbers=dnums,
                  indices_are_sorted=ops.bool_attr(False))
    return [(o, bo) for o in outs]


# -- dynamic_slice / dynamic_update_slice with batched start indices ------------------------------
def _start_indices(starts, dims, size, upper=None):
    """The start indices as a [size, n] array (one row per example), clamped to [0, upper]."""
    dtype = starts[0].dtype
    columns = []
    for i, (s, d) in enumerate(zip(starts, dims)):
        if upper is not None:
            s = lax.clamp(lax.full((), 0, dtype), s, lax.full((), upper[i], dtype))
        columns.append(lax.broadcast_in_dim(s, (size, 1), [] if d is None else [0]))
    return lax.concatenate(columns, 1)


def dynamic_slice_as_gather(site, args, dims):
    """One slice per example: a gather whose batch is the rows of the start indices
    (gather clamps the starts as dynamic_slice does)."""
    x, *starts = args
    xd, n = dims[0], len(starts)
    indices = _start_indices(starts, dims[1:], site.size)
    sizes = site.ints("slice_sizes")
    g = dict(offset_dims=tuple(range(1, n + 1)), collapsed_slice_dims=(),
             start_index_map=tuple(range(n)), index_vector_dim=1, slice_sizes=sizes,
             operand_batching_dims=(), start_indices_batching_dims=(), indices_are_sorted=False)
    if xd is not None:
        g.update(start_index_map=tuple(shift_axes(range(n), xd)), operand_batching_dims=(xd,),
                 start_indices_batching_dims=(0,),
                 slice_sizes=insert(sizes, xd, min(1, site.size)))
    return [(gather(x, indices, g), 0)]


def dynamic_update_slice_as_scatter(site, args, dims):
    """One update per example: a scatter with the operand's batch as a batching dimension;
    the starts are clamped first, as dynamic_update_slice clamps them (scatter would drop
    the update instead)."""
    x, update, *starts = args
    n, size = len(starts), site.size
    bo = 0 if dims[0] is None else dims[0]
    x = at_dim(x, dims[0], bo, size)
    update = at_dim(update, dims[1], 0, size)
    upper = [a - b for a, b in zip(site.in_avals[0].shape, site.in_avals[1].shape)]
    indices = _start_indices(starts, dims[2:], size, upper)
    s = dict(update_window_dims=tuple(range(1, n + 1)), inserted_window_dims=(),
             scatter_dims_to_operand_dims=tuple(shift_axes(range(n), bo)), index_vector_dim=1,
             input_batching_dims=(bo,), scatter_indices_batching_dims=(0,),
             indices_are_sorted=False, unique_indices=True)
    return [(scatter(x, indices, update, s, "set"), bo)]


# -- pad and reduce with batched scalars ----------------------------------------------------------
def pad_with_batched_value(site, args, dims):
    """Pad with zero, then select the per-example value where the (unbatched) mask of padded
    positions says so."""
    x, value = args
    d = 0 if dims[0] is None else dims[0]
    config = list(zip(site.ints("edge_padding_low"), site.ints("edge_padding_high"),
                      site.ints("interior_padding")))
    out = site.out_avals[0]
    zero = lax.full((), 0, out.dtype)
    if dims[0] is None:
        padded = at_dim(lax.pad(x, zero, config), None, d, site.size)
    else:
        padded = lax.pad(x, zero, config[:d] + [(0, 0, 0)] + config[d:])
    inside = lax.pad(lax.full(site.in_avals[0].shape, True, "bool"), lax.full((), False, "bool"),
                     config)
    mask = at_dim(inside, None, d, site.size)
    return [(lax.select(mask, padded, lax.broadcast_in_dim(value, padded.shape, [d])), d)]


_MONOIDS = {"stablehlo.add": "add", "stablehlo.multiply": "multiply",
            "stablehlo.maximum": "maximum", "stablehlo.minimum": "minimum",
            "stablehlo.and": "and", "stablehlo.or": "or", "stablehlo.xor": "xor"}


def _monoid(region):
    """'add', 'maximum', ... for a body applying that one op to its two arguments, else None."""
    block = region.blocks[0]
    *body, ret = [op.operation for op in block.operations]
    args = list(block.arguments)
    if len(body) != 1 or body[0].name not in _MONOIDS \
            or list(ret.operands) != list(body[0].results) \
            or list(body[0].operands) not in (args, args[::-1]):
        return None
    return _MONOIDS[body[0].name]


def reduce_with_batched_inits(site, args, dims):
    """A monoid reduce starts from the monoid's identity and combines the per-example init
    values afterwards; other bodies run per example."""
    monoid = _monoid(site.op.regions[0]) if len(args) == 2 else None
    if monoid is None:
        return per_example_loop(site, args, dims)
    (x, init), xd = args, dims[0]
    out = site.out_avals[0]
    identity = lax.asarray(lax.identity_value(monoid, out.dtype), out.dtype)
    if xd is None:
        reduced, d = reemit(site, [x, identity], [out.shape])[0], 0
        reduced = at_dim(reduced, None, d, site.size)
    else:
        axes = shift_axes(site.ints("dimensions"), xd)
        d = xd - sum(k < xd for k in axes)
        reduced = reemit(site, [x, identity], [insert(out.shape, d, site.size)],
                         dimensions=i64_array(axes))[0]
    inits = lax.broadcast_in_dim(init, reduced.shape, [d])
    return [(ops.binary[monoid].bind(reduced, inits), d)]
