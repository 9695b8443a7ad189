"""Convolution, pooling, cholesky and triangular_solve: values and derivatives against JAX.

Each example runs one hlox.jit-compiled function returning the value, the gradient of a
random linear functional of the output (reverse mode) and a jvp (forward mode), and the same
function under jax.jit; both are compared in float64.
"""
from __future__ import annotations

import jax
import jax.numpy as jjnp
import jax.scipy.linalg as jsl
import numpy as np
import pytest
from hypothesis import given, settings, strategies as st

import hlox
import hlox.numpy as hnp
import hlox.scipy.linalg as hsl
from hlox import lax

from conftest import assert_matches

TOL = dict(rtol=1e-9, atol=1e-9)


def _value_grad_jvp(lib, f):
    """x... -> (f(x), grad of <f(x), c> w.r.t. every x, jvp of f along t), for lib hlox or jax."""
    jnp_ = hnp if lib is hlox else jjnp

    def run(xs, ts, c):
        def loss(*xs):
            return jnp_.sum(f(*xs) * c)
        grads = lib.grad(loss, argnums=tuple(range(len(xs))))(*xs)
        _, tangent = lib.jvp(f, tuple(xs), tuple(ts))
        return f(*xs), grads, tangent
    return lib.jit(run)


def _hvp(lib, f, x, v):
    """The Hessian of scalar f at x applied to v (forward over reverse), jit-compiled."""
    return lib.jit(lambda x, v: lib.jvp(lib.grad(f), (x,), (v,))[1])(x, v)


def check_against_jax(hlox_f, jax_f, *xs, tol=TOL, seed=0):
    rng = np.random.default_rng(seed)
    xs = [np.asarray(x, np.float64) for x in xs]
    ts = [rng.standard_normal(x.shape) for x in xs]
    out_shape = jax.eval_shape(jax_f, *xs).shape
    c = rng.standard_normal(out_shape)
    got = _value_grad_jvp(hlox, hlox_f)(xs, ts, c)
    want = _value_grad_jvp(jax, jax_f)(xs, ts, c)
    for g, w in zip(jax.tree_util.tree_leaves(got), jax.tree_util.tree_leaves(want)):
        assert_matches(g, w, **tol)


# -- convolution ----------------------------------------------------------------------------------
LAYOUTS = {
    1: [("NCH", "OIH", "NCH"), ("NHC", "HIO", "NHC"), ("HNC", "OHI", "CNH")],
    2: [("NCHW", "OIHW", "NCHW"), ("NHWC", "HWIO", "NHWC"), ("NHWC", "OIHW", "NCWH")],
}


def _shape(spec, sizes):
    return tuple(sizes[c] for c in spec)


@st.composite
def conv_problems(draw):
    n = draw(st.sampled_from([1, 2]))
    layout = draw(st.sampled_from(LAYOUTS[n]))
    groups = draw(st.sampled_from([1, 2]))
    group_kind = draw(st.sampled_from(["feature", "batch"])) if groups > 1 else "feature"
    spatial = "HW"[:n]
    in_per_group = draw(st.integers(1, 2))
    out_per_group = draw(st.integers(1, 2))
    batch = draw(st.integers(1, 2)) * (groups if group_kind == "batch" else 1)
    lhs_sizes = {"N": batch, "C": in_per_group * (groups if group_kind == "feature" else 1)}
    rhs_sizes = {"O": out_per_group * groups,
                 "I": in_per_group}
    for c in spatial:
        lhs_sizes[c] = draw(st.integers(2, 5))
        rhs_sizes[c] = draw(st.integers(1, 3))
    strides = tuple(draw(st.integers(1, 2)) for _ in range(n))
    rhs_dilation = tuple(draw(st.integers(1, 2)) for _ in range(n))
    explicit = draw(st.booleans())
    if explicit:
        padding = tuple((draw(st.integers(0, 2)), draw(st.integers(0, 2))) for _ in range(n))
        lhs_dilation = tuple(draw(st.integers(1, 2)) for _ in range(n))
    else:
        padding, lhs_dilation = draw(st.sampled_from(["SAME", "VALID"])), None
    kwargs = dict(window_strides=strides, padding=padding, lhs_dilation=lhs_dilation,
                  rhs_dilation=rhs_dilation, dimension_numbers=layout,
                  feature_group_count=groups if group_kind == "feature" else 1,
                  batch_group_count=groups if group_kind == "batch" else 1)
    return _shape(layout[0], lhs_sizes), _shape(layout[1], rhs_sizes), kwargs


