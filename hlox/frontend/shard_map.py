"""`shard_map` and `pmap`: a per-shard function over a mesh, lowered as JAX 0.10.2 lowers it.

The body is traced once, on the local (per-device) shapes, into a private function; the
caller's trace gets one `sdy.manual_computation` whose region calls it. Collectives in the
body name their mesh axes (frontend/collectives.py); once the body is traced they get the
replica groups over global device ids, the channel handles and `use_global_device_ids`
that XLA's SPMD partitioner expects, and `axis_index` becomes arithmetic on
`stablehlo.partition_id`.
"""
from __future__ import annotations

import contextlib
import functools
import itertools
import math

import numpy as np

from hlox.frontend import collectives, errors, sharding_ir
from hlox.frontend.core import Tracer, aval_of, current_trace, tracing
from hlox.frontend.jit import ShapeDtypeStruct, jit, trace_private_function
from hlox.frontend.primitives import emit
from hlox.lowering import mlir, pytree
from hlox.lowering import sharding as sharding_lib
from hlox.lowering.avals import ShapedArray
from hlox.lowering.mlir import ir

_channels = itertools.count(1)


def _is_spec_leaf(x):
    return x is None or isinstance(x, sharding_lib.PartitionSpec)


def _specs_for(specs, tree_value, what, fn_name):
    try:
        flat = pytree.broadcast_prefix(specs, tree_value, is_leaf=_is_spec_leaf)
    except ValueError as e:
        raise errors.value_error(f"shard_map applied to the function '{fn_name}' was given "
                                 f"{what} that do not match the structure of its values: {e}")
    return [sharding_lib.PartitionSpec() if s is None else s for s in flat]


def _local_shape(shape, spec, mesh, what):
    shape = list(shape)
    if len(spec) > len(shape):
        raise errors.value_error(f"{what} is {spec} which has length {len(spec)}, but the value "
                                 f"has rank {len(shape)}")
    for dim, p in enumerate(spec):
        axes = sharding_lib.axes_of(p)
        parts = math.prod(mesh.shape[a] for a in axes)
        if shape[dim] % parts:
            raise errors.value_error(f"{what} is {spec}, which requires dimension {dim} of a "
                                     f"value of shape {tuple(shape)} to be divisible by "
                                     f"{parts} (the size of mesh axes {axes})")
        shape[dim] //= parts
    return tuple(shape)


def shard_map(f=None, /, *, out_specs, in_specs=None, mesh=None, axis_names=frozenset(),
              check_vma=True):
    """`jax.shard_map`: `f` runs on each device's block of the arguments; `in_specs` and
    `out_specs` say how the global values are split over `mesh`'s axes."""
    if f is None:
        return functools.partial(shard_map, out_specs=out_specs, in_specs=in_specs, mesh=mesh,
                                 axis_names=axis_names, check_vma=check_vma)
    if mesh is None:
        mesh = sharding_lib.current_mesh()
        if mesh is None:
            raise errors.value_error("shard_map requires a `mesh` argument or a mesh in context "
                                     "(`with mesh:` / jax.sharding.use_mesh)")
    manual = tuple(a for a in mesh.axis_names if not axis_names or a in axis_names)
    fn_name = getattr(f, "__name__", "f")

    @functools.wraps(f)
    def mapped(*args):
        if not tracing():
            return jit(mapped)(*args)
        return _trace_shard_map(f, fn_name, mesh, manual, in_specs, out_specs, args)
    return mapped


