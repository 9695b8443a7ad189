"""vmap of control flow against jax.vmap on the same inputs: batched and unbatched predicates
and indices, while loops whose examples finish at different steps, scans over batched carries
and xs (one loop in the IR), vmap of vmap, and transforms composed with vmap."""
from __future__ import annotations

import re

import jax
import jax.numpy as jr
import numpy as np
import pytest
from conftest import assert_matches

import hlox
import hlox.numpy as jnp
from hlox import lax
from hlox.lowering import mlir

rng = np.random.default_rng(2)
M = rng.uniform(-1, 1, (4, 3)).astype(np.float32)
T = rng.uniform(-1, 1, (2, 4, 3)).astype(np.float32)
P = np.array([True, False, True, False])
IDX = np.array([0, 2, 7, -1], np.int32)


def close(actual, expected, tol=1e-5):
    la, lb = hlox.tree_util.tree_leaves(actual), jax.tree_util.tree_leaves(expected)
    assert len(la) == len(lb), (actual, expected)
    for a, b in zip(la, lb):
        assert_matches(a, b, rtol=tol, atol=tol)


def _branches(n):
    return [n.sin, lambda a: a * 2, lambda a: a - 1]


def _rnn(L, n):
    return lambda x, w: L.scan(lambda c, a: (n.tanh(c * a + w), c * 2), w, x)


# name: (build(L, numpy) -> per-example f, args, in_axes)
CASES = {
    "cond-batched-pred": (lambda L, n: lambda p, x: L.cond(p, n.sin, lambda a: a * 2, x),
                          (P, M), 0),
    "cond-unbatched-pred": (lambda L, n: lambda p, x: L.cond(p, n.sin, lambda a: a * 2, x),
                            (True, M), (None, 0)),
    "cond-only-pred-batched": (lambda L, n: lambda p, x: L.cond(p, n.sin, lambda a: a * 2, x),
                               (P, M[0]), (0, None)),
    "cond-pred-from-data": (lambda L, n: lambda x: L.cond(x[0] > 0, lambda a: (a, n.sum(a)),
                                                          lambda a: (a * 3, a[1]), x), (M,), 0),
    "cond-closure-batched": (lambda L, n: lambda p, x, y: L.cond(p, lambda a: a * y,
                                                                 lambda a: a + 1, x),
                             (True, M[0], M), (None, None, 0)),
    "switch-batched-index": (lambda L, n: lambda i, x: L.switch(i, _branches(n), x),
                             (IDX, M), 0),
    "switch-unbatched-index": (lambda L, n: lambda i, x: L.switch(i, _branches(n), x),
                               (1, M), (None, 0)),
    "while-batched-pred": (lambda L, n: lambda x: L.while_loop(
        lambda c: n.sum(c) < 6.0, lambda c: c * 1.5 + 0.25, x), (np.abs(M),), 0),
    "while-counter-batched-limit": (lambda L, n: lambda x, k: L.while_loop(
        lambda c: c[0] < k, lambda c: (c[0] + 1, c[1] * 2.0), (0, x)),
        (M, np.array([0, 1, 3, 2], np.int32)), 0),
    "while-unbatched-pred": (lambda L, n: lambda x: L.while_loop(
        lambda c: c[0] < 3, lambda c: (c[0] + 1, n.sin(c[1]) + c[0]), (0, x)), (M,), 0),
    "while-unbatched-init-batched-closure": (lambda L, n: lambda y: L.while_loop(
        lambda c: c[1] < 3, lambda c: (c[0] * y + 1.0, c[1] + 1), (n.zeros(3), 0)), (M,), 0),
    "fori-static": (lambda L, n: lambda x: L.fori_loop(0, 3, lambda i, c: c * x + i, x), (M,), 0),
    "fori-batched-bounds": (lambda L, n: lambda x, k: L.fori_loop(0, k, lambda i, c: c * 0.5 + i,
                                                                  x),
                            (M, np.array([1, 4, 0, 2], np.int32)), 0),
    "scan-batched-carry-and-xs": (_rnn, (T.transpose(1, 0, 2), M[:2]), (1, 0)),
    "scan-batched-xs": (_rnn, (T, M[0]), (0, None)),
    "scan-batched-carry": (_rnn, (T[0], M), (None, 0)),
    "scan-reverse": (lambda L, n: lambda x: L.scan(lambda c, a: (c + a, c), 0.0, x, reverse=True),
                     (M,), 0),
    "map": (lambda L, n: lambda x: L.map(lambda a: a * x[0], x), (M,), 0),
    "associative_scan": (lambda L, n: lambda x: L.associative_scan(n.add, x), (M,), 0),
    "cumsum": (lambda L, n: lambda x: L.cumsum(x, reverse=True), (M,), 0),
    "cumprod": (lambda L, n: lambda x: L.cumprod(x), (M,), 1),
    "cummax": (lambda L, n: lambda x: L.cummax(x), (M,), 0),
    "select_n": (lambda L, n: lambda p, x: L.select_n(p, x, -x), (P, M), (0, 0)),
    "loop-in-branch": (lambda L, n: lambda p, x: L.cond(
        p, lambda a: L.fori_loop(0, 3, lambda i, c: n.sin(c) + a, a), lambda a: -a, x), (P, M), 0),
    "while-in-scan": (lambda L, n: lambda x: L.scan(lambda c, r: (c + 1, L.while_loop(
        lambda v: v < 1.0, lambda v: v + n.abs(r) + 0.1, 0.0)), 0.0, x), (M,), 0),
}


