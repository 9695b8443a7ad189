"""Batching rules for elementwise ops, shape ops, dot_general, reductions, sort, calls."""
from __future__ import annotations

import numpy as np

from hlox.frontend import lax, op_catalog
from hlox.frontend.ad_annotations import (CUSTOM_JVP_ATTR, CUSTOM_VJP_BWD_ATTR,
                                          CUSTOM_VJP_FWD_ATTR, LAYOUT_ATTR)
from hlox.frontend.jit import call_function
from hlox.frontend.op_builders import i64, i64_array
from hlox.lowering.avals import ShapedArray
from hlox.lowering.mlir import ir, stablehlo
from hlox.passes import irutil
from hlox.passes.batching.core import batch, per_example_loop
from hlox.passes.batching.common import (batch_rule, batched_axis_name, first_batched, insert,
                                         materialize, move_axis,
                                         move_to_front, reemit, shift_axes)
from hlox.passes.batching.rules.indexing import (dynamic_slice_as_gather,
                                                 dynamic_update_slice_as_scatter,
                                                 pad_with_batched_value, reduce_with_batched_inits)


# -- elementwise ------------------------------------------------------------------------------
ELEMENTWISE = sorted(op_catalog.ELEMENTWISE)


@batch_rule(*ELEMENTWISE)
def _elementwise(site, args, dims):
    """All operands batched on one axis; scalar operands (select's predicate, clamp's bounds)
    stay scalars when unbatched."""
    out_shape = site.out_avals[0].shape
    d = first_batched(dims)
    target = insert(out_shape, d, site.size)
    new_args = []
    for a, dim, aval in zip(args, dims, site.in_avals):
        if aval.shape == out_shape:
            new_args.append(move_axis(a, dim, d) if dim is not None else
                            lax.broadcast_in_dim(a, target, [i for i in range(len(target)) if i != d]))
        elif dim is None:  # an unbatched scalar operand
            new_args.append(a)
        else:  # a batched scalar operand: one value per example, spread over its example
            new_args.append(lax.broadcast_in_dim(a, target, [d]))
    return [(r, d) for r in reemit(site, new_args, [target] * len(site.out_avals))]


# -- shape ops ---------------------------------------------------------------------------------
@batch_rule("stablehlo.broadcast_in_dim")
def _broadcast_in_dim(site, args, dims):
    x = move_to_front(args[0], dims[0])
    shape = (site.size,) + site.out_avals[0].shape
    bdims = [0] + [k + 1 for k in site.ints("broadcast_dimensions")]
    return [(lax.broadcast_in_dim(x, shape, bdims), 0)]


@batch_rule("stablehlo.reshape")
def _reshape(site, args, dims):
    x = move_to_front(args[0], dims[0])
    return [(lax.reshape(x, (site.size,) + site.out_avals[0].shape), 0)]


@batch_rule("stablehlo.transpose")
def _transpose(site, args, dims):
    d = dims[0]
    perm = site.ints("permutation")
    # keep the batch axis where the output would put it: first
    new_perm = [d] + [p + (p >= d) for p in perm]
    return [(lax.transpose(args[0], new_perm), 0)]


@batch_rule("stablehlo.slice")
def _slice(site, args, dims):
    d = dims[0]
    starts = insert(site.ints("start_indices"), d, 0)
    limits = insert(site.ints("limit_indices"), d, site.size)
    strides = insert(site.ints("strides"), d, 1)
    return [(lax.slice(args[0], starts, limits, strides), d)]


@batch_rule("stablehlo.reverse")
def _reverse(site, args, dims):
    d = dims[0]
    return [(lax.rev(args[0], [k + (k >= d) for k in site.ints("dimensions")]), d)]


@batch_rule("stablehlo.concatenate")
def _concatenate(site, args, dims):
    d = first_batched(dims)
    dim = site.int("dimension")
    parts = []
    for a, ad, aval in zip(args, dims, site.in_avals):
        if ad is None:
            target = insert(aval.shape, d, site.size)
            parts.append(lax.broadcast_in_dim(a, target, [i for i in range(len(target)) if i != d]))
        else:
            parts.append(move_axis(a, ad, d))
    return [(lax.concatenate(parts, dim + (dim >= d)), d)]


@batch_rule("stablehlo.pad")
def _pad(site, args, dims):
    x, value = args
    if dims[1] is not None:
        return pad_with_batched_value(site, args, dims)
    d = dims[0]
    config = list(zip(site.ints("edge_padding_low"), site.ints("edge_padding_high"),
                      site.ints("interior_padding")))
    config.insert(d, (0, 0, 0))
    return [(lax.pad(x, value, config), d)]


