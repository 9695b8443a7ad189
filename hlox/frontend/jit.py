"""`hlox.jit`: trace once per (pytree structure, abstract values, static args), compile, run.

Inside another trace a jitted function becomes a private `func.func` in the
enclosing module and a `func.call` to it, so nesting composes in the IR.
"""
from __future__ import annotations

import functools
import inspect
import weakref

import numpy as np

from hlox.frontend import dtypes, errors, sharding_ir
from hlox.lowering.avals import ShapedArray
from hlox.frontend.core import Trace, Tracer, aval_of, current_trace, to_array, tracing
from hlox.frontend.primitives import COMPILE_TIME_EVAL, check_special, debug_checks_on, emit
from hlox.lowering import executable, pytree, symbols
from hlox.lowering import sharding as sharding_lib
from hlox.lowering.array import Array
from hlox.lowering.sharding import SingleDeviceSharding
from hlox.lowering.mlir import ir


def _hashable_static(value, where):
    try:
        hash(value)
    except TypeError:
        raise errors.value_error(
            f"Non-hashable static argument {where}: {type(value).__name__} {value!r}. Static "
            "arguments must be hashable (use a tuple instead of a list, or make it a traced "
            "argument).") from None
    return value


def _leaf_aval(leaf, where):
    if isinstance(leaf, (Tracer, Array)):
        return leaf.aval
    try:
        return aval_of(leaf)
    except TypeError:
        raise errors.type_error(
            f"Argument {where} of type {type(leaf).__name__} is not a valid hlox type "
            "(expected arrays, scalars or pytrees of them; mark it static with "
            "static_argnums/static_argnames if it is configuration)") from None


class Traced:
    """The result of tracing a function for one signature: its module and how to call it."""

    mesh = None           # the mesh of a partitioned (sharded) computation
    in_shardings = None   # per argument leaf: the sharding its buffer must have

    def __init__(self, trace, out_tree, out_avals, consts, donated, fn_name):
        self.module = trace.module
        self.func_op = trace.func_op
        self.out_tree = out_tree
        self.out_avals = out_avals
        self.consts = consts
        self.donated = donated
        self.fn_name = fn_name
        self._executable = None

    def executable(self):
        if self._executable is None:
            exe = executable.compile_module(self.module, len(self.out_avals), mesh=self.mesh)
            if exe._handlers is None:
                exe.set_output_avals(self.out_avals)
            self._executable = exe
            consts = self.consts
            if self.mesh is not None:  # every argument goes where the partitioner wants it
                n = len(self.in_shardings)
                expected = exe.input_shardings(self.arg_avals + [c.aval for c in consts])
                self.in_shardings = expected[:n]
                consts = [sharding_ir.put_sharded(c, s) for c, s in zip(consts, expected[n:])]
            self._const_bufs = [c._buf for c in consts]
            self._single = self.out_tree.num_leaves == 1 and self.out_tree.num_nodes == 1
        return self._executable

    def run(self, leaves):
        """The hot path: leaves are Arrays (or cached scalars) matching the traced signature."""
        if self.in_shardings is not None:
            leaves = [_on_sharding(leaf, s) for leaf, s in zip(leaves, self.in_shardings)]
        bufs = [leaf._buf if type(leaf) is Array else to_array(leaf)._buf for leaf in leaves]
        bufs.extend(self._const_bufs)
        try:
            outs = self._executable.execute(bufs)
        except Exception:
            for leaf in leaves:
                if isinstance(leaf, Array):
                    leaf._check_alive()
            raise
        avals = self.out_avals
        if self._single:
            return Array(outs[0], avals[0])
        return self.out_tree.unflatten([Array(b, a) for b, a in zip(outs, avals)])


def _on_sharding(leaf, sharding):
    if type(leaf) is Array and leaf._buf._sharding == sharding:
        return leaf
    if isinstance(leaf, Array) and leaf.committed and len(leaf.devices()) > 1 and \
            leaf.devices() != set(sharding._device_assignment):
        raise ValueError(f"Received incompatible devices for jitted computation: an argument is "
                         f"committed to {leaf.sharding} but the computation runs on {sharding}")
    return sharding_ir.put_sharded(leaf, sharding)


