"""Small IR utilities shared by the transformation passes (autodiff, batching)."""
from __future__ import annotations

import functools

import numpy as np

from hlox import config

from hlox.lowering.avals import ShapedArray
from hlox.lowering import mlir, symbols
from hlox.lowering.mlir import ir
from hlox.passes.registry import PassError


def ir_dtypes(transform):
    """Run a pass under the dtype policy "the IR's dtypes": ops it builds keep the widths the
    IR already has (a float64 module stays float64 whatever the user's x64 setting). The
    policy is this thread's; the process-wide flag is never touched."""
    @functools.wraps(transform)
    def run(*args, **kwargs):
        with config.dtype_policy(keep_64=True):
            return transform(*args, **kwargs)
    return run


symbol_name = symbols.symbol_name
functions = symbols.functions


def module_body(module_op) -> ir.Block:
    return module_op.regions[0].blocks[0]


def find_function(module_op, name: str):
    """The `func.func @name` of the module; a PassError at the module (listing the functions
    there are) otherwise."""
    try:
        return symbols.find_function(module_op, name)
    except symbols.FunctionNotFoundError as e:
        raise PassError(str(e), op=module_op) from None


def unique_name(module_op, base: str) -> str:
    return symbols.fresh_symbol_name(module_op, base)


def clone_function(module_op, func_op, new_name: str):
    """A copy of `func_op` named `new_name`, placed right after it."""
    if new_name in functions(module_op):
        raise PassError(f"a function named @{new_name} already exists", op=func_op)
    clone = func_op.clone(ip=ir.InsertionPoint.after(func_op))
    clone = clone.operation
    clone.attributes["sym_name"] = ir.StringAttr.get(new_name)
    return clone


def entry_block(func_op) -> ir.Block:
    return func_op.regions[0].blocks[0]


def terminator(block: ir.Block):
    ops = list(block.operations)
    return ops[-1].operation


def value_aval(value) -> ShapedArray:
    shape, dtype = mlir.shape_and_dtype(value.type)
    return ShapedArray(shape, dtype)


def is_differentiable_type(t) -> bool:
    """Floating-point and complex tensors carry tangents; integers and booleans do not."""
    try:
        _, dtype = mlir.shape_and_dtype(t)
    except (TypeError, ValueError):
        return False
    return np.dtype(dtype).kind in "fcV"


def set_returns(func_op, values, extra_result_attrs=None):
    """Replace the function's return with one returning `values`; fix its type."""
    block = entry_block(func_op)
    old = terminator(block)
    loc = old.location
    old.erase()
    ir.Operation.create("func.return", operands=list(values), loc=loc,
                        ip=ir.InsertionPoint(block))
    _refresh_type(func_op)


def add_arguments(func_op, types, loc=None):
    """Append arguments to the function (extending arg_attrs); returns the new block arguments."""
    block = entry_block(func_op)
    loc = loc or func_op.location
    n_before = len(block.arguments)
    new = [block.add_argument(t, loc) for t in types]
    if "arg_attrs" in func_op.attributes:
        old = list(ir.ArrayAttr(func_op.attributes["arg_attrs"]))
        empty = ir.DictAttr.get({})
        func_op.attributes["arg_attrs"] = ir.ArrayAttr.get(old[:n_before] + [empty] * len(new))
    _refresh_type(func_op)
    return new


def _refresh_type(func_op):
    block = entry_block(func_op)
    results = [v.type for v in terminator(block).operands]
    func_op.attributes["function_type"] = ir.TypeAttr.get(
        ir.FunctionType.get([a.type for a in block.arguments], results))
    if "res_attrs" in func_op.attributes:
        old = list(ir.ArrayAttr(func_op.attributes["res_attrs"]))
        empty = ir.DictAttr.get({})
        func_op.attributes["res_attrs"] = ir.ArrayAttr.get((old + [empty] * len(results))[:len(results)])


def dense_ints(op, name):
    """An integer-array attribute of `op` as a tuple (DenseI64ArrayAttr or DenseIntElementsAttr)."""
    attr = op.attributes[name]
    try:
        return tuple(ir.DenseI64ArrayAttr(attr))
    except (TypeError, ValueError):
        return tuple(int(v) for v in np.asarray(ir.DenseIntElementsAttr(attr)).reshape(-1))


def has_attr(op, name) -> bool:
    return name in op.attributes


def int_attr(op, name) -> int:
    return ir.IntegerAttr(op.attributes[name]).value


