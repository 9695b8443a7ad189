"""Differentiating control flow against real JAX on the same inputs: jvp, vjp, grad and
value_and_grad through cond/switch/while/fori/scan/map/associative_scan and their compositions
(vmap(grad(scan)), grad(cond) under jit, grad(grad(fori_loop)), hessians through loops, loops
inside branches). Reverse mode through a while loop whose trip count depends on the data (an
hlox extension, bounded by max_steps) is checked against float64 central differences."""
from __future__ import annotations

import jax
import jax.numpy as jr
import numpy as np
import pytest
from conftest import assert_matches

import hlox
import hlox.numpy as jnp
from hlox import lax

rng = np.random.default_rng(1)
X = np.array([0.6, -0.3, 0.8], np.float32)
M = rng.uniform(-1, 1, (4, 3)).astype(np.float32)


def close(actual, expected, tol=2e-5):
    la, lb = hlox.tree_util.tree_leaves(actual), jax.tree_util.tree_leaves(expected)
    assert len(la) == len(lb), (actual, expected)
    for a, b in zip(la, lb):
        assert_matches(a, b, rtol=tol, atol=tol)


def _rnn(L, n):
    def f(x, m):
        def step(c, a):
            h = n.tanh(c["h"] * a["w"] + a["b"] * c["s"])
            return {"h": h, "s": c["s"] * 0.9}, (h * 2, n.sum(h * h))
        c, (ys, zs) = L.scan(step, {"h": x, "s": 1.0}, {"w": m, "b": m[:, ::-1]})
        return n.sum(c["h"]) + n.sum(ys * m) + n.sum(zs)
    return f


# program(L, numpy) -> f(x, m) -> scalar; every program is differentiable in both arguments
PROGRAMS = {
    "cond": lambda L, n: lambda x, m: n.sum(L.cond(x[0] > 0, lambda a: n.sin(a) * x[1],
                                                   lambda a: a ** 3, m)),
    "cond-false": lambda L, n: lambda x, m: n.sum(L.cond(x[0] < 0, lambda a: n.sin(a) * x[1],
                                                         lambda a: a ** 3 * x[2], m)),
    "cond-3-operand": lambda L, n: lambda x, m: n.sum(L.cond(x[2] > 0, x, lambda a: n.sin(a),
                                                             m, lambda b: b[0] ** 2)),
    "cond-int-operand": lambda L, n: lambda x, m: L.cond(
        x[0] > 0, lambda a, k: n.sum(a) * k, lambda a, k: n.sum(a * a), m, 3),
    "switch": lambda L, n: lambda x, m: n.sum(L.switch(
        (x[0] > 0).astype(n.int32) + 1, [n.sin, lambda a: a * x[2], n.exp], m)),
    "switch-out-of-range": lambda L, n: lambda x, m: n.sum(L.switch(
        7, [n.sin, lambda a: a * x[2], lambda a: n.cos(a) * x[0]], m)),
    "fori": lambda L, n: lambda x, m: n.sum(L.fori_loop(0, 4, lambda i, c: n.sin(c) * x + m[i],
                                                        x)),
    "fori-offset": lambda L, n: lambda x, m: n.sum(L.fori_loop(1, 3, lambda i, c: c * m[i], x)),
    "scan-rnn": _rnn,
    "scan-reverse": lambda L, n: lambda x, m: n.sum(L.scan(
        lambda c, a: (c * a + n.sin(c), c * x), x, m, reverse=True)[1]),
    "scan-length": lambda L, n: lambda x, m: n.sum(L.scan(
        lambda c, _: (n.sin(c) * m[0], c), x, None, length=3)[1]),
    "map": lambda L, n: lambda x, m: n.sum(L.map(lambda a: n.sin(a) * x, m)),
    "associative_scan": lambda L, n: lambda x, m: n.sum(L.associative_scan(
        lambda a, b: (a[0] * b[0], a[1] * b[0] + b[1]), (m, m * x)) [1] ** 2),
    "cumsum-cummax": lambda L, n: lambda x, m: n.sum(L.cumsum(m * x, axis=1) ** 2) + n.sum(
        L.cummax(m, axis=0, reverse=True) * x),
    "select_n": lambda L, n: lambda x, m: n.sum(L.select_n(m > 0, m * x, n.sin(m))),
    "loop-in-branch": lambda L, n: lambda x, m: L.cond(
        x[0] > 0, lambda a: n.sum(L.fori_loop(0, 3, lambda i, c: n.sin(c) * a, a)),
        lambda a: n.sum(a), x * m[0]),
    "scan-in-cond": lambda L, n: lambda x, m: L.cond(
        x[1] < 0, lambda a: n.sum(L.scan(lambda c, b: (c * b, c), x, a)[1]),
        lambda a: n.sum(a), m),
    "cond-in-scan": lambda L, n: lambda x, m: n.sum(L.scan(lambda c, r: (L.cond(
        r[0] > 0, lambda: n.sin(c) * r, lambda: c - r), c), x, m)[0]),
    "switch-in-fori": lambda L, n: lambda x, m: n.sum(L.fori_loop(0, 4, lambda i, c: L.switch(
        i % 3, [n.sin, lambda d: d * x, lambda d: d + m[i]], c), x)),
    "nested-loops": lambda L, n: lambda x, m: n.sum(L.fori_loop(0, 3, lambda i, c: L.scan(
        lambda d, r: (n.tanh(d * r + c), None), c, m)[0], x)),
}