def _arg_names(fn, args, kwargs, leaf_counts):
    try:
        sig = inspect.signature(fn)
        bound = sig.bind_partial(*args, **kwargs)
        names = list(bound.arguments)
    except (TypeError, ValueError):
        names = [f"args[{i}]" for i in range(len(args))] + list(kwargs)
    out = []
    for name, count in zip(names, leaf_counts):
        out.extend([f"argument '{name}'"] * count)
    return out


class JitFunction:
    def __init__(self, fun, static_argnums=(), static_argnames=(), donate_argnums=(),
                 donate_argnames=(), keep_unused=False, inline=False, in_shardings=None,
                 out_shardings=None):
        if not callable(fun):
            raise TypeError(f"jit expects a callable, got {type(fun).__name__}")
        self.fun = fun
        functools.update_wrapper(self, fun, updated=())  # never take over fun's attributes
        self._sig = None
        try:
            self._sig = inspect.signature(fun)
        except (TypeError, ValueError):
            pass
        static_argnums = _checked_argnums(self._sig, _as_tuple(static_argnums), "static_argnums")
        donate_argnums = _checked_argnums(self._sig, _as_tuple(donate_argnums), "donate_argnums")
        static_argnames = _as_tuple(static_argnames)
        if self._sig is not None:
            params = list(self._sig.parameters)
            for i in static_argnums:
                if 0 <= i < len(params) and params[i] not in static_argnames:
                    static_argnames += (params[i],)
            for name in static_argnames:
                if name in params:
                    idx = params.index(name)
                    if idx not in static_argnums:
                        static_argnums += (idx,)
        self.static_argnums = frozenset(static_argnums)
        self.static_argnames = frozenset(static_argnames)
        self.donate_argnums = frozenset(donate_argnums)
        if self._sig is not None:
            params = list(self._sig.parameters)
            self.donate_argnums |= {params.index(n) for n in _as_tuple(donate_argnames) if n in params}
        self.inline = inline
        self.in_shardings = in_shardings
        self.out_shardings = out_shardings
        self._cache: dict = {}
        self._fast: dict = {}
        self._module_functions = weakref.WeakKeyDictionary()
        self.trace_count = 0

    def __get__(self, obj, objtype=None):
        if obj is None:
            return self
        return functools.partial(self, obj)

    # -- signatures --------------------------------------------------------------
    def _split(self, args, kwargs):
        n = len(args)
        statics = tuple((i, _hashable_static(args[i], f"{i}")) for i in sorted(self.static_argnums) if i < n)
        dyn_args = tuple(a for i, a in enumerate(args) if i not in self.static_argnums)
        static_kw = tuple(sorted((k, _hashable_static(v, repr(k))) for k, v in kwargs.items()
                                 if k in self.static_argnames))
        dyn_kw = {k: v for k, v in kwargs.items() if k not in self.static_argnames}
        return statics, static_kw, dyn_args, dyn_kw

    def _key(self, args, kwargs):
        statics, static_kw, dyn_args, dyn_kw = self._split(args, kwargs)
        leaves, treedef = pytree.flatten((dyn_args, dyn_kw))
        avals = tuple(_leaf_aval(l, i) for i, l in enumerate(leaves))
        placed = tuple(_placement(l) for l in leaves)
        key = (treedef, avals, statics, static_kw, dtypes.config.trace_context(), placed)
        return key, leaves, treedef, statics, static_kw

    # -- tracing -----------------------------------------------------------------
    def _trace(self, key, treedef, statics, static_kw, *, fn_name="main", module=None,
               visibility=None):
        avals = key[1]
        self.trace_count += 1
        donated_leaves = self._donated_leaf_mask(treedef, statics)
        in_shardings = self._leaf_in_shardings(treedef, avals, key[5]) if module is None \
            else [None] * len(avals)
        mesh = sharding_ir.mesh_of(in_shardings + self._out_sharding_list())
        # attribute makers: the attributes belong to the context the trace picks
        arg_attrs = [{} for _ in avals]
        for attrs, d in zip(arg_attrs, donated_leaves):
            if d:
                attrs["jax.buffer_donor"] = lambda: ir.BoolAttr.get(True)
        if mesh is not None:
            for attrs, s, a in zip(arg_attrs, in_shardings, avals):
                if isinstance(s, sharding_lib.NamedSharding):
                    attrs["sdy.sharding"] = functools.partial(sharding_ir.sharding_attr, s, len(a.shape))
        arg_attrs = arg_attrs if any(arg_attrs) else None
        trace = Trace(avals, fn_name=fn_name, module=module, visibility=visibility,
                      description=f"{getattr(self.fun, '__name__', self.fun)} for jit "
                                  f"(defined at {_def_site(self.fun)})",
                      arg_attrs=arg_attrs)
        with trace:
            args, kwargs = treedef.unflatten(trace.args)
            full_args = list(args)
            for i, v in statics:
                full_args.insert(i, v)
            kwargs = dict(kwargs)
            kwargs.update(dict(static_kw))
            trace.arg_names = _arg_names(self.fun, full_args, kwargs,
                                         [len(pytree.flatten(a)[0]) for a in list(args) + list(kwargs.values())])
            outs = self.fun(*full_args, **kwargs)
            out_leaves, out_tree = pytree.flatten(outs)
            out_leaves = [_check_output(o) for o in out_leaves]
            result_attrs = None
            if mesh is None:  # a with_sharding_constraint or a shard_map inside
                mesh = trace.mesh or sharding_ir.declared_mesh(trace.module)
            if mesh is not None:
                sharding_ir.declare_mesh(trace.module, mesh)
                result_attrs = self._result_attrs(out_tree, out_leaves)
            out_avals = trace.finish(out_leaves, result_attrs)
        traced = Traced(trace, out_tree, out_avals, list(trace.captures), donated_leaves, fn_name)
        traced.arg_avals = list(avals)
        if mesh is not None and module is not None:
            traced.mesh = mesh  # the caller's trace takes it over
        elif mesh is not None:
            traced.mesh = mesh
            replicated = sharding_lib.NamedSharding(mesh, sharding_lib.PartitionSpec())
            traced.in_shardings = [s if isinstance(s, sharding_lib.NamedSharding) else replicated
                                   for s in in_shardings]
        return traced

    # -- shardings -----------------------------------------------------------------
    def _out_sharding_list(self):
        return [s for s in pytree.flatten(self.out_shardings, is_leaf=lambda x: x is None)[0]
                if s is not None]

    def _leaf_in_shardings(self, treedef, avals, placed):
        """Per argument leaf: the in_shardings entry, else the sharding of a committed argument
        on several devices, else None (the partitioner chooses)."""
        given = [None] * len(avals)
        if self.in_shardings is not None:
            args_tree = treedef.children()[0]
            prefix = self.in_shardings
            if not isinstance(prefix, (tuple, list)) or args_tree.num_leaves == 0:
                prefix = (prefix,) * len(args_tree.children())
            if isinstance(self.in_shardings, (tuple, list)) and \
                    len(self.in_shardings) != len(args_tree.children()):
                raise ValueError(f"jit in_shardings has {len(self.in_shardings)} entries but the "
                                 f"function was called with {len(args_tree.children())} "
                                 "positional arguments")
            args = args_tree.unflatten([0] * args_tree.num_leaves)
            given = pytree.broadcast_prefix(tuple(prefix), tuple(args)) + \
                [None] * treedef.children()[1].num_leaves
        shardings = [g if g is not None else p for g, p in zip(given, placed)]
        for i, (s, a) in enumerate(zip(shardings, avals)):
            if s is not None:
                sharding_lib.check_divisible(s, a.shape, f"the arguments of jit (leaf {i})")
        return shardings

    def _result_attrs(self, out_tree, out_leaves):
        if self.out_shardings is None:
            return None
        targets = pytree.broadcast_prefix(self.out_shardings, out_tree.unflatten([0] * len(out_leaves)))
        attrs = []
        for s, o in zip(targets, out_leaves):
            if s is None:
                attrs.append({})
                continue
            sharding_lib.check_divisible(s, o.shape, "the outputs of jit")
            attrs.append({"sdy.sharding": sharding_ir.sharding_attr(s, len(o.shape))})
        return attrs

    def _donated_leaf_mask(self, treedef, statics):
        if not self.donate_argnums:
            return []
        args_tree = treedef.children()[0]
        mask = []
        static_positions = {i for i, _ in statics}
        dyn_positions = [i for i in range(args_tree.num_nodes + len(static_positions) + 64)
                         if i not in static_positions]
        for child, pos in zip(args_tree.children(), dyn_positions):
            mask.extend([pos in self.donate_argnums] * child.num_leaves)
        mask.extend([False] * treedef.children()[1].num_leaves)
        return mask

    def _traced(self, args, kwargs):
        key, leaves, treedef, statics, static_kw = self._key(args, kwargs)
        traced = self._cache.get(key)
        if traced is None:
            traced = self._cache[key] = self._trace(key, treedef, statics, static_kw)
        return traced, leaves

    # -- calling -----------------------------------------------------------------
    honours_disable_jit = False  # set for user-facing jit(); internal uses always trace

    def __call__(self, *args, **kwargs):
        if self.honours_disable_jit and dtypes.config.jax_disable_jit:
            return self.fun(*args, **kwargs)
        if not kwargs and not self.static_argnums and not tracing():
            leaves, treedef = pytree.registry.flatten(args)
            signature = _fast_signature(treedef, leaves)
            traced = self._fast.get(signature)
            if traced is not None:
                return self._checked(traced.run(leaves), args, kwargs)
            traced, leaves = self._traced(args, kwargs)
            traced.executable()
            if signature is not None:
                self._fast[signature] = traced
            return self._checked(traced.run(leaves), args, kwargs)
        trace = current_trace()
        if trace is not None and not _evaluate_now(args, kwargs):
            return self._call_in_trace(trace, args, kwargs)
        traced, leaves = self._traced(args, kwargs)
        traced.executable()
        return self._checked(traced.run(leaves), args, kwargs)

    def _checked(self, out, args, kwargs):
        """jax_debug_nans/infs: a NaN (inf) in the outputs re-runs the function op by op, as JAX
        does, so that the op that made it raises; if none does, raise naming the function."""
        if not debug_checks_on():
            return out
        name = f"jit({getattr(self.fun, '__name__', 'fn')})"
        try:
            check_special(name, pytree.flatten(out)[0])
        except FloatingPointError as e:
            print("Invalid nan value encountered in the output of a jax.jit function. "
                  "Calling the de-optimized version.")
            try:
                self.fun(*args, **kwargs)  # ops outside a trace check their own results
            except (FloatingPointError, ZeroDivisionError):
                raise
            except Exception:  # noqa: BLE001  (a function that runs only traced: grad's, vmap's)
                pass
            raise FloatingPointError(
                f"{e}. Because jax_config.debug_nans.value and/or config.jax_debug_infs is set, the "
                "de-optimized function (i.e., the function as if the `jit` decorator were removed) "
                "was called in an attempt to get a more precise error message. However, the "
                "de-optimized function did not produce invalid values during its execution. This "
                "behavior can result from `jit` optimizations causing the invalid value to be "
                "produced. It may also arise from having nan/inf literals as inputs or outputs, "
                "like `jax.jit(lambda ...: jax.numpy.nan)(...)`.") from None
        return out

    def _call_in_trace(self, outer, args, kwargs):
        key, leaves, treedef, statics, static_kw = self._key(args, kwargs)
        per_module = self._module_functions.setdefault(outer.module, {}) if _weakrefable(outer.module) else {}
        traced = per_module.get(key)
        if traced is None or traced.consts_have_tracers:
            name = symbols.fresh_symbol_name(outer.module, _symbol_name(self.fun), reserved=("main",))
            traced = self._trace(key, treedef, statics, static_kw, fn_name=name,
                                 module=outer.module, visibility="private")
            traced.consts_have_tracers = any(isinstance(c, Tracer) for c in traced.consts)
            per_module[key] = traced
        if traced.mesh is not None:
            outer.mesh = traced.mesh
        outs = call_function(outer, traced.fn_name, list(leaves) + traced.consts, traced.out_avals)
        return traced.out_tree.unflatten(outs)

    def lower(self, *args, **kwargs):
        key, leaves, treedef, statics, static_kw = self._key(args, kwargs)
        traced = self._cache.get(key)
        if traced is None:
            traced = self._cache[key] = self._trace(key, treedef, statics, static_kw)
        return Lowered(traced)

    def eval_shape(self, *args, **kwargs):
        traced, _ = self._traced(args, kwargs)
        return traced.out_tree.unflatten([ShapeDtypeStruct(a.shape, a.dtype) for a in traced.out_avals])

    def clear_cache(self):
        self._cache.clear()
        self._fast.clear()

    def __repr__(self):
        return f"<hlox.jit of {getattr(self.fun, '__qualname__', self.fun)!s}>"


