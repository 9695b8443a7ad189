"""Control-flow benchmarks, hlox side by side with JAX in one process.

- grad of an RNN `scan` (100 and 1,000 steps): runtime and compiled memory, plain and
  checkpointed. hlox checkpoints a loop with `checkpoint_every=k` (one stored carry per k
  steps, each segment recomputed in the backward); JAX's nearest is `jax.checkpoint` on the
  scan body (per-step rematerialization), shown beside it.
- a batched `while_loop` solver: vmap of Newton's method for x^3 + a x = b with per-example
  trip counts (the batched loop runs until every example has converged).
Targets (issue 6): runtime within 1.05x of JAX's, memory at most JAX's, and with
checkpointing a large memory cut.

Run: python benchmarks/bench_control_flow.py [--quick]
"""
from __future__ import annotations

import argparse
import math
import sys

import jax
import jax.numpy as jr
import numpy as np

import hlox
import hlox.numpy as jnp

sys.path.insert(0, __file__.rsplit("/", 1)[0])
import models  # noqa: E402

HIDDEN, BATCH = 256, 16


def rnn_params(seed=0):
    rng = np.random.default_rng(seed)
    scale = 1 / np.sqrt(HIDDEN)
    return {"w": (rng.normal(size=(HIDDEN, HIDDEN)) * scale).astype(np.float32),
            "u": (rng.normal(size=(HIDDEN, HIDDEN)) * scale).astype(np.float32),
            "b": np.zeros(HIDDEN, np.float32)}


def rnn_data(steps, seed=1):
    return np.random.default_rng(seed).normal(size=(steps, BATCH, HIDDEN)).astype(np.float32)


def rnn_loss(np_, lax, remat=None, **scan_kw):
    def step(h, x, p):
        h = np_.tanh(h @ p["w"] + x @ p["u"] + p["b"])
        return h, np_.mean(h ** 2)

    def loss(p, xs):
        body = (lambda h, x: step(h, x, p)) if remat is None else remat(lambda h, x: step(h, x, p))
        h, ys = lax.scan(body, np_.zeros((BATCH, HIDDEN), np.float32), xs, **scan_kw)
        return np_.sum(ys) + np_.mean(h)
    return loss


def newton_solver(np_, lax):
    """x^3 + a x - b = 0 per example, until |f(x)| < 1e-6 (at most 100 steps)."""
    def solve(a, b):
        def cond(c):
            k, x = c
            return (np_.abs(x ** 3 + a * x - b) > 1e-6) & (k < 100)

        def body(c):
            k, x = c
            return k + 1, x - (x ** 3 + a * x - b) / (3 * x ** 2 + a)
        return lax.while_loop(cond, body, (0, b))
    return lambda a, b: jax_or_hlox(np_).vmap(solve)(a, b)


def jax_or_hlox(np_):
    return jax if np_ is jr else hlox


def memory_mb(jitted, args):
    stats = jitted.lower(*args).compile().memory_analysis()
    return (stats.temp_size_in_bytes + stats.output_size_in_bytes
            - stats.alias_size_in_bytes) / 2**20


def measure(lib, fn, args, repeats):
    jitted = lib.jit(fn)
    ready = lib.block_until_ready
    return {"runtime (ms)": models.timed_ms(lambda: ready(jitted(*args)), repeats),
            "memory (MB)": memory_mb(jitted, args)}


def row(name, h, j):
    for key in h:
        ratio = h[key] / j[key] if j[key] else float("nan")
        print(f"{name:<34} {key:<13} {h[key]:10.3f} {j[key]:10.3f} {ratio:9.2f}")


def rnn_rows(steps, repeats):
    args = (rnn_params(), rnn_data(steps))
    every = max(int(math.sqrt(steps)), 1)
    jax_plain = measure(jax, jax.grad(rnn_loss(jr, jax.lax)), args, repeats)
    jax_remat = measure(jax, jax.grad(rnn_loss(jr, jax.lax, remat=jax.checkpoint)), args, repeats)
    hlox_plain = measure(hlox, hlox.grad(rnn_loss(jnp, hlox.lax)), args, repeats)
    hlox_ckpt = measure(hlox, hlox.grad(rnn_loss(jnp, hlox.lax, checkpoint_every=every)), args,
                        repeats)
    row(f"RNN grad {steps} steps", hlox_plain, jax_plain)
    row(f"  hlox every={every} / jax plain", hlox_ckpt, jax_plain)
    row(f"  hlox every={every} / jax remat body", hlox_ckpt, jax_remat)
    row("  hlox plain / jax remat body", hlox_plain, jax_remat)


def solver_rows(repeats, batch=4096):
    rng = np.random.default_rng(2)
    args = (rng.uniform(0.5, 2.0, batch).astype(np.float32),
            rng.uniform(-50, 50, batch).astype(np.float32))
    row(f"vmap Newton while_loop (B={batch})", measure(hlox, newton_solver(jnp, hlox.lax), args,
                                                       repeats),
        measure(jax, newton_solver(jr, jax.lax), args, repeats))


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--quick", action="store_true")
    repeats = 5 if parser.parse_args().quick else 20
    print(f"{'program':<34} {'measurement':<13} {'hlox':>10} {'jax':>10} {'hlox/jax':>9}")
    for steps in (100, 1000):
        rnn_rows(steps, repeats)
    solver_rows(repeats)


if __name__ == "__main__":
    main()
