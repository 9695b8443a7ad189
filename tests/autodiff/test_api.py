"""The autodiff API against real JAX on the same inputs: values, structure, errors, composition."""
from __future__ import annotations

import jax
import jax.numpy as jr
import numpy as np
import pytest
from conftest import assert_matches

import hlox
import hlox.numpy as jnp

rng = np.random.default_rng(0)
X = rng.normal(size=(3,)).astype(np.float32)
Y = rng.normal(size=(3,)).astype(np.float32)
M = rng.normal(size=(3, 3)).astype(np.float32)


def both(make):
    """The same program written once against a numpy namespace: (hlox version, jax version)."""
    return make(jnp), make(jr)


def close(a, b, tol=2e-5):
    la, ta = jax.tree_util.tree_flatten(hlox.tree_util.tree_map(np.asarray, a))
    lb, tb = jax.tree_util.tree_flatten(b)
    assert len(la) == len(lb)
    for u, v in zip(la, lb):
        assert_matches(u, v, rtol=tol, atol=tol)


SCALAR_FNS = {
    "poly": lambda np_: lambda x, y: np_.sum(x ** 3 * y - 2.0 * x * y ** 2),
    "trig": lambda np_: lambda x, y: np_.sum(np_.sin(x) * np_.cos(y) + np_.tanh(x * y)),
    "exp_log": lambda np_: lambda x, y: np_.sum(np_.log1p(np_.exp(x)) / (1.0 + y * y)),
    "max_min": lambda np_: lambda x, y: np_.max(x * y) - np_.min(x + y),
    "matvec": lambda np_: lambda x, y: np_.sum((np_.asarray(M) @ x) * y),
    "mean_var": lambda np_: lambda x, y: np_.mean(x * y) + np_.var(x),
    "reshape_transpose": lambda np_: lambda x, y: np_.sum(np_.outer(x, y).T.reshape(9) ** 2),
    "prod": lambda np_: lambda x, y: np_.prod(x + 2.0) * np_.sum(y),
    "where": lambda np_: lambda x, y: np_.sum(np_.where(x > 0, x * y, y ** 2)),
    "concat_slice": lambda np_: lambda x, y: np_.sum(np_.concatenate([x, y])[1:5] ** 2),
    "softmax": lambda np_: lambda x, y: np_.sum(np_.exp(x) / np_.sum(np_.exp(x)) * y),
}


@pytest.mark.parametrize("name", sorted(SCALAR_FNS))
def test_grad_value_and_grad_jvp_vjp_match_jax(name):
    f, fr = both(SCALAR_FNS[name])
    close(hlox.grad(f, argnums=(0, 1))(X, Y), jax.grad(fr, argnums=(0, 1))(X, Y))
    close(hlox.value_and_grad(f)(X, Y), jax.value_and_grad(fr)(X, Y))
    close(hlox.jvp(f, (X, Y), (Y, X)), jax.jvp(fr, (X, Y), (Y, X)))
    out, pullback = hlox.vjp(f, X, Y)
    out_r, pullback_r = jax.vjp(fr, X, Y)
    close(out, out_r)
    close(pullback(np.float32(1.5)), pullback_r(np.float32(1.5)))
    close(pullback(np.float32(-2.0)), pullback_r(np.float32(-2.0)))  # the pullback is reusable


def test_jacobians_and_hessian():
    f, fr = both(lambda np_: lambda x: np_.sin(x) * np_.sum(x ** 2))
    close(hlox.jacfwd(f)(X), jax.jacfwd(fr)(X))
    close(hlox.jacrev(f)(X), jax.jacrev(fr)(X))
    close(hlox.jacobian(f)(X), jax.jacobian(fr)(X))
    g, gr = both(lambda np_: lambda x: np_.sum(np_.sin(x) * x ** 3))
    close(hlox.hessian(g)(X), jax.hessian(gr)(X), tol=1e-4)
    close(hlox.jacfwd(hlox.jacrev(g))(X), jax.jacfwd(jax.jacrev(gr))(X), tol=1e-4)


