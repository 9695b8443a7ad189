"""What an autodiff rule sees of the op it differentiates, and the rule tables.

A JVP rule is `rule(site, tangents) -> [tangent or None per result]`; a VJP rule is
`rule(site, cotangents) -> [cotangent or None per operand]`. `None` is a symbolic
zero: it is never materialized unless an op needs a concrete array. Rules build
their derivative ops with `hlox.lax` on tracers, so every shape check and every
location is the same as when tracing user code.
"""
from __future__ import annotations

from hlox.frontend import lax
from hlox.lowering.mlir import ir
from hlox.passes import irutil
from hlox.passes.registry import PassError

JVP_RULES: dict = {}
VJP_RULES: dict = {}
# Ops whose results never carry a derivative (piecewise constant or non-numeric).
NON_DIFFERENTIABLE = {
    "stablehlo.floor", "stablehlo.ceil", "stablehlo.round_nearest_even",
    "stablehlo.round_nearest_afz", "stablehlo.sign", "stablehlo.compare", "stablehlo.is_finite",
    "stablehlo.iota", "stablehlo.constant", "stablehlo.rng_bit_generator", "stablehlo.rng",
    "stablehlo.and", "stablehlo.or", "stablehlo.xor", "stablehlo.not",
    "stablehlo.shift_left", "stablehlo.shift_right_arithmetic", "stablehlo.shift_right_logical",
    "stablehlo.popcnt", "stablehlo.count_leading_zeros", "stablehlo.get_dimension_size",
    "stablehlo.partition_id", "stablehlo.replica_id", "stablehlo.bitcast_convert",
}


def jvp_rule(*names):
    def register(fn):
        for name in names:
            JVP_RULES[name] = fn
        return fn
    return register


def vjp_rule(*names):
    def register(fn):
        for name in names:
            VJP_RULES[name] = fn
        return fn
    return register


class Site:
    """One op being differentiated: its operands and results as tracers, and its attributes."""

    def __init__(self, trace, op, module_op, transform):
        self.trace = trace
        self.op = op
        self.name = op.name
        self.module_op = module_op
        self.transform = transform
        self.inputs = [trace.tracer(v) for v in op.operands]
        self.outputs = [trace.tracer(v) for v in op.results]
        self.active = [True] * len(self.inputs)
        self.env = {}             # jvp: tangents of every value so far (region ops read captures)
        self.active_values = set()  # vjp: values that depend on a differentiated argument
        self.captured_cts = {}    # vjp: cotangents a region op gives to values it captures

    def ints(self, name):
        return irutil.dense_ints(self.op, name)

    def int(self, name):
        return irutil.int_attr(self.op, name)

    def attr(self, name):
        return self.op.attributes[name]

    def has(self, name):
        return name in self.op.attributes

    def fail(self, message):
        raise PassError(f"{message} ('{self.name}' at {self.op.location})", op=self.op)


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


def location_of(op):
    return op.location


def erase_if_unused(op):
    if all(len(list(r.uses)) == 0 for r in op.results):
        op.erase()


def block_ip(block):
    return ir.InsertionPoint(block)