@settings(max_examples=12)
@given(conv_problems(), st.integers(0, 2**31 - 1))
def test_conv_general_dilated_against_jax(x64, problem, seed):
    lhs_shape, rhs_shape, kwargs = problem
    try:
        out_shape = jax.eval_shape(lambda x, w: jax.lax.conv_general_dilated(x, w, **kwargs),
                                   np.zeros(lhs_shape), np.zeros(rhs_shape)).shape
    except (TypeError, ValueError):
        with pytest.raises((TypeError, ValueError)):
            lax.conv_general_dilated(np.zeros(lhs_shape), np.zeros(rhs_shape), **kwargs)
        return
    if 0 in out_shape:
        return
    rng = np.random.default_rng(seed)
    x, w = rng.standard_normal(lhs_shape), rng.standard_normal(rhs_shape)
    check_against_jax(lambda x, w: lax.conv_general_dilated(x, w, **kwargs),
                      lambda x, w: jax.lax.conv_general_dilated(x, w, **kwargs), x, w, seed=seed)


def test_conv_eager_matches_jit_and_jax():
    rng = np.random.default_rng(1)
    x = rng.standard_normal((2, 3, 6, 5)).astype(np.float32)
    w = rng.standard_normal((4, 3, 3, 2)).astype(np.float32)
    eager = lax.conv(x, w, (2, 1), "SAME")
    jitted = hlox.jit(lambda x, w: lax.conv(x, w, (2, 1), "SAME"))(x, w)
    want = jax.lax.conv(x, w, (2, 1), "SAME")
    assert_matches(eager, want, rtol=1e-5, atol=1e-5)
    assert_matches(jitted, want, rtol=1e-5, atol=1e-5)
    general = lax.conv_with_general_padding(x, w, (1, 2), [(1, 0), (2, 1)], (2, 1), (1, 2))
    assert_matches(general, jax.lax.conv_with_general_padding(
        x, w, (1, 2), [(1, 0), (2, 1)], (2, 1), (1, 2)), rtol=1e-5, atol=1e-5)


def test_conv_dimension_numbers_match_jax():
    for spec in (("NCHW", "OIHW", "NCHW"), ("NHWC", "HWIO", "NHWC"), ("NWHC", "IWHO", "CHWN")):
        got = lax.conv_dimension_numbers((1,) * 4, (1,) * 4, spec)
        want = jax.lax.conv_dimension_numbers((1,) * 4, (1,) * 4, spec)
        assert tuple(map(tuple, got)) == tuple(map(tuple, want))
    assert lax.conv_dimension_numbers((1,) * 3, (1,) * 3, None) == ((0, 1, 2),) * 3


def test_conv_preferred_element_type():
    x, w = np.ones((1, 2, 4), np.float32), np.ones((3, 2, 2), np.float32)
    out = lax.conv_general_dilated(x, w, (1,), "VALID", preferred_element_type=np.float32)
    assert out.dtype == np.float32
    assert_matches(out, jax.lax.conv_general_dilated(x, w, (1,), "VALID"))


@pytest.mark.parametrize("lhs_shape,rhs_shape,kwargs,error", [
    ((1, 3, 5), (2, 2, 3), {}, ValueError),  # input features 3 vs kernel 2
    ((1, 4, 5), (3, 2, 3), {"feature_group_count": 2}, ValueError),  # 3 outputs, 2 groups
    ((3, 2, 5), (2, 2, 3), {"batch_group_count": 2}, ValueError),  # batch 3, 2 groups
    ((1, 2, 5), (2, 2, 3, 1), {}, TypeError),  # ranks differ
    ((1, 2, 5), (2, 2, 3), {"padding": "BOGUS"}, RuntimeError),
])
def test_conv_shape_errors(lhs_shape, rhs_shape, kwargs, error):
    kwargs = {"window_strides": (1,), "padding": "VALID", **kwargs}
    with pytest.raises(error):
        jax.lax.conv_general_dilated(np.zeros(lhs_shape), np.zeros(rhs_shape), **kwargs)
    with pytest.raises(error):
        lax.conv_general_dilated(np.zeros(lhs_shape), np.zeros(rhs_shape), **kwargs)


# -- pooling ---------------------------------------------------------------------------------------
def _distinct(rng, shape):
    """Values pairwise at least 0.1 apart, so max/min have no ties."""
    n = int(np.prod(shape))
    return rng.permutation(np.arange(n) * 0.1 - n * 0.05).reshape(shape)