def test_pytrees_has_aux_and_argnums():
    def make(np_):
        def loss(params, x):
            pred = np_.tanh(x @ params["w"] + params["b"])
            return np_.mean(pred ** 2), {"pred": pred}
        return loss
    f, fr = both(make)
    params = {"w": M, "b": Y}
    close(hlox.grad(f, has_aux=True)(params, X), jax.grad(fr, has_aux=True)(params, X))
    close(hlox.value_and_grad(f, argnums=(0, 1), has_aux=True)(params, X),
          jax.value_and_grad(fr, argnums=(0, 1), has_aux=True)(params, X))


def test_higher_order_and_composition():
    f, fr = both(lambda np_: lambda x: np_.sin(x) * x)
    for make_h, make_j in [(lambda g: g, lambda g: g), (hlox.grad, jax.grad),
                           (lambda g: hlox.grad(hlox.grad(g)), lambda g: jax.grad(jax.grad(g)))]:
        close(make_h(hlox.grad(f))(0.7), make_j(jax.grad(fr))(0.7))
    close(hlox.jit(hlox.grad(f))(0.3), jax.jit(jax.grad(fr))(0.3))
    close(hlox.grad(hlox.jit(f))(0.3), jax.grad(jax.jit(fr))(0.3))
    close(hlox.jit(lambda x: hlox.grad(lambda y: x * y)(x))(3.0),
          jax.jit(lambda x: jax.grad(lambda y: x * y)(x))(3.0))
    close(hlox.grad(lambda x: hlox.grad(lambda y: jnp.sin(x * y))(x))(0.5),
          jax.grad(lambda x: jax.grad(lambda y: jr.sin(x * y))(x))(0.5))


def test_linearize():
    f, fr = both(lambda np_: lambda x: np_.sin(x) * x)
    y, f_jvp = hlox.linearize(f, X)
    y_r, f_jvp_r = jax.linearize(fr, X)
    close(y, y_r)
    close(f_jvp(Y), f_jvp_r(Y))


def test_stop_gradient():
    f, fr = both(lambda np_: lambda x: np_.sum(x * x))
    g = lambda x: jnp.sum(hlox.lax.stop_gradient(x) * x)  # noqa: E731
    gr = lambda x: jr.sum(jax.lax.stop_gradient(x) * x)  # noqa: E731
    close(hlox.grad(g)(X), jax.grad(gr)(X))


def test_custom_jvp_rule_is_used_in_both_modes():
    def make(mod, np_):
        @mod.custom_jvp
        def f(x):
            return np_.sin(x)

        @f.defjvp
        def f_jvp(primals, tangents):
            (x,), (t,) = primals, tangents
            return f(x), 2.0 * np_.cos(x) * t  # not sin's derivative: proves the rule is used
        return f
    f, fr = make(hlox, jnp), make(jax, jr)
    close(f(X), fr(X))
    close(hlox.jvp(f, (X,), (Y,)), jax.jvp(fr, (X,), (Y,)))
    close(hlox.grad(lambda x: jnp.sum(f(x)))(X), jax.grad(lambda x: jr.sum(fr(x)))(X))
    text = hlox.jit(hlox.grad(lambda x: jnp.sum(f(x)))).lower(X).as_text()
    assert "hlox.custom_jvp = @" in text


def test_custom_vjp():
    def make(mod, np_):
        @mod.custom_vjp
        def clip_gradient(x):
            return x

        def fwd(x):
            return x, None

        def bwd(_, g):
            return (np_.clip(g, -0.5, 0.5),)
        clip_gradient.defvjp(fwd, bwd)
        return clip_gradient
    f, fr = make(hlox, jnp), make(jax, jr)
    loss = lambda x: jnp.sum(f(x) * 3.0)  # noqa: E731
    loss_r = lambda x: jr.sum(fr(x) * 3.0)  # noqa: E731
    close(hlox.grad(loss)(X), jax.grad(loss_r)(X))
    with pytest.raises(Exception, match="custom_vjp"):
        hlox.jvp(f, (X,), (Y,))


