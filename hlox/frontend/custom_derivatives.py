"""custom_jvp and custom_vjp, designed at the IR level.

The user's function becomes a private `func.func` whose attributes name its rule
functions (traced beside it); the autodiff passes call those rules instead of
differentiating the body, so a module printed by hlox-opt keeps the user's rule
visible. Operands of the call are laid out as
`(argument leaves..., rule captures..., function captures...)`, and the
`hlox.custom_layout` attribute gives the group sizes.
"""
from __future__ import annotations

import functools

from hlox.frontend import dtypes, errors, lax
from hlox.frontend.core import Tracer, aval_of, current_trace, tracing
from hlox.frontend.jit import JitFunction, ShapeDtypeStruct, call_function, trace_private_function
from hlox.lowering import pytree
from hlox.lowering.mlir import ir

from hlox.frontend.ad_annotations import (CUSTOM_JVP_ATTR, CUSTOM_VJP_BWD_ATTR,  # noqa: E402
                                              CUSTOM_VJP_FWD_ATTR, LAYOUT_ATTR)


def _layout_attr(sizes):
    i64 = ir.IntegerType.get_signless(64)
    return ir.ArrayAttr.get([ir.IntegerAttr.get(i64, int(s)) for s in sizes])


def _symbol(name):
    return ir.FlatSymbolRefAttr.get(name)


def _call_primal(fun, args, rule_captures, attrs, layout_prefix):
    """Trace `fun` as a private function taking (leaves, rule captures, own captures), mark it
    with `attrs`, and call it."""
    trace = current_trace()
    leaves, tree = pytree.flatten(tuple(args))
    n = len(leaves)

    def primal(*flat):
        return fun(*tree.unflatten(list(flat[:n])))
    traced, _ = trace_private_function(primal, tuple(leaves) + tuple(rule_captures), {}, trace)
    for key, value in attrs.items():
        traced.func_op.attributes[key] = value
    traced.func_op.attributes[LAYOUT_ATTR] = _layout_attr(layout_prefix + [len(traced.consts)])
    outs = call_function(trace, traced.fn_name, list(leaves) + list(rule_captures) + traced.consts,
                         traced.out_avals)
    return traced.out_tree.unflatten(outs)


def _on_trace(method):
    """Methods that need a trace run under a jit when called on concrete values."""
    @functools.wraps(method)
    def wrapper(self, *args, **kwargs):
        if tracing():
            return method(self, *args, **kwargs)
        jitted = self.__dict__.setdefault("_jitted", JitFunction(
            lambda *a, **kw: method(self, *a, **kw)))
        return jitted(*args, **kwargs)
    return wrapper


class _CustomRuleFunction:
    """What custom_jvp and custom_vjp share: the wrapped function, and plain calls of it from
    inside its own rules (rules commonly call the function itself)."""

    def __init__(self, fun, nondiff_argnums=()):
        functools.update_wrapper(self, fun, updated=())
        self.fun = fun
        self.nondiff_argnums = tuple(nondiff_argnums)
        self._in_rule = False

    def __call__(self, *args):
        if self._in_rule:
            return self.fun(*args)
        return self._call(*args)

    def _trace_rule(self, fn, example_args):
        """Trace a rule function beside the primal, with calls of the function itself plain."""
        self._in_rule = True
        try:
            return trace_private_function(fn, example_args, {}, current_trace())[0]
        finally:
            self._in_rule = False


