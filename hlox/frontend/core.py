"""Traces, tracers and `bind`: how one StableHLO op reaches the IR or the device.

A `Trace` owns one `func.func` being built. While a trace is active every op
is emitted into it (values from enclosing traces and concrete arrays are lifted
to extra block arguments and remembered as captures). With no active trace an
op runs eagerly: it is traced alone into a tiny module, compiled once per
(op, abstract values, parameters), and executed on the device.
"""
from __future__ import annotations

import threading

import numpy as np

from hlox.frontend import dtypes, errors
from hlox.lowering.avals import ShapedArray
from hlox.lowering import mlir
from hlox.lowering.array import Array
from hlox.lowering.mlir import func as func_dialect
from hlox.lowering.mlir import ir

_state = threading.local()


def _stack():
    s = getattr(_state, "stack", None)
    if s is None:
        s = _state.stack = []
    return s


def current_trace():
    s = _stack()
    return s[-1] if s else None


def tracing() -> bool:
    """Whether any trace is active on this thread (the cheap check of the dispatch path)."""
    return bool(_state.__dict__.get("stack"))


class Tracer:
    """A value inside a trace: an abstract value plus the MLIR value that holds it."""

    __slots__ = ("_trace", "aval", "value", "__weakref__")
    __array_priority__ = 100

    def __init__(self, trace, aval: ShapedArray, value):
        self._trace = trace
        self.aval = aval
        self.value = value

    shape = property(lambda self: self.aval.shape)
    dtype = property(lambda self: self.aval.dtype)
    ndim = property(lambda self: len(self.aval.shape))
    size = property(lambda self: self.aval.size)
    weak_type = property(lambda self: self.aval.weak_type)

    def __repr__(self):
        return f"Traced<{self._type_str()}>with<{self._trace.describe()}>"

    def __array__(self, *args, **kwargs):
        raise self._leaked() or errors.TracerArrayConversionError(self._concretization_message(
            "The numpy.ndarray conversion method __array__() was called on a traced array"))

    def __bool__(self):
        raise self._leaked() or errors.TracerBoolConversionError(self._concretization_message(
            f"Attempted boolean conversion of traced array with shape {self._type_str()}"))

    def __int__(self):
        raise self._leaked() or errors.ConcretizationTypeError(self._concretization_message(
            f"Attempted int() conversion of traced array with shape {self._type_str()}"))

    def __float__(self):
        raise self._leaked() or errors.ConcretizationTypeError(self._concretization_message(
            f"Attempted float() conversion of traced array with shape {self._type_str()}"))

    def __complex__(self):
        raise self._leaked() or errors.ConcretizationTypeError(self._concretization_message(
            f"Attempted complex() conversion of traced array with shape {self._type_str()}"))

    def __index__(self):
        raise self._leaked() or errors.TracerIntegerConversionError(self._concretization_message(
            f"The __index__() method was called on traced array with shape {self._type_str()}"))

    def item(self, *args):
        raise self._leaked() or errors.ConcretizationTypeError(self._concretization_message(
            f"Attempted item() on traced array with shape {self._type_str()}"))

    tolist = item

    def __hash__(self):
        raise TypeError("unhashable type: 'Tracer'")

    def _type_str(self):
        """The value's type as JAX's errors write it: float32[2,3]."""
        return f"{np.dtype(self.aval.dtype).name}[{','.join(map(str, self.aval.shape))}]"

    def _leaked(self):
        """JAX's UnexpectedTracerError when this tracer outlived its trace, else None."""
        if self._trace.alive:
            return None
        return errors.UnexpectedTracerError(
            "Encountered an unexpected tracer. A function transformed by hlox had a side "
            "effect, allowing for a reference to an intermediate value with type "
            f"{self._type_str()} wrapped in a tracer to escape the scope of the "
            f"transformation.\nThe tracer comes from {self._trace.describe()}; it is used at "
            f"{errors.user_location_str()}. Transformed functions must return their outputs "
            "instead of storing them in globals, closures or containers.")

    def _concretization_message(self, what):
        trace = self._trace
        lines = [f"{what}.", f"  at {errors.user_location_str()}",
                 f"The error occurred while tracing the function {trace.describe()}."]
        deps = trace.argument_dependencies(self.value) if trace.alive else []
        if deps:
            lines.append("This concrete value was not available in Python because it depends on "
                         "the value of " + ", ".join(deps) + ".")
        lines.append("Python control flow and conversions need concrete values. Either mark that "
                     "argument static (jit's static_argnums / static_argnames), or use "
                     "structured control flow (hlox.lax.cond, hlox.lax.while_loop, "
                     "hlox.numpy.where).")
        return "\n".join(lines)


