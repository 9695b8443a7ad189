"""Shardings in the traced IR, where JAX 0.10.2 puts them: an `sdy.mesh` symbol per module,
`sdy.sharding` on arguments and results, `sdy.sharding_constraint` for
`with_sharding_constraint`, and `mhlo.num_partitions` for XLA's SPMD partitioner."""
from __future__ import annotations

import numpy as np

from hlox.frontend import errors
from hlox.frontend.core import Tracer, current_trace
from hlox.frontend.primitives import emit
from hlox.frontend import dtypes
from hlox.lowering import pytree, runtime
from hlox.lowering import sharding as sharding_lib
from hlox.lowering.array import Array
from hlox.lowering.mlir import ir

MESH_SYMBOL = "mesh"


def declared_mesh(module):
    """The Mesh that `declare_mesh` gave `module` (a pass may have copied the function that
    carried it into another module), or None."""
    for op in sharding_lib.mesh_ops(module).values():
        if sharding_lib.DEVICE_IDS_ATTR in op.attributes:
            return sharding_lib.mesh_of_op(op, runtime.devices())
    return None


def sharding_attr(sharding, ndim):
    return ir.Attribute.parse(sharding.sdy_sharding_text(ndim, MESH_SYMBOL))


def declare_mesh(module, mesh):
    """Give `module` the `sdy.mesh @mesh` of `mesh` (once) and the partition count."""
    with module.context, ir.Location.unknown():
        body = module.body
        for op in body.operations:
            if op.operation.name == "sdy.mesh":
                return
        mesh_attr = ir.Attribute.parse(mesh.sdy_mesh_text())
        ids = ir.DenseI64ArrayAttr.get([d.id for d in mesh._flat_devices_tuple])
        ir.Operation.create("sdy.mesh", attributes={
            "sym_name": ir.StringAttr.get(MESH_SYMBOL), "mesh": mesh_attr,
            sharding_lib.DEVICE_IDS_ATTR: ids}, ip=ir.InsertionPoint.at_block_begin(body))
        attrs = module.operation.attributes
        i32 = ir.IntegerType.get_signless(32)
        attrs["mhlo.num_partitions"] = ir.IntegerAttr.get(i32, mesh.size)
        attrs["mhlo.num_replicas"] = ir.IntegerAttr.get(i32, 1)


def mesh_of(shardings, what="jitted computation"):
    """The one mesh the NamedShardings in `shardings` share (None if there are none)."""
    mesh = None
    for s in shardings:
        if not isinstance(s, sharding_lib.NamedSharding):
            continue
        if mesh is None:
            mesh = s.mesh
        elif s.mesh._flat_devices_tuple != mesh._flat_devices_tuple or \
                s.mesh.axis_names != mesh.axis_names:
            raise ValueError(f"Received incompatible devices for {what}. Got meshes {mesh} and "
                             f"{s.mesh}; every sharding must use the same mesh")
    return mesh


def with_sharding_constraint(x, shardings):
    """`jax.lax.with_sharding_constraint`: ask the partitioner to give each leaf a sharding.
    A PartitionSpec uses the mesh of the enclosing `with mesh:` / `use_mesh` block."""
    leaves, tree = pytree.flatten(x)
    if isinstance(shardings, (sharding_lib.Sharding, sharding_lib.PartitionSpec)):
        targets = [shardings] * len(leaves)
    else:
        targets = pytree.broadcast_prefix(shardings, x)
    out = []
    for leaf, target in zip(leaves, targets):
        if isinstance(target, sharding_lib.PartitionSpec):
            mesh = sharding_lib.current_mesh()
            if mesh is None:
                raise errors.value_error(
                    "with_sharding_constraint requires a non-empty mesh in context when given "
                    f"a PartitionSpec ({target}); use `with mesh:`, jax.sharding.use_mesh or a "
                    "NamedSharding")
            target = sharding_lib.NamedSharding(mesh, target)
        trace = current_trace()
        if not isinstance(leaf, Tracer) or trace is None:
            out.append(leaf if target is None else put_sharded(leaf, target))
            continue
        if target is None:
            out.append(leaf)
            continue
        sharding_lib.check_divisible(target, leaf.shape, "with_sharding_constraint's operands")
        declare_mesh(trace.module, target.mesh)
        trace.mesh = target.mesh
        with trace.ctx:
            op = emit(trace, "sdy.sharding_constraint", [trace.value_of(leaf)], [leaf.aval],
                      {"sharding": sharding_attr(target, leaf.ndim)})
        out.append(trace.tracer(op.results[0]))
    return tree.unflatten(out)


def put_sharded(leaf, target):
    """A host value or Array laid out over `target`'s devices (a copy through the host)."""
    dtype, weak = (leaf.dtype, leaf.weak_type) if isinstance(leaf, Array) \
        else dtypes.dtype_of(leaf)
    return Array.from_host_sharded(np.asarray(leaf), dtype, weak, target)
