"""grad, value_and_grad, jvp, vjp, linearize, jacfwd, jacrev, hessian.

Each transform traces the user's function into a private `func.func`, runs the
autodiff pass on the module to add its derivative, and emits a `func.call` to
it. Inside a trace that call lands in the enclosing function; on concrete
arguments the whole thing runs under a jit, so every transform composes with
every other one through the IR.
"""
from __future__ import annotations

import functools

import numpy as np

from hlox.frontend import callbacks, dtypes, errors, lax
from hlox.frontend.core import Tracer, aval_of, current_trace, tracing
from hlox.frontend.jit import call_function, eager_jit, trace_private_function
from hlox.lowering import pytree
from hlox.lowering.mlir import ir
from hlox.transforms.passes import run_transform


def _argnums_tuple(argnums, n_args, api):
    single = isinstance(argnums, int)
    nums = (argnums,) if single else tuple(argnums)
    for i in nums:
        if not -n_args <= i < n_args:
            raise errors.type_error(f"{api}: argnums {argnums} out of range for a function "
                                    f"called with {n_args} positional arguments")
    return single, tuple(i % n_args for i in nums)


def _leaf_ranges(args):
    """For each positional argument, the range of its leaves in the flattened args."""
    ranges, start = [], 0
    for a in args:
        n = len(pytree.flatten(a)[0])
        ranges.append(range(start, start + n))
        start += n
    return ranges


def _check_differentiable(leaves, positions, api, allow_int=False):
    for i in positions:
        aval = aval_of(leaves[i])
        if not dtypes.is_inexact(aval.dtype) and not allow_int:
            raise errors.type_error(
                f"{api} requires real- or complex-valued inputs (input dtype that is a sub-dtype "
                f"of np.inexact), but got {aval.dtype.name}. If you want to use Boolean- or "
                "integer-valued inputs, use vjp or set allow_int to True.")


def _derive(kind, traced, wrt):
    """Run the autodiff pass on the traced function; returns the new function's name."""
    return run_transform(current_trace(), f"hlox-{kind}", traced.fn_name, wrt=list(wrt))


def _vjp_call(traced, leaves, wrt, seeds):
    """Call the VJP of a traced function: returns (output leaves, cotangents of `wrt`)."""
    name = _derive("vjp", traced, wrt)
    n_out = len(traced.out_avals)
    result_avals = list(traced.out_avals) + [aval_of(leaves[i]).strip_weak_type() for i in wrt]
    outs = call_function(current_trace(), name, list(leaves) + traced.consts + list(seeds),
                         result_avals)
    return outs[:n_out], outs[n_out:]


def _zeros(aval):
    return lax.full(aval.shape, 0, aval.dtype)


