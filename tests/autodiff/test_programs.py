"""Whole programs differentiated by hlox and by JAX on the same inputs."""
from __future__ import annotations

import sys
from pathlib import Path

import jax
import jax.numpy as jr
import numpy as np
from conftest import assert_matches

import hlox
import hlox.numpy as jnp

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "benchmarks"))
import models  # noqa: E402

rng = np.random.default_rng(42)


def _close_trees(a, b, tol):
    la = hlox.tree_util.tree_leaves(a)
    lb = jax.tree_util.tree_leaves(b)
    assert len(la) == len(lb)
    for u, v in zip(la, lb):
        assert_matches(u, v, rtol=tol, atol=tol)


def check_program(make_loss, params, *data, tol=2e-4):
    loss, loss_r = make_loss(jnp, hlox.nn), make_loss(jr, jax.nn)
    _close_trees(hlox.jit(hlox.value_and_grad(loss))(params, *data),
                 jax.jit(jax.value_and_grad(loss_r))(params, *data), tol)
    direction = jax.tree_util.tree_map(lambda p: np.ones_like(p) * 0.1, params)
    _close_trees(hlox.jvp(lambda p: loss(p, *data), (params,), (direction,)),
                 jax.jvp(lambda p: loss_r(p, *data), (params,), (direction,)), tol)


def test_mlp():
    sizes = [8, 16, 16, 4]
    params = [{"w": (rng.normal(size=(a, b)) / np.sqrt(a)).astype(np.float32),
               "b": np.zeros(b, np.float32)} for a, b in zip(sizes[:-1], sizes[1:])]
    x = rng.normal(size=(5, 8)).astype(np.float32)
    labels = np.array([0, 3, 1, 2, 3])

    def make(np_, nn):
        def loss(params, x, labels):
            h = x
            for layer in params[:-1]:
                h = nn.relu(h @ layer["w"] + layer["b"])
            logits = h @ params[-1]["w"] + params[-1]["b"]
            logp = nn.log_softmax(logits, axis=-1)
            return -np_.mean(np_.sum(logp * nn.one_hot(labels, 4), axis=-1))
        return loss
    check_program(make, params, x, labels)


def test_transformer_block():
    """The benchmark's block (layernorm, masked multi-head attention, gelu MLP), small."""
    params = models.transformer_params(d=16, hidden=32)
    (x,) = models.transformer_data(batch=2, seq=6, d=16)
    check_program(lambda np_, nn: models.transformer_loss(np_, nn, heads=2), params, x)


def test_per_parameter_gradients_match_finite_differences_in_float64(x64):
    w = rng.normal(size=(4, 3))
    x = rng.normal(size=(5, 4))

    def loss(w):
        return jnp.sum(jnp.tanh(x @ w) ** 2)
    g = np.asarray(hlox.grad(loss)(w))
    eps = 1e-6
    for i, j in [(0, 0), (2, 1), (3, 2)]:
        e = np.zeros_like(w)
        e[i, j] = eps
        fd = (float(loss(w + e)) - float(loss(w - e))) / (2 * eps)
        assert abs(g[i, j] - fd) < 1e-6 * max(1.0, abs(fd))
