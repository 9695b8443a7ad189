"""The autodiff and batching passes on modules exported by real JAX (private functions,
func.call, result attributes), run through PJRT and compared with jax.grad / jax.vmap."""
from __future__ import annotations

import jax
import jax.numpy as jr
import numpy as np
from conftest import assert_matches

from hlox.lowering import module_runner
from hlox.lowering.mlir import ir, make_context
from hlox.passes import autodiff, batching

rng = np.random.default_rng(3)
W = rng.normal(size=(4, 3)).astype(np.float32)
X = rng.normal(size=(5, 4)).astype(np.float32)


@jax.jit
def _inner(h):
    return jr.tanh(h) * 2.0


def loss(w, x):
    h = _inner(x @ w)  # a nested jit: a private function and a func.call in the export
    return jr.sum(jax.nn.softplus(h) ** 2)


def _exported(fn, *args):
    text = jax.jit(fn).lower(*args).as_text()
    assert "func.func private" in text and "call @" in text
    ctx = make_context()
    with ctx:
        return ir.Module.parse(text), ctx


def test_grad_pass_on_a_jax_export():
    module, ctx = _exported(loss, W, X)
    with ctx, ir.Location.unknown():
        autodiff.grad(module.operation, "main", wrt=[0, 1], name="main_grad")
        assert module.operation.verify()
        gw, gx = module_runner.run_function(module, "main_grad", [W, X])
    ref_w, ref_x = jax.grad(loss, argnums=(0, 1))(W, X)
    assert_matches(gw, ref_w, rtol=1e-5, atol=1e-5)
    assert_matches(gx, ref_x, rtol=1e-5, atol=1e-5)


def test_jvp_and_vjp_passes_on_a_jax_export():
    module, ctx = _exported(loss, W, X)
    tw, tx = np.ones_like(W), np.zeros_like(X)
    ct = np.float32(1.5)
    with ctx, ir.Location.unknown():
        autodiff.jvp(module.operation, "main", wrt=[0, 1])
        autodiff.vjp(module.operation, "main", wrt=[0])
        assert module.operation.verify()
        y, t = module_runner.run_function(module, "main_jvp", [W, X, tw, tx])
        y2, g = module_runner.run_function(module, "main_vjp", [W, X, ct])
    ref_y, ref_t = jax.jvp(loss, (W, X), (tw, tx))
    assert_matches(y, ref_y, rtol=1e-5)
    assert_matches(t, ref_t, rtol=1e-5, atol=1e-5)
    assert_matches(g, jax.vjp(lambda w: loss(w, X), W)[1](ct)[0], rtol=1e-5, atol=1e-5)


def test_batch_pass_on_a_jax_export():
    module, ctx = _exported(loss, W, X)
    xs = rng.normal(size=(7, 5, 4)).astype(np.float32)
    with ctx, ir.Location.unknown():
        batching.batch(module.operation, "main", in_axes=[None, 0], size=7)
        assert module.operation.verify()
        (out,) = module_runner.run_function(module, "main_batch", [W, xs])
    assert_matches(out, jax.vmap(loss, (None, 0))(W, xs), rtol=1e-5, atol=1e-5)
