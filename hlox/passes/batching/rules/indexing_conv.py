"""Batching rules for gather, scatter, convolution, select_and_scatter and rng_bit_generator,
for dynamic_slice / dynamic_update_slice with batched start indices (a gather / a scatter),
pad with a batched padding value, reduce with batched init values, and custom_call.

gather and scatter use StableHLO's own batching dimensions when both the operand and the
indices are batched; a batch of indices alone is one more batch dimension of the indices, a
batch of operands alone one more full-size window. A convolution folds the batch into the
lhs batch dimension (batched lhs) or into the kernel's output features (batched kernel,
through feature_group_count when both are batched), as JAX's conv batching rule does.
The new batch axis is placed where no transposes are needed.
"""
from __future__ import annotations

import numpy as np

from hlox.frontend import lax, ops
from hlox.frontend.ops import i64, i64_array
from hlox.lowering.mlir import ir, stablehlo
from hlox.passes.autodiff.rules.indexing import gather, gather_params, scatter, scatter_params
from hlox.passes.autodiff.rules.windows_linalg import _reshape_axis_into, _reshape_axis_out_of
from hlox.passes.batching.common import batch_rule, move_axis
from hlox.passes.batching.core import per_example_loop
from hlox.passes.batching.rules.core import _shift, first_batched, insert, reemit

__all__ = ["dynamic_slice_as_gather", "dynamic_update_slice_as_scatter",
           "pad_with_batched_value", "reduce_with_batched_inits"]


