"""The implicitly differentiated solvers `custom_linear_solve` and `custom_root`, built on
`custom_vjp`."""
from __future__ import annotations

import numpy as np

from hlox.frontend import lax
from hlox.frontend.custom_derivatives import closure_convert, custom_vjp
from hlox.lowering import pytree
from hlox.transforms.autodiff import linear_transpose, linearize, vjp

__all__ = ["custom_linear_solve", "custom_root"]


def _hoisted(fun, example):
    """`fun` as `converted(x, *consts)` with the traced float values it closes over hoisted into
    `consts`, so that a custom_vjp can return their cotangents."""
    converted, consts = closure_convert(fun, example)
    if not consts:
        return lambda x, *_: fun(x), []
    return converted, list(consts)


def _tree_map(fn, *trees):
    leaves, tree = pytree.flatten(trees[0])
    rest = [pytree.flatten(t)[0] for t in trees[1:]]
    return tree.unflatten([fn(*xs) for xs in zip(leaves, *rest)])


def _negate(tree):
    return _tree_map(lax.neg, tree)


def _aux_split(has_aux, out):
    return out if has_aux else (out, None)


def _with_aux(has_aux, x, aux):
    return (x, aux) if has_aux else x


def _param_cotangents(fun, x, consts, ct):
    """-(d fun(x, consts) / d consts)^T ct: what an implicitly defined x passes back."""
    if not consts:
        return ()
    _, pullback = vjp(lambda *c: fun(x, *c), *consts)
    return tuple(_negate(list(pullback(ct))))


def _runner(solve, fun_c, has_aux):
    """(arg, consts) -> solve(fun with consts, arg), its aux output not differentiated."""
    def run(arg, consts):
        out = solve(lambda x: fun_c(x, *consts), arg)
        x, aux = _aux_split(has_aux, out)
        return _with_aux(has_aux, x, None if aux is None else lax.stop_gradient(aux))
    return run


def _implicit_solver(run, backward, has_aux):
    """A custom_vjp function (arg, *consts) -> run(arg, consts) whose cotangents are
    backward(x, arg, consts, ct_x): the solution is differentiated implicitly, never through
    the solver's iterations."""

    @custom_vjp
    def solved(arg, *consts):
        return run(arg, consts)

    def fwd(arg, *consts):
        out = run(arg, consts)
        return out, (_aux_split(has_aux, out)[0], arg, consts)

    def bwd(res, ct):
        x, arg, consts = res
        return backward(x, arg, consts, _aux_split(has_aux, ct)[0])
    solved.defvjp(fwd, bwd)
    return solved


def custom_linear_solve(matvec, b, solve, transpose_solve=None, symmetric=False, has_aux=False):
    """x = solve(matvec, b) for the linear `matvec`, differentiated implicitly: the cotangent
    of b is transpose_solve(vecmat, ct) (solve itself when symmetric), and values `matvec`
    closes over receive -(d matvec(x))^T of it. Neither solver is differentiated. Without
    transpose_solve (and not symmetric), where JAX has no reverse mode, `solve` itself is
    differentiated."""
    matvec_c, consts = _hoisted(matvec, b)

    run = _runner(solve, matvec_c, has_aux)

    def backward(x, b, consts, ct):
        def mv(v):
            return matvec_c(v, *consts)
        if symmetric:
            ct_b = solve(mv, ct)
        else:
            vecmat = linear_transpose(mv, x)
            ct_b = transpose_solve(lambda y: vecmat(y)[0], ct)
        ct_b = _aux_split(has_aux, ct_b)[0]
        return (ct_b, *_param_cotangents(matvec_c, x, consts, ct_b))
    if transpose_solve is None and not symmetric:
        return run(b, consts)  # JAX refuses reverse mode here; hlox differentiates `solve`
    return _implicit_solver(run, backward, has_aux)(b, *consts)


def custom_root(f, initial_guess, solve, tangent_solve, has_aux=False):
    """x = solve(f, initial_guess) with f(x) = 0, differentiated by the implicit function
    theorem: values `f` closes over receive -(df/dparams)^T w, where w solves
    (df/dx)^T w = ct through the transpose of `tangent_solve`. The initial guess gets none."""
    f_c, consts = _hoisted(f, initial_guess)

    run = _runner(solve, f_c, has_aux)

    def backward(x, guess, consts, ct):
        _, f_jvp = linearize(lambda v: f_c(v, *consts), x)
        w = linear_transpose(lambda y: tangent_solve(f_jvp, y), x)(ct)[0]
        zeros = _tree_map(lambda g: lax.full(np.shape(g), 0, lax.asarray(g).dtype), guess)
        return (zeros, *_param_cotangents(f_c, x, consts, w))
    return _implicit_solver(run, backward, has_aux)(initial_guess, *consts)
