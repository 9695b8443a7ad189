"""What the tracer tells the autodiff passes through the IR: the attribute names on private
functions (custom rules, checkpointing, stop_gradient) and `stop_gradient` itself.

The passes read these names; the tracer writes them. Neither imports the other.
"""
from __future__ import annotations

from hlox.frontend import dtypes
from hlox.frontend.core import Tracer, current_trace, tracing
from hlox.frontend.jit import call_function, trace_private_function
from hlox.lowering import pytree
from hlox.lowering.mlir import ir

STOP_GRADIENT_ATTR = "hlox.stop_gradient"
CUSTOM_JVP_ATTR = "hlox.custom_jvp"
CUSTOM_VJP_FWD_ATTR = "hlox.custom_vjp_fwd"
CUSTOM_VJP_BWD_ATTR = "hlox.custom_vjp_bwd"
LAYOUT_ATTR = "hlox.custom_layout"
REMAT_ATTR = "hlox.remat"
REMAT_CSE_ATTR = "hlox.remat_prevent_cse"
CHECKPOINT_NAME_ATTR = "hlox.checkpoint_name"
SAVED_ATTR = "hlox.saved"


def stop_gradient(x):
    """The identity whose derivative is zero: a call to a private identity function that the
    autodiff passes recognise by its `hlox.stop_gradient` attribute."""
    leaves, tree = pytree.flatten(x)
    if not tracing():
        return x
    trace = current_trace()
    outs = []
    for leaf in leaves:
        if isinstance(leaf, Tracer) and dtypes.is_inexact(leaf.dtype):
            outs.append(_stop_gradient_call(trace, leaf))
        else:
            outs.append(leaf)
    return tree.unflatten(outs)


def _stop_gradient_call(trace, x):
    def identity(v):
        return v
    traced, leaves = trace_private_function(identity, (x,), {}, trace)
    traced.func_op.attributes[STOP_GRADIENT_ATTR] = ir.UnitAttr.get()
    return call_function(trace, traced.fn_name, list(leaves) + traced.consts, traced.out_avals)[0]