@st.composite
def pools(draw):
    shape = (draw(st.integers(1, 2)), draw(st.integers(2, 5)), draw(st.integers(2, 5)), 2)
    window = (1, draw(st.integers(1, 3)), draw(st.integers(1, 3)), 1)
    strides = (1, draw(st.integers(1, 2)), draw(st.integers(1, 2)), 1)
    padding = draw(st.sampled_from(["SAME", "VALID", ((0, 0), (1, 0), (0, 1), (0, 0))]))
    return shape, window, strides, padding


def _pool(lib, kind, window, strides, padding):
    def max_pool(x):
        return lib.lax.reduce_window(x, -np.inf, lib.lax.max, window, strides, padding)

    def min_pool(x):
        return lib.lax.reduce_window(x, np.inf, lib.lax.min, window, strides, padding)

    def avg_pool(x):
        total = lib.lax.reduce_window(x, 0.0, lib.lax.add, window, strides, padding)
        return total / np.prod(window)
    return {"max": max_pool, "min": min_pool, "avg": avg_pool}[kind]


@settings(max_examples=10)
@given(pools(), st.sampled_from(["max", "min", "avg"]), st.integers(0, 2**31 - 1))
def test_pooling_against_jax(x64, pool, kind, seed):
    shape, window, strides, padding = pool
    x = _distinct(np.random.default_rng(seed), shape)
    check_against_jax(_pool(hlox, kind, window, strides, padding),
                      _pool(jax, kind, window, strides, padding), x, seed=seed)


def test_pooling_with_dilations_against_jax(x64):
    x = _distinct(np.random.default_rng(3), (5, 6))
    def windows(lib, computation, init, **dilations):
        def f(x):
            return lib.lax.reduce_window(x, init, getattr(lib.lax, computation), (2, 2), (1, 2),
                                         [(1, 0), (0, 1)], **dilations)
        return f
    for computation, init in (("max", -np.inf), ("add", 0.0)):
        check_against_jax(windows(hlox, computation, init, base_dilation=(2, 1)),
                          windows(jax, computation, init, base_dilation=(2, 1)), x)
    check_against_jax(windows(hlox, "add", 0.0, window_dilation=(2, 1)),
                      windows(jax, "add", 0.0, window_dilation=(2, 1)), x)


def test_max_pool_second_order_against_jax(x64):
    x = _distinct(np.random.default_rng(4), (4, 5))
    h = _pool(hlox, "max", (2, 2), (1, 2), "SAME")
    j = _pool(jax, "max", (2, 2), (1, 2), "SAME")
    v = np.random.default_rng(5).standard_normal(x.shape)
    assert_matches(_hvp(hlox, lambda x: hnp.sum(hnp.tanh(h(x))), x, v),
                   _hvp(jax, lambda x: jjnp.sum(jjnp.tanh(j(x))), x, v), **TOL)


def test_select_and_scatter_add_matches_jax_internal(x64):
    from jax._src.lax import windowed_reductions as wr
    rng = np.random.default_rng(5)
    x, src = _distinct(rng, (5, 7)), rng.standard_normal((3, 3))
    args = ((2, 3), (2, 2), [(1, 0), (0, 1)])
    assert_matches(lax.select_and_scatter_add(src, x, lax.ge, *args),
                   wr._select_and_scatter_add(src, x, jax.lax.ge_p, *args))
    t = rng.standard_normal(x.shape)
    assert_matches(lax.select_and_gather_add(t, x, lax.le, *args),
                   wr._select_and_gather_add(t, x, jax.lax.le_p, *args, (1, 1), (1, 1)))
    with pytest.raises(TypeError, match="source shape"):
        lax.select_and_scatter_add(np.zeros((2, 2)), x, lax.ge, *args)


# -- cholesky and triangular_solve -----------------------------------------------------------------
def _spd(rng, *shape):
    m = rng.standard_normal(shape)
    return m @ np.swapaxes(m, -1, -2) + shape[-1] * np.eye(shape[-1])


@pytest.mark.parametrize("shape", [(3, 3), (2, 4, 4)])
def test_cholesky_against_jax(x64, shape):
    a = _spd(np.random.default_rng(6), *shape)
    check_against_jax(lax.linalg.cholesky, jax.lax.linalg.cholesky, a)
    check_against_jax(lambda a: hnp.linalg.cholesky(a, upper=True),
                      lambda a: jjnp.linalg.cholesky(a, upper=True), a)
    assert_matches(hnp.linalg.cholesky(a), np.linalg.cholesky(a), **TOL)