def at_dim(x, dim, target, size):
    """x with its batch axis at `target` (an unbatched x is broadcast there)."""
    if dim is None:
        shape = insert(x.shape, target, size)
        return lax.broadcast_in_dim(x, shape, [i for i in range(len(shape)) if i != target])
    return move_axis(x, dim, target)


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
            g[key] = tuple(_shift(g[key], od))
    if xd is None:  # one more window, spanning the whole batch
        g["slice_sizes"] = insert(g["slice_sizes"], od, site.size)
        windows = [d for d in range(operand.ndim)
                   if d not in g["collapsed_slice_dims"] and d not in g["operand_batching_dims"]]
        q = _slot(offsets, windows.index(od), out_rank)
        g["offset_dims"] = tuple(sorted(_shift(offsets, q) + [q]))
        return [(gather(operand, indices, g), q)]
    ivd = g["index_vector_dim"] + (g["index_vector_dim"] >= xd)
    g["index_vector_dim"] = ivd
    g["start_indices_batching_dims"] = tuple(_shift(g["start_indices_batching_dims"], xd))
    if od is not None:  # a batching dimension pair of the gather
        g["slice_sizes"] = insert(g["slice_sizes"], od, min(1, site.size))
        g["operand_batching_dims"], g["start_indices_batching_dims"] = _insert_sorted(
            g["operand_batching_dims"], g["start_indices_batching_dims"], od, xd)
    batch_axes = [d for d in range(out_rank) if d not in offsets]
    index_axes = [d for d in range(indices.ndim) if d != ivd]
    q = _slot(batch_axes, index_axes.index(xd), out_rank)
    g["offset_dims"] = tuple(_shift(offsets, q))
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
        s[key] = tuple(_shift(s[key], bo))
    windows = list(s["update_window_dims"])
    update_rank = len(site.in_avals[n + 1].shape)
    if xd is None:  # one more window, spanning the whole batch
        window_axes = [d for d in range(operands[0].ndim)
                       if d not in s["inserted_window_dims"] and d not in s["input_batching_dims"]]
        q = _slot(windows, window_axes.index(bo), update_rank)
        s["update_window_dims"] = tuple(sorted(_shift(windows, q) + [q]))
    else:  # a batching dimension pair of the scatter
        ivd = s["index_vector_dim"] + (s["index_vector_dim"] >= xd)
        s["index_vector_dim"] = ivd
        s["input_batching_dims"], s["scatter_indices_batching_dims"] = _insert_sorted(
            s["input_batching_dims"], tuple(_shift(s["scatter_indices_batching_dims"], xd)), bo, xd)
        scatter_axes = [d for d in range(update_rank) if d not in windows]
        index_axes = [d for d in range(indices.ndim) if d != ivd]
        q = _slot(scatter_axes, index_axes.index(xd), update_rank)
        s["update_window_dims"] = tuple(_shift(windows, q))
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
        g.update(start_index_map=tuple(_shift(range(n), xd)), operand_batching_dims=(xd,),
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
             scatter_dims_to_operand_dims=tuple(_shift(range(n), bo)), index_vector_dim=1,
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
        axes = _shift(site.ints("dimensions"), xd)
        d = xd - sum(k < xd for k in axes)
        reduced = reemit(site, [x, identity], [insert(out.shape, d, site.size)],
                         dimensions=i64_array(axes))[0]
    inits = lax.broadcast_in_dim(init, reduced.shape, [d])
    return [(ops.binary[monoid].bind(reduced, inits), d)]


# -- convolution ----------------------------------------------------------------------------------
def _conv_specs(site):
    d = stablehlo.ConvDimensionNumbers(site.attr("dimension_numbers"))
    return ((d.input_batch_dimension, d.input_feature_dimension, *d.input_spatial_dimensions),
            (d.kernel_output_feature_dimension, d.kernel_input_feature_dimension,
             *d.kernel_spatial_dimensions),
            (d.output_batch_dimension, d.output_feature_dimension, *d.output_spatial_dimensions))


def _group_count(site, name):
    return site.int(name) if site.has(name) else 1


def _fold_grouped(x, bdim, axis, groups):
    """Merge batch axis `bdim` of x into `axis` (numbered without the batch), keeping `groups`
    outermost: [groups, size, rest]."""
    x = _reshape_axis_out_of(axis + (bdim <= axis), groups, x)
    x = _reshape_axis_into(bdim + (axis < bdim), axis + 1, x)
    return _reshape_axis_into(axis, axis, x)


@batch_rule("stablehlo.convolution")
def _convolution(site, args, dims):
    lhs, rhs = args
    ld, rd = dims
    lhs_spec, rhs_spec, out_spec = _conv_specs(site)
    fgc, bgc = _group_count(site, "feature_group_count"), _group_count(site, "batch_group_count")
    size, out = site.size, site.out_avals[0]
    if size == 0:
        return [(lax.full((0,) + out.shape, 0, out.dtype), 0)]
    if ld is not None and rd is not None:  # examples become feature (or batch) groups
        if bgc > 1:
            lhs, bgc = _reshape_axis_into(ld, lhs_spec[0], lhs), bgc * size
        else:
            lhs, fgc = _reshape_axis_into(ld, lhs_spec[1], lhs), fgc * size
        rhs, axis = _reshape_axis_into(rd, rhs_spec[0], rhs), out_spec[1]
    elif ld is not None:  # examples become more lhs batch
        lhs = (_fold_grouped(lhs, ld, lhs_spec[0], bgc) if bgc > 1
               else _reshape_axis_into(ld, lhs_spec[0], lhs))
        axis = out_spec[0]
    else:  # examples become more kernel output features
        groups = max(fgc, bgc)
        rhs = (_fold_grouped(rhs, rd, rhs_spec[0], groups) if groups > 1
               else _reshape_axis_into(rd, rhs_spec[0], rhs))
        axis = out_spec[1]
    shape = list(out.shape)
    shape[axis] *= size
    result = reemit(site, [lhs, rhs], [shape], feature_group_count=i64(fgc),
                    batch_group_count=i64(bgc))[0]
    groups = max(fgc, bgc) if rd is not None and ld is None else 1
    if groups > 1:  # [groups, size, rest] -> [size, groups * rest]
        result = _reshape_axis_out_of(axis, groups, result)
        result = _reshape_axis_out_of(axis + 1, size, result)
        return [(_reshape_axis_into(axis, axis + 1, result), axis)]
    return [(_reshape_axis_out_of(axis, size, result), axis)]


# -- select_and_scatter ---------------------------------------------------------------------------
@batch_rule("stablehlo.select_and_scatter")
def _select_and_scatter(site, args, dims):
    """Operand and source batched on one axis, a window of 1 there; a batched init value (the
    scatter body is arbitrary) runs per example."""
    if dims[2] is not None:
        return per_example_loop(site, args, dims)
    d = first_batched(dims)
    operand, source = (at_dim(a, k, d, site.size) for a, k in zip(args[:2], dims[:2]))
    rank = len(site.in_avals[0].shape)
    attrs = {"window_dimensions": i64_array(insert(site.ints("window_dimensions"), d, 1)),
             "window_strides": i64_array(insert(site.ints("window_strides") if site.has(
                 "window_strides") else (1,) * rank, d, 1))}
    if site.has("padding"):
        pairs = site.ints("padding")
        pad = [pairs[i:i + 2] for i in range(0, len(pairs), 2)]
        attrs["padding"] = _padding_attr(insert(pad, d, (0, 0)))
    shape = insert(site.out_avals[0].shape, d, site.size)
    return [(reemit(site, [operand, source, args[2]], [shape], **attrs)[0], d)]


def _padding_attr(pairs):
    return ir.DenseElementsAttr.get(np.asarray(pairs, np.int64).reshape(len(pairs), 2))


# -- per-example ops ------------------------------------------------------------------------------
# rng_bit_generator with per-example keys (one generator state per example) and custom_call
# (an opaque computation) run once per example in a stablehlo.while over the batch.
batch_rule("stablehlo.rng_bit_generator", "stablehlo.custom_call")(per_example_loop)
