"""What an autodiff rule sees of the op it differentiates, and the rule tables.

A JVP rule is `rule(site, tangents) -> [tangent or None per result]`; a VJP rule is
`rule(site, cotangents) -> [cotangent or None per operand]`. `None` is a symbolic
zero: it is never materialized unless an op needs a concrete array. Rules build
their derivative ops with `hlox.lax` on tracers, so every shape check and every
location is the same as when tracing user code.
"""
from __future__ import annotations

from hlox.frontend import lax, op_catalog
from hlox.passes.registry import NoRuleError
from hlox.passes.rules import OpSite, table_decorator

JVP_RULES: dict = {}
VJP_RULES: dict = {}
# Ops whose results never carry a derivative (piecewise constant or non-numeric).
NON_DIFFERENTIABLE = op_catalog.ZERO_DERIVATIVE


jvp_rule = table_decorator(JVP_RULES)
vjp_rule = table_decorator(VJP_RULES)


def no_rule(op, mode, what=None):
    """The error for an op the pass `hlox-{mode}` cannot differentiate; the op catalog's reason
    when the op is declared without a derivative."""
    what = what or f"'{op.name}'"
    entry = op_catalog.CATALOG.get(op.name)
    reason = f": {entry.no_derivative}" if entry is not None and entry.no_derivative else ""
    return NoRuleError(f"no differentiation rule for {what} (at {op.location}); hlox-{mode} "
                       f"cannot differentiate this op{reason}", op=op)


class Site(OpSite):
    """One op being differentiated: its operands and results as tracers."""

    def __init__(self, trace, op, module_op, transform):
        super().__init__(trace, op, module_op)
        self.transform = transform
        self.inputs = [trace.tracer(v) for v in op.operands]
        self.outputs = [trace.tracer(v) for v in op.results]
        self.active = [True] * len(self.inputs)
        self.env = {}             # jvp: tangents of every value so far (region ops read captures)
        self.active_values = set()  # vjp: values that depend on a differentiated argument
        self.captured_cts = {}    # vjp: cotangents a region op gives to values it captures


def zeros_like(x):
    return lax.full(x.shape, 0, x.dtype)


def instantiate(t, like):
    """A symbolic zero made concrete (for ops that need every operand)."""
    return zeros_like(like) if t is None else t


def add_maybe(a, b):
    if a is None:
        return b
    if b is None:
        return a
    return lax.add(a, b)