def _trace_shard_map(f, fn_name, mesh, manual, in_specs, out_specs, args):
    trace = current_trace()
    leaves, tree = pytree.flatten(args)
    specs = _specs_for(tuple(in_specs) if isinstance(in_specs, list) else in_specs, args,
                       "in_specs", fn_name) if in_specs is not None \
        else [sharding_lib.PartitionSpec()] * len(leaves)
    avals = [aval_of(x) for x in leaves]
    local = [ShapeDtypeStruct(_local_shape(a.shape, s, mesh,
                                           f"in_specs[{i}] of shard_map of '{fn_name}'"),
                              a.dtype, a.weak_type)
             for i, (a, s) in enumerate(zip(avals, specs))]
    with contextlib.ExitStack() as frames:  # each manual mesh axis is a named axis in the body
        for axis in manual:
            frames.enter_context(collectives.axis_frame(axis, mesh.shape[axis]))
        traced, _ = trace_private_function(f, tuple(tree.unflatten(local)), {}, trace,
                                           "shard_map body")
    resolve_collectives(trace.module, traced.fn_name, mesh)
    out_flat_specs = _specs_for(out_specs, traced.out_tree.unflatten(
        [0] * len(traced.out_avals)), "out_specs", fn_name)
    out_avals = []
    for i, (a, s) in enumerate(zip(traced.out_avals, out_flat_specs)):
        if len(s) > len(a.shape):
            raise errors.value_error(
                f"shard_map applied to the function '{fn_name}' was given an out_specs entry "
                f"which is too long: out_specs[{i}] is {s} which has length {len(s)}, but the "
                f"output has shape {a.str_short()} (rank {len(a.shape)}); for scalars use P()")
        shape = list(a.shape)
        for dim, p in enumerate(s):
            shape[dim] *= math.prod(mesh.shape[ax] for ax in sharding_lib.axes_of(p))
        out_avals.append(ShapedArray(tuple(shape), a.dtype, a.weak_type))
    consts = list(traced.consts)
    operand_specs = specs + [sharding_lib.PartitionSpec()] * len(consts)
    local_avals = [s.aval for s in local] + [aval_of(c) for c in consts]
    sharding_ir.declare_mesh(trace.module, mesh)
    trace.mesh = mesh
    outs = _emit_manual_computation(trace, mesh, manual, leaves + consts, operand_specs,
                                    local_avals, traced, out_flat_specs, out_avals)
    return traced.out_tree.unflatten(outs)


def _sharding_list(specs, avals, mesh):
    items = []
    for spec, aval in zip(specs, avals):
        text = sharding_lib.NamedSharding(mesh, spec).sdy_sharding_text(len(aval.shape))
        items.append(text[len("#sdy.sharding"):])
    return ir.Attribute.parse("#sdy.sharding_per_value<[" + ", ".join(items) + "]>")


def _emit_manual_computation(trace, mesh, manual, operands, specs, local_avals, traced,
                             out_specs, out_avals):
    with trace.ctx:
        values = [trace.value_of(x) for x in operands]
        global_avals = [aval_of(x) for x in operands]
        axes = ", ".join(f'"{a}"' for a in manual)
        attrs = {"in_shardings": _sharding_list(specs, global_avals, mesh),
                 "out_shardings": _sharding_list(out_specs, out_avals, mesh),
                 "manual_axes": ir.Attribute.parse(f"#sdy<manual_axes{{{axes}}}>")}
        op = emit(trace, "sdy.manual_computation", values, out_avals, attrs, regions=1)
        types = [mlir.tensor_type(a.shape, a.dtype) for a in local_avals]
        block = op.regions[0].blocks.append(*types)
        saved = trace.ip
        trace.ip = ir.InsertionPoint(block)
        try:
            call = emit(trace, "func.call", list(block.arguments), traced.out_avals,
                        {"callee": ir.FlatSymbolRefAttr.get(traced.fn_name)})
            emit(trace, "sdy.return", list(call.results), [])
        finally:
            trace.ip = saved
    return [Tracer(trace, a, v) for a, v in zip(out_avals, op.results)]


# -- collectives: from axis names to device groups ------------------------------------------
def device_groups(mesh, names):
    """Rows of logical device ids that a collective over `names` combines (row order is the
    index along `names`, row-major)."""
    ids = np.arange(mesh.size).reshape(mesh.axis_sizes)
    named = [mesh.axis_names.index(n) for n in names]
    others = [i for i in range(len(mesh.axis_names)) if i not in named]
    return ids.transpose(others + named).reshape(-1, math.prod(mesh.axis_sizes[i] for i in named))


def _dense(rows):
    return ir.DenseElementsAttr.get(np.ascontiguousarray(rows, np.int64))


def _channel():
    return ir.Attribute.parse(f"#stablehlo.channel_handle<handle = {next(_channels)}, type = 1>")