Traced.consts_have_tracers = False


def _placement(leaf):
    """The sharding of an argument committed to several devices (it decides the partitioning)."""
    if type(leaf) is Array and type(leaf._buf._sharding) is sharding_lib.NamedSharding:
        return leaf._buf._sharding
    return None


def _evaluate_now(args, kwargs):
    """Under hlox.ensure_compile_time_eval, a call on concrete values runs while tracing."""
    return COMPILE_TIME_EVAL[0] and not any(isinstance(leaf, Tracer)
                                            for leaf in pytree.flatten((args, kwargs))[0])


_SCALAR_TYPES = frozenset((bool, int, float, complex))


def _fast_signature(treedef, leaves):
    """A cache key read off the leaves without inspecting values (None: use the slow path).

    Arrays contribute their abstract value; a Python scalar its type and a numpy array its
    shape and dtype, which with the x64 flag fix their abstract values.
    """
    signature = [treedef, dtypes.config.trace_context()]
    for leaf in leaves:
        t = type(leaf)
        if t is Array:
            signature.append(leaf.aval.key)
            if type(leaf._buf._sharding) is not SingleDeviceSharding:
                signature.append(leaf._buf._sharding)
        elif t in _SCALAR_TYPES:
            signature.append(t)
        elif t is np.ndarray:  # its abstract value follows from shape, dtype and the x64 flag
            signature.append((leaf.shape, leaf.dtype))
        else:
            return None
    return tuple(signature)


