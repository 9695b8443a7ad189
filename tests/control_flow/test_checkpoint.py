"""hlox.checkpoint / remat with its policies, and checkpointed loops (checkpoint_every=k):
gradients against real JAX (or float64 finite differences where JAX has no counterpart),
what the policies keep, shown by compiled memory and by the IR."""
from __future__ import annotations

import functools

import jax
import jax.ad_checkpoint
import jax.numpy as jr
import numpy as np
import pytest
from conftest import assert_matches, enable_x64

import hlox
import hlox.lax as lax
import hlox.numpy as jnp
from hlox.ad_checkpoint import checkpoint_name

rng = np.random.default_rng(0)
B, D, LAYERS = 256, 32, 4
W1S = [(rng.normal(size=(D, 4 * D)) / np.sqrt(D)).astype(np.float32) for _ in range(LAYERS)]
W2S = [(rng.normal(size=(4 * D, D)) / np.sqrt(4 * D)).astype(np.float32) for _ in range(LAYERS)]
X = rng.normal(size=(B, D)).astype(np.float32)


def close(a, b, tol=2e-4):
    la, lb = jax.tree_util.tree_leaves(hlox.tree_util.tree_map(np.asarray, a)), \
        jax.tree_util.tree_leaves(b)
    assert len(la) == len(lb)
    for u, v in zip(la, lb):
        assert_matches(u, v, rtol=tol, atol=tol)


def mlp(np_, remat, name):
    """Layers h + exp(-(tanh(sin(h @ W1)) @ W2)^2), each wrapped by `remat` (or not)."""
    def layer(h, w1, w2):
        u = name(h @ w1, "up")
        b = np_.tanh(np_.sin(u))
        return h + np_.exp(-(b @ w2) ** 2)

    def loss(w1s, w2s, x):
        f = remat(layer) if remat else layer
        h = x
        for w1, w2 in zip(w1s, w2s):
            h = f(h, w1, w2)
        return np_.sum(h ** 2)
    return loss


POLICIES = {
    "everything_saveable": lambda p: p.everything_saveable,
    "nothing_saveable": lambda p: p.nothing_saveable,
    "dots_saveable": lambda p: p.dots_saveable,
    "dots_with_no_batch_dims_saveable": lambda p: p.dots_with_no_batch_dims_saveable,
    "save_only_these_names": lambda p: p.save_only_these_names("up"),
    "save_any_names_but_these": lambda p: p.save_any_names_but_these("other"),
    "save_anything_except_these_names": lambda p: p.save_anything_except_these_names("up"),
    "save_from_both_policies": lambda p: p.save_from_both_policies(
        p.dots_with_no_batch_dims_saveable, p.save_only_these_names("up")),
}


def both_losses(policy):
    h = mlp(jnp, functools.partial(hlox.checkpoint, policy=POLICIES[policy](
        hlox.checkpoint_policies)) if policy else None, checkpoint_name)
    j = mlp(jr, functools.partial(jax.checkpoint, policy=POLICIES[policy](
        jax.checkpoint_policies)) if policy else None, jax.ad_checkpoint.checkpoint_name)
    return h, j


def temp_bytes(jitted, *args):
    return jitted.lower(*args).compile().memory_analysis().temp_size_in_bytes


@pytest.mark.parametrize("policy", sorted(POLICIES))
def test_policy_gradients_match_jax(policy):
    h_loss, j_loss = both_losses(policy)
    args = (W1S, W2S, X)
    close(hlox.jit(hlox.value_and_grad(h_loss, argnums=(0, 1, 2)))(*args),
          jax.jit(jax.value_and_grad(j_loss, argnums=(0, 1, 2)))(*args))


def test_policies_change_what_is_kept():
    """Compiled temp memory of the gradient: dots_saveable keeps the dot results and
    recomputes the elementwise chain, nothing_saveable keeps only each layer's input; each is
    no more than JAX's for the same policy."""
    mem = {}
    for policy in (None, "everything_saveable", "nothing_saveable", "dots_saveable"):
        h_loss, j_loss = both_losses(policy)
        mem[policy] = temp_bytes(hlox.jit(hlox.grad(h_loss)), W1S, W2S, X)
        assert mem[policy] <= temp_bytes(jax.jit(jax.grad(j_loss)), W1S, W2S, X)
    assert mem["everything_saveable"] == mem[None]
    assert mem["dots_saveable"] < 0.7 * mem[None]
    assert mem["nothing_saveable"] < mem[None]
    assert mem["dots_saveable"] != mem["nothing_saveable"]