class Trace:
    """Builds one `func.func` in a module; `finish` seals it."""

    def __init__(self, arg_avals, *, fn_name="main", module=None, description="function",
                 arg_names=None, arg_attrs=None, visibility=None):
        # a function added to an existing module lives in that module's context
        self.ctx = mlir.context() if module is None else module.context
        self.description = description
        self.arg_names = list(arg_names) if arg_names is not None else None
        self.captures = []          # outer values lifted into extra arguments, in order
        self._capture_index = {}    # id(outer value) -> Tracer
        self.alive = True
        with self.ctx, ir.Location.unknown():
            self.module = ir.Module.create() if module is None else module
            arg_types = [mlir.tensor_type(a.shape, a.dtype) for a in arg_avals]
            ftype = ir.FunctionType.get(arg_types, [])
            with ir.InsertionPoint(self.module.operation.regions[0].blocks[0]):
                self.func_op = func_dialect.FuncOp(fn_name, ftype)
            if visibility:
                self.func_op.attributes["sym_visibility"] = ir.StringAttr.get(visibility)
            if arg_attrs:
                self.func_op.arg_attrs = ir.ArrayAttr.get(
                    [ir.DictAttr.get({k: v() for k, v in a.items()}) for a in arg_attrs])
            self.block = self.func_op.add_entry_block()
            self.ip = ir.InsertionPoint(self.block)
        self.args = [Tracer(self, aval, self.block.arguments[i]) for i, aval in enumerate(arg_avals)]
        self.n_explicit_args = len(arg_avals)
        self._const_cache = {}

    location = None  # set by IR passes: ops they emit carry the location of the op they stand for
    mesh = None      # the Mesh a sharding annotation in this function refers to

    @classmethod
    def over_function(cls, module, func_op, description="a pass"):
        """A trace that emits into an existing function (for IR passes); no new arguments."""
        self = cls.__new__(cls)
        self.ctx = module.context
        self.description = description
        self.arg_names = None
        self.captures, self._capture_index = [], {}
        self.alive = True
        self.module, self.func_op = module, func_op
        self.block = func_op.regions[0].blocks[0]
        self.ip = ir.InsertionPoint(self.block)
        self.args = []
        self.n_explicit_args = len(self.block.arguments)
        self._const_cache = {}
        return self

    def op_location(self):
        return self.location if self.location is not None else errors.user_location()

    def tracer(self, value) -> "Tracer":
        """Wrap an existing MLIR value of this trace's function."""
        shape, dtype = mlir.shape_and_dtype(value.type)
        return Tracer(self, ShapedArray(shape, dtype), value)

    def describe(self):
        return self.description

    def __enter__(self):
        self.ctx.__enter__()
        self._loc = ir.Location.unknown(self.ctx)
        self._loc.__enter__()
        _stack().append(self)
        return self

    def __exit__(self, *exc):
        stack = _stack()
        assert stack and stack[-1] is self
        stack.pop()
        self._loc.__exit__(*exc)
        self.ctx.__exit__(*exc)
        if exc[0] is not None:
            self.alive = False

    # -- values -----------------------------------------------------------------
    def value_of(self, x) -> ir.Value:
        """The MLIR value of `x` in this trace, lifting it in if it comes from outside."""
        if isinstance(x, Tracer):
            if x._trace is self:
                return x.value
            if not x._trace.alive:
                raise errors.UnexpectedTracerError(
                    f"Encountered a tracer of {x._trace.describe()} after that trace ended "
                    f"(it leaked out through a global, a closure or a side effect), while tracing "
                    f"{self.describe()} at {errors.user_location_str()}. "
                    "Return values from transformed functions instead of storing them.")
            return self._capture(x).value
        if isinstance(x, Array):
            if x.size <= 1 and not x.is_deleted():
                return self.constant(np.asarray(x), x.dtype)
            return self._capture(x).value
        dtype, _ = dtypes.dtype_of(x)
        return self.constant(np.asarray(x), dtype)

    def _capture(self, outer) -> Tracer:
        t = self._capture_index.get(id(outer))
        if t is None:
            loc = ir.Location.unknown(self.ctx)
            arg = self.block.add_argument(mlir.tensor_type(outer.aval.shape, outer.aval.dtype), loc)
            t = Tracer(self, outer.aval, arg)
            self._capture_index[id(outer)] = t
            self.captures.append(outer)
        return t

    def constant(self, array: np.ndarray, dtype) -> ir.Value:
        array = np.asarray(array)
        key = None
        if array.size == 1 and self._at_top_level():  # constants in regions stay in them
            key = (repr(array.reshape(-1)[0].item()), array.shape, np.dtype(dtype).name)
            hit = self._const_cache.get(key)
            if hit is not None:
                return hit
        attr = mlir.dense_elements(array, dtype)
        op = ir.Operation.create("stablehlo.constant", results=[attr.type],
                                 attributes={"value": attr}, loc=self.op_location(),
                                 ip=self.ip)
        value = op.result
        if key is not None:
            self._const_cache[key] = value
        return value

    def _at_top_level(self):
        # at the end of the function's block: a cached constant then dominates every use
        return self.ip.block == self.block and self.ip.ref_operation is None

    def argument_dependencies(self, value):
        """Names of the arguments a value is computed from (for error messages)."""
        seen, found, work = set(), set(), [value]
        while work and len(seen) < 10000:
            v = work.pop()
            owner = v.owner
            if isinstance(owner, ir.Block):
                n = ir.BlockArgument(v).arg_number
                if owner == self.block:
                    found.add(n)
                continue
            key = owner
            if key in seen:
                continue
            seen.add(key)
            work.extend(owner.operands)
        names = []
        for n in sorted(found):
            if n < self.n_explicit_args:
                name = self.arg_names[n] if self.arg_names and n < len(self.arg_names) else f"argument {n}"
                names.append(name)
            else:
                names.append("a value closed over from an enclosing trace")
        return names

    # -- sealing ----------------------------------------------------------------
    def finish(self, outs, result_attrs=None):
        """Emit the return, fix the function type; returns the output avals."""
        values = [self.value_of(o) for o in outs]
        avals = [aval_of(o) for o in outs]
        with self.ctx, errors.user_location():
            func_dialect.ReturnOp(values, ip=self.ip)
            arg_types = [a.type for a in self.block.arguments]
            self.func_op.attributes["function_type"] = ir.TypeAttr.get(
                ir.FunctionType.get(arg_types, [v.type for v in values]))
            if result_attrs:
                self.func_op.res_attrs = ir.ArrayAttr.get([ir.DictAttr.get(a) for a in result_attrs])
        self.alive = False
        return avals