# -- value_and_grad / grad ----------------------------------------------------------------
def value_and_grad(fun, argnums=0, has_aux=False, holomorphic=False, allow_int=False,
                   reduce_axes=()):
    api = "grad"

    def impl(*args, **kwargs):
        single, nums = _argnums_tuple(argnums, len(args), api)
        traced, leaves = trace_private_function(fun, args, kwargs, current_trace())
        ranges = _leaf_ranges(args)
        wrt = [i for n in nums for i in ranges[n]]
        _check_differentiable(leaves, wrt, api, allow_int)
        integer = [i for i in wrt if not dtypes.is_inexact(aval_of(leaves[i]).dtype)]
        wrt = [i for i in wrt if i not in integer]
        out_positions = traced.out_tree.unflatten(list(range(len(traced.out_avals))))
        if has_aux:
            if not isinstance(out_positions, (tuple, list)) or len(out_positions) != 2:
                raise errors.type_error("has_aux=True requires the function to return a pair "
                                        "(output, auxiliary data)")
            main = out_positions[0]
        else:
            main = out_positions
        if not isinstance(main, int):
            raise errors.type_error("Gradient only defined for scalar-output functions. Output "
                                    f"was a pytree with {len(pytree.flatten(main)[0])} leaves.")
        main_aval = traced.out_avals[main]
        if main_aval.shape != ():
            raise errors.type_error("Gradient only defined for scalar-output functions. Output "
                                    f"had shape: {main_aval.shape}.")
        if not dtypes.is_inexact(main_aval.dtype):
            raise errors.type_error("grad requires real- or complex-valued outputs (output dtype "
                                    f"that is a sub-dtype of np.inexact), but got "
                                    f"{main_aval.dtype.name}.")
        seeds = [lax.full((), 1, a.dtype) if i == main else _zeros(a)
                 for i, a in enumerate(traced.out_avals)]
        outs, cts = _vjp_call(traced, leaves, wrt, seeds) if wrt else (
            call_function(current_trace(), traced.fn_name, list(leaves) + traced.consts,
                          traced.out_avals), [])
        cotangent_of = {i: _as_input_dtype(ct, leaves[i]) for ct, i in zip(cts, wrt)}
        # integer inputs (allow_int) get float0 zeros, made outside the compiled program
        grads = [cotangent_of.get(i, _Float0(aval_of(leaves[i]).shape))
                 for n in nums for i in ranges[n]]
        arg_leaves = [list(grads[_offset(ranges, nums, k):_offset(ranges, nums, k) + len(ranges[n])])
                      for k, n in enumerate(nums)]
        grad_trees = tuple(pytree.flatten(args[n])[1].unflatten(g) for n, g in zip(nums, arg_leaves))
        value = outs[main]
        result_grads = grad_trees[0] if single else grad_trees
        if has_aux:
            aux_tree = traced.out_tree.unflatten(outs)[1]
            return (value, aux_tree), result_grads
        return value, result_grads

    run = eager_jit(impl)

    @functools.wraps(fun)
    def value_and_grad_f(*args, **kwargs):
        return _materialize_float0(run(*args, **kwargs))
    return value_and_grad_f


class _Float0:
    """The gradient of an integer input: no value in the program, float0 zeros outside it."""

    def __init__(self, shape):
        self.shape = shape


pytree.register_node(_Float0, lambda z: ((), z.shape), lambda shape, _: _Float0(shape))


def _materialize_float0(result):
    leaves, treedef = pytree.flatten(result, is_leaf=lambda x: isinstance(x, _Float0))
    if not any(isinstance(x, _Float0) for x in leaves):
        return result
    return treedef.unflatten([np.zeros(x.shape, dtypes.float0) if isinstance(x, _Float0) else x
                              for x in leaves])


def _offset(ranges, nums, k):
    return sum(len(ranges[n]) for n in nums[:k])


def _as_input_dtype(ct, leaf):
    """A cotangent with its input's dtype and weak type (as JAX returns them)."""
    aval = aval_of(leaf)
    ct = ct if ct.dtype == aval.dtype else lax.convert_element_type(ct, aval.dtype)
    return lax._as_weak(ct, aval.weak_type)


def grad(fun, argnums=0, has_aux=False, holomorphic=False, allow_int=False, reduce_axes=()):
    vg = value_and_grad(fun, argnums, has_aux, holomorphic, allow_int)

    @functools.wraps(fun)
    def grad_f(*args, **kwargs):
        (_, aux), g = vg(*args, **kwargs) if has_aux else ((None, None), vg(*args, **kwargs)[1])
        return (g, aux) if has_aux else g
    return grad_f


# -- jvp / linearize ---------------------------------------------------------------------------
def _check_tangents(primal_leaves, primal_tree, tangent_leaves, tangent_tree):
    if primal_tree != tangent_tree:
        raise errors.type_error("primal and tangent arguments to jvp must have the same tree "
                                f"structure; primals have tree structure {primal_tree} whereas "
                                f"tangents have tree structure {tangent_tree}.")
    for p, t in zip(primal_leaves, tangent_leaves):
        pa, ta = aval_of(p), aval_of(t)
        if dtypes.is_inexact(pa.dtype) and pa.dtype != ta.dtype:
            raise errors.type_error(
                "primal and tangent arguments to jvp do not match; dtypes must be equal, or in "
                "case of int/bool primal dtype the tangent dtype must be float0. Got primal dtype "
                f"{pa.dtype.name} and so expected tangent dtype {pa.dtype.name}, but got tangent "
                f"dtype {ta.dtype.name} instead.")
        if pa.shape != ta.shape:
            raise errors.value_error("jvp called with different primal and tangent shapes; Got "
                                     f"primal shape {pa.shape} and tangent shape as {ta.shape}")


