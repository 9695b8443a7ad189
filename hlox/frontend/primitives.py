"""Primitives: one per StableHLO op, with the op's shape/dtype rule and its emitter.

`Primitive.bind` is the single door to the IR: under a trace it emits the op at
the user's source location; with no trace it runs the op eagerly on the device,
compiling it once per (op, abstract values, parameters).
"""
from __future__ import annotations

import numpy as np

from hlox import config
from hlox.frontend import errors
from hlox.lowering.avals import ShapedArray
from hlox.frontend.core import Trace, Tracer, aval_of, current_trace, to_array
from hlox.lowering import executable
from hlox.lowering.array import Array
from hlox.lowering.mlir import ir
from hlox.lowering import mlir

COMPILE_TIME_EVAL = [False]  # hlox.ensure_compile_time_eval: ops on concrete values run eagerly in traces


class Primitive:
    """`shape_rule(*avals, **params) -> [ShapedArray]` and
    `emit_rule(trace, values, out_avals, **params) -> [ir.Value]`."""

    def __init__(self, name, shape_rule, emit_rule, multiple_results=False):
        self.name = name
        self.shape_rule = shape_rule
        self.emit_rule = emit_rule
        self.multiple_results = multiple_results

    def __repr__(self):
        return f"Primitive({self.name})"

    def abstract_eval(self, avals, params):
        try:
            return self.shape_rule(*avals, **params)
        except (TypeError, ValueError) as e:
            if "\n  at " in str(e):
                raise
            raise type(e)(f"{self.name}: {e}\n  at {errors.user_location_str()}") from None

    def bind(self, *args, **params):
        trace = current_trace()
        if trace is None or (COMPILE_TIME_EVAL[0] and not any(isinstance(a, Tracer) for a in args)):
            outs = _eager(self, args, params)
        else:
            outs = self.bind_in(trace, args, params)
        return outs if self.multiple_results else outs[0]

    def bind_in(self, trace: Trace, args, params):
        avals = [aval_of(a) for a in args]
        out_avals = self.abstract_eval(avals, params)
        values = [trace.value_of(a) for a in args]
        results = self.emit_rule(trace, values, out_avals, **params)
        return [Tracer(trace, aval, v) for aval, v in zip(out_avals, results)]


def emit(trace: Trace, op_name: str, operands, out_avals, attributes=None, regions=0):
    """Create one op at the user's location; returns the op."""
    return ir.Operation.create(
        op_name,
        results=[mlir.tensor_type(a.shape, a.dtype) for a in out_avals],
        operands=list(operands),
        attributes=attributes,
        regions=regions,
        loc=trace.op_location(),
        ip=trace.ip,
    )


def simple_emitter(op_name, attributes=None):
    """An emitter for ops whose attributes are a function of the params (or none)."""
    def rule(trace, values, out_avals, **params):
        attrs = attributes(**params) if attributes else None
        return list(emit(trace, op_name, values, out_avals, attrs).results)
    return rule


# -- eager execution -------------------------------------------------------------
_eager_cache: dict = {}
EAGER_CACHE_SIZE = 4096  # op signatures; the oldest half is dropped when full


def _freeze(v):
    if isinstance(v, list):
        return tuple(_freeze(x) for x in v)
    if isinstance(v, dict):
        return tuple(sorted((k, _freeze(x)) for k, x in v.items()))
    return v


def _eager(prim: Primitive, args, params):
    arrays = [a if isinstance(a, Array) else to_array(a) for a in args]
    avals = tuple(a.aval for a in arrays)
    key = (prim, avals, tuple((k, _freeze(v)) for k, v in params.items()))
    device = arrays[0].device if arrays else None
    try:
        entry = _eager_cache.get(key)
    except TypeError:  # unhashable parameter: compile without caching
        key, entry = None, None
    if entry is None:
        entry = _compile_single_op(prim, avals, params, device)
        if key is not None:
            if len(_eager_cache) >= EAGER_CACHE_SIZE:
                for old in list(_eager_cache)[:EAGER_CACHE_SIZE // 2]:
                    del _eager_cache[old]
            _eager_cache[key] = entry
    exe, out_avals = entry
    for a in arrays:
        a._check_alive()
    bufs = exe.execute([a._buf for a in arrays])
    outs = [Array(b, aval) for b, aval in zip(bufs, out_avals)]
    if debug_checks_on():
        check_special(jax_name(prim.name), outs)
    return outs


# -- jax_debug_nans / jax_debug_infs ------------------------------------------------
debug_checks_on = config.debug_checks_on


_JAX_NAMES = {"divide": "div", "multiply": "mul", "subtract": "sub", "power": "pow",
              "negate": "neg", "maximum": "max", "minimum": "min", "remainder": "rem",
              "exponential": "exp", "exponential_minus_one": "expm1", "log_plus_one": "log1p",
              "convert": "convert_element_type", "sine": "sin", "cosine": "cos"}


def jax_name(op_name):
    """The name JAX gives the primitive of a StableHLO op (`stablehlo.divide` is `div`)."""
    short = op_name.rpartition(".")[2]
    return _JAX_NAMES.get(short, short)


def check_special(name, arrays):
    """Raise FloatingPointError, as JAX does, when an inexact result holds a NaN (with
    jax_debug_nans) or an infinity (with jax_debug_infs)."""
    nans, infs = config.debug_checks()
    for a in arrays:
        dtype = getattr(a, "dtype", None)
        if dtype is None or np.dtype(dtype).kind not in "fcV" or np.dtype(dtype).names:
            continue
        host = np.asarray(a)
        if nans and np.isnan(host).any():
            raise FloatingPointError(f"invalid value (nan) encountered in {name}")
        if infs and np.isinf(host).any():
            raise FloatingPointError(f"invalid value (inf) encountered in {name}")


def _compile_single_op(prim, avals, params, device):
    out_avals = prim.abstract_eval(list(avals), params)
    trace = Trace(avals, description=f"eager {prim.name}")
    with trace:
        outs = prim.bind_in(trace, trace.args, params)
        trace.finish(outs)
    exe = executable.compile_module(trace.module, len(outs), device)
    out_avals = [ShapedArray(a.shape, a.dtype, a.weak_type) for a in out_avals]
    exe.set_output_avals(out_avals)
    return exe, out_avals


def eager_cache_size():
    return len(_eager_cache)