@batch_rule("stablehlo.dynamic_slice")
def _dynamic_slice(site, args, dims):
    x, *starts = args
    if any(d is not None for d in dims[1:]):
        return dynamic_slice_as_gather(site, args, dims)
    d = dims[0]
    zero = lax.full((), 0, starts[0].dtype) if starts else lax.full((), 0, "int32")
    sizes = insert(site.ints("slice_sizes"), d, site.size)
    return [(lax.dynamic_slice(x, insert(starts, d, zero), sizes), d)]


@batch_rule("stablehlo.dynamic_update_slice")
def _dynamic_update_slice(site, args, dims):
    x, update, *starts = args
    if any(d is not None for d in dims[2:]):
        return dynamic_update_slice_as_scatter(site, args, dims)
    x, update = materialize(x, dims[0], site.size), materialize(update, dims[1], site.size)
    zero = lax.full((), 0, starts[0].dtype) if starts else lax.full((), 0, "int32")
    return [(lax.dynamic_update_slice(x, update, [zero] + list(starts)), 0)]


# -- dot_general ----------------------------------------------------------------------------
def _dot_dims(site):
    attr = stablehlo.DotDimensionNumbers(site.attr("dot_dimension_numbers"))
    return (list(attr.lhs_contracting_dimensions), list(attr.rhs_contracting_dimensions),
            list(attr.lhs_batching_dimensions), list(attr.rhs_batching_dimensions))


@batch_rule("stablehlo.dot_general")
def _dot_general(site, args, dims):
    """A batch dimension of dot_general when both sides are batched; otherwise the batch
    rides along as a free dimension of the batched side. Never a transpose."""
    lhs, rhs = args
    ld, rd = dims
    lc, rc, lb, rb = _dot_dims(site)
    out = site.out_avals[0]
    if ld is not None and rd is not None:
        new = ((shift_axes(lc, ld), shift_axes(rc, rd)), ([ld] + shift_axes(lb, ld), [rd] + shift_axes(rb, rd)))
        shape = (site.size,) + out.shape
        return [(_dot(site, lhs, rhs, new, shape), 0)]
    if ld is not None:
        lc2, lb2 = shift_axes(lc, ld), shift_axes(lb, ld)
        free = [a for a in range(lhs.ndim) if a not in lc2 and a not in lb2]
        position = len(lb) + free.index(ld)
        shape = insert(out.shape, position, site.size)
        return [(_dot(site, lhs, rhs, ((lc2, rc), (lb2, rb)), shape), position)]
    rc2, rb2 = shift_axes(rc, rd), shift_axes(rb, rd)
    free = [a for a in range(rhs.ndim) if a not in rc2 and a not in rb2]
    lhs_free = len(site.in_avals[0].shape) - len(lc) - len(lb)
    position = len(lb) + lhs_free + free.index(rd)
    shape = insert(out.shape, position, site.size)
    return [(_dot(site, lhs, rhs, ((lc, rc2), (lb, rb2)), shape), position)]


def _dot(site, lhs, rhs, dnums, shape):
    (lc, rc), (lb, rb) = dnums
    attr = stablehlo.DotDimensionNumbers.get(
        lhs_batching_dimensions=list(lb), rhs_batching_dimensions=list(rb),
        lhs_contracting_dimensions=list(lc), rhs_contracting_dimensions=list(rc))
    return reemit(site, [lhs, rhs], [shape], dot_dimension_numbers=attr)[0]


# -- reductions and sort ---------------------------------------------------------------------
def _loop_if_batched_inits(site, args, dims, n):
    if any(d is not None for d in dims[n:]):
        return per_example_loop(site, args, dims)
    return None


@batch_rule("stablehlo.reduce")
def _reduce(site, args, dims):
    n = len(args) // 2
    if any(d is not None for d in dims[n:]):
        return reduce_with_batched_inits(site, args, dims)
    operands = [materialize(a, d, site.size) for a, d in zip(args[:n], dims[:n])]
    reduced = [k + 1 for k in site.ints("dimensions")]
    shapes = [(site.size,) + a.shape for a in site.out_avals]
    outs = reemit(site, operands + list(args[n:]), shapes, dimensions=i64_array(reduced))
    return [(o, 0) for o in outs]


@batch_rule("stablehlo.reduce_window")
def _reduce_window(site, args, dims):
    n = len(args) // 2
    looped = _loop_if_batched_inits(site, args, dims, n)
    if looped is not None:
        return looped
    operands = [materialize(a, d, site.size) for a, d in zip(args[:n], dims[:n])]
    attrs = {"window_dimensions": i64_array((1,) + site.ints("window_dimensions"))}
    for name in ("window_strides", "base_dilations", "window_dilations"):
        if site.has(name):
            attrs[name] = i64_array((1,) + site.ints(name))
    if site.has("padding"):
        pad = np.asarray(ir.DenseIntElementsAttr(site.attr("padding"))).reshape(-1, 2)
        attrs["padding"] = ir.DenseElementsAttr.get(
            np.concatenate([np.zeros((1, 2), np.int64), pad.astype(np.int64)]))
    shapes = [(site.size,) + a.shape for a in site.out_avals]
    outs = reemit(site, operands + list(args[n:]), shapes, **attrs)
    return [(o, 0) for o in outs]


