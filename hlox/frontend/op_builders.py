"""What the primitives of `hlox.frontend.ops*` are built from: attribute constructors, the
shape-message helpers their shape rules share, and tracing a region's body."""
from __future__ import annotations

from hlox.frontend.core import Tracer
from hlox.frontend.primitives import emit
from hlox.lowering import mlir
from hlox.lowering.mlir import ir


def i64_array(values):
    return ir.DenseI64ArrayAttr.get([int(v) for v in values])


def i64(value):
    return ir.IntegerAttr.get(ir.IntegerType.get_signless(64), int(value))


def bool_attr(value):
    return ir.BoolAttr.get(bool(value))


def weak(*avals):
    return all(a.weak_type for a in avals)


def shape_str(avals):
    return ", ".join(a.str_short() for a in avals)


def same_shapes_and_dtypes(name, avals):
    shapes = {a.shape for a in avals}
    if len(shapes) != 1:
        raise TypeError(f"{name} requires arguments of the same shape, got {shape_str(avals)}")
    kinds = {a.dtype for a in avals}
    if len(kinds) != 1:
        raise TypeError(f"{name} requires arguments of the same dtype, got {shape_str(avals)}")


def build_region(trace, region, arg_avals, body):
    """Trace `body(*scalar tracers) -> list` into the single block of `region`."""
    types = [mlir.tensor_type(a.shape, a.dtype) for a in arg_avals]
    block = region.blocks.append(*types)
    saved = trace.ip
    trace.ip = ir.InsertionPoint(block)
    try:
        args = [Tracer(trace, aval, block.arguments[i]) for i, aval in enumerate(arg_avals)]
        outs = body(*args)
        values = [trace.value_of(o) for o in outs]
        emit(trace, "stablehlo.return", values, [])
    finally:
        trace.ip = saved
