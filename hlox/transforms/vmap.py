"""`vmap`: trace the per-example function, run the batching pass, call the result.

As with the autodiff transforms, the call lands in the enclosing trace, or in a jit
made for it when the arguments are concrete, so vmap composes with everything.
"""
from __future__ import annotations

import contextlib
import functools

from hlox.frontend import collectives, errors, lax
from hlox.lowering.avals import ShapedArray
from hlox.frontend.core import aval_of, current_trace
from hlox.frontend.jit import ShapeDtypeStruct, call_function, eager_jit, trace_private_function
from hlox.lowering import pytree
from hlox.lowering.mlir import ir
from hlox.transforms.passes import run_transform


def p_is_leaf(x):
    return x is None or isinstance(x, int)


def _match(prefix, tree, what):
    if p_is_leaf(prefix):
        return [prefix] * len(pytree.flatten(tree)[0])
    if isinstance(prefix, (list, tuple)) and isinstance(tree, (list, tuple)):
        if len(prefix) != len(tree):
            raise errors.value_error(f"vmap {what} specification must be a tree prefix of the "
                                     f"corresponding value, got specification {prefix} for "
                                     f"value tree {pytree.flatten(tree)[1]}.")
        return [a for p, t in zip(prefix, tree) for a in _match(p, t, what)]
    if isinstance(prefix, dict) and isinstance(tree, dict):
        if set(prefix) != set(tree):
            raise errors.value_error(f"vmap {what} specification must be a tree prefix of the "
                                     f"corresponding value, got specification {prefix} for "
                                     f"value tree {pytree.flatten(tree)[1]}.")
        return [a for k in sorted(tree) for a in _match(prefix[k], tree[k], what)]
    children, _ = pytree.flatten_one_level(tree)
    prefix_children, _ = pytree.flatten_one_level(prefix)
    if len(children) != len(prefix_children):
        raise errors.value_error(f"vmap {what} specification must be a tree prefix of the "
                                 f"corresponding value, got specification {prefix}.")
    return [a for p, t in zip(prefix_children, children) for a in _match(p, t, what)]


def vmap(fun, in_axes=0, out_axes=0, axis_name=None, axis_size=None, spmd_axis_name=None):
    if not callable(fun):
        raise TypeError(f"vmap expects a callable, got {type(fun).__name__}")
    if isinstance(in_axes, list):
        in_axes = tuple(in_axes)

    def impl(*args, **kwargs):
        if isinstance(in_axes, tuple) and len(in_axes) != len(args):
            _raise_in_axes_length(in_axes, args)
        # keyword arguments are mapped over their leading axis, as in JAX
        axes = _match(in_axes, args, "in_axes") + [0] * len(pytree.flatten(kwargs)[0])
        leaves, tree = pytree.flatten((args, kwargs))
        avals = [aval_of(l) for l in leaves]
        axes = [None if a is None else _canonical_axis(a, av.ndim) for a, av in zip(axes, avals)]
        size = _batch_size(avals, axes, axis_size, leaves, tree)
        per_example = [ShapeDtypeStruct(_drop(av.shape, a), av.dtype, av.weak_type)
                       for av, a in zip(avals, axes)]
        example_args, example_kwargs = tree.unflatten(per_example)
        trace = current_trace()
        with _bound(axis_name, size):
            traced, _ = trace_private_function(lambda a, kw: fun(*a, **kw),
                                               (tuple(example_args), example_kwargs), {}, trace)
        in_dims = axes + [None] * len(traced.consts)
        named = {} if axis_name is None else {"axis_name": str(axis_name)}
        name = run_transform(trace, "hlox-batch", traced.fn_name, in_axes=in_dims, size=size,
                             **named)
        out_avals = [ShapedArray((size,) + a.shape, a.dtype, a.weak_type) for a in traced.out_avals]
        outs = call_function(trace, name, list(leaves) + traced.consts, out_avals)
        out_tree = traced.out_tree
        out_spec = _match(out_axes, out_tree.unflatten(list(range(out_tree.num_leaves))),
                          "out_axes")
        moved = []
        for o, spec in zip(outs, out_spec):
            if spec is None:
                raise errors.value_error("vmap has mapped output but out_axes is None")
            moved.append(_move_out(o, _canonical_axis(spec, o.ndim)))
        return out_tree.unflatten(moved)

    return functools.wraps(fun)(eager_jit(impl))


def _bound(axis_name, size):
    """The axis name bound while the per-example function is traced (for its collectives)."""
    return contextlib.nullcontext() if axis_name is None else collectives.axis_frame(axis_name, size)


def _raise_in_axes_length(in_axes, args):
    raise errors.value_error(f"vmap in_axes must be an int, None, or a tuple of entries "
                             f"corresponding to the positional arguments passed to the function, "
                             f"but got len(in_axes)={len(in_axes)}, len(args)={len(args)}")


def _canonical_axis(axis, ndim):
    if not -ndim <= axis < ndim:
        raise errors.value_error(f"vmap was requested to map its argument along axis {axis}, "
                                 f"which implies that its rank should be at least {axis + 1 if axis >= 0 else -axis}, "
                                 f"but is only {ndim}")
    return axis % ndim


def _drop(shape, axis):
    return shape if axis is None else shape[:axis] + shape[axis + 1:]


def _batch_size(avals, axes, axis_size, leaves, tree):
    sizes = {av.shape[a] for av, a in zip(avals, axes) if a is not None}
    if not sizes:
        if axis_size is None:
            raise errors.value_error("vmap must have at least one non-None value in in_axes")
        return int(axis_size)
    if len(sizes) > 1 or (axis_size is not None and axis_size not in sizes):
        desc = ", ".join(f"{av.str_short()} mapped along axis {a}"
                         for av, a in zip(avals, axes) if a is not None)
        raise errors.value_error(f"vmap got inconsistent sizes for array axes to be mapped: {desc}")
    return sizes.pop()


def _move_out(x, axis):
    if axis == 0:
        return x
    perm = list(range(1, x.ndim))
    perm.insert(axis, 0)
    return lax.transpose(x, perm)
