"""pure_callback, debug.callback and debug.print: Python called from compiled programs.

Under a trace each is one `stablehlo.custom_call` to jaxlib's Python-callback target
(hlox/lowering/callbacks.py registers the callable and hands it to the executable), so it
runs when the program runs, not when it is traced. On concrete values the callable runs at
once. Callbacks see hlox Arrays, as JAX's see jax Arrays. Under vmap the op's
`hlox.vmap_method` tells the batching pass what to do. The autodiff passes differentiate
through debug callbacks (they have no results) and, having no rule for a custom_call,
reject pure callbacks, as JAX does; `explain_pass_error` words that error as JAX does.
"""
from __future__ import annotations

import string
import sys

import numpy as np

from hlox.frontend import dtypes, errors
from hlox.lowering.avals import ShapedArray
from hlox.frontend.core import Tracer, aval_of, current_trace, is_array_like
from hlox.frontend.primitives import emit
from hlox.lowering import callbacks, pytree
from hlox.lowering.array import Array

__all__ = ["pure_callback", "io_callback", "debug_callback", "debug_print", "explain_pass_error"]

VMAP_METHODS = ("sequential", "sequential_unrolled", "expand_dims", "broadcast_all",
                "legacy_vectorized", None)


# -- arguments: array leaves travel through the program, the rest stays in Python --------------
def _split(args, kwargs):
    leaves, tree = pytree.flatten((args, kwargs))
    dynamic = [leaf for leaf in leaves if is_array_like(leaf)]
    static = {i: leaf for i, leaf in enumerate(leaves) if not is_array_like(leaf)}
    return tree, dynamic, static


def _merge(tree, dynamic, static):
    it = iter(dynamic)
    leaves = [static[i] if i in static else next(it) for i in range(len(dynamic) + len(static))]
    return tree.unflatten(leaves)


def _as_arrays(host_values, weak_flags):
    return [Array.from_host(np.asarray(v), dtypes.canonicalize(np.asarray(v).dtype), weak)
            for v, weak in zip(host_values, weak_flags)]


def _check_results(outs, result_avals):
    """The callback's results as numpy arrays of the expected shapes and dtypes (JAX's checks)."""
    outs = list(outs)
    if len(outs) != len(result_avals):
        raise RuntimeError("Mismatched number of outputs from callback. "
                           f"Expected: {len(result_avals)}, Actual: {len(outs)}")
    checked = []
    for i, (out, (shape, dtype)) in enumerate(zip(outs, result_avals)):
        out = np.asarray(out)
        out = out.astype(dtypes.canonicalize(out.dtype), copy=False)
        if out.shape != tuple(shape):
            raise RuntimeError(f"Incorrect output shape for return value #{i}: "
                               f"Expected: {tuple(shape)}, Actual: {out.shape}")
        if out.dtype != np.dtype(dtype):
            raise RuntimeError(f"Incorrect output dtype for return value #{i}: "
                               f"Expected: {np.dtype(dtype)}, Actual: {out.dtype}")
        checked.append(np.asarray(out, order="C"))
    return checked


def _host_callable(fn, tree, static, weak_flags):
    """What the executable calls: numpy arguments in, checked numpy results out."""
    def call(host_args, result_avals):
        args, kwargs = _merge(tree, _as_arrays(host_args, weak_flags), static)
        return _check_results(pytree.flatten(fn(*args, **kwargs))[0], result_avals)
    return call


def _bind(fn, args, kwargs, result_avals, *, has_side_effect, vmap_method):
    """Call `fn(*args, **kwargs)` now, or emit the custom_call that calls it at run time."""
    tree, dynamic, static = _split(args, kwargs)
    trace = current_trace()
    if trace is None:  # weak types survive only here: a compiled program's values have none
        host = _host_callable(fn, tree, static, [aval_of(x).weak_type for x in dynamic])
        outs = host([np.asarray(x) for x in dynamic], [(a.shape, a.dtype) for a in result_avals])
        return [Array.from_host(o, a.dtype) for o, a in zip(outs, result_avals)]
    cid = callbacks.register(_host_callable(fn, tree, static, [False] * len(dynamic)))
    values = [trace.value_of(x) for x in dynamic]
    op = emit(trace, "stablehlo.custom_call", values, result_avals,
              callbacks.custom_call_attributes(cid, has_side_effect, str(vmap_method).lower()))
    return [Tracer(trace, a, v) for a, v in zip(result_avals, op.results)]


# -- pure_callback -------------------------------------------------------------------------------
def _result_aval(leaf):
    if not hasattr(leaf, "shape") or not hasattr(leaf, "dtype"):
        raise errors.type_error(f"pure_callback result_shape_dtypes leaves need shape and dtype "
                                f"attributes (e.g. hlox.ShapeDtypeStruct); got {leaf!r}")
    dtype = np.dtype(leaf.dtype)
    if dtypes.canonicalize(dtype) != dtype:
        raise errors.value_error("result_shape_dtypes cannot specify 64-bit types when "
                                 "`jax_enable_x64` is disabled")
    return ShapedArray(tuple(leaf.shape), dtype)