def jvp(fun, primals, tangents, has_aux=False):
    if not isinstance(primals, (tuple, list)) or not isinstance(tangents, (tuple, list)):
        raise errors.type_error("primal and tangent arguments to jvp must be tuples or lists; "
                                f"found {type(primals).__name__} and {type(tangents).__name__}.")
    p_leaves, p_tree = pytree.flatten(tuple(primals))
    t_leaves, t_tree = pytree.flatten(tuple(tangents))
    _check_tangents(p_leaves, p_tree, t_leaves, t_tree)

    def impl(primals, tangents):
        traced, leaves = trace_private_function(fun, tuple(primals), {}, current_trace())
        t_leaves = pytree.flatten(tuple(tangents))[0]
        wrt = [i for i, l in enumerate(leaves) if dtypes.is_inexact(aval_of(l).dtype)]
        name = _derive("jvp", traced, wrt)
        outs = call_function(current_trace(), name,
                             list(leaves) + traced.consts + [t_leaves[i] for i in wrt],
                             list(traced.out_avals) * 2)
        n = len(traced.out_avals)
        y, ty = traced.out_tree.unflatten(outs[:n]), traced.out_tree.unflatten(outs[n:])
        if has_aux:
            return y[0], ty[0], y[1]
        return y, ty
    return eager_jit(impl)(tuple(primals), tuple(tangents))


def linearize(fun, *primals, has_aux=False):
    out = jvp(fun, primals, [_zeros_like_leafwise(p) for p in primals], has_aux=has_aux)

    def f_jvp(*tangents):
        return jvp(fun, primals, tangents, has_aux=has_aux)[1]
    if has_aux:
        return out[0], f_jvp, out[2]
    return out[0], f_jvp


def _zeros_like_leafwise(tree):
    leaves, treedef = pytree.flatten(tree)
    return treedef.unflatten([_zeros(aval_of(l).strip_weak_type()) for l in leaves])


# -- vjp -------------------------------------------------------------------------------------
def vjp(fun, *primals, has_aux=False, reduce_axes=()):
    p_leaves, p_tree = pytree.flatten(tuple(primals))

    def forward(primals):
        out = fun(*primals)
        return out

    primal_out = eager_jit(forward)(tuple(primals))
    out = primal_out[0] if has_aux else primal_out
    out_leaves, out_tree = pytree.flatten(out)

    def pullback_impl(primals, cts):
        traced, leaves = trace_private_function(lambda *a: fun(*a)[0] if has_aux else fun(*a),
                                                tuple(primals), {}, current_trace())
        ct_leaves, ct_tree = pytree.flatten(cts)
        if ct_tree != out_tree:
            raise errors.type_error(f"Tree structure of cotangent input {ct_tree}, does not "
                                    f"match structure of primal output {out_tree}.")
        for c, a in zip(ct_leaves, traced.out_avals):
            if aval_of(c).shape != a.shape:
                raise errors.value_error(f"Shape of cotangent input to vjp pullback function "
                                         f"{aval_of(c).shape} must be the same as the shape of "
                                         f"corresponding primal input {a.shape}.")
        wrt = [i for i, l in enumerate(leaves) if dtypes.is_inexact(aval_of(l).dtype)]
        seeds = [lax.convert_element_type(c, a.dtype) if aval_of(c).dtype != a.dtype else c
                 for c, a in zip(ct_leaves, traced.out_avals)]
        _, cts_in = _vjp_call(traced, leaves, wrt, seeds)
        by_leaf = dict(zip(wrt, cts_in))
        grads = [_as_input_dtype(by_leaf[i], l) if i in by_leaf else _zeros(aval_of(l))
                 for i, l in enumerate(leaves)]
        return pytree.flatten(tuple(primals))[1].unflatten(grads)

    run = eager_jit(pullback_impl)

    def vjp_fn(ct):
        return run(tuple(primals), ct)
    if has_aux:
        return out, vjp_fn, primal_out[1]
    return out, vjp_fn