class ShapeDtypeStruct:
    def __init__(self, shape, dtype, weak_type=False):
        self.shape = tuple(shape)
        self.dtype = np.dtype(dtype)
        self.weak_type = weak_type

    @property
    def ndim(self):
        return len(self.shape)

    @property
    def size(self):
        return int(np.prod(self.shape, dtype=np.int64))

    def __repr__(self):
        return f"ShapeDtypeStruct(shape={self.shape}, dtype={self.dtype.name})"

    def __eq__(self, other):
        return (isinstance(other, ShapeDtypeStruct) and self.shape == other.shape
                and self.dtype == other.dtype)

    def __hash__(self):
        return hash((self.shape, self.dtype))

    @property
    def aval(self):
        return ShapedArray(self.shape, self.dtype, self.weak_type)


def call_function(trace, name, operands, out_avals):
    """Emit `func.call @name(operands)` into `trace`; returns the results as tracers."""
    values = [trace.value_of(x) for x in operands]
    call = emit(trace, "func.call", values, out_avals, {"callee": ir.FlatSymbolRefAttr.get(name)})
    return [Tracer(trace, aval, v) for aval, v in zip(out_avals, call.results)]


def trace_private_function(fun, args, kwargs, trace, description="function"):
    """Trace `fun(*args, **kwargs)` into a new private function of `trace`'s module.

    Returns the `Traced` record (function name, output tree and avals, captured values,
    which follow the argument leaves as extra parameters) and the argument leaves.
    """
    jitted = JitFunction(fun)
    key, leaves, treedef, statics, static_kw = jitted._key(args, kwargs)
    name = symbols.fresh_symbol_name(trace.module, _symbol_name(fun), reserved=("main",))
    traced = jitted._trace(key, treedef, statics, static_kw, fn_name=name, module=trace.module,
                           visibility="private")
    return traced, leaves


