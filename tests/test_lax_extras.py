"""hlox.lax's compositions (lax_extras) against jax.lax on the same inputs: values, shapes and
dtypes, eagerly and under jit; gradients of the implicitly differentiated solvers."""
from __future__ import annotations

import inspect

import jax
import jax.lax as jl
import jax.numpy as jnp
import numpy as np
import pytest
from hypothesis import given, settings, strategies as st

import hlox
import hlox.lax as hl
import hlox.numpy as hnp
from conftest import assert_matches

RNG = np.random.default_rng(0)
X = RNG.normal(size=(3, 5)).astype(np.float32)
X[0, 3] = X[0, 1]  # a tie: the lower index comes first
NHWC = RNG.normal(size=(2, 5, 6, 3)).astype(np.float32)
HWIO = RNG.normal(size=(3, 3, 3, 4)).astype(np.float32)
HWOI = RNG.normal(size=(3, 3, 4, 3)).astype(np.float32)
NCHW = RNG.normal(size=(2, 3, 6, 7)).astype(np.float32)
A3 = RNG.normal(size=(2, 3, 4)).astype(np.float32)
B3 = RNG.normal(size=(2, 4, 5)).astype(np.float32)

# name -> f(lax module, *args), args: the inputs (jit traces them)
CASES = {
    "top_k": (lambda m, x: m.top_k(x, 3), X),
    "top_k_axis0": (lambda m, x: m.top_k(x, 2, axis=0), X),
    "top_k_int": (lambda m, x: m.top_k(x, 2), np.array([[3, 1, 3, 7], [0, 0, 2, 2]], np.int32)),
    "approx_max_k": (lambda m, x: m.approx_max_k(x, 2), X),
    "approx_min_k": (lambda m, x: m.approx_min_k(x, 2, reduction_dimension=0), X),
    "cumlogsumexp": (lambda m, x: m.cumlogsumexp(x, 1), X),
    "cumlogsumexp_reverse": (lambda m, x: m.cumlogsumexp(x, 0, reverse=True), X),
    "exp2": (lambda m, x: m.exp2(x), X),
    "bessel_i0e": (lambda m, x: m.bessel_i0e(x * 5), X),
    "bessel_i0e_f16": (lambda m, x: m.bessel_i0e(x), X.astype(np.float16)),
    "collapse": (lambda m, x: m.collapse(x, 1, 3), np.ones((2, 3, 4, 5), np.float32)),
    "collapse_to_end": (lambda m, x: m.collapse(x, 1), np.ones((2, 3, 4, 5), np.int32)),
    "broadcast_to_rank": (lambda m, x: m.broadcast_to_rank(x, 4), X),
    "broadcast_like": (lambda m, x, y: m.broadcast_like(x, y), X[0], X),
    "batch_matmul": (lambda m, a, b: m.batch_matmul(a, b), A3, B3),
    "split": (lambda m, x: m.split(x, [2, 0, 3], 1), X),
    "unstack": (lambda m, x: m.unstack(x, 1), X),
    "tile": (lambda m, x: m.tile(x, (2, 1)), X),
    "conv_transpose_same": (lambda m, x, k: m.conv_transpose(x, k, (2, 2), "SAME"), NHWC, HWIO),
    "conv_transpose_valid": (lambda m, x, k: m.conv_transpose(x, k, (2, 1), "VALID"),
                             NHWC, HWIO),
    "conv_transpose_pairs": (lambda m, x, k: m.conv_transpose(x, k, (1, 2),
                                                              ((1, 1), (0, 2))), NHWC, HWIO),
    "conv_transpose_dilated": (lambda m, x, k: m.conv_transpose(
        x, k, (1, 2), "SAME", rhs_dilation=(2, 1)), NHWC, HWIO),
    "conv_transpose_kernel": (lambda m, x, k: m.conv_transpose(
        x, k, (2, 1), "SAME", transpose_kernel=True), NHWC, HWOI),
    "conv_transpose_consistent": (lambda m, x, k: m.conv_transpose(
        x, k, (2, 2), ((1, 0), (2, 1)), use_consistent_padding=True), NHWC, HWIO),
    "patches": (lambda m, x: m.conv_general_dilated_patches(x, (2, 3), (1, 2), "SAME"), NCHW),
    "patches_nhwc": (lambda m, x: m.conv_general_dilated_patches(
        x, (2, 2), (1, 1), "VALID", rhs_dilation=(1, 2),
        dimension_numbers=("NHWC", "OIHW", "NHWC")), NHWC),
}