@pytest.mark.parametrize("name", sorted(PROGRAMS))
def test_value_and_grad(name):
    h, j = PROGRAMS[name](lax, jnp), PROGRAMS[name](jax.lax, jr)
    close(hlox.value_and_grad(h, argnums=(0, 1))(X, M),
          jax.value_and_grad(j, argnums=(0, 1))(X, M))


@pytest.mark.parametrize("name", sorted(PROGRAMS))
def test_jvp_under_jit(name):
    h, j = PROGRAMS[name](lax, jnp), PROGRAMS[name](jax.lax, jr)
    tangents = (np.float32([0.3, -1.0, 0.5]), np.ones_like(M))
    close(hlox.jit(lambda x, m: hlox.jvp(h, (x, m), tangents))(X, M),
          jax.jvp(j, (X, M), tangents))


@pytest.mark.parametrize("name", ["cond", "switch", "scan-rnn", "loop-in-branch"])
def test_vjp(name):
    h, j = PROGRAMS[name](lax, jnp), PROGRAMS[name](jax.lax, jr)
    out_h, pull_h = hlox.vjp(h, X, M)
    out_j, pull_j = jax.vjp(j, X, M)
    close(out_h, out_j)
    close(pull_h(np.float32(1.5)), pull_j(np.float32(1.5)))


def test_vjp_of_a_vector_valued_scan():
    def build(L, n):
        return lambda x, m: L.scan(lambda c, a: (c * a, {"y": n.sin(c), "z": c[0]}), x, m)
    ct = ({"y": np.ones_like(M), "z": np.arange(4, dtype=np.float32)}, np.float32([1, 2, 3]))
    ct = (ct[1], ct[0])  # (carry, ys)
    close(hlox.vjp(build(lax, jnp), X, M)[1](ct), jax.vjp(build(jax.lax, jr), X, M)[1](ct))


# -- compositions -------------------------------------------------------------------------------
def _scan_loss(L, n):
    return lambda x: n.sum(L.scan(lambda c, a: (n.sin(c) * a + 0.5, c * c), 1.0, x)[1])


def test_vmap_of_grad_of_scan():
    close(hlox.vmap(hlox.grad(_scan_loss(lax, jnp)))(M), jax.vmap(jax.grad(_scan_loss(jax.lax, jr)))(M))


def test_grad_of_cond_inside_jit():
    def build(L, n):
        return lambda x: L.cond(x > 0.5, lambda a: n.sin(a) * a, lambda a: a ** 2, x)
    for x in (np.float32(0.7), np.float32(0.2)):
        close(hlox.jit(hlox.grad(build(lax, jnp)))(x), jax.jit(jax.grad(build(jax.lax, jr)))(x))


def test_grad_of_grad_of_fori_loop():
    def build(L, n):
        return lambda s: L.fori_loop(0, 3, lambda i, c: n.sin(c) * s + 1.0, s)
    for s in (np.float32(1.1), np.float32(-0.4)):
        close(hlox.grad(hlox.grad(build(lax, jnp)))(s), jax.grad(jax.grad(build(jax.lax, jr)))(s))


def test_hessian_through_loops():
    def build(L, n):
        return lambda x: n.sum(L.fori_loop(0, 3, lambda i, c: n.sin(c) * x, x)) + n.sum(
            L.scan(lambda c, a: (c * a, c), 1.0, x)[1])
    close(hlox.hessian(build(lax, jnp))(X), jax.hessian(build(jax.lax, jr))(X), tol=1e-4)


def test_jacfwd_and_jacrev_through_scan_and_cond():
    def build(L, n):
        return lambda x: L.cond(x[0] > 0, lambda a: L.scan(lambda c, b: (c * b, c), 1.0, a)[1],
                                lambda a: a, x)
    close(hlox.jacfwd(build(lax, jnp))(X), jax.jacfwd(build(jax.lax, jr))(X))
    close(hlox.jacrev(build(lax, jnp))(X), jax.jacrev(build(jax.lax, jr))(X))


def test_forward_over_reverse_through_scan():
    h, j = _scan_loss(lax, jnp), _scan_loss(jax.lax, jr)
    t = np.float32([1.0, 0.0, -1.0])
    close(hlox.jvp(hlox.grad(h), (X,), (t,)), jax.jvp(jax.grad(j), (X,), (t,)), tol=1e-4)


def test_grad_of_vmap_of_cond_with_a_batched_predicate():
    def build(J, L, n):
        return lambda m: n.sum(J.vmap(lambda r: L.cond(r[0] > 0, n.sin, lambda a: a * r[1], r))(m))
    close(hlox.grad(build(hlox, lax, jnp))(M), jax.grad(build(jax, jax.lax, jr))(M))