def _grad_module(loss):
    return hlox.jit(hlox.grad(loss)).lower(W1S, W2S, X).as_text(debug_info=False)


def test_ir_of_the_policies():
    nothing = _grad_module(mlp(jnp, hlox.checkpoint, checkpoint_name))
    assert 'hlox.remat = ""' in nothing
    assert nothing.count("stablehlo.optimization_barrier") == LAYERS
    dots = _grad_module(mlp(jnp, functools.partial(
        hlox.checkpoint, policy=hlox.checkpoint_policies.dots_saveable), checkpoint_name))
    assert "_remat_" in dots and "_fwd" in dots  # the forward returns the dot results
    no_cse = _grad_module(mlp(jnp, functools.partial(hlox.checkpoint, prevent_cse=False),
                              checkpoint_name))
    assert "optimization_barrier" not in no_cse


def test_static_argnums_and_keywords():
    def f(x, n, scale=1.0):
        for _ in range(n):
            x = jr.sin(x) * scale if isinstance(x, jax.Array) else jnp.sin(x) * scale
        return jnp.sum(x) if not isinstance(x, jax.Array) else jr.sum(x)
    h = hlox.checkpoint(f, static_argnums=(1,))
    j = jax.checkpoint(f, static_argnums=(1,))
    x = X[0]
    close(hlox.grad(lambda x: h(x, 3, scale=2.0))(x), jax.grad(lambda x: j(x, 3, scale=2.0))(x))
    close(h(x, 2), j(x, 2))  # outside a transform: plain evaluation


def test_higher_order_and_vmap():
    def make(np_, remat):
        return remat(lambda x: np_.sum(np_.sin(np_.sin(x) * x)))
    h, j = make(jnp, hlox.remat), make(jr, jax.remat)
    x = X[0, :4]
    close(hlox.hessian(h)(x), jax.hessian(j)(x))
    close(hlox.vmap(hlox.grad(h))(X[:3, :4]), jax.vmap(jax.grad(j))(X[:3, :4]))
    close(hlox.grad(lambda x: jnp.sum(hlox.vmap(h)(x)))(X[:3, :4]),
          jax.grad(lambda x: jr.sum(jax.vmap(j)(x)))(X[:3, :4]))


def test_policy_errors():
    with pytest.raises(TypeError, match="checkpoint policy"):
        hlox.checkpoint(jnp.sin, policy=lambda prim, *a, **k: True)
    with pytest.raises(ValueError, match="checkpoint names"):
        hlox.checkpoint_policies.save_only_these_names("a|b")


# -- checkpointed loops ------------------------------------------------------------------------
H, T = 16, 1000
RW = (rng.normal(size=(H, H)) / np.sqrt(H)).astype(np.float32)
RXS = rng.normal(size=(T, H)).astype(np.float32)


def rnn(np_, scan, **kw):
    def loss(w, xs, h0):
        def step(h, x):
            h = np_.tanh(h @ w + x)
            return h, np_.sum(h * x)
        h, ys = scan(step, h0, xs, **kw)
        return np_.sum(h ** 2) + np_.sum(ys)
    return loss


@pytest.mark.parametrize("every,reverse", [(7, False), (32, True), (2000, False)])
def test_checkpointed_scan_gradients_match_jax(every, reverse):
    h0 = RXS[0]
    h = rnn(jnp, lax.scan, checkpoint_every=every, reverse=reverse)
    j = rnn(jr, jax.lax.scan, reverse=reverse)
    close(hlox.jit(hlox.value_and_grad(h, argnums=(0, 1, 2)))(RW, RXS, h0),
          jax.jit(jax.value_and_grad(j, argnums=(0, 1, 2)))(RW, RXS, h0), tol=1e-3)


