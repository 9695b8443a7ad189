"""Batching rules for convolution and select_and_scatter.

A convolution folds the batch into the lhs batch dimension (batched lhs) or into the
kernel's output features (batched kernel, through feature_group_count when both are
batched), as JAX's conv batching rule does. The new batch axis is placed where no
transposes are needed.
"""
from __future__ import annotations

import numpy as np

from hlox.frontend import lax
from hlox.frontend.op_builders import i64, i64_array
from hlox.lowering.mlir import ir, stablehlo
from hlox.passes.autodiff.rules.convolution import reshape_axis_into, reshape_axis_out_of
from hlox.passes.batching.common import at_dim, batch_rule, first_batched, insert, reemit
from hlox.passes.batching.core import per_example_loop


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
    x = reshape_axis_out_of(axis + (bdim <= axis), groups, x)
    x = reshape_axis_into(bdim + (axis < bdim), axis + 1, x)
    return reshape_axis_into(axis, axis, x)


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
            lhs, bgc = reshape_axis_into(ld, lhs_spec[0], lhs), bgc * size
        else:
            lhs, fgc = reshape_axis_into(ld, lhs_spec[1], lhs), fgc * size
        rhs, axis = reshape_axis_into(rd, rhs_spec[0], rhs), out_spec[1]
    elif ld is not None:  # examples become more lhs batch
        lhs = (_fold_grouped(lhs, ld, lhs_spec[0], bgc) if bgc > 1
               else reshape_axis_into(ld, lhs_spec[0], lhs))
        axis = out_spec[0]
    else:  # examples become more kernel output features
        groups = max(fgc, bgc)
        rhs = (_fold_grouped(rhs, rd, rhs_spec[0], groups) if groups > 1
               else reshape_axis_into(rd, rhs_spec[0], rhs))
        axis = out_spec[1]
    shape = list(out.shape)
    shape[axis] *= size
    result = reemit(site, [lhs, rhs], [shape], feature_group_count=i64(fgc),
                    batch_group_count=i64(bgc))[0]
    groups = max(fgc, bgc) if rd is not None and ld is None else 1
    if groups > 1:  # [groups, size, rest] -> [size, groups * rest]
        result = reshape_axis_out_of(axis, groups, result)
        result = reshape_axis_out_of(axis + 1, size, result)
        return [(reshape_axis_into(axis, axis + 1, result), axis)]
    return [(reshape_axis_out_of(axis, size, result), axis)]


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