class custom_jvp(_CustomRuleFunction):
    """A function with a user-defined JVP rule (`f.defjvp(rule)`), as `jax.custom_jvp`."""

    def __init__(self, fun, nondiff_argnums=()):
        super().__init__(fun, nondiff_argnums)
        self.jvp = None

    def defjvp(self, jvp, symbolic_zeros=False):
        self.jvp = jvp
        return jvp

    def defjvps(self, *jvps):
        def jvp(primals, tangents):
            out = self.fun(*primals)
            tangent_out = None
            for rule, t in zip(jvps, tangents):
                if rule is None:
                    continue
                term = rule(t, out, *primals)
                tangent_out = term if tangent_out is None else tangent_out + term
            return out, tangent_out
        self.defjvp(jvp)

    @_on_trace
    def _call(self, *args):
        if self.jvp is None:
            raise AttributeError(f"No JVP defined for custom_jvp function "
                                 f"{getattr(self.fun, '__name__', self.fun)} using defjvp.")
        static = {i: args[i] for i in self.nondiff_argnums}
        dyn_positions = [i for i in range(len(args)) if i not in static]
        dyn = [args[i] for i in dyn_positions]

        def full(dyn_args):
            merged = list(args)
            for pos, v in zip(dyn_positions, dyn_args):
                merged[pos] = v
            return merged

        leaves, tree = pytree.flatten(tuple(dyn))
        n = len(leaves)
        static_values = [args[i] for i in self.nondiff_argnums]

        def rule(*flat):
            xs = tree.unflatten(list(flat[:n]))
            ts = tree.unflatten(list(flat[n:2 * n]))
            out, t_out = self.jvp(*static_values, tuple(xs), tuple(ts)) if static_values \
                else self.jvp(tuple(xs), tuple(ts))
            return out, t_out
        rule_traced = self._trace_rule(rule, tuple(leaves) * 2)
        attrs = {CUSTOM_JVP_ATTR: _symbol(rule_traced.fn_name)}
        return _call_primal(lambda *d: self.fun(*full(d)), tuple(dyn), rule_traced.consts,
                            attrs, [n, len(rule_traced.consts)])


class custom_vjp(_CustomRuleFunction):
    """A function with user-defined forward and backward passes (`f.defvjp(fwd, bwd)`)."""

    def __init__(self, fun, nondiff_argnums=()):
        super().__init__(fun, nondiff_argnums)
        self.fwd = self.bwd = None

    def defvjp(self, fwd, bwd, symbolic_zeros=False, optimize_remat=False):
        self.fwd, self.bwd = fwd, bwd

    @_on_trace
    def _call(self, *args):
        if self.fwd is None:
            raise AttributeError(f"No VJP defined for custom_vjp function "
                                 f"{getattr(self.fun, '__name__', self.fun)} using defvjp.")
        if self.nondiff_argnums:
            raise errors.type_error("custom_vjp with nondiff_argnums is not supported yet; close "
                                    "over the static values instead")
        trace = current_trace()
        leaves, tree = pytree.flatten(tuple(args))
        n = len(leaves)

        def fwd(*flat):
            out, res = self.fwd(*tree.unflatten(list(flat)))
            return out, res
        fwd_traced = self._trace_rule(fwd, tuple(leaves))
        out_tree, res_tree = fwd_traced.out_tree.children()
        n_out = out_tree.num_leaves
        out_avals = fwd_traced.out_avals[:n_out]
        res_avals = fwd_traced.out_avals[n_out:]

        def bwd(*flat):
            res = res_tree.unflatten(list(flat[:len(res_avals)]))
            ct = out_tree.unflatten(list(flat[len(res_avals):]))
            cts = self.bwd(res, ct)
            if not isinstance(cts, (tuple, list)) or len(cts) != len(args):
                raise errors.type_error(
                    f"Custom VJP bwd rule must produce a tuple of length equal to the number of "
                    f"primal arguments ({len(args)}), got {type(cts).__name__}")
            return _fill_zeros(tuple(cts), tuple(args))
        placeholders = [ShapeDtypeStruct(a.shape, a.dtype) for a in list(res_avals) + list(out_avals)]
        bwd_traced, _ = trace_private_function(bwd, tuple(placeholders), {}, trace)
        attrs = {CUSTOM_VJP_FWD_ATTR: _symbol(fwd_traced.fn_name),
                 CUSTOM_VJP_BWD_ATTR: _symbol(bwd_traced.fn_name)}
        return _call_primal(self.fun, tuple(args), fwd_traced.consts + bwd_traced.consts, attrs,
                            [n, len(fwd_traced.consts), len(bwd_traced.consts)])


def _fill_zeros(cts, args):
    filled = []
    for ct, arg in zip(cts, args):
        if ct is None:
            leaves, tree = pytree.flatten(arg)
            ct = tree.unflatten([lax.full(aval_of(l).shape, 0, aval_of(l).dtype) for l in leaves])
        filled.append(ct)
    return tuple(filled)


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