def test_cholesky_without_symmetrizing_reads_the_lower_triangle(x64):
    """Only the lower triangle is read, so the gradient's upper triangle is zero; along
    symmetric directions (the ones JAX's rule assumes) everything matches JAX."""
    rng = np.random.default_rng(10)
    a, t, c = _spd(rng, 4, 4), rng.standard_normal((4, 4)), rng.standard_normal((4, 4))
    t = t + t.T
    got = _value_grad_jvp(hlox, lambda a: lax.linalg.cholesky(a, symmetrize_input=False))(
        [a], [t], c)
    want = _value_grad_jvp(jax, lambda a: jax.lax.linalg.cholesky(a, symmetrize_input=False))(
        [a], [t], c)
    (value, (grad,), tangent), (value_j, (grad_j,), tangent_j) = got, want
    assert_matches(value, value_j, **TOL)
    assert_matches(tangent, tangent_j, **TOL)
    np.testing.assert_array_equal(np.triu(np.asarray(grad), 1), 0)
    assert_matches(np.asarray(grad) + np.asarray(grad).T,
                   np.asarray(grad_j) + np.asarray(grad_j).T, **TOL)


def test_cholesky_second_order_and_float32():
    a = _spd(np.random.default_rng(7), 3, 3).astype(np.float32)
    v = np.random.default_rng(8).standard_normal(a.shape).astype(np.float32)
    got = _hvp(hlox, lambda a: hnp.sum(hnp.sin(lax.linalg.cholesky(a))), a, v)
    want = _hvp(jax, lambda a: jjnp.sum(jjnp.sin(jax.lax.linalg.cholesky(a))), a, v)
    assert_matches(got, want, rtol=1e-3, atol=1e-3)
    assert_matches(hsl.cholesky(a), jsl.cholesky(a), rtol=1e-5, atol=1e-5)
    assert_matches(hsl.cholesky(a, lower=True), jsl.cholesky(a, lower=True), rtol=1e-5, atol=1e-5)
    with pytest.raises(ValueError):
        lax.linalg.cholesky(np.ones((2, 3), np.float32))
    not_positive = -np.eye(2, dtype=np.float32)
    assert_matches(lax.linalg.cholesky(not_positive), jax.lax.linalg.cholesky(not_positive))


SOLVE_FLAGS = [dict(left_side=left, lower=lower, transpose_a=ta, unit_diagonal=ud)
               for left in (True, False) for lower in (True, False) for ta in (False, True)
               for ud in (False, True)]


@pytest.mark.parametrize("flags", SOLVE_FLAGS,
                         ids=lambda f: "-".join(k for k, v in f.items() if v) or "none")
def test_triangular_solve_against_jax(x64, flags):
    rng = np.random.default_rng(8)
    a = rng.standard_normal((2, 3, 3)) + 3 * np.eye(3)
    b = rng.standard_normal((2, 3, 4) if flags["left_side"] else (2, 4, 3))
    check_against_jax(lambda a, b: lax.linalg.triangular_solve(a, b, **flags),
                      lambda a, b: jax.lax.linalg.triangular_solve(a, b, **flags), a, b)


def test_triangular_solve_complex_and_vector(x64):
    rng = np.random.default_rng(9)
    a = rng.standard_normal((3, 3)) + 1j * rng.standard_normal((3, 3)) + 3 * np.eye(3)
    b = rng.standard_normal(3) + 1j * rng.standard_normal(3)
    for flags in (dict(conjugate_a=True), dict(transpose_a=True, conjugate_a=True, lower=True)):
        got = lax.linalg.triangular_solve(a, b, left_side=True, **flags)
        assert_matches(got, jax.lax.linalg.triangular_solve(a, b, left_side=True, **flags), **TOL)
    for trans in (0, 1, 2, "N", "T", "C"):
        assert_matches(hsl.solve_triangular(a, b, trans=trans, lower=True),
                       jsl.solve_triangular(a, b, trans=trans, lower=True), **TOL)
    with pytest.raises(ValueError, match="trans"):
        hsl.solve_triangular(a, b, trans=3)
    for lib in (jax, hlox):
        with pytest.raises(ValueError):
            lib.lax.linalg.triangular_solve(a, np.ones((2, 2), a.dtype), left_side=True)