def callees(module, name):
    """`name` and every private function it calls, transitively."""
    seen, todo = [], [name]
    functions = {}
    body = module.body if isinstance(module, ir.Module) else module.regions[0].blocks[0]
    for op in body.operations:
        if op.operation.name == "func.func":
            functions[ir.StringAttr(op.attributes["sym_name"]).value] = op
    while todo:
        n = todo.pop()
        if n in seen or n not in functions:
            continue
        seen.append(n)
        for inner in _walk(functions[n].operation):
            if inner.name == "func.call":
                todo.append(ir.FlatSymbolRefAttr(inner.attributes["callee"]).value)
    return [functions[n] for n in seen]


def _walk(op):
    """Every op nested in `op`, without Python recursion."""
    stack = [op]
    while stack:
        current = stack.pop()
        for region in current.regions:
            for block in region.blocks:
                for inner in block.operations:
                    yield inner.operation
                    stack.append(inner.operation)


def resolve_collectives(module, fn_name, mesh):
    """Give the collectives over `mesh`'s axes in `fn_name` (and what it calls) their device
    groups and channels; `axis_index`'s partition_id becomes the index along its axis. The
    axis names stay on the ops, so the passes can derive them and resolve them again."""
    with module.context, ir.Location.unknown():
        for func_op in callees(module, fn_name):
            resolve_in(func_op.operation, mesh)


def resolve_in(root, mesh):
    """`resolve_collectives` for the ops nested in one op."""
    for op in list(_walk(root)):
        if collectives.AXIS_NAMES_ATTR not in op.attributes:
            continue
        names = [ir.StringAttr(a).value
                 for a in ir.ArrayAttr(op.attributes[collectives.AXIS_NAMES_ATTR])]
        if not all(n in mesh.axis_names for n in names):
            continue  # a vmap axis: the batching pass resolves it
        if op.name == "stablehlo.partition_id":  # replaced by new ops
            _partition_index(op, mesh, names)
            continue
        _RESOLVERS[op.name](op, device_groups(mesh, names), mesh, names)


def _grouped(op, groups, mesh, names):
    op.attributes["replica_groups"] = _dense(groups)
    op.attributes["channel_handle"] = _channel()
    if op.name != "stablehlo.all_to_all":
        op.attributes["use_global_device_ids"] = ir.UnitAttr.get()


def _permute(op, groups, mesh, names):
    perm = collectives.local_pairs(op)
    op.attributes[collectives.LOCAL_PAIRS_ATTR] = _dense(perm)
    pairs = [(row[s], row[t]) for row in groups for s, t in perm]
    op.attributes["source_target_pairs"] = _dense(np.asarray(pairs, np.int64).reshape(-1, 2))
    op.attributes["channel_handle"] = _channel()


def _partition_index(op, mesh, names):
    (name,) = names
    axis = mesh.axis_names.index(name)
    stride = math.prod(mesh.axis_sizes[axis + 1:])
    u32 = ir.IntegerType.get_unsigned(32)
    scalar = ir.RankedTensorType.get([], u32)

    ip = ir.InsertionPoint(op)

    def constant(v):
        value = ir.DenseElementsAttr.get_splat(scalar, ir.IntegerAttr.get(u32, v))
        return ir.Operation.create("stablehlo.constant", results=[scalar],
                                   attributes={"value": value}, ip=ip).result

    fresh = ir.Operation.create("stablehlo.partition_id", results=[scalar], ip=ip).result
    stride_c, size_c = constant(stride), constant(mesh.axis_sizes[axis])
    divided = ir.Operation.create("stablehlo.divide", results=[scalar],
                                  operands=[fresh, stride_c], ip=ip).result
    index = ir.Operation.create("stablehlo.remainder", results=[scalar],
                                operands=[divided, size_c], ip=ip).result
    op.results[0].replace_all_uses_with(index)
    op.erase()


_RESOLVERS = {
    "stablehlo.all_reduce": _grouped,
    "stablehlo.all_gather": _grouped,
    "stablehlo.reduce_scatter": _grouped,
    "stablehlo.all_to_all": _grouped,
    "stablehlo.collective_permute": _permute,
}


