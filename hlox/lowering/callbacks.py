"""Python callbacks from compiled programs: jaxlib's host-callback custom_call, as JAX uses it.

A callback site is a `stablehlo.custom_call @xla_ffi_python_cpu_callback` whose
`mhlo.backend_config = {index = N}` names a callable. jaxlib resolves N as a position in
the `host_callbacks` list handed to `compile_and_load`, and the executable keeps that list
alive. In traced IR, N is instead a process-wide id of this registry, so the IR (and the
compile cache keyed by it) tells callables apart; `prepare` renumbers the ids into list
positions just before compilation, in a copy of the module, and picks the platform's target.

A registered callable takes `(numpy arguments, result avals)` and returns numpy results;
the result avals are the op's own result types, so a site the batching pass rewrote
(vmap_method="expand_dims") checks its results against the batched shapes.
"""
from __future__ import annotations

import itertools
import threading

from hlox.lowering import mlir
from hlox.lowering.mlir import ir

__all__ = ["CPU_TARGET", "TARGETS", "register", "lookup", "custom_call_attributes", "is_callback",
           "callback_id", "vmap_method", "uses_callbacks", "prepare"]

CPU_TARGET = "xla_ffi_python_cpu_callback"
TARGETS = {"cpu": CPU_TARGET, "cuda": "xla_ffi_python_gpu_callback",
           "rocm": "xla_ffi_python_gpu_callback"}
_TARGET_NAMES = frozenset(TARGETS.values())
VMAP_METHOD_ATTR = "hlox.vmap_method"

# Callables by id. Ids are never reused: a cached executable compiled for an id must not
# meet another callable under it. An entry lives as long as the process (a traced module may
# be compiled again at any time); each compiled executable also holds its own callables.
_registry: dict[int, object] = {}
_ids = itertools.count(1)
_lock = threading.Lock()


def register(fn) -> int:
    with _lock:
        cid = next(_ids)
        _registry[cid] = fn
    return cid


def lookup(cid: int):
    return _registry[cid]


def custom_call_attributes(cid: int, has_side_effect: bool, vmap_method: str) -> dict:
    """The attributes of a callback custom_call (in the current MLIR context)."""
    ui64 = ir.IntegerType.get_unsigned(64)
    return {
        "call_target_name": ir.StringAttr.get(CPU_TARGET),
        "api_version": ir.IntegerAttr.get(ir.IntegerType.get_signless(32), 1),
        "backend_config": ir.StringAttr.get(""),
        "has_side_effect": ir.BoolAttr.get(has_side_effect),
        "mhlo.backend_config": ir.DictAttr.get({"index": ir.IntegerAttr.get(ui64, cid)}),
        VMAP_METHOD_ATTR: ir.StringAttr.get(vmap_method),
    }


def is_callback(op) -> bool:
    op = op.operation
    return (op.name == "stablehlo.custom_call" and "call_target_name" in op.attributes
            and ir.StringAttr(op.attributes["call_target_name"]).value in _TARGET_NAMES)


def callback_id(op) -> int:
    return ir.IntegerAttr(ir.DictAttr(op.operation.attributes["mhlo.backend_config"])["index"]).value


def vmap_method(op) -> str:
    attrs = op.operation.attributes
    return ir.StringAttr(attrs[VMAP_METHOD_ATTR]).value if VMAP_METHOD_ATTR in attrs else "sequential"


def uses_callbacks(bytecode: bytes) -> bool:
    return any(t.encode() in bytecode for t in _TARGET_NAMES)


def _walk(op):
    for region in op.regions:
        for block in region.blocks:
            for inner in block.operations:
                yield inner.operation
                yield from _walk(inner.operation)


def _result_avals(op):
    return [mlir.shape_and_dtype(r.type) for r in op.results]


def _host_function(fn, result_avals):
    def call(*args):
        return tuple(fn(args, result_avals))
    return call


def prepare(module: ir.Module, bytecode: bytes, platform: str):
    """A copy of `module` whose callback sites index the returned `host_callbacks` list."""
    target = TARGETS.get(platform)
    if target is None:
        raise NotImplementedError(f"Python callbacks are not supported on the {platform} backend")
    with module.context, ir.Location.unknown():
        copy = ir.Module.parse(bytecode)
        host_callbacks = []
        ui64 = ir.IntegerType.get_unsigned(64)
        for op in _walk(copy.operation):
            if not is_callback(op):
                continue
            fn = lookup(callback_id(op))
            op.attributes["mhlo.backend_config"] = ir.DictAttr.get(
                {"index": ir.IntegerAttr.get(ui64, len(host_callbacks))})
            op.attributes["call_target_name"] = ir.StringAttr.get(target)
            if VMAP_METHOD_ATTR in op.attributes:
                del op.attributes[VMAP_METHOD_ATTR]
            host_callbacks.append(_host_function(fn, _result_avals(op)))
    return copy, host_callbacks
