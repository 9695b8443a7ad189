"""hlox.grad / jvp / vjp of indexing programs (gather, scatter, sort) against jax's.

Each program is written once against a (numpy, lax) pair, so the same code runs on hlox and
on JAX; the derivatives must match in values, shapes and dtypes.
"""
from __future__ import annotations

import jax
import jax.numpy as jjnp
import numpy as np
import pytest
from hypothesis import given, strategies as st

import hlox
import hlox.numpy as hjnp

from conftest import assert_matches, enable_x64

LIBS = {"hlox": (hlox, hjnp, hlox.lax), "jax": (jax, jjnp, jax.lax)}
IDX = np.array([3, 0, 3, 1])


def _sum_sq(jnp, y):
    return jnp.sum(jnp.sin(y) * y)


# name -> (program factory (jnp, lax) -> f(x, y), shapes of x and y)
PROGRAMS = {
    "getitem-int-array": (lambda jnp, lax: lambda x, y: _sum_sq(jnp, x[IDX] * y), (5,), (4,)),
    "getitem-mixed": (lambda jnp, lax: lambda x, y: _sum_sq(jnp, x[1:, np.array([2, 0, 2])] * y),
                      (3, 4), (2, 3)),
    "getitem-negative": (lambda jnp, lax: lambda x, y: _sum_sq(jnp, x[np.array([-1, 0, -1])] + y),
                         (4,), (3,)),
    "getitem-2d-pairs": (lambda jnp, lax: lambda x, y: _sum_sq(
        jnp, x[np.array([0, 2, 2]), np.array([1, 1, 3])] * y), (3, 4), (3,)),
    "at-add": (lambda jnp, lax: lambda x, y: _sum_sq(jnp, x.at[IDX].add(y * 2.0)), (5,), (4,)),
    "at-subtract": (lambda jnp, lax: lambda x, y: _sum_sq(jnp, x.at[IDX].subtract(y)), (5,), (4,)),
    "at-set": (lambda jnp, lax: lambda x, y: _sum_sq(jnp, x.at[np.array([3, 0, 1])].set(y)),
               (5,), (3,)),
    "at-set-rows": (lambda jnp, lax: lambda x, y: _sum_sq(jnp, x.at[1:3].set(y)), (4, 2), (2, 2)),
    "at-mul": (lambda jnp, lax: lambda x, y: _sum_sq(
        jnp, x.at[np.array([4, 1])].mul(y, unique_indices=True)), (5,), (2,)),
    "at-max": (lambda jnp, lax: lambda x, y: _sum_sq(jnp, x.at[IDX].max(y)), (5,), (4,)),
    "at-min": (lambda jnp, lax: lambda x, y: _sum_sq(jnp, x.at[IDX].min(y)), (5,), (4,)),
    "at-add-out-of-bounds": (lambda jnp, lax: lambda x, y: _sum_sq(
        jnp, x.at[np.array([1, 9, 2])].add(y)), (4,), (3,)),
    "take-clip": (lambda jnp, lax: lambda x, y: _sum_sq(
        jnp, jnp.take(x, np.array([0, 7, 2]), axis=1, mode="clip") * y), (2, 4), (2, 3)),
    "take-fill": (lambda jnp, lax: lambda x, y: _sum_sq(
        jnp, jnp.take(x, np.array([0, 7, 2]), mode="fill", fill_value=0.0) * y), (4,), (3,)),
    "take-along-axis": (lambda jnp, lax: lambda x, y: _sum_sq(
        jnp, jnp.take_along_axis(x, np.array([[2, 0], [1, 1]]), axis=1) * y), (2, 3), (2, 2)),
    "sort": (lambda jnp, lax: lambda x, y: jnp.sum(lax.sort(x * y) * jnp.arange(5.0)), (5,), (5,)),
    "sort-axis0": (lambda jnp, lax: lambda x, y: jnp.sum(
        lax.sort(x + y, dimension=0) * jnp.arange(3.0)[:, None]), (3, 2), (3, 2)),
    "sort-key-val": (lambda jnp, lax: lambda x, y: jnp.sum(
        lax.sort_key_val(x, y)[1] * jnp.arange(4.0)), (4,), (4,)),
    "embedding": (lambda jnp, lax: lambda table, w: jnp.sum(jnp.tanh(
        table[np.array([[0, 4, 4], [2, 1, 0]])] @ w)), (5, 3), (3, 2)),
}


def _inputs(shapes, seed=0, dtype=np.float32):
    rng = np.random.default_rng(seed)
    return [rng.uniform(-1, 1, s).astype(dtype) for s in shapes]


def _program(name, lib):
    factory, *_ = PROGRAMS[name]
    _, jnp, lax = LIBS[lib]
    f = factory(jnp, lax)
    return lambda *args: f(*map(jnp.asarray, args))