def aval_of(x) -> ShapedArray:
    aval = getattr(x, "aval", None)
    if aval is not None:
        return aval
    if dtypes.is_python_scalar(x):
        dtype, weak = dtypes.python_scalar_dtype(x)
        return ShapedArray((), dtype, weak)
    if isinstance(x, (np.ndarray, np.generic)):
        return ShapedArray(x.shape, dtypes.canonicalize(x.dtype), False)
    if isinstance(x, (list, tuple)):
        arr = np.asarray(x)
        return ShapedArray(arr.shape, dtypes.canonicalize(arr.dtype), False)
    raise TypeError(f"{type(x).__name__} {x!r} is not a valid hlox value")


def is_array_like(x):
    return isinstance(x, (Tracer, Array, np.ndarray, np.generic)) or dtypes.is_python_scalar(x)


# -- eager constants ---------------------------------------------------------------
_scalar_arrays: dict = {}


def to_array(x, dtype=None, weak_type=None) -> Array:
    """A concrete device array from a host value (Python scalars cached: they recur in loops)."""
    if isinstance(x, Array):
        return x
    if dtype is None:
        dtype, weak = dtypes.dtype_of(x)
    else:
        weak = False if weak_type is None else weak_type
    if weak_type is not None:
        weak = weak_type
    if dtypes.is_python_scalar(x):
        key = (type(x), repr(x), dtype, weak)
        hit = _scalar_arrays.get(key)
        if hit is None:
            if len(_scalar_arrays) > 4096:
                _scalar_arrays.clear()
            hit = _scalar_arrays[key] = Array.from_host(np.asarray(x, dtype), dtype, weak)
        return hit
    return Array.from_host(np.asarray(x), dtype, weak)
