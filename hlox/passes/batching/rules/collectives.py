"""Batching the collectives over named axes (frontend/collectives.py).

A collective over the axis being batched (the pass's `axis-name`) becomes the same
computation over the batch dimension, with JAX's vmap semantics: psum reduces over the batch
(an unbatched value is multiplied by the batch size), all_gather moves the batch into the
gathered dimension, psum_scatter sums and then deals the chunks out over the batch, ppermute
permutes the examples, all_to_all exchanges chunks between examples, axis_index is an iota
over the batch. A collective over other axes stays a collective, on the batched operand.
"""
from __future__ import annotations

from hlox.frontend import collectives, lax
from hlox.lowering.mlir import ir
from hlox.passes.batching.common import (AXIS_NAMES_ATTR, batch_rule, batched_axis_name,
                                         materialize, move_axis, op_axis_names, reemit)
from hlox.passes.rules import clone_op

_REDUCE = {"add": lax.reduce_sum, "max": lax.reduce_max, "min": lax.reduce_min}
_REGION_OPS = {"stablehlo.add": "add", "stablehlo.maximum": "max", "stablehlo.minimum": "min"}


def _over_batched_axis(site):
    """The names besides the batched axis when the op runs over it, else None."""
    names = op_axis_names(site.op)
    axis = batched_axis_name()
    if axis is None or axis not in names:
        return None
    return tuple(n for n in names if n != axis)


def _single_operand(site, args):
    if len(args) != 1:
        site.fail("a collective over several operands is not supported by the batching pass")


def _reduction(site):
    if "hlox.reduction" in site.op.attributes:
        return ir.StringAttr(site.attr("hlox.reduction")).value
    body = [o.operation.name for o in site.op.regions[0].blocks[0].operations]
    found = _REGION_OPS.get(body[0]) if len(body) == 2 else None
    if found is None:
        site.fail("a collective whose reduction is not add, maximum or minimum")
    return found


def _with_names(site, x, names):
    attr = ir.ArrayAttr.get([ir.StringAttr.get(n) for n in names])
    return clone_op(site.trace, site.op, [x], site.env, attributes={AXIS_NAMES_ATTR: attr})[0]


def _front(args, dims, size):
    return materialize(args[0], dims[0], size)


def _elsewhere(site, args, dims, *dim_attrs):
    """The collective over other axes on the operand batched in front: its dimension
    attributes move up by one."""
    x = _front(args, dims, site.size)
    shifted = {a: _i64(site.int(a) + 1) for a in dim_attrs}
    return [(reemit(site, [x], [(site.size,) + site.out_avals[0].shape], **shifted)[0], 0)]


@batch_rule("stablehlo.all_reduce")
def _all_reduce(site, args, dims):
    _single_operand(site, args)
    rest = _over_batched_axis(site)
    x, d = args[0], dims[0]
    if rest is None:
        return [(reemit(site, [x], [x.shape])[0], d)]
    reduction = _reduction(site)
    if d is not None:
        y = _REDUCE[reduction](x, (d,))
    elif reduction == "add":
        y = lax.mul(x, lax.full((), site.size, x.dtype))
    else:
        y = x
    if rest:
        y = _with_names(site, y, rest)
    return [(y, None)]


def _over_one_axis(op_name, what, *dim_attrs):
    """A rule `fn(site, x, d)` for the collective over the batched axis alone; over other
    axes the collective stays, on the operand batched in front."""
    def register(fn):
        @batch_rule(op_name)
        def rule(site, args, dims):
            _single_operand(site, args)
            rest = _over_batched_axis(site)
            if rest is None:
                return _elsewhere(site, args, dims, *dim_attrs)
            if rest:
                site.fail(f"{what} over the batched axis and other axes at once")
            return fn(site, args[0], dims[0])
        return rule
    return register


@_over_one_axis("stablehlo.all_gather", "all_gather", "all_gather_dim")
def _all_gather(site, x, d):
    dim, out_shape = site.int("all_gather_dim"), site.out_avals[0].shape
    if d is None:
        return [(lax.concatenate([x] * site.size, dim), None)]
    # every example sees the whole batch, laid out along the gathered dimension
    return [(lax.reshape(move_axis(x, d, dim), out_shape), None)]


@_over_one_axis("stablehlo.reduce_scatter", "psum_scatter", "scatter_dimension")
def _reduce_scatter(site, x, d):
    if _reduction(site) != "add":
        site.fail("a reduce_scatter whose reduction is not add")
    dim = site.int("scatter_dimension")
    total = lax.reduce_sum(x, (d,)) if d is not None else lax.mul(x, lax.full((), site.size, x.dtype))
    shape = list(total.shape)
    split = shape[:dim] + [site.size, shape[dim] // site.size] + shape[dim + 1:]
    # the sum cut into one chunk per example
    return [(move_axis(lax.reshape(total, split), dim, 0), 0)]


def _i64(v):
    return ir.IntegerAttr.get(ir.IntegerType.get_signless(64), int(v))


@_over_one_axis("stablehlo.collective_permute", "ppermute")
def _collective_permute(site, x, d):
    x = materialize(x, d, site.size)
    pairs = collectives.local_pairs(site.op)
    source = {int(t): int(s) for s, t in pairs}
    zero = None
    pieces = []
    for target in range(site.size):
        if target in source:
            s = source[target]
            pieces.append(lax.slice_in_dim(x, s, s + 1, axis=0))
        else:  # an example no one sends to receives zeros, as on devices
            if zero is None:
                zero = lax.full((1,) + x.shape[1:], 0, x.dtype)
            pieces.append(zero)
    return [(lax.concatenate(pieces, 0) if len(pieces) > 1 else pieces[0], 0)]


@_over_one_axis("stablehlo.all_to_all", "all_to_all", "split_dimension", "concat_dimension")
def _all_to_all(site, x, d):
    split, concat = site.int("split_dimension"), site.int("concat_dimension")
    x = materialize(x, d, site.size)
    n, shape = site.size, list(x.shape[1:])
    # x: (j, e_0..e_{r-1}) with e_split cut into (i, k): example i receives chunk i of every
    # example j, and lays the chunks out along concat in the order of j
    cut = lax.reshape(x, [n] + shape[:split] + [n, shape[split] // n] + shape[split + 1:])
    pos = [1 + m for m in range(split)] + [split + 2] + [2 + m for m in range(split + 1, len(shape))]
    perm = [split + 1]
    for m in range(len(shape)):
        if m == concat:
            perm.append(0)
        perm.append(pos[m])
    return [(lax.reshape(lax.transpose(cut, perm), (n,) + site.out_avals[0].shape), 0)]


@batch_rule("stablehlo.partition_id")
def _partition_id(site, args, dims):
    rest = _over_batched_axis(site)
    if rest is None or rest:
        return [(clone_op(site.trace, site.op, [], site.env)[0], None)]
    return [(lax.iota(site.out_avals[0].dtype, site.size), 0)]
