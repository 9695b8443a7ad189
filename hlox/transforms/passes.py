"""The one door from the transform API into the passes: every transform of a traced function
(grad, jvp, vjp, vmap, ...) runs its registered pass through `hlox.passes.apply`."""
from __future__ import annotations

from hlox.frontend import callbacks
from hlox.lowering.mlir import ir
from hlox.passes import irutil
from hlox.passes.pipeline import apply
from hlox.passes.registry import PassError
from hlox.passes.transform_passes import TRANSFORMS


def run_transform(trace, pass_name: str, fn_name: str, **options) -> str:
    """Add the private function that `pass_name` derives from @fn_name to the trace's module;
    returns its name. A PassError names the op and its location (in JAX's words for callbacks)."""
    module_op = trace.module.operation
    suffix = TRANSFORMS[pass_name][1]
    name = irutil.unique_name(module_op, fn_name + suffix)
    try:
        apply(module_op, pass_name, verify_functions=[name], func=fn_name, name=name, **options)
    except PassError as e:
        message = callbacks.explain_pass_error(e)
        if message != str(e):
            raise PassError(message, op=e.op) from None
        raise
    irutil.find_function(module_op, name).attributes["sym_visibility"] = ir.StringAttr.get("private")
    return name