def pure_callback(callback, result_shape_dtypes, *args, sharding=None, vmap_method=None,
                  **kwargs):
    """Call a pure Python function from (possibly compiled) code, as `jax.pure_callback`."""
    if vmap_method not in VMAP_METHODS:
        raise errors.value_error(f"vmap_method must be on of the allowed methods "
                                 f"{list(VMAP_METHODS)}, but got: {vmap_method}")
    leaves, out_tree = pytree.flatten(result_shape_dtypes)
    result_avals = [_result_aval(leaf) for leaf in leaves]
    outs = _bind(callback, args, kwargs, result_avals, has_side_effect=False,
                 vmap_method=vmap_method)
    return out_tree.unflatten(outs)


def io_callback(callback, result_shape_dtypes, *args, sharding=None, ordered=False, **kwargs):
    """Call a Python function with side effects from (possibly compiled) code, as
    `jax.experimental.io_callback`: never removed as dead code, run once per element under vmap
    (hlox runs callbacks in program order, so `ordered` needs nothing more)."""
    leaves, out_tree = pytree.flatten(result_shape_dtypes)
    result_avals = [_result_aval(leaf) for leaf in leaves]
    outs = _bind(callback, args, kwargs, result_avals, has_side_effect=True,
                 vmap_method="sequential")
    return out_tree.unflatten(outs)


# -- debug.callback / debug.print ---------------------------------------------------------------
def _two_call_form(impl, api, args, kwargs):
    if args or kwargs:
        raise TypeError(f"{api} received unexpected arguments in the two-call form: "
                        f"args={args} kwargs={kwargs}")
    return impl


def debug_callback(callback=None, *args, ordered=False, partitioned=False, **kwargs):
    """Call `callback(*args, **kwargs)` for its side effects when the program runs."""
    def impl(callback, *c_args, **c_kwargs):
        if not callable(callback):
            raise TypeError("first argument to jax.debug.callback must be callable, but got an "
                            f"object of type {type(callback)}")
        _bind(callback, c_args, c_kwargs, [], has_side_effect=True, vmap_method="sequential")
    if callback is None:
        return _two_call_form(impl, "debug_callback", args, kwargs)
    impl(callback, *args, **kwargs)


class _FormatChecker(string.Formatter):
    """Checks that a format string uses every argument it is given (formats nothing)."""

    def format_field(self, value, format_spec):
        return ""

    def check_unused_args(self, used_args, args, kwargs):
        unused_args = [arg for i, arg in enumerate(args) if i not in used_args]
        unused_kwargs = [k for k in kwargs if k not in used_args]
        if unused_args:
            raise ValueError(f"Unused positional arguments to `jax.debug.print`: {unused_args}")
        if unused_kwargs:
            raise ValueError(
                f"Unused keyword arguments to `jax.debug.print`: {unused_kwargs}. You may be "
                "passing an f-string (i.e, `f\"{x}\"`) into `jax.debug.print` and instead should "
                "pass in a regular string.")


def _printer(fmt, np_printoptions, has_placeholders):
    def print_(*args, **kwargs):
        if has_placeholders:
            with np.printoptions(**np_printoptions):
                msg = fmt.format(*args, **kwargs)
        else:
            msg = " ".join((fmt, *(str(a) for a in args)))
        sys.stdout.write(msg + "\n")
    return print_


def debug_print(fmt=None, *args, ordered=False, partitioned=False, skip_format_check=False,
                **kwargs):
    """Print with `str.format` when the program runs (values, not tracers)."""
    def impl(fmt, *c_args, **c_kwargs):
        if not skip_format_check:
            _FormatChecker().format(fmt, *c_args, **c_kwargs)
        has_placeholders = bool(fmt) and next(iter(string.Formatter().parse(fmt)))[1] is not None
        printer = _printer(fmt, dict(np.get_printoptions()), has_placeholders)
        _bind(printer, c_args, c_kwargs, [], has_side_effect=True, vmap_method="sequential")
    if fmt is None:
        return _two_call_form(impl, "debug_print", args, kwargs)
    impl(fmt, *args, **kwargs)


def explain_pass_error(error) -> str:
    """A transformation pass's error message, in JAX's words when the op is a pure callback."""
    op = getattr(error, "op", None)
    if op is not None and callbacks.is_callback(op):
        return ("Pure callbacks do not support JVP. Please use `jax.custom_jvp` to use callbacks "
                f"while taking gradients. (at {op.location})")
    return str(error)