def _weakrefable(obj):
    try:
        weakref.ref(obj)
        return True
    except TypeError:
        return False


def _check_output(o):
    if isinstance(o, (Tracer, Array)) or dtypes.is_python_scalar(o) or isinstance(o, (np.ndarray, np.generic)):
        return o
    raise errors.type_error(f"a jitted function returned a value of type {type(o).__name__}, "
                            "which is not an array or a pytree of arrays")


def _symbol_name(fun):
    name = getattr(fun, "__name__", "fn")
    clean = "".join(c if c.isalnum() or c == "_" else "_" for c in name)
    return clean or "fn"


def _def_site(fun):
    code = getattr(fun, "__code__", None)
    if code is None:
        return "<unknown>"
    return f"{code.co_filename}:{code.co_firstlineno}"


def _as_tuple(x):
    if x is None:
        return ()
    if isinstance(x, (int, str)):
        return (x,)
    return tuple(x)


class Lowered:
    """`jit(f).lower(*args)`: the StableHLO module, before compilation."""

    def __init__(self, traced: Traced):
        self._traced = traced

    def as_text(self, dialect=None, *, debug_info=True):
        return self._traced.module.operation.get_asm(enable_debug_info=debug_info)

    def compiler_ir(self, dialect=None):
        """The module in `dialect`: StableHLO (the default; an MLIR module) or "hlo"."""
        if dialect in (None, "stablehlo"):
            return self._traced.module
        if dialect == "hlo":
            return executable.xla_computation(self._traced.module)
        raise ValueError(f"unknown dialect: {dialect}")

    def compile(self):
        return Compiled(self._traced)

    @property
    def out_info(self):
        return self._traced.out_tree.unflatten(
            [ShapeDtypeStruct(a.shape, a.dtype) for a in self._traced.out_avals])

    def __str__(self):
        return self.as_text()