def test_checkpointed_scan_memory():
    """Peak memory of grad of a 1,000-step scan: every carry stacked vs one per 32 steps."""
    hidden = 128
    w = (rng.normal(size=(hidden, hidden)) / np.sqrt(hidden)).astype(np.float32)
    xs = rng.normal(size=(T, hidden)).astype(np.float32)
    h0 = np.zeros(hidden, np.float32)
    plain = temp_bytes(hlox.jit(hlox.grad(rnn(jnp, lax.scan))), w, xs, h0)
    ckpt = temp_bytes(hlox.jit(hlox.grad(rnn(jnp, lax.scan, checkpoint_every=32))), w, xs, h0)
    jax_mem = temp_bytes(jax.jit(jax.grad(rnn(jr, jax.lax.scan))), w, xs, h0)
    stacked = T * hidden * 4
    assert plain >= stacked  # every step's carry
    assert ckpt < 0.15 * plain and ckpt < 0.15 * jax_mem


def test_checkpointed_loop_ir():
    text = hlox.jit(hlox.grad(rnn(jnp, lax.scan, checkpoint_every=10))).lower(
        RW, RXS, RXS[0]).as_text(debug_info=False)
    assert "hlox.checkpoint_every = 10" in text
    assert "tensor<100x16xf32>" in text  # one stored carry per segment
    assert "tensor<10x16xf32>" in text  # a segment's recomputed carries


def test_checkpointed_fori_loop():
    def make(np_, fori, **kw):
        return lambda w, x: np_.sum(fori(0, 50, lambda i, h: np_.sin(h @ w) + 0.1 * i, x, **kw))
    h, j = make(jnp, lax.fori_loop, checkpoint_every=8), make(jr, jax.lax.fori_loop)
    close(hlox.grad(h, argnums=(0, 1))(RW, RXS[0]), jax.grad(j, argnums=(0, 1))(RW, RXS[0]))


def _check_fd(loss, w, x, eps=1e-6):
    """Central differences in float64 along one random direction."""
    dw, dx = rng.normal(size=w.shape), rng.normal(size=x.shape)
    gw, gx = hlox.grad(loss, argnums=(0, 1))(w, x)
    up, down = loss(w + eps * dw, x + eps * dx), loss(w - eps * dw, x - eps * dx)
    fd = (float(up) - float(down)) / (2 * eps)
    np.testing.assert_allclose(np.sum(np.asarray(gw) * dw) + np.sum(np.asarray(gx) * dx), fd,
                               rtol=1e-6)


def test_checkpointed_while_loop_with_data_dependent_trip_count():
    """Beyond JAX: a loop that runs until its state is small, differentiated with max_steps
    and checkpoints, against float64 finite differences and the uncheckpointed loop."""
    def make(**kw):
        def loss(w, x):
            def body(c):
                k, h = c
                return k + 1, 0.8 * jnp.tanh(h @ w)
            _, h = lax.while_loop(lambda c: (jnp.sum(c[1] ** 2) > 1e-3) & (c[0] < 150), body,
                                  (0, 5.0 * x), max_steps=200, **kw)
            return jnp.sum(h * x)
        return loss
    with enable_x64():
        w, x = 0.5 * RW.astype(np.float64), RXS[1].astype(np.float64)
        close(hlox.grad(make(checkpoint_every=9), argnums=(0, 1))(w, x),
              hlox.grad(make(), argnums=(0, 1))(w, x), tol=1e-10)
        _check_fd(make(checkpoint_every=9), w, x)


def test_checkpointed_scan_composes():
    h0 = RXS[0]
    h = rnn(jnp, lax.scan, checkpoint_every=16)
    j = rnn(jr, jax.lax.scan)
    xs = RXS[:100]
    close(hlox.vmap(hlox.grad(h), in_axes=(None, None, 0))(RW, xs, RXS[:3]),
          jax.vmap(jax.grad(j), in_axes=(None, None, 0))(RW, xs, RXS[:3]), tol=1e-3)
    v = RXS[5]
    close(hlox.jvp(hlox.grad(h, argnums=2), (RW, xs, h0), (0 * RW, 0 * xs, v))[1],
          jax.jvp(jax.grad(j, argnums=2), (RW, xs, h0), (0 * RW, 0 * xs, v))[1], tol=1e-3)
    close(hlox.grad(lambda h0: hlox.grad(h, argnums=2)(RW, xs, h0) @ v)(h0),
          jax.grad(lambda h0: jax.grad(j, argnums=2)(RW, xs, h0) @ v)(h0), tol=1e-3)


def test_checkpoint_every_must_be_positive():
    with pytest.raises(ValueError, match="checkpoint_every"):
        lax.scan(lambda c, x: (c, x), 0.0, RXS[:4], checkpoint_every=0)
