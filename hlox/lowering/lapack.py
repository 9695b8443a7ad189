"""The LAPACK kernels that jaxlib ships for the CPU client, as XLA FFI custom-call targets.

jaxlib's `cpu._lapack` module holds the typed-FFI handlers (`lapack_sgetrf_ffi`, ...);
they must be registered with XLA's CPU custom-call registry before a module calling them
is compiled, and `_lapack.initialize()` binds them to scipy's LAPACK. The frontend asks
for a target by kernel and dtype (`target("getrf", float32)`) and that registers them.
"""
from __future__ import annotations

import threading

import numpy as np

__all__ = ["target", "PREFIXES", "register_used"]

# LAPACK's type letters
PREFIXES = {np.dtype(np.float32): "s", np.dtype(np.float64): "d",
            np.dtype(np.complex64): "c", np.dtype(np.complex128): "z"}

_lock = threading.Lock()
_registered = False


def _register():
    global _registered
    with _lock:
        if _registered:
            return
        from jaxlib import xla_client
        from jaxlib.cpu import _lapack
        _lapack.initialize()
        # registering a target again (real JAX in the same process does too) is harmless
        for name, handler in _lapack.registrations().items():
            xla_client.register_custom_call_target(name, handler, "cpu",
                                                   int(name.endswith("_ffi")))
        _registered = True


def target(kernel: str, dtype) -> str:
    """The registered FFI target of `kernel` ("getrf", "syevd", ...) for `dtype`."""
    prefix = PREFIXES.get(np.dtype(dtype))
    if prefix is None:
        raise NotImplementedError(f"LAPACK {kernel} does not support dtype {np.dtype(dtype)}")
    if not _registered:
        _register()
    return f"lapack_{prefix}{kernel}_ffi"


def register_used(module) -> None:
    """Register the LAPACK targets when `module` calls one (a module JAX exported, run by hlox-run)."""
    if _registered:
        return
    from hlox.lowering.mlir import ir
    used = []

    def visit(op):
        if op.name == "stablehlo.custom_call" and "call_target_name" in op.attributes and \
                ir.StringAttr(op.attributes["call_target_name"]).value.startswith("lapack_"):
            used.append(op)
            return ir.WalkResult.INTERRUPT
        return ir.WalkResult.ADVANCE

    module.operation.walk(visit)
    if used:
        _register()