def location_str(op) -> str:
    return str(op.location)


# Ops with effects beyond their results; everything else is removed when its results are unused.
_EFFECTFUL = {"stablehlo.custom_call", "stablehlo.outfeed", "stablehlo.infeed", "stablehlo.send",
              "stablehlo.recv", "stablehlo.rng_bit_generator", "stablehlo.after_all",
              "func.return", "stablehlo.return"}


def remove_dead_code(func_op):
    """Erase ops of the function's body whose results are never used (last first)."""
    block = entry_block(func_op)
    for op in reversed(list(block.operations)):
        op = op.operation
        if op.name in _EFFECTFUL or not len(op.results):
            continue
        if all(len(list(r.uses)) == 0 for r in op.results):
            op.erase()


# -- outlining regions -------------------------------------------------------------------------
def walk_nested(op):
    """The ops nested in `op`'s regions, depth first in program order (not `op` itself),
    without Python recursion: nesting depth comes from user programs."""
    stack = [iter(_inner_ops(op))]
    while stack:
        inner = next(stack[-1], None)
        if inner is None:
            stack.pop()
            continue
        yield inner
        if len(inner.regions):
            stack.append(iter(_inner_ops(inner)))


def _walk(op):
    yield op
    yield from walk_nested(op)


def _inner_ops(op):
    return [inner.operation for region in op.regions for blk in region.blocks
            for inner in blk.operations]


def _defined_in(region):
    defined = set()
    for blk in region.blocks:
        defined.update(blk.arguments)
        for op in blk.operations:
            for inner in _walk(op.operation):
                defined.update(inner.results)
                for r in inner.regions:
                    for b in r.blocks:
                        defined.update(b.arguments)
    return defined


def captured_values(region):
    """Values a region uses but does not define (its implicit operands), in first-use order."""
    defined = _defined_in(region)
    seen, out = set(), []
    for blk in region.blocks:
        for op in blk.operations:
            for inner in _walk(op.operation):
                for v in inner.operands:
                    if v not in defined and v not in seen:
                        seen.add(v)
                        out.append(v)
    return out


def captured_by_regions(op):
    """Values the regions of `op` use from outside `op`."""
    if not len(op.regions):
        return []
    inside = set()
    for region in op.regions:
        inside |= _defined_in(region)
    out, seen = [], set()
    for region in op.regions:
        for v in captured_values(region):
            if v not in inside and v not in seen:
                seen.add(v)
                out.append(v)
    return out


def outline_region(module_op, region, name, anchor):
    """A private function computing `region`: parameters are the region's block arguments
    followed by the values it captures; results are what its terminator returns.
    Returns (function op, captured values). The function is placed after `anchor`."""
    block = region.blocks[0]
    captured = captured_values(region)
    arg_types = [a.type for a in block.arguments] + [v.type for v in captured]
    with anchor.context, anchor.location:
        from hlox.lowering.mlir import func as func_dialect
        fn = func_dialect.FuncOp(unique_name(module_op, name), ir.FunctionType.get(arg_types, []),
                                 ip=ir.InsertionPoint.after(anchor)).operation
        fn.attributes["sym_visibility"] = ir.StringAttr.get("private")
        new_block = fn.regions[0].blocks.append(*arg_types)
    mapping = dict(zip(list(block.arguments) + captured, new_block.arguments))
    ip = ir.InsertionPoint(new_block)
    results = inline_block(block, mapping, ip)
    ir.Operation.create("func.return", operands=results, loc=terminator(block).location, ip=ip)
    _refresh_type(fn)
    return fn, captured


def inline_block(block, mapping, ip):
    """Clone the ops of `block` but its terminator at `ip`, using `mapping[v]` wherever they
    (or ops nested in them) use a value `v`; returns the values the terminator yields."""
    ops = [op.operation for op in block.operations]
    for op in ops[:-1]:
        clone = op.clone(ip=ip)
        for inner in _walk(clone):
            for i, v in enumerate(inner.operands):
                if v in mapping:
                    inner.operands[i] = mapping[v]
        mapping.update(zip(op.results, clone.results))
    return [mapping.get(v, v) for v in ops[-1].operands]


def result_avals(module_op, name):
    """The avals of the results of function @name."""
    fn = find_function(module_op, name)
    ftype = ir.FunctionType(ir.TypeAttr(fn.attributes["function_type"]).value)
    return [ShapedArray(*mlir.shape_and_dtype(t)) for t in ftype.results]
