"""vmap against jax.vmap on the same inputs: axes, pytrees, composition, errors, programs."""
from __future__ import annotations

import sys
from pathlib import Path

import jax
import jax.numpy as jr
import numpy as np
import pytest
from conftest import assert_matches

import hlox
import hlox.numpy as jnp

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "benchmarks"))
import models  # noqa: E402

rng = np.random.default_rng(0)
A = rng.normal(size=(4, 3)).astype(np.float32)
B = rng.normal(size=(3, 5)).astype(np.float32)
C = rng.normal(size=(4, 3, 5)).astype(np.float32)


def close(a, b, tol=2e-5):
    la, lb = hlox.tree_util.tree_leaves(a), jax.tree_util.tree_leaves(b)
    assert len(la) == len(lb)
    for u, v in zip(la, lb):
        assert_matches(u, v, rtol=tol, atol=tol)


CASES = [
    ("elementwise", lambda np_: lambda a: np_.sin(a) * 2.0 + a, (A,), 0, 0),
    ("matvec_unbatched_weight", lambda np_: lambda a, b: a @ b, (A, B), (0, None), 0),
    ("both_batched_matmul", lambda np_: lambda a, c: a @ c, (A, C), (0, 0), 0),
    ("axis1", lambda np_: lambda a: np_.sum(a ** 2), (A,), 1, 0),
    ("negative_axis", lambda np_: lambda c: c.T @ c, (C,), -1, 0),
    ("out_axes", lambda np_: lambda a, b: np_.outer(a, b[:, 0]), (A, B), (0, None), 1),
    ("reductions", lambda np_: lambda c: (np_.max(c, axis=0), np_.mean(c), np_.argmax(c, axis=1)),
     (C,), 0, 0),
    ("shape_ops", lambda np_: lambda c: np_.concatenate([c.reshape(-1), c[1:, ::2].ravel()]),
     (C,), 0, 0),
    ("broadcast_mix", lambda np_: lambda a, b: np_.tanh(a[:, None] + b), (A, B), (0, None), 0),
    ("softmax", lambda np_: lambda a: np_.exp(a) / np_.sum(np_.exp(a)), (A,), 0, 0),
    ("where_sort", lambda np_: lambda a: np_.sort(np_.where(a > 0, a, -a)), (A,), 0, 0),
    ("pytree_in", lambda np_: lambda d: d["x"] * d["y"], ({"x": A, "y": A[0]},), ({"x": 0, "y": None},), 0),
]


@pytest.mark.parametrize("name,make,args,in_axes,out_axes", CASES, ids=[c[0] for c in CASES])
def test_vmap_matches_jax(name, make, args, in_axes, out_axes):
    f, fr = make(jnp), make(jr)
    close(hlox.vmap(f, in_axes, out_axes)(*args), jax.vmap(fr, in_axes, out_axes)(*args))
    close(hlox.jit(hlox.vmap(f, in_axes, out_axes))(*args),
          jax.jit(jax.vmap(fr, in_axes, out_axes))(*args))


def test_compositions():
    f = lambda a, b: jnp.sum(jnp.tanh(a @ b))  # noqa: E731
    fr = lambda a, b: jr.sum(jr.tanh(a @ b))  # noqa: E731
    close(hlox.vmap(hlox.grad(f), (0, None))(A, B), jax.vmap(jax.grad(fr), (0, None))(A, B))
    close(hlox.grad(lambda b: jnp.sum(hlox.vmap(f, (0, None))(A, b)))(B),
          jax.grad(lambda b: jr.sum(jax.vmap(fr, (0, None))(A, b)))(B))
    close(hlox.vmap(hlox.jit(f), (0, None))(A, B), jax.vmap(jax.jit(fr), (0, None))(A, B))
    close(hlox.vmap(hlox.vmap(lambda x, y: x * y), (0, None))(C, B),
          jax.vmap(jax.vmap(lambda x, y: x * y), (0, None))(C, B))


def test_keyword_arguments_are_mapped_over_their_leading_axis():
    f = lambda a, *, scale: a * scale  # noqa: E731  (JAX maps keyword arguments over axis 0)
    close(hlox.vmap(f)(A, scale=A[:, 0]), jax.vmap(f)(A, scale=A[:, 0]))


def test_unbatched_values_stay_unbatched_in_the_ir():
    text = hlox.jit(hlox.vmap(lambda a, b: a @ jnp.tanh(b), (0, None))).lower(A, B).as_text(
        debug_info=False)
    batched = text[text.index("_batch("):]
    assert "stablehlo.tanh %arg1 : tensor<3x5xf32>" in batched  # computed once, not per example
    assert "stablehlo.while" not in batched


def test_errors_like_jax():
    with pytest.raises(ValueError, match="inconsistent sizes"):
        hlox.vmap(lambda a, b: a)(A, B)
    with pytest.raises(ValueError, match="at least one non-None"):
        hlox.vmap(lambda a: a, in_axes=None)(A)
    with pytest.raises(ValueError, match="len\\(in_axes\\)"):
        hlox.vmap(lambda a, b: a, in_axes=(0,))(A, A)
    with pytest.raises(ValueError, match="axis 3"):
        hlox.vmap(lambda a: a, in_axes=3)(A)


def test_per_example_gradients_of_an_mlp():
    params = models.mlp_params(sizes=(8, 16, 4))
    x = rng.normal(size=(6, 8)).astype(np.float32)
    y = np.eye(4, dtype=np.float32)[rng.integers(0, 4, 6)]
    loss, loss_r = models.mlp_loss(jnp, hlox.nn), models.mlp_loss(jr, jax.nn)

    def one(loss):
        return lambda p, xi, yi: loss(p, xi[None], yi[None])
    close(hlox.jit(hlox.vmap(hlox.grad(one(loss)), (None, 0, 0)))(params, x, y),
          jax.jit(jax.vmap(jax.grad(one(loss_r)), (None, 0, 0)))(params, x, y), tol=1e-4)


def test_batched_attention():
    d = 8
    q, k, v = (rng.normal(size=(3, 5, d)).astype(np.float32) for _ in range(3))

    def make(np_, nn):
        def attend(q, k, v):
            scores = q @ k.T / np.sqrt(d)
            return nn.softmax(scores, axis=-1) @ v
        return attend
    close(hlox.vmap(make(jnp, hlox.nn))(q, k, v), jax.vmap(make(jr, jax.nn))(q, k, v), tol=1e-5)
