"""The rest of JAX's top level: custom_gradient, closure_convert, linear_transpose, and the
context managers and cache controls (disable_jit, ensure_compile_time_eval, default_device,
enable_x64, clear_caches, live_arrays)."""
from __future__ import annotations

import contextlib
import gc

import numpy as np

from hlox import config
from hlox.frontend import dtypes, errors, lax, primitives
from hlox.transforms.autodiff import vjp
from hlox.frontend.core import Tracer, aval_of, current_trace
from hlox.frontend.custom_derivatives import custom_vjp
from hlox.frontend.jit import JitFunction, ShapeDtypeStruct, call_function, trace_private_function
from hlox.lowering import executable, pytree
from hlox.lowering.array import Array

__all__ = ["custom_gradient", "closure_convert", "linear_transpose", "disable_jit",
           "ensure_compile_time_eval", "default_device", "enable_x64", "clear_caches",
           "live_arrays"]


# -- custom_gradient ---------------------------------------------------------------------------
def _placeholders(tree_value):
    leaves, tree = pytree.flatten(tree_value)
    return tree.unflatten([ShapeDtypeStruct(aval_of(x).shape, aval_of(x).dtype) for x in leaves])


def custom_gradient(fun):
    """`fun(*args) -> (out, vjp_fn)`: a function whose VJP is `vjp_fn`, as `jax.custom_gradient`.

    The forward rule traces `vjp_fn` beside it; what `vjp_fn` closes over from the forward
    pass becomes the residuals, and the backward rule calls that traced function.
    """
    rules = []  # the vjp_fn traced by the latest forward rule (the backward one follows it)

    @custom_vjp
    def wrapped(*args):
        return fun(*args)[0]

    def fwd(*args):
        out, rule = fun(*args)
        traced, _ = trace_private_function(rule, (_placeholders(out),), {}, current_trace())
        rules.append(traced)
        return out, tuple(traced.consts)

    def bwd(residuals, ct):
        traced = rules[-1]
        outs = call_function(current_trace(), traced.fn_name,
                             pytree.flatten(ct)[0] + list(residuals), traced.out_avals)
        cts = traced.out_tree.unflatten(outs)
        if traced.out_tree.num_nodes == 1:  # a single cotangent, as JAX accepts it
            return (cts,)
        return tuple(cts)

    wrapped.defvjp(fwd, bwd)
    return wrapped


# -- closure_convert ---------------------------------------------------------------------------
def closure_convert(fun, *example_args):
    """`(converted, consts)`: `converted(*args, *consts)` computes `fun(*args)`, with the traced
    floating-point values `fun` closes over hoisted into `consts` (for custom_vjp rules).

    Concrete closed-over values cannot carry a derivative, so outside a trace nothing is hoisted.
    """
    trace = current_trace()
    if trace is None:
        return fun, []
    traced, _ = trace_private_function(fun, example_args, {}, trace)
    hoisted = [c for c in traced.consts if isinstance(c, Tracer) and dtypes.is_inexact(c.dtype)]
    if not hoisted:
        return fun, []
    module = trace.module

    def converted(*args):
        call_args, consts = args[:len(args) - len(hoisted)], args[len(args) - len(hoisted):]
        inner = current_trace()
        if inner is None or inner.module is not module:
            raise errors.type_error("a closure_convert'ed function can only be called inside the "
                                    "transformation that converted it")
        by_id = {id(h): c for h, c in zip(hoisted, consts)}
        operands = pytree.flatten(call_args)[0] + [by_id.get(id(c), c) for c in traced.consts]
        return traced.out_tree.unflatten(
            call_function(inner, traced.fn_name, operands, traced.out_avals))
    return converted, hoisted


# -- linear_transpose --------------------------------------------------------------------------
def linear_transpose(fun, *primals, reduce_axes=()):
    """The transpose of a linear `fun` at primals of these shapes and dtypes (a VJP at zero)."""
    if reduce_axes:
        raise NotImplementedError("reduce_axes argument to transpose is deprecated")
    leaves, tree = pytree.flatten(primals)
    zeros = tree.unflatten([lax.full(np.shape(x), 0, dtypes.canonicalize(np.dtype(x.dtype)))
                            for x in leaves])
    out, pullback = vjp(fun, *zeros)
    in_dtypes = [np.dtype(x.dtype) for x in leaves]
    out_dtypes = [aval_of(y).dtype for y in pytree.flatten(out)[0]]
    kinds = {dtypes.is_inexact(d) for d in in_dtypes + out_dtypes}
    if kinds != {True} and not all(dtypes.is_integer(d) for d in in_dtypes + out_dtypes):
        raise errors.type_error("linear_transpose only supports [float or complex] -> [float or "
                                "complex], and integer -> integer functions, but got "
                                f"{in_dtypes} -> {out_dtypes}.")

    def transposed(ct):
        return pullback(ct)
    return transposed


# -- context managers ----------------------------------------------------------------------------
def disable_jit(disable=True):
    """Within the block `hlox.jit` functions run op by op, as plain Python."""
    return config.flag("jax_disable_jit", disable)


@contextlib.contextmanager
def ensure_compile_time_eval():
    """Within the block, ops whose operands are all concrete run now, even while tracing."""
    old = primitives.COMPILE_TIME_EVAL[0]
    primitives.COMPILE_TIME_EVAL[0] = True
    try:
        yield
    finally:
        primitives.COMPILE_TIME_EVAL[0] = old


def default_device(device):
    """Within the block, new arrays and computations go to `device` (or a platform's first)."""
    return config.flag("jax_default_device", device)


def enable_x64(new_val=True):
    return config.flag("jax_enable_x64", bool(new_val))


# -- caches and arrays ---------------------------------------------------------------------------
def clear_caches():
    """Forget every compiled executable and every traced jit signature."""
    executable._cache.clear()
    primitives._eager_cache.clear()
    for obj in gc.get_objects():
        if isinstance(obj, JitFunction):
            obj.clear_cache()


def live_arrays(platform=None):
    """Every hlox Array that is alive and not deleted (on `platform`, when given)."""
    return [a for a in gc.get_objects() if type(a) is Array and not a.is_deleted()
            and (platform is None or a.device.platform == platform)]