# -- Jacobians ---------------------------------------------------------------------------------
# Basis vectors are batched with vmap (the batching pass), not looped over.
def _basis(aval):
    """The standard basis of an input, stacked: shape (size,) + aval.shape."""
    n = int(np.prod(aval.shape, dtype=np.int64))
    return lax.reshape(lax.convert_element_type(
        lax.eq(lax.broadcasted_iota("int32", (n, n), 0), lax.broadcasted_iota("int32", (n, n), 1)),
        aval.dtype), (n,) + tuple(aval.shape))


def _to_trailing(stacked, n_leading_shape):
    """(n, *out) -> (*out, *n_leading_shape): the basis axis becomes the input's shape at the end."""
    moved = lax.transpose(stacked, list(range(1, stacked.ndim)) + [0])
    return lax.reshape(moved, tuple(moved.shape[:-1]) + tuple(n_leading_shape))


def _to_leading(stacked, out_shape):
    """(m, *in) -> (*out_shape, *in)."""
    return lax.reshape(stacked, tuple(out_shape) + tuple(stacked.shape[1:]))


def _dynamic_args(args, argnums, api):
    """The differentiated arguments as one pytree (the argument itself for an int `argnums`, a
    tuple of them otherwise, as JAX nests Jacobians), and `fun`'s arguments rebuilt from it."""
    single, nums = _argnums_tuple(argnums, len(args), api)
    dyn = args[nums[0]] if single else tuple(args[n] for n in nums)

    def with_dyn(d):
        new_args = list(args)
        for i, n in enumerate(nums):
            new_args[n] = d if single else d[i]
        return new_args
    return dyn, with_dyn


def _jacobian_tree(out_tree, in_tree, blocks):
    """blocks[k][j] = d out-leaf k / d in-leaf j, laid out as JAX does: the output's tree outside,
    the differentiated inputs' tree inside."""
    return out_tree.unflatten([in_tree.unflatten(list(row)) for row in blocks])


def _only_at(k, value, leaves):
    """`value` in place of leaf k, zeros (strong-typed) for the others."""
    return tuple(value if j == k else _zeros(aval_of(l).strip_weak_type())
                 for j, l in enumerate(leaves))


def jacfwd(fun, argnums=0, has_aux=False, holomorphic=False):
    from hlox.transforms.vmap import vmap

    def jac(*args):
        dyn, with_dyn = _dynamic_args(args, argnums, "jacfwd")
        leaves, in_tree = pytree.flatten(dyn)
        _check_differentiable(leaves, range(len(leaves)), "jacfwd")

        def call(*leaves):
            return fun(*with_dyn(in_tree.unflatten(list(leaves))))
        columns = []
        for k, leaf in enumerate(leaves):
            aval = aval_of(leaf).strip_weak_type()

            def push(t, k=k):
                return jvp(call, tuple(leaves), _only_at(k, t, leaves), has_aux=has_aux)[1]
            out_leaves, out_tree = pytree.flatten(vmap(push)(_basis(aval)))
            columns.append([_to_trailing(c, aval.shape) for c in out_leaves])
        result = _jacobian_tree(out_tree, in_tree, zip(*columns))
        return (result, call(*leaves)[1]) if has_aux else result
    return jac


def jacrev(fun, argnums=0, has_aux=False, holomorphic=False, allow_int=False):
    from hlox.transforms.vmap import vmap

    def jac(*args):
        dyn, with_dyn = _dynamic_args(args, argnums, "jacrev")
        in_tree = pytree.flatten(dyn)[1]
        y, pullback, *aux = vjp(lambda d: fun(*with_dyn(d)), dyn, has_aux=has_aux)
        y_leaves, y_tree = pytree.flatten(y)
        rows = []
        for k, leaf in enumerate(y_leaves):
            aval = aval_of(leaf).strip_weak_type()

            def pull(ct, k=k):
                return pullback(y_tree.unflatten(list(_only_at(k, ct, y_leaves))))[0]
            rows.append([_to_leading(x, aval.shape)
                         for x in pytree.flatten(vmap(pull)(_basis(aval)))[0]])
        result = _jacobian_tree(y_tree, in_tree, rows)
        return (result, aux[0]) if has_aux else result
    return jac


jacobian = jacrev


def hessian(fun, argnums=0, has_aux=False, holomorphic=False):
    return jacfwd(jacrev(fun, argnums, has_aux=has_aux), argnums, has_aux=has_aux)


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
