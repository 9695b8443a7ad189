"""Run one function of a parsed MLIR module on numpy inputs.

What `hlox-run` and the conformance run share: find a function, read its
signature as numpy shapes and dtypes, make it the module's entry (XLA compiles
the public function named `main`), check and transfer the inputs, execute.
"""
from __future__ import annotations

import dataclasses
import math

import numpy as np

from hlox.lowering.avals import ShapedArray
from hlox.lowering import executable, lapack, runtime
from hlox.lowering import sharding as sharding_lib
from hlox.lowering.array import Array
from hlox.lowering.mlir import ir, shape_and_dtype
from hlox.lowering.symbols import find_function, fresh_symbol_name, function_names, symbol_name

__all__ = ["Signature", "signature", "as_entry", "check_inputs", "as_dtype", "run_function"]

ENTRY = "main"


@dataclasses.dataclass(frozen=True)
class Signature:
    name: str
    inputs: tuple  # ((shape, dtype), ...)
    outputs: tuple
    text: str  # "@f(tensor<2xf32>) -> tensor<2xf32>", how errors name it


def _numpy_type(t: ir.Type, where: str):
    try:
        if not ir.RankedTensorType(t).has_static_shape:  # ValueError when not ranked
            raise TypeError("not a statically shaped tensor")
        return shape_and_dtype(t)
    except (TypeError, ValueError):
        raise TypeError(f"{where} has type {t}, which hlox-run cannot pass as a numpy array") from None


def signature(module: ir.Module, name: str) -> Signature:
    """The numpy view of @name's type; TypeError names an argument or result numpy cannot hold."""
    ftype = ir.FunctionType(ir.TypeAttr(find_function(module, name).attributes["function_type"]).value)
    ins = tuple(_numpy_type(t, f"argument {i} of @{name}") for i, t in enumerate(ftype.inputs))
    outs = tuple(_numpy_type(t, f"result {i} of @{name}") for i, t in enumerate(ftype.results))
    return Signature(name, ins, outs, f"@{name}{str(ftype)[str(ftype).index('('):]}")


def as_entry(module: ir.Module, name: str) -> ir.Module:
    """A copy of `module` where @name is the public @main and every other function private."""
    with module.context:
        copy = ir.Module.parse(executable.module_bytecode(module))
        if name != ENTRY:
            if ENTRY in function_names(copy):
                _rename(copy, ENTRY, fresh_symbol_name(copy, ENTRY, reserved=[ENTRY]))
            _rename(copy, name, ENTRY)
        for op in copy.body.operations:
            if op.operation.name == "func.func":
                if symbol_name(op) != ENTRY:
                    op.attributes["sym_visibility"] = ir.StringAttr.get("private")
                elif "sym_visibility" in op.attributes:
                    del op.attributes["sym_visibility"]
    return copy


def _rename(module: ir.Module, old: str, new: str):
    ir.SymbolTable.replace_all_symbol_uses(old, new, module.operation)
    ir.SymbolTable.set_symbol_name(find_function(module, old), new)


def _describe(shape, dtype) -> str:
    return f"{np.dtype(dtype).name}{list(shape)}"


def as_dtype(array: np.ndarray, dtype: np.dtype):
    """`array` as `dtype` when it holds that dtype's raw bytes (how .npz stores bfloat16, float8...)."""
    if array.dtype == dtype:
        return array
    if array.dtype.kind != "V" and array.dtype.newbyteorder("=") == dtype:  # other byte order
        return array.astype(dtype)
    if dtype.kind == "V" and array.dtype.kind in "Vu" and array.dtype.itemsize == dtype.itemsize:
        return _contiguous(array).view(dtype)
    return None


def _contiguous(a: np.ndarray) -> np.ndarray:
    """C-ordered `a`, 0-d staying 0-d (np.ascontiguousarray would make it 1-d)."""
    return a if a.flags.c_contiguous else a.copy(order="C")


def check_inputs(sig: Signature, arrays) -> list[np.ndarray]:
    """The inputs as the function's dtypes; ValueError naming the signature on any mismatch."""
    arrays = [np.asarray(a) for a in arrays]
    if len(arrays) != len(sig.inputs):
        raise ValueError(f"{sig.text} takes {len(sig.inputs)} input(s), got {len(arrays)}")
    checked = []
    for i, (a, (shape, dtype)) in enumerate(zip(arrays, sig.inputs)):
        value = as_dtype(a, dtype)
        if value is None or a.shape != shape:
            raise ValueError(f"input {i} is {_describe(a.shape, a.dtype)} but {sig.text} "
                             f"takes {_describe(shape, dtype)} there")
        checked.append(value)
    return checked


def partition_count(module: ir.Module) -> int:
    """`mhlo.num_partitions` of a module (1 when absent): how many devices it is written for."""
    attrs = module.operation.attributes
    return ir.IntegerAttr(attrs["mhlo.num_partitions"]).value \
        if "mhlo.num_partitions" in attrs else 1


def module_mesh(module: ir.Module, devices):
    """A Mesh over `devices` shaped as the module's first `sdy.mesh` (one axis when none)."""
    for op in sharding_lib.mesh_ops(module).values():
        if math.prod(n for _, n in sharding_lib.sdy_mesh_axes(op)) == len(devices):
            return sharding_lib.mesh_of_op(op, devices)
    return sharding_lib.Mesh(np.array(devices, dtype=object), ("devices",))


def run_function(module: ir.Module, name: str, inputs, platform: str | None = None,
                 n_devices: int | None = None, on_compiled=None) -> list[np.ndarray]:
    """Compile @name of `module` for `platform` and run it on numpy `inputs`; numpy results.
    A module partitioned over several devices (`mhlo.num_partitions`, or `n_devices`) runs on
    that many, through XLA's SPMD partitioner. `on_compiled()`, when given, is called between
    compiling and running."""
    on_compiled = on_compiled or (lambda: None)
    sig = signature(module, name)
    inputs = check_inputs(sig, inputs)
    declared = partition_count(module)
    if n_devices and declared > 1 and n_devices != declared:
        raise ValueError(f"the module is partitioned over {declared} devices (mhlo.num_partitions)"
                         f", not {n_devices}")
    n = n_devices or declared
    available = runtime.get_client(platform).devices()
    if n > len(available):
        raise ValueError(f"the module is partitioned over {n} devices but only {len(available)} "
                         f"are available (hlox-run --devices {n} makes that many CPU devices)")
    entry = as_entry(module, name)
    lapack.register_used(entry)
    if n == 1:
        device = available[0]
        exe = executable.compile_module(entry, len(sig.outputs), device)
        on_compiled()
        buffers = [runtime.to_device(_contiguous(a), ShapedArray(a.shape, a.dtype), device,
                                     x64=True) for a in inputs]
        return [np.asarray(out) for out in exe.execute(buffers)]
    mesh = module_mesh(entry, available[:n])
    exe = executable.compile_module(entry, len(sig.outputs), mesh=mesh)
    on_compiled()
    avals = [ShapedArray(a.shape, a.dtype) for a in inputs]
    exe.set_output_avals([ShapedArray(shape, dtype) for shape, dtype in sig.outputs])
    buffers = [runtime.to_devices(_contiguous(a), aval, s)
               for a, aval, s in zip(inputs, avals, exe.input_shardings(avals))]
    return [np.asarray(Array(out, ShapedArray(shape, dtype)))
            for out, (shape, dtype) in zip(exe.execute(buffers), sig.outputs)]