def _check(actual, expected, rtol):
    if isinstance(expected, (list, tuple)):  # JAX's multiple-result ops return lists
        assert type(actual) is type(expected), f"{type(actual)} != {type(expected)}"
    a, e = jax.tree.leaves(actual), jax.tree.leaves(expected)
    assert len(a) == len(e)
    for u, v in zip(a, e):
        assert_matches(u, v, rtol=rtol, atol=rtol)


@pytest.mark.parametrize("name", sorted(CASES))
def test_matches_jax(name):
    f, *args = CASES[name]
    expected = f(jl, *args)
    rtol = 1e-3 if np.asarray(args[0]).dtype == np.float16 else 2e-5
    _check(f(hl, *args), expected, rtol)
    _check(hlox.jit(lambda *a: f(hl, *a))(*args), expected, rtol)


@settings(max_examples=10)
@given(shape=st.sampled_from([(6,), (2, 5), (3, 1, 4)]), data=st.data())
def test_top_k_any_shape(shape, data):
    x = data.draw(st.sampled_from([RNG.normal(size=shape).astype(np.float32),
                                   RNG.integers(0, 3, size=shape).astype(np.int32)]))
    axis = data.draw(st.integers(-len(shape), len(shape) - 1))
    k = data.draw(st.integers(0, shape[axis]))
    _check(hl.top_k(x, k, axis=axis), jl.top_k(x, k, axis=axis), 0)


def test_weak_types_and_names():
    assert_matches(hl.broadcast_to_rank(2.0, 2), jl.broadcast_to_rank(2.0, 2), check_weak=True)
    assert_matches(hl.exp2(1.5), jl.exp2(1.5), check_weak=True)
    assert hl.broadcast_shapes((2, 1), (3,)) == jl.broadcast_shapes((2, 1), (3,)) == (2, 3)
    assert [a.name for a in hl.RandomAlgorithm] == [a.name for a in jl.RandomAlgorithm]
    assert hl.DotDimensionNumbers and hl.ConvGeneralDilatedDimensionNumbers
    for name in ["top_k", "approx_max_k", "cumlogsumexp", "conv_transpose", "collapse",
                 "conv_general_dilated_patches", "custom_linear_solve", "custom_root",
                 "batch_matmul", "split", "tile", "unstack"]:
        assert (list(inspect.signature(getattr(hl, name)).parameters)
                == list(inspect.signature(getattr(jl, name)).parameters)), name


@pytest.mark.parametrize("call, error", [
    (lambda m: m.top_k(X, 6), ValueError),
    (lambda m: m.cumlogsumexp(X, 2), ValueError),
    (lambda m: m.batch_matmul(A3, B3[0]), ValueError),
    (lambda m: m.split(X, [2, 2], 1), ValueError),
    (lambda m: m.broadcast_shapes((2,), (3,)), ValueError),
])
def test_errors_as_jax(call, error):
    for m in (hl, jl):
        with pytest.raises(error):
            call(m)


# -- implicitly differentiated solvers --------------------------------------------------
A = (RNG.normal(size=(3, 3)) + 3 * np.eye(3)).astype(np.float32)
SPD = A @ A.T
B = RNG.normal(size=3).astype(np.float32)


