"""Batching benchmarks, hlox side by side with JAX in one process.

Runtime of `jit(vmap(f))` and of per-example gradients `jit(vmap(grad(f)))` for an MLP and a
conv net, and batch-size scaling from 1 to 1024. Target (issue: batching): within 1.05x of JAX.

Run: python benchmarks/bench_batching.py [--quick]
"""
from __future__ import annotations

import argparse
import sys

import jax
import jax.numpy as jr

import hlox
import hlox.numpy as jnp

sys.path.insert(0, __file__.rsplit("/", 1)[0])
import models  # noqa: E402


def per_example(loss):
    return lambda p, x, y: loss(p, x[None], y[None])


def per_example_predictions(np_, nn):
    def predict(params, x):
        h = x
        for layer in params[:-1]:
            h = nn.relu(h @ layer["w"] + layer["b"])
        return h @ params[-1]["w"] + params[-1]["b"]
    return predict


def run(lib, jit, vmap, grad, program, batch, repeats):
    np_, nn = (jnp, hlox.nn) if lib == "hlox" else (jr, jax.nn)
    lax = hlox.lax if lib == "hlox" else jax.lax
    if program == "MLP":
        params, (x, y) = models.mlp_params(), models.mlp_data(batch)
        loss = models.mlp_loss(np_, nn)
        forward = jit(vmap(per_example_predictions(np_, nn), (None, 0)))
    else:
        params, (x, y) = models.conv_params(), models.conv_data(batch)
        loss = models.conv_loss(np_, nn, lax)
        forward = jit(vmap(lambda p, xi, yi: per_example(loss)(p, xi, yi), (None, 0, 0)))
    grads = jit(vmap(grad(per_example(loss)), (None, 0, 0)))
    block = jax.block_until_ready if lib == "jax" else hlox.block_until_ready
    args = (params, x) if program == "MLP" else (params, x, y)
    return (models.timed_ms(lambda: block(forward(*args)), repeats),
            models.timed_ms(lambda: block(grads(params, x, y)), repeats))


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--quick", action="store_true")
    quick = parser.parse_args().quick
    repeats = 5 if quick else 20
    print(f"{'program':<9} {'batch':>6} {'what':<22} {'hlox ms':>9} {'jax ms':>9} {'hlox/jax':>9}")
    for program, sizes in [("MLP", (1, 8, 64, 256, 1024)), ("conv net", (1, 8, 32, 128))]:
        for batch in (sizes[::2] if quick else sizes):
            try:
                h = run("hlox", hlox.jit, hlox.vmap, hlox.grad, program, batch, repeats)
            except Exception as e:  # report and go on
                print(f"{program:<9} {batch:>6} hlox failed: {type(e).__name__}: {str(e).splitlines()[0]}")
                continue
            j = run("jax", jax.jit, jax.vmap, jax.grad, program, batch, repeats)
            for what, hv, jv in (("jit(vmap(f))", h[0], j[0]),
                                 ("per-example gradients", h[1], j[1])):
                print(f"{program:<9} {batch:>6} {what:<22} {hv:9.3f} {jv:9.3f} {hv / jv:9.2f}")


if __name__ == "__main__":
    main()