def test_errors_like_jax():
    with pytest.raises(TypeError, match="scalar-output"):
        hlox.grad(lambda x: x * 2)(X)
    with pytest.raises(TypeError, match="real- or complex-valued inputs"):
        hlox.grad(lambda x: x * 2.0)(3)
    with pytest.raises(TypeError, match="same tree structure"):
        hlox.jvp(lambda x: x, (X,), (X, X))
    with pytest.raises(TypeError, match="dtypes must be equal"):
        hlox.jvp(lambda x: x, (X,), (X.astype(np.float16),))


def test_derivative_module_is_lean():
    """The gradient function keeps no dead forward ops (the primal output is unused by grad)."""
    text = hlox.jit(hlox.grad(lambda x: jnp.sum(jnp.sin(x)))).lower(X).as_text(debug_info=False)
    vjp_fn = text[text.index("_vjp("):]
    assert "stablehlo.sine" not in vjp_fn.split("func.func")[0]


def _tree_close(a, b, tol=2e-5):
    """Same pytree structure (the Jacobian's nesting), then leaves with dtype and weak type."""
    la, ta = jax.tree_util.tree_flatten(a)
    lb, tb = jax.tree_util.tree_flatten(b)
    assert ta == tb, f"structure {ta} != {tb}"
    for u, v in zip(la, lb):
        assert_matches(u, v, rtol=tol, atol=tol, check_weak=True)


@pytest.mark.parametrize("api", ["jacfwd", "jacrev", "hessian"])
def test_jacobian_nesting_of_pytrees_argnums_and_aux(api):
    """The output's tree outside, the inputs' tree (a tuple for tuple argnums) inside, as JAX."""
    def make(np_):
        def f(p, s):
            return {"x": np_.concatenate([p["a"], p["b"][None]]) * s, "y": p["b"] * np_.sum(p["a"])}
        return f
    f, fr = both(make)
    p = {"a": np.array([1.0, 2.0], np.float32), "b": jnp.array(3.0)}
    pr = {"a": p["a"], "b": jr.array(3.0)}
    h, j = getattr(hlox, api), getattr(jax, api)
    _tree_close(h(f)(p, 2.0), j(fr)(pr, 2.0), tol=1e-4)
    _tree_close(h(f, argnums=(0, 1))(p, 2.0), j(fr, argnums=(0, 1))(pr, 2.0), tol=1e-4)
    aux = lambda np_: lambda x: (np_.sum(x ** 3) * x, np_.max(x))  # noqa: E731
    _tree_close(h(aux(jnp), has_aux=True)(X), j(aux(jr), has_aux=True)(X), tol=1e-4)


@pytest.mark.parametrize("args,argnums", [((1.5, 2), (0, 1)), ((np.arange(3), 2.0), 0),
                                          (({"w": np.ones(3, np.float32), "n": np.arange(2)},),
                                           0)])
def test_grad_allow_int_gives_float0_zeros(args, argnums):
    """Integer inputs differentiated with allow_int=True get float0 zeros of their shape."""
    def f(*xs):
        leaves = jax.tree.leaves(xs)
        return sum(leaf.sum() * 1.0 if hasattr(leaf, "sum") else leaf * 1.0 for leaf in leaves)

    got = hlox.grad(f, argnums=argnums, allow_int=True)(*args)
    want = jax.grad(f, argnums=argnums, allow_int=True)(*args)
    got_leaves, want_leaves = jax.tree.leaves(got), jax.tree.leaves(want)
    assert len(got_leaves) == len(want_leaves)
    for g, w in zip(got_leaves, want_leaves):
        assert np.asarray(g).dtype == np.asarray(w).dtype and np.shape(g) == np.shape(w)
        if np.asarray(w).dtype != jax.dtypes.float0:
            assert_matches(g, w)
    with pytest.raises(TypeError, match="allow_int"):
        hlox.grad(f, argnums=argnums)(*args)