@pytest.mark.parametrize("name", sorted(PROGRAMS))
def test_grad_matches_jax(name):
    x, y = _inputs(PROGRAMS[name][1:])
    for argnums in (0, 1, (0, 1)):
        got = hlox.grad(_program(name, "hlox"), argnums=argnums)(x, y)
        want = jax.grad(_program(name, "jax"), argnums=argnums)(x, y)
        for g, w in zip(jax.tree_util.tree_leaves(got), jax.tree_util.tree_leaves(want)):
            assert_matches(g, w, rtol=1e-5, atol=1e-5)


@pytest.mark.parametrize("name", sorted(PROGRAMS))
def test_jvp_and_vjp_match_jax_in_float64(name):
    with enable_x64():
        x, y = _inputs(PROGRAMS[name][1:], dtype=np.float64)
        tx, ty = _inputs(PROGRAMS[name][1:], seed=1, dtype=np.float64)
        got = hlox.jit(lambda *a: hlox.jvp(_program(name, "hlox"), a[:2], a[2:]))(x, y, tx, ty)
        want = jax.jvp(_program(name, "jax"), (x, y), (tx, ty))
        for g, w in zip(got, want):
            assert_matches(g, w, rtol=1e-10, atol=1e-10)
        _, pullback = hlox.vjp(_program(name, "hlox"), x, y)
        _, jax_pullback = jax.vjp(_program(name, "jax"), x, y)
        for g, w in zip(pullback(np.float64(1.5)), jax_pullback(np.float64(1.5))):
            assert_matches(g, w, rtol=1e-10, atol=1e-10)


@pytest.mark.parametrize("name", ["getitem-int-array", "at-set", "at-max", "sort", "embedding"])
def test_hessian_vector_product_matches_jax(name):
    """Forward over reverse: the derivative rules' own ops are differentiated again."""
    x, y = _inputs(PROGRAMS[name][1:])
    tx, ty = _inputs(PROGRAMS[name][1:], seed=1)

    def hvp(lib):
        api = LIBS[lib][0]
        g = api.grad(_program(name, lib), argnums=(0, 1))
        return lambda *a: api.jvp(g, a[:2], a[2:])[1]
    got = hlox.jit(hvp("hlox"))(x, y, tx, ty)
    want = jax.jit(hvp("jax"))(x, y, tx, ty)
    for g, w in zip(got, want):
        assert_matches(g, w, rtol=1e-4, atol=1e-5)


@given(n=st.integers(1, 6), k=st.integers(1, 5), seed=st.integers(0, 2**16))
def test_scatter_add_and_gather_random_indices(n, k, seed):
    """Random (also repeated and negative) indices through getitem and .at[].add."""
    rng = np.random.default_rng(seed)
    x, y = rng.uniform(-1, 1, n).astype(np.float32), rng.uniform(-1, 1, k).astype(np.float32)
    idx = rng.integers(-n, n, k)

    def program(jnp):
        return lambda x, y: jnp.sum(jnp.cos(x.at[idx].add(x[idx] * y)) * jnp.arange(n))
    got = hlox.grad(program(hjnp), argnums=(0, 1))(hjnp.asarray(x), hjnp.asarray(y))
    want = jax.grad(program(jjnp), argnums=(0, 1))(x, y)
    for g, w in zip(got, want):
        assert_matches(g, w, rtol=1e-5, atol=1e-5)


def test_scatter_multiply_without_unique_indices_fails_like_jax():
    x, y = _inputs([(5,), (4,)])

    def f(jnp):
        return lambda x, y: jnp.sum(jnp.asarray(x).at[IDX].mul(y))
    with pytest.raises(NotImplementedError):
        jax.grad(f(jjnp), argnums=1)(x, y)
    with pytest.raises(ValueError, match="unique_indices"):  # the API reports pass errors so
        hlox.grad(f(hjnp), argnums=1)(x, y)
    # with respect to the operand it is defined (the product of the updates at each position)
    assert_matches(hlox.grad(f(hjnp))(x, y), jax.grad(f(jjnp))(x, y), rtol=1e-6)


def test_integer_sort_operand_has_no_tangent():
    keys = np.array([3, 1, 2, 0], np.int32)
    v = np.array([0.5, -1.0, 2.0, 3.0], np.float32)

    def f(lax):
        return lambda v: lax.sort_key_val(keys, v)[1] * 2.0
    got = hlox.jvp(f(hlox.lax), (v,), (np.ones_like(v) * 3,))
    want = jax.jvp(f(jax.lax), (v,), (np.ones_like(v) * 3,))
    for g, w in zip(got, want):
        assert_matches(g, w)