def test_jvp_of_while_loop_with_a_data_dependent_trip_count():
    def build(L, n):
        return lambda x: L.while_loop(lambda c: c[1] < 4.0,
                                      lambda c: (n.sin(c[0]) * x + c[0], c[1] + n.abs(c[0][0])),
                                      (x, 0.0))
    t = np.float32([1.0, 0.5, -0.5])
    close(hlox.jvp(build(lax, jnp), (X,), (t,)), jax.jvp(build(jax.lax, jr), (X,), (t,)))


def test_traced_fori_bounds_cannot_be_reversed_like_jax():
    def build(L, n):
        return lambda x, k: n.sum(L.fori_loop(0, k, lambda i, c: c * x, x))
    with pytest.raises(ValueError):
        jax.jit(jax.grad(build(jax.lax, jr)))(X, 3)
    with pytest.raises(ValueError, match="max_steps"):
        hlox.jit(hlox.grad(build(lax, jnp)))(X, 3)


# -- reverse mode through data-dependent while loops (beyond JAX): float64 finite differences -----
def _fd_grad(f, x, eps=1e-6):
    x = np.asarray(x, np.float64)
    return np.array([(float(f(x + eps * e)) - float(f(x - eps * e))) / (2 * eps)
                     for e in np.eye(x.size).reshape((x.size,) + x.shape)]).reshape(x.shape)


def _growth(max_steps):
    """Grows c until it passes 10: the trip count depends on x (4 or 5 steps near x0)."""
    def f(x):
        c, s = lax.while_loop(lambda c: c[0] < 10.0,
                              lambda c: (c[0] * 1.3 + jnp.sin(c[1]) * x[2], c[1] * 1.1 + x[0]),
                              (x[0] + 1.0, x[1]), max_steps=max_steps)
        return c * s
    return f


X0 = np.array([2.1, 0.4, 0.7])


def test_while_loop_reverse_mode_against_finite_differences(x64):
    f = _growth(max_steps=20)
    expected = _fd_grad(f, X0)
    for g in (hlox.grad(f), hlox.jit(hlox.grad(f))):
        np.testing.assert_allclose(np.asarray(g(X0)), expected, rtol=1e-6, atol=1e-8)
    value, grad = hlox.value_and_grad(f)(X0)
    np.testing.assert_allclose(float(value), float(f(X0)))
    np.testing.assert_allclose(np.asarray(grad), expected, rtol=1e-6)
    out, pull = hlox.vjp(f, X0)
    np.testing.assert_allclose(np.asarray(pull(np.float64(2.0))[0]), 2 * expected, rtol=1e-6)


def test_while_loop_reverse_mode_per_example_trip_counts(x64):
    f = _growth(max_steps=30)
    xs = np.stack([X0, X0 * np.array([0.1, 1, 1]), X0 * np.array([3, 2, 1])])
    steps = [int(lax.while_loop(lambda c: c[0][0] < 10.0, lambda c: (
        (c[0][0] * 1.3 + jnp.sin(c[0][1]) * x[2], c[0][1] * 1.1 + x[0]), c[1] + 1),
        ((x[0] + 1.0, x[1]), 0))[1]) for x in xs]
    assert len(set(steps)) > 1, steps  # the examples finish at different steps
    actual = hlox.vmap(hlox.grad(f))(xs)
    for x, g in zip(xs, np.asarray(actual)):
        np.testing.assert_allclose(g, _fd_grad(f, x), rtol=1e-6, atol=1e-8)


def test_while_loop_second_order_reverse_mode(x64):
    def f(x):
        return lax.while_loop(lambda c: c < 5.0, lambda c: c * x + 0.5, 1.0, max_steps=20)
    x = np.float64(1.3)
    g = hlox.grad(f)
    np.testing.assert_allclose(float(hlox.grad(g)(x)), float(_fd_grad(lambda v: g(v[0]),
                                                                   np.array([x]))[0]),
                               rtol=1e-5)


def test_counted_while_loop_needs_no_bound(x64):
    def f(x):
        return lax.while_loop(lambda c: c[0] < 4, lambda c: (c[0] + 1, jnp.sin(c[1]) * x),
                              (0, x))[1].sum()
    np.testing.assert_allclose(np.asarray(hlox.grad(f)(X0)), _fd_grad(f, X0), rtol=1e-6)


def test_unbounded_data_dependent_while_loop_is_a_clear_error():
    def f(x):
        return lax.while_loop(lambda c: c < 10.0, lambda c: c * 2.0, x)
    line = f.__code__.co_firstlineno + 1
    with pytest.raises(ValueError, match="max_steps") as info:
        hlox.grad(f)(np.float32(1.5))
    assert "stablehlo.while" in str(info.value) and f"test_autodiff.py\":{line}" in str(info.value)


def test_exceeding_max_steps_gives_nan_gradients(x64):
    f = _growth(max_steps=3)  # the loop needs 4 or 5 steps
    value, grad = hlox.value_and_grad(f)(X0)
    np.testing.assert_allclose(float(value), float(_growth(20)(X0)))  # the value is still right
    assert np.isnan(np.asarray(grad)).all(), grad
    within = _growth(max_steps=5)
    assert not np.isnan(np.asarray(hlox.grad(within)(X0))).any()
