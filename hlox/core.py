"""`jax.core`: the tracer and abstract-value types, as `isinstance` checks in libraries use them."""
from __future__ import annotations

import builtins
from typing import Any

from hlox.frontend.api import ensure_compile_time_eval
from hlox.frontend.core import Trace, Tracer
from hlox.lowering.avals import ShapedArray

__all__ = ["AbstractValue", "Atom", "ParamDict", "ShapedArray", "Trace", "Tracer", "Value",
           "ensure_compile_time_eval", "eval_context", "eval_jaxpr", "max_dim", "min_dim"]

AbstractValue = ShapedArray  # hlox's only abstract value: shape, dtype, weak type
Value = Any
Atom = Any  # an operand of an op: in hlox an SSA value of the IR
ParamDict = dict[str, Any]

# ops whose operands are all concrete run now, even inside a trace
eval_context = ensure_compile_time_eval


def max_dim(d1, d2):
    """max(d1, d2) of two dimension sizes (hlox's dimensions are integers)."""
    return builtins.max(d1, d2)


def min_dim(d1, d2):
    """min(d1, d2) of two dimension sizes (hlox's dimensions are integers)."""
    return builtins.min(d1, d2)


def eval_jaxpr(jaxpr, consts, *args, propagate_source_info=True):
    """JAX evaluates a jaxpr here; hlox has no jaxprs of its own yet (issue 12)."""
    raise NotImplementedError("jax.core.eval_jaxpr is not implemented by hlox")