class Compiled:
    """`jit(f).lower(*args).compile()`: the XLA executable."""

    def __init__(self, traced: Traced):
        self._traced = traced
        self._exe = traced.executable()

    def as_text(self):
        return self._exe.as_text()

    def cost_analysis(self):
        return self._exe.cost_analysis()

    def memory_analysis(self):
        return self._exe.memory_analysis()

    def __call__(self, *args):
        leaves, _ = pytree.flatten((args, {}))
        self._traced.executable()
        return self._traced.run(leaves)


def _checked_argnums(sig, argnums, what):
    """`argnums` with negative entries counted from the end; JAX's ValueError when one is
    out of range of the positional parameters (a function with *args takes any)."""
    if sig is None:
        return argnums
    kinds = [p.kind for p in sig.parameters.values()]
    if inspect.Parameter.VAR_POSITIONAL in kinds:
        return argnums
    n = sum(k in (inspect.Parameter.POSITIONAL_ONLY, inspect.Parameter.POSITIONAL_OR_KEYWORD)
            for k in kinds)
    if any(not -n <= i < n for i in argnums):
        raise ValueError(f"Jitted function has {what}={tuple(argnums)}, but only accepts {n} "
                         f"positional arguments.")
    return tuple(i % n for i in argnums)


def jit(fun=None, *, static_argnums=(), static_argnames=(), donate_argnums=(),
        donate_argnames=(), keep_unused=False, inline=False, device=None, backend=None,
        in_shardings=None, out_shardings=None, abstracted_axes=None, compiler_options=None):
    if fun is None:
        return functools.partial(jit, static_argnums=static_argnums,
                                 static_argnames=static_argnames, donate_argnums=donate_argnums,
                                 donate_argnames=donate_argnames, keep_unused=keep_unused,
                                 inline=inline, in_shardings=in_shardings,
                                 out_shardings=out_shardings)
    jitted = JitFunction(fun, static_argnums, static_argnames, donate_argnums, donate_argnames,
                         keep_unused, inline, in_shardings, out_shardings)
    jitted.honours_disable_jit = True
    return jitted


def eager_jit(fun=None, *, static_argnames=()):
    """Run `fun` through a jit cache when called on concrete values, as JAX does for jnp.

    Inside a trace it is `fun` itself, so it inlines into the enclosing function. The
    transforms and control flow run this way too: they need a trace to emit into.
    """
    if fun is None:
        return functools.partial(eager_jit, static_argnames=static_argnames)
    jitted = JitFunction(fun, static_argnames=static_argnames)

    @functools.wraps(fun)
    def wrapper(*args, **kwargs):
        if tracing():
            return fun(*args, **kwargs)
        return jitted(*args, **kwargs)
    wrapper.jitted = jitted
    return wrapper
