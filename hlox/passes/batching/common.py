"""What a batching rule sees, and the rule table.

A batching rule is `rule(site, args, dims) -> [(value, dim) per result]`: `args` are
the op's operands in the new function (tracers), `dims[i]` the axis of `args[i]`
that carries the batch, or None for a value that is the same for every example.
A result dim of None means the result does not depend on the batch. Rules build
their ops with `hlox.lax`, so shapes are checked as for user code.
"""
from __future__ import annotations

import contextlib
import threading

from hlox.frontend import lax
from hlox.lowering import mlir
from hlox.passes import irutil
from hlox.passes.rules import OpSite, clone_op, table_decorator

BATCH_RULES: dict = {}
# stablehlo.custom_call's rules, by the op_catalog row of the call target ("lapack.getrf", ...)
CUSTOM_CALL_BATCH_RULES: dict = {}


batch_rule = table_decorator(BATCH_RULES)
custom_call_rule = table_decorator(CUSTOM_CALL_BATCH_RULES)


# -- the named axis being batched (the pass's axis-name option) ---------------------------------
AXIS_NAMES_ATTR = "hlox.axis_names"  # the axes a collective op runs over (frontend/collectives.py)
_axis = threading.local()


def batched_axis_name():
    """The axis-name of the batching pass now running (None: the batch axis has no name)."""
    return getattr(_axis, "name", None)


@contextlib.contextmanager
def axis_name_state(name):
    old = batched_axis_name()
    _axis.name = name
    try:
        yield
    finally:
        _axis.name = old


def op_axis_names(op):
    if AXIS_NAMES_ATTR not in op.attributes:
        return ()
    from hlox.lowering.mlir import ir
    return tuple(ir.StringAttr(a).value for a in ir.ArrayAttr(op.attributes[AXIS_NAMES_ATTR]))


def binds_batched_axis(module_op, op, _seen=None):
    """Whether `op` (its regions, the functions it calls) holds a collective over the axis
    being batched: such an op is batched even when no operand is."""
    name = batched_axis_name()
    if name is None:
        return False
    seen = set() if _seen is None else _seen
    for inner in [op, *irutil.walk_nested(op)]:
        if name in op_axis_names(inner):
            return True
        if inner.name == "func.call":
            from hlox.lowering.mlir import ir
            callee = ir.FlatSymbolRefAttr(inner.attributes["callee"]).value
            if callee in seen:
                continue
            seen.add(callee)
            fn = irutil.functions(module_op).get(callee)
            if fn is not None and any(binds_batched_axis(module_op, o.operation, seen)
                                      for o in irutil.entry_block(fn).operations):
                return True
    return False


class Site(OpSite):
    """The op being batched, its per-example avals, and the batch size."""

    def __init__(self, trace, op, module_op, size):
        super().__init__(trace, op, module_op)
        self.size = size
        self.out_avals = [irutil.value_aval(r) for r in op.results]
        self.in_avals = [irutil.value_aval(v) for v in op.operands]
        self.env = {}  # old value -> (new value, batch dim): region ops read their captures


def move_to_front(x, dim):
    """The value with its batch axis first (no op when it already is)."""
    if dim is None or dim == 0:
        return x
    perm = [dim] + [d for d in range(x.ndim) if d != dim]
    return lax.transpose(x, perm)


def move_axis(x, src, dst):
    if src == dst:
        return x
    perm = [d for d in range(x.ndim) if d != src]
    perm.insert(dst, src)
    return lax.transpose(x, perm)


def materialize(x, dim, size):
    """A batched value with the batch axis first; unbatched values are broadcast."""
    if dim is None:
        return lax.broadcast(x, (size,))
    return move_to_front(x, dim)


def front_all(args, dims, size):
    """Every operand batched along axis 0 (broadcasting the unbatched ones)."""
    return [materialize(a, d, size) for a, d in zip(args, dims)]


def at_dim(x, dim, target, size):
    """x with its batch axis at `target` (an unbatched x is broadcast there)."""
    if dim is None:
        shape = insert(x.shape, target, size)
        return lax.broadcast_in_dim(x, shape, [i for i in range(len(shape)) if i != target])
    return move_axis(x, dim, target)


def insert(shape, dim, size):
    shape = list(shape)
    shape.insert(dim, size)
    return tuple(shape)


def shift_axes(axes, d):
    """Axis numbers after a new axis is inserted at `d`."""
    return [a + (a >= d) for a in axes]


def first_batched(dims):
    return next(d for d in dims if d is not None)


# Attributes that describe the op's shapes to other tools (Shardy's sharding rules): a
# re-emitted op with other shapes drops them rather than carry a stale one.
SHAPE_ANNOTATIONS = ("sdy.sharding_rule", "sdy.sharding", "mhlo.sharding")


def reemit(site, operands, out_shapes, **attrs):
    """The op (attributes and regions kept) on new operands, with new result shapes."""
    types = [mlir.tensor_type(shape, aval.dtype) for shape, aval in zip(out_shapes, site.out_avals)]
    return clone_op(site.trace, site.op, operands, result_types=types, drop=SHAPE_ANNOTATIONS,
                    attributes=attrs)
