"""The batching pass: `N(x batched...) -> (y batched on axis 0...)` added beside `F`.

N is built op by op from F. An op none of whose operands depends on a batched
argument is copied unchanged, so values independent of the batch stay unbatched
(no needless broadcasts); every other op goes through its rule in BATCH_RULES,
or, for ops without one, a `stablehlo.while` over the batch that runs the op once
per example.
"""
from __future__ import annotations

import contextlib

from hlox.frontend.core import Trace
from hlox.lowering import mlir
from hlox.lowering.mlir import func as func_dialect
from hlox.lowering.mlir import ir
from hlox.passes import irutil
from hlox.passes.batching.common import (BATCH_RULES, Site, axis_name_state,
                                         binds_batched_axis, materialize)
from hlox.passes.registry import PassError
from hlox.passes.rules import clone_op


def normalize_in_axes(func_op, in_axes):
    args = irutil.entry_block(func_op).arguments
    name = irutil.symbol_name(func_op)
    if in_axes is None:
        in_axes = [0] * len(args)
    in_axes = list(in_axes)
    if len(in_axes) == 1 and len(args) > 1:
        in_axes = in_axes * len(args)
    if len(in_axes) != len(args):
        raise PassError(f"in-axes has {len(in_axes)} entries but @{name} has {len(args)} "
                        "arguments", op=func_op)
    out = []
    for i, (axis, arg) in enumerate(zip(in_axes, args)):
        if axis is None:
            out.append(None)
            continue
        rank = ir.RankedTensorType(arg.type).rank + 1
        if not -rank <= axis < rank:
            raise PassError(f"in-axes entry {axis} for argument {i} of @{name} is out of range "
                            f"for a batched rank of {rank}", op=func_op)
        out.append(axis % rank)
    return out


_INHERIT = object()


def batch(module_op, func_name: str, in_axes=None, size=None, name=None, axis_name=_INHERIT):
    """Add the batched version of @func_name (every result batched on axis 0).

    `axis_name` names the batched axis: collectives over it become computations over the
    batch. Rules that batch a callee or a region leave it out and inherit the pass's name."""
    scope = contextlib.nullcontext() if axis_name is _INHERIT else axis_name_state(axis_name)
    with scope:
        return batch_with_dims(module_op, func_name, in_axes, size, name,
                               materialize_outputs=True)[0]


@irutil.ir_dtypes
def batch_with_dims(module_op, func_name, in_axes, size, name=None, materialize_outputs=False):
    """Add the batched version of @func_name; returns (function op, batch dim of each result).

    Without `materialize_outputs`, results that do not depend on the batch stay unbatched
    (dim None) and batched ones come back on axis 0: control-flow rules need to know which.
    """
    func_op = irutil.find_function(module_op, func_name)
    in_axes = normalize_in_axes(func_op, in_axes)
    if size is None:
        raise PassError("the batch size is required (option size=B)", op=func_op)
    if size < 0:
        raise PassError(f"batch size must be non-negative, got {size}", op=func_op)
    name = name or irutil.unique_name(module_op, f"{func_name}_batch")
    if name in irutil.functions(module_op):
        raise PassError(f"a function named @{name} already exists", op=func_op)
    old_block = irutil.entry_block(func_op)
    old_args = list(old_block.arguments)
    with func_op.context, func_op.location:
        arg_types = []
        for arg, axis in zip(old_args, in_axes):
            shape, dtype = mlir.shape_and_dtype(arg.type)
            if axis is not None:
                shape = shape[:axis] + (size,) + shape[axis:]
            arg_types.append(mlir.tensor_type(shape, dtype))
        new = func_dialect.FuncOp(name, ir.FunctionType.get(arg_types, []),
                                  ip=ir.InsertionPoint.after(func_op)).operation
        if "sym_visibility" in func_op.attributes:
            new.attributes["sym_visibility"] = func_op.attributes["sym_visibility"]
        block = new.regions[0].blocks.append(*arg_types)
    trace = Trace.over_function(module_op, new, description=f"hlox-batch of @{func_name}")
    with trace:
        env = {old: (trace.tracer(a), axis)
               for old, a, axis in zip(old_args, block.arguments, in_axes)}
        batch_block(trace, module_op, old_block, env, size)
        ret = irutil.terminator(old_block)
        trace.location = ret.location
        results = [env[v] for v in ret.operands]
        if materialize_outputs:
            outs, out_dims = [materialize(v, d, size) for v, d in results], [0] * len(results)
        else:
            outs = [v if d is None else materialize(v, d, size) for v, d in results]
            out_dims = [None if d is None else 0 for _, d in results]
        ir.Operation.create("func.return", operands=[trace.value_of(o) for o in outs],
                            loc=ret.location, ip=trace.ip)
    new.attributes["function_type"] = ir.TypeAttr.get(ir.FunctionType.get(
        arg_types, [trace.value_of(o).type for o in outs]))
    return new, out_dims


def batch_block(trace, module_op, block, env, size):
    """Emit the batched version of every op of `block` (but its terminator) at trace.ip."""
    for op in [o.operation for o in block.operations][:-1]:
        entries = [env[v] for v in op.operands]
        args = [t for t, _ in entries]
        dims = [d for _, d in entries]
        trace.location = op.location
        if (all(d is None for d in dims) and not _uses_batched_values_inside(op, env)
                and not binds_batched_axis(module_op, op)):
            results = clone_op(trace, op, args, env)
            outs = [(r, None) for r in results]
        else:
            rule = BATCH_RULES.get(op.name)
            site = Site(trace, op, module_op, size)
            site.env = env
            outs = rule(site, args, dims) if rule else per_example_loop(site, args, dims)
        for result, out in zip(op.results, outs):
            env[result] = out


def _uses_batched_values_inside(op, env):
    for region in op.regions:
        for blk in region.blocks:
            for inner in blk.operations:
                for v in inner.operation.operands:
                    entry = env.get(v)
                    if entry is not None and entry[1] is not None:
                        return True
    return False


def per_example_loop(site, args, dims):
    """The generic fallback: a stablehlo.while over the batch running the op per example."""
    from hlox.frontend import lax
    from hlox.frontend.ops import while_loop
    size = site.size
    batched = [materialize(a, d, size) if d is not None else a for a, d in zip(args, dims)]
    outs0 = [lax.full((size,) + a.shape, 0, a.dtype) for a in site.out_avals]
    index0 = lax.full((), 0, "int32")
    n_args = len(batched)

    def cond(i, *_):
        return [lax.lt(i, lax.full((), size, "int32"))]

    def body(i, *carry):
        operands, outs = carry[:n_args], carry[n_args:]
        per_example = [lax.dynamic_index_in_dim(x, i, 0, keepdims=False) if d is not None else x
                       for x, d in zip(operands, dims)]
        results = clone_op(site.trace, site.op, per_example, site.env)
        updated = [lax.dynamic_update_index_in_dim(o, r, i, 0) for o, r in zip(outs, results)]
        return [lax.add(i, lax.full((), 1, "int32"))] + list(operands) + updated
    final = while_loop.bind(index0, *batched, *outs0, cond=cond, body=body)
    return [(o, 0) for o in final[1 + n_args:]]