@pytest.mark.parametrize("name", sorted(CASES))
def test_vmap_matches_jax(name):
    build, args, in_axes = CASES[name]
    h = hlox.vmap(build(lax, jnp), in_axes=in_axes)
    j = jax.vmap(build(jax.lax, jr), in_axes=in_axes)
    close(h(*args), j(*args))


def test_vmap_of_vmap():
    def build(L, n):
        return lambda x: (L.cond(x[0] > 0, n.sin, n.cos, x),
                          L.while_loop(lambda c: n.sum(c) < 4.0, lambda c: c * 2 + 0.1, n.abs(x)),
                          L.scan(lambda c, a: (c * a + 1, c), 1.0, x)[1],
                          L.switch((x[1] > 0).astype(n.int32), [n.sin, n.exp], x))
    close(hlox.jit(hlox.vmap(hlox.vmap(build(lax, jnp))))(T),
          jax.vmap(jax.vmap(build(jax.lax, jr)))(T))
    close(hlox.vmap(hlox.vmap(build(lax, jnp)), in_axes=1)(T),
          jax.vmap(jax.vmap(build(jax.lax, jr)), in_axes=1)(T))


def test_examples_finish_at_different_steps():
    """Each example keeps the carry of its own last step (finished examples are frozen)."""
    def count(x):
        return lax.while_loop(lambda c: c[1] < 10.0, lambda c: (c[0] + 1, c[1] * 2.0), (0, x))
    xs = np.array([0.3, 5.0, 20.0, 1.0], np.float32)
    steps, values = hlox.vmap(count)(xs)
    per_example = [count(x) for x in xs]
    assert len({int(s) for s in np.asarray(steps)}) > 2
    close((steps, values), tuple(np.array([np.asarray(p[k]) for p in per_example])
                                 for k in range(2)))


# -- the IR: one loop, real branches where the predicate is unbatched ------------------------------
def _ir(f, *args):
    """The text of the functions that @main of jit(f) reaches (not the per-example originals
    that the batching pass leaves beside them)."""
    text = hlox.jit(f).lower(*args).as_text()
    with mlir.context():
        module = mlir.ir.Module.parse(text)
        funcs = {mlir.ir.StringAttr(op.attributes["sym_name"]).value: op
                 for op in module.body.operations}
        reached, work = set(), ["main"]
        while work:
            name = work.pop()
            if name not in reached:
                reached.add(name)
                work += re.findall(r"call @([\w$.]+)", str(funcs[name]))
        return "\n".join(str(funcs[name]) for name in sorted(reached))


@pytest.mark.parametrize("in_axes", [(0, 0), (None, 0), (0, None)])
def test_scan_over_batched_carries_and_xs_keeps_one_loop(in_axes):
    args = (T if in_axes[0] == 0 else T[0], T[:, 0] if in_axes[1] == 0 else T[0, 0])
    text = _ir(hlox.vmap(_rnn(lax, jnp), in_axes=in_axes), *args)
    assert text.count("stablehlo.while") == 1, text
    assert "hlox.trip_count = 4" in text, text
    close(hlox.vmap(_rnn(lax, jnp), in_axes=in_axes)(*args),
          jax.vmap(_rnn(jax.lax, jr), in_axes=in_axes)(*args))


def test_unbatched_predicate_stays_a_branch_and_batched_one_selects():
    build = CASES["cond-batched-pred"][0](lax, jnp)
    kept = _ir(hlox.vmap(build, in_axes=(None, 0)), True, M)
    assert "stablehlo.if" in kept, kept
    selected = _ir(hlox.vmap(build), P, M)
    assert "stablehlo.if" not in selected and "stablehlo.select" in selected, selected
    switch = CASES["switch-batched-index"][0](lax, jnp)
    assert "stablehlo.case" in _ir(hlox.vmap(switch, in_axes=(None, 0)), 1, M)
    assert "stablehlo.case" not in _ir(hlox.vmap(switch), IDX, M)


def test_batched_while_predicate_is_one_loop_over_the_batch():
    build = CASES["while-batched-pred"][0](lax, jnp)
    text = _ir(hlox.vmap(build), np.abs(M))
    assert text.count("stablehlo.while") == 1 and "stablehlo.select" in text, text


# -- vmap composed with autodiff -------------------------------------------------------------------
def test_vmap_of_grad_and_grad_of_vmap():
    def loss(L, n):
        return lambda x: n.sum(L.scan(lambda c, a: (n.sin(c) * a + 0.5, c), 1.0, x)[1]) + \
            L.cond(x[0] > 0, lambda: x[1] ** 2, lambda: x[2])
    close(hlox.vmap(hlox.grad(loss(lax, jnp)))(M), jax.vmap(jax.grad(loss(jax.lax, jr)))(M))
    close(hlox.grad(lambda m: jnp.sum(hlox.vmap(loss(lax, jnp))(m)))(M),
          jax.grad(lambda m: jr.sum(jax.vmap(loss(jax.lax, jr))(m)))(M))


def test_vmap_of_jvp_of_batched_while():
    def f(L, n):
        return lambda x: L.while_loop(lambda c: n.sum(c) < 6.0, lambda c: c * 1.5 + n.sin(c), x)
    h = hlox.vmap(lambda x: hlox.jvp(f(lax, jnp), (x,), (x,)))
    j = jax.vmap(lambda x: jax.jvp(f(jax.lax, jr), (x,), (x,)))
    close(h(np.abs(M)), j(np.abs(M)))
