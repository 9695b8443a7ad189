"""checkpoint / remat, checkpoint_policies and checkpoint_name, designed at the IR level.

`checkpoint(f)` traces `f` into a private `func.func` marked `hlox.remat = "<policy>"`
(and `hlox.remat_prevent_cse = false` when asked); reverse mode through a call of
it (passes/autodiff/rules/calls.py) keeps only what the policy saves and recomputes
the rest in the backward pass. A policy is a union of terms joined by `|`, each a
JAX policy name, with `:a,b` for the names it takes; `nothing_saveable` is the
empty union. `checkpoint_name(x, "a")` calls a private identity function marked
`hlox.checkpoint_name = "a"`, which name-based policies select.
"""
from __future__ import annotations

import functools
import types

from hlox.frontend import errors
from hlox.frontend.core import current_trace, tracing
from hlox.frontend.jit import call_function, trace_private_function
from hlox.lowering import pytree
from hlox.lowering.mlir import ir
from hlox.frontend.ad_annotations import CHECKPOINT_NAME_ATTR, REMAT_ATTR, REMAT_CSE_ATTR


class Policy:
    """A rematerialization policy: which results of the checkpointed function's ops the
    forward pass keeps for the backward pass. `spec` is what the IR carries."""

    def __init__(self, spec):
        self.spec = spec

    def __repr__(self):
        return f"checkpoint_policies[{self.spec or 'nothing_saveable'}]"

    def __eq__(self, other):
        return isinstance(other, Policy) and other.spec == self.spec

    def __hash__(self):
        return hash(self.spec)


def _names_term(kind, names):
    for name in names:
        if not isinstance(name, str) or not name or any(c in name for c in "|:,"):
            raise errors.value_error(f"{kind}: checkpoint names must be non-empty strings "
                                     f"without '|', ':' or ',', got {name!r}")
    return Policy(f"{kind}:{','.join(names)}")


def _union(*policies):
    terms = [t for p in policies for t in _as_policy(p).spec.split("|") if t]
    return Policy("|".join(dict.fromkeys(terms)))


checkpoint_policies = types.SimpleNamespace(
    everything_saveable=Policy("everything_saveable"),
    nothing_saveable=Policy(""),
    dots_saveable=Policy("dots_saveable"),
    checkpoint_dots=Policy("dots_saveable"),
    dots_with_no_batch_dims_saveable=Policy("dots_with_no_batch_dims_saveable"),
    checkpoint_dots_with_no_batch_dims=Policy("dots_with_no_batch_dims_saveable"),
    save_only_these_names=lambda *names: _names_term("save_only_these_names", names),
    save_any_names_but_these=lambda *names: _names_term("save_any_names_but_these", names),
    save_anything_except_these_names=lambda *names: _names_term(
        "save_anything_except_these_names", names),
    save_from_both_policies=_union,
)


def _as_policy(policy):
    if policy is None:
        return checkpoint_policies.nothing_saveable
    if isinstance(policy, Policy):
        return policy
    raise errors.type_error(f"checkpoint policy must be one of hlox.checkpoint_policies, got "
                            f"{policy!r} (hlox decides what to save on the IR, so an arbitrary "
                            "Python predicate cannot be used)")


def _static_positions(static_argnums, n_args):
    nums = (static_argnums,) if isinstance(static_argnums, int) else tuple(static_argnums)
    for i in nums:
        if not -n_args <= i < n_args:
            raise errors.value_error(f"checkpoint: static_argnums {static_argnums} out of range "
                                     f"for a function called with {n_args} positional arguments")
    return {i % n_args for i in nums}


def _call_marked(name, fun, args, kwargs, attrs):
    """Trace `fun(*args, **kwargs)` into a private function carrying `attrs` and call it."""
    trace = current_trace()
    leaves, tree = pytree.flatten((tuple(args), dict(kwargs)))

    def flat_fun(*flat):
        a, kw = tree.unflatten(list(flat))
        return fun(*a, **kw)
    flat_fun.__name__ = name
    traced, _ = trace_private_function(flat_fun, tuple(leaves), {}, trace)
    for key, value in attrs.items():
        traced.func_op.attributes[key] = value
    outs = call_function(trace, traced.fn_name, list(leaves) + traced.consts, traced.out_avals)
    return traced.out_tree.unflatten(outs)


def checkpoint(fun, *, prevent_cse=True, policy=None, static_argnums=()):
    """`jax.checkpoint`: in reverse mode, keep only what `policy` saves of `fun`'s
    intermediates and recompute the rest in the backward pass."""
    spec = _as_policy(policy).spec

    @functools.wraps(fun)
    def remat_fun(*args, **kwargs):
        if not tracing():  # nothing to differentiate: plain evaluation
            return fun(*args, **kwargs)
        statics = _static_positions(static_argnums, len(args))
        dyn_positions = [i for i in range(len(args)) if i not in statics]

        def with_statics(*dyn, **kw):
            merged = list(args)
            for pos, value in zip(dyn_positions, dyn):
                merged[pos] = value
            return fun(*merged, **kw)
        marks = {REMAT_ATTR: ir.StringAttr.get(spec)}
        if not prevent_cse:
            marks[REMAT_CSE_ATTR] = ir.BoolAttr.get(False)
        return _call_marked(getattr(fun, "__name__", "remat"), with_statics,
                            [args[i] for i in dyn_positions], kwargs, marks)
    return remat_fun


remat = checkpoint


def checkpoint_name(x, name):
    """`jax.ad_checkpoint.checkpoint_name`: identity on `x`, naming its leaves for the
    name-based policies."""
    _names_term("checkpoint_name", [name])
    if not tracing():
        return x
    leaves, tree = pytree.flatten(x)
    outs = _call_marked("checkpoint_name", lambda *l: list(l), leaves, {},
                        {CHECKPOINT_NAME_ATTR: ir.StringAttr.get(name)})
    return tree.unflatten(outs)


__all__ = ["checkpoint", "remat", "checkpoint_policies", "checkpoint_name", "Policy"]


# -- what a custom policy returns (JAX's markers; hlox's policies are the named ones above) ------
class RecomputeType:
    """A policy's answer: recompute this value in the backward pass."""

    def __repr__(self):
        return "Recompute"


class SaveableType:
    """A policy's answer: save this value for the backward pass."""

    def __repr__(self):
        return "Saveable"


Recompute, Saveable = RecomputeType(), SaveableType()


class Offloadable(types.SimpleNamespace):
    """A policy's answer: save this value in memory space `dst`, moved from `src`."""

    def __init__(self, src, dst):
        super().__init__(src=src, dst=dst)

    def __repr__(self):
        return f"Offloadable(src={self.src!r}, dst={self.dst!r})"


def print_saved_residuals(f, *args, **kwargs):
    """jax.ad_checkpoint.print_saved_residuals: not yet in hlox (its residuals are the values a
    hlox-vjp function passes from its forward to its backward half)."""
    raise NotImplementedError("hlox.ad_checkpoint.print_saved_residuals is not implemented yet")