# -- pmap ------------------------------------------------------------------------------------
def pmap(fun=None, axis_name=None, *, in_axes=0, out_axes=0, static_broadcasted_argnums=(),
         devices=None, backend=None, axis_size=None, donate_argnums=(), global_arg_shapes=None):
    """`jax.pmap`, as JAX 0.10.2 runs it: a jit of a shard_map over a one-axis mesh of the
    devices, each device getting one slice of the mapped axis."""
    if fun is None:
        return functools.partial(pmap, axis_name=axis_name, in_axes=in_axes, out_axes=out_axes,
                                 static_broadcasted_argnums=static_broadcasted_argnums,
                                 devices=devices, axis_size=axis_size,
                                 donate_argnums=donate_argnums)
    from hlox.frontend import lax
    from hlox.lowering import runtime
    statics = (static_broadcasted_argnums,) if isinstance(static_broadcasted_argnums, int) \
        else tuple(static_broadcasted_argnums)
    name = axis_name if axis_name is not None else "_pmap_axis"

    @functools.wraps(fun)
    def mapped(*args):
        dynamic = [a for i, a in enumerate(args) if i not in statics]
        axes = _in_axes_per_leaf(in_axes, dynamic)
        leaves, tree = pytree.flatten(tuple(dynamic))
        sizes = {aval_of(x).shape[ax] for x, ax in zip(leaves, axes) if ax is not None}
        if len(sizes) > 1:
            raise errors.value_error(f"pmap got inconsistent sizes for array axes to be mapped: "
                                     f"{sorted(sizes)}")
        n = sizes.pop() if sizes else axis_size
        if n is None:
            raise errors.value_error("pmap requires at least one argument with a mapped axis "
                                     "or axis_size")
        chosen = list(devices) if devices is not None else runtime.devices()[:n]
        if n > len(chosen):
            raise errors.value_error(f"compiling computation that requires {n} logical devices, "
                                     f"but only {len(chosen)} XLA devices are available "
                                     f"(num_replicas={n})")
        mesh = sharding_lib.Mesh(np.array(chosen[:n], dtype=object), (name,))

        def global_fn(*dyn):
            flat = pytree.flatten(tuple(dyn))[0]
            moved = [x if ax is None else _moveaxis(x, ax, 0) for x, ax in zip(flat, axes)]
            specs = tree.unflatten([sharding_lib.PartitionSpec() if ax is None
                                    else sharding_lib.PartitionSpec(name) for ax in axes])

            def body(*blocks):
                blocks_flat = pytree.flatten(tuple(blocks))[0]
                squeezed = [b if ax is None else lax.squeeze(b, (0,))
                            for b, ax in zip(blocks_flat, axes)]
                call_args = list(tree.unflatten(squeezed))
                for i in sorted(statics):
                    call_args.insert(i, args[i])
                out_leaves, out_tree = pytree.flatten(fun(*call_args))
                return out_tree.unflatten([lax.expand_dims(o, (0,)) for o in out_leaves])

            out = shard_map(body, mesh=mesh, in_specs=tuple(specs),
                            out_specs=sharding_lib.PartitionSpec(name))(*tree.unflatten(moved))
            out_leaves, out_tree = pytree.flatten(out)
            out_ax = _out_axes_per_leaf(out_axes, out, len(out_leaves))
            return out_tree.unflatten([o if ax == 0 else _moveaxis(o, 0, ax)
                                       for o, ax in zip(out_leaves, out_ax)])
        return jit(global_fn)(*dynamic)
    return mapped


def _in_axes_per_leaf(in_axes, args):
    if isinstance(in_axes, int) or in_axes is None:
        return [in_axes] * len(pytree.flatten(tuple(args))[0])
    if isinstance(in_axes, list):
        in_axes = tuple(in_axes)
    return pytree.broadcast_prefix(tuple(in_axes), tuple(args))


def _out_axes_per_leaf(out_axes, out, n):
    if isinstance(out_axes, int) or out_axes is None:
        return [out_axes] * n
    return pytree.broadcast_prefix(out_axes, out)


def _moveaxis(x, source, destination):
    from hlox.frontend import lax
    ndim = len(aval_of(x).shape)
    source, destination = source % ndim, destination % ndim
    order = [i for i in range(ndim) if i != source]
    order.insert(destination, source)
    return lax.transpose(x, order)