def direct_solve_loss(np_, lax_):
    def loss(a, b):
        x = lax_.custom_linear_solve(lambda v: a @ v, b,
                                     lambda mv, r: np_.linalg.solve(a, r),
                                     lambda vm, r: np_.linalg.solve(a.T, r))
        return (x ** 2).sum()
    return loss


def iterative_symmetric_loss(np_, lax_):
    """Richardson iterations: the gradient must come from the implicit rule, not the loop."""
    def loss(s, b):
        def solve(mv, r):
            return lax_.fori_loop(0, 400, lambda i, x: x + 0.05 * (r - mv(x)), r * 0)
        x = lax_.custom_linear_solve(lambda v: s @ v, b, solve, symmetric=True)
        return (x * np_.arange(3.)).sum()
    return loss


def pytree_aux_solution(np_, lax_):
    def f(a, b):
        out = lax_.custom_linear_solve(
            lambda v: {"u": a @ v["u"]}, {"u": b},
            lambda mv, r: ({"u": np_.linalg.solve(a, r["u"])}, np_.sum(r["u"])),
            lambda vm, r: ({"u": np_.linalg.solve(a.T, r["u"])}, 0.), has_aux=True)
        return out[0]["u"], out[1]
    return f


def newton_sqrt(np_, lax_):
    def sqrt(a):
        def solve(f, x0):
            return lax_.fori_loop(0, 30, lambda i, x: x - f(x) / (2 * x), x0)
        return lax_.custom_root(lambda x: x ** 2 - a, 1.0, solve, lambda g, y: y / g(1.0))
    return sqrt


@pytest.mark.parametrize("make, args", [(direct_solve_loss, (A, B)),
                                        (iterative_symmetric_loss, (SPD, B))])
def test_custom_linear_solve_gradients(make, args):
    fh, fj = make(hnp, hl), make(jnp, jl)
    assert_matches(fh(*args), fj(*args), rtol=1e-4)
    expected = jax.grad(fj, argnums=(0, 1))(*args)
    _check(hlox.grad(fh, argnums=(0, 1))(*args), expected, 1e-3)
    _check(hlox.jit(hlox.grad(fh, argnums=(0, 1)))(*args), expected, 1e-3)


def test_custom_linear_solve_pytree_and_aux():
    fh, fj = pytree_aux_solution(hnp, hl), pytree_aux_solution(jnp, jl)
    _check(fh(A, B), fj(A, B), 1e-5)
    _check(hlox.jacrev(lambda b: fh(A, b)[0])(B), jax.jacrev(lambda b: fj(A, b)[0])(B), 1e-5)


def test_custom_root_implicit_gradient():
    fh, fj = newton_sqrt(hnp, hl), newton_sqrt(jnp, jl)
    for a in (2.0, 9.0):
        assert_matches(fh(a), fj(a))
        assert_matches(hlox.grad(fh)(a), jax.grad(fj)(a))
        assert_matches(hlox.jit(hlox.grad(fh))(a), jax.grad(fj)(a))
    a = np.array([2., 4.], np.float32)
    assert_matches(hlox.vmap(hlox.grad(fh))(a), jax.vmap(jax.grad(fj))(a))


def test_custom_linear_solve_without_transpose_solve():
    """JAX has no reverse mode here; hlox differentiates the (direct) solve, which agrees with
    the implicit rule JAX applies when given transpose_solve."""
    def loss(lax_, np_, transpose_solve=None):
        return lambda b: lax_.custom_linear_solve(
            lambda v: A @ v, b, lambda mv, r: np_.linalg.solve(A, r), transpose_solve).sum()
    assert_matches(loss(hl, hnp)(B), loss(jl, jnp)(B), rtol=1e-5)
    with pytest.raises(TypeError, match="transpose_solve"):
        jax.grad(loss(jl, jnp))(B)
    expected = jax.grad(loss(jl, jnp, lambda vm, r: jnp.linalg.solve(A.T, r)))(B)
    assert_matches(hlox.grad(loss(hl, hnp))(B), expected, rtol=1e-5)