@batch_rule("stablehlo.sort")
def _sort(site, args, dims):
    operands = [materialize(a, d, site.size) for a, d in zip(args, dims)]
    shapes = [(site.size,) + a.shape for a in site.out_avals]
    outs = reemit(site, operands, shapes, dimension=i64(site.int("dimension") + 1))
    return [(o, 0) for o in outs]


@batch_rule("stablehlo.cholesky", "stablehlo.fft", "chlo.top_k", "stablehlo.bitcast_convert")
def _on_trailing_dims(site, args, dims):
    """Ops that map over every leading dimension: the batch becomes one more of them."""
    x = move_to_front(args[0], dims[0])
    return [(o, 0) for o in reemit(site, [x], [(site.size,) + a.shape for a in site.out_avals])]


@batch_rule("stablehlo.triangular_solve")
def _triangular_solve(site, args, dims):
    a, b = (materialize(x, d, site.size) for x, d in zip(args, dims))
    return [(reemit(site, [a, b], [(site.size,) + site.out_avals[0].shape])[0], 0)]


# rng_bit_generator with per-example keys: one generator state per example
batch_rule("stablehlo.rng_bit_generator")(per_example_loop)


@batch_rule("stablehlo.optimization_barrier")
def _barrier(site, args, dims):
    return [(o, d) for o, d in zip(reemit(site, args, [a.shape for a in args]), dims)]


# -- calls --------------------------------------------------------------------------------------
@batch_rule("func.call")
def _call(site, args, dims):
    """Batch the callee into a function of its own (once per module and axes) and call it."""
    callee = ir.FlatSymbolRefAttr(site.attr("callee")).value
    tag = "_".join("n" if d is None else str(d) for d in dims)
    name = f"{callee}_batch{site.size}_{tag}"
    if batched_axis_name() is not None:  # its collectives over that axis are batched too
        name += "_axis_" + "".join(c if c.isalnum() else "_" for c in batched_axis_name())
    if name not in irutil.functions(site.module_op):
        fn = batch(site.module_op, callee, in_axes=dims, size=site.size, name=name)
        fn.attributes["sym_visibility"] = ir.StringAttr.get("private")
        _batch_custom_rules(site, irutil.find_function(site.module_op, callee), fn, dims)
    out_avals = [ShapedArray((site.size,) + a.shape, a.dtype) for a in site.out_avals]
    outs = call_function(site.trace, name, args, out_avals)
    return [(o, 0) for o in outs]


def _batch_custom_rules(site, callee, batched, dims):
    """A callee with custom derivative rules (frontend/custom_derivatives.py) keeps them when
    batched: its rule functions are batched alike and named on the batched callee, so that
    differentiating a vmapped custom_jvp/custom_vjp function still uses the user's rule.
    Every result of a batched function comes back batched on axis 0."""
    attrs = callee.attributes
    if LAYOUT_ATTR not in attrs:
        return
    layout = [ir.IntegerAttr(a).value for a in ir.ArrayAttr(attrs[LAYOUT_ATTR])]
    n = layout[0]
    groups, start = [], n
    for size in layout[1:-1]:
        groups.append(list(dims[start:start + size]))
        start += size

    def batch_rule_fn(attr, in_axes):
        rule = ir.FlatSymbolRefAttr(attrs[attr]).value
        new = f"{rule}_batch{site.size}_" + "_".join("n" if d is None else str(d) for d in in_axes)
        if new not in irutil.functions(site.module_op):
            fn = batch(site.module_op, rule, in_axes=in_axes, size=site.size, name=new)
            fn.attributes["sym_visibility"] = ir.StringAttr.get("private")
        batched.attributes[attr] = ir.FlatSymbolRefAttr.get(new)

    xs = list(dims[:n])
    if CUSTOM_JVP_ATTR in attrs:
        batch_rule_fn(CUSTOM_JVP_ATTR, xs + xs + groups[0])
    elif CUSTOM_VJP_FWD_ATTR in attrs:
        fwd = irutil.find_function(site.module_op, ir.FlatSymbolRefAttr(attrs[CUSTOM_VJP_FWD_ATTR]).value)
        n_fwd_out = len(ir.FunctionType(ir.TypeAttr(fwd.attributes["function_type"]).value).results)
        batch_rule_fn(CUSTOM_VJP_FWD_ATTR, xs + groups[0])
        batch_rule_fn(CUSTOM_VJP_BWD_ATTR, [0] * n_fwd_out + groups[1])
    else:
        return
    batched.attributes[LAYOUT_ATTR] = attrs[LAYOUT_ATTR]
