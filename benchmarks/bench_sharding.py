"""Many-device benchmarks, hlox side by side with JAX on the same 8 CPU devices in one process.

Ratios are hlox/JAX (lower is better for hlox). Targets (issue 10): runtime within 1.05x of
JAX's, dispatch within 1.2x.

Run: python benchmarks/bench_sharding.py [--quick]   (sets 8 CPU devices itself)
"""
from __future__ import annotations

import os

os.environ["XLA_FLAGS"] = (os.environ.get("XLA_FLAGS", "")
                           + " --xla_force_host_platform_device_count=8").strip()

import argparse  # noqa: E402
import statistics  # noqa: E402
import time  # noqa: E402

import jax  # noqa: E402
import jax.numpy as jjnp  # noqa: E402
import numpy as np  # noqa: E402

import hlox  # noqa: E402
import hlox.numpy as jnp  # noqa: E402


def median_time(fn, repeats, number=1):
    times = []
    for _ in range(repeats):
        t0 = time.perf_counter()
        for _ in range(number):
            out = fn()
        jax.block_until_ready(out) if not isinstance(out, hlox.Array) else out.block_until_ready()
        times.append((time.perf_counter() - t0) / number)
    return statistics.median(times)


class Lib:
    def __init__(self, name, mod, np_, P, NamedSharding, mesh):
        self.name, self.mod, self.np, self.P, self.NS, self.mesh = name, mod, np_, P, NamedSharding, mesh

    def put(self, x, *spec, mesh=None):
        return self.mod.device_put(x, self.NS(mesh or self.mesh, self.P(*spec)))


def libs(shape=(4, 2), devices=8):
    ours = hlox.make_mesh(shape, ("data", "model"), devices=hlox.devices()[:devices],
                          axis_types=(hlox.sharding.AxisType.Auto,) * 2)
    theirs = jax.make_mesh(shape, ("data", "model"), devices=jax.devices()[:devices],
                           axis_types=(jax.sharding.AxisType.Auto,) * 2)
    return (Lib("hlox", hlox, jnp, hlox.P, hlox.NamedSharding, ours),
            Lib("jax", jax, jjnp, jax.P, jax.sharding.NamedSharding, theirs))


def dispatch(lib, n):
    f = lib.mod.jit(lambda x, y: x * y + 1.0)
    x, y = lib.put(np.ones((8, 4), np.float32), "data"), lib.put(np.ones((8, 4), np.float32), "data")
    f(x, y).block_until_ready()
    return median_time(lambda: f(x, y), 5, n) * 1e6


def transformer_block(np_, lax):
    def block(params, x):
        wq, wk, wv, wo, w1, w2 = params
        q, k, v = x @ wq, x @ wk, x @ wv
        att = np_.exp(q @ k.T / 8.0)
        att = att / att.sum(-1, keepdims=True)
        h = x + (att @ v) @ wo
        return h + np_.tanh(h @ w1) @ w2
    return block


def block_params(d=64, ff=256, seed=0):
    rng = np.random.default_rng(seed)
    shapes = [(d, d)] * 4 + [(d, ff), (ff, d)]
    return [rng.standard_normal(s).astype(np.float32) / np.sqrt(s[0]) for s in shapes]


def trace_to_compiled(lib):
    params = block_params()
    x = np.ones((128, 64), np.float32)
    specs = [(None, "model")] * 3 + [("model", None), (None, "model"), ("model", None)]
    sharded = [lib.put(p, *s) for p, s in zip(params, specs)]
    xs = lib.put(x, "data")

    def once():  # a fresh function and empty caches: the whole trace, lowering and compile
        lib.mod.clear_caches()
        f = lib.mod.jit(transformer_block(lib.np, None))
        return f.lower(sharded, xs).compile()
    once()
    return median_time(lambda: once() and lib.np.zeros(()), 3) * 1e3


def train_step(lib, mode, devices=8, batch=256):
    d = 128
    rng = np.random.default_rng(1)
    w1 = rng.standard_normal((d, 4 * d)).astype(np.float32) / np.sqrt(d)
    w2 = rng.standard_normal((4 * d, d)).astype(np.float32) / np.sqrt(4 * d)
    x = rng.standard_normal((batch, d)).astype(np.float32)
    y = rng.standard_normal((batch, d)).astype(np.float32)
    np_ = lib.np

    def loss(w, x, y):
        return np_.mean((np_.tanh(x @ w[0]) @ w[1] - y) ** 2)

    def step(w, x, y):
        g = lib.mod.grad(loss)(w, x, y)
        return [wi - 0.01 * gi for wi, gi in zip(w, g)]
    if mode == "data":
        mesh_shape = (devices, 1)
        w_specs = [(), ()]
    else:
        mesh_shape = (1, devices)
        w_specs = [(None, "model"), ("model", None)]
    ours_or_theirs = libs(mesh_shape, devices)[0 if lib.name == "hlox" else 1]
    w = [ours_or_theirs.put(wi, *s) for wi, s in zip((w1, w2), w_specs)]
    xs, ys = ours_or_theirs.put(x, "data"), ours_or_theirs.put(y, "data")
    f = lib.mod.jit(step)
    f(w, xs, ys)[0].block_until_ready()
    return median_time(lambda: f(w, xs, ys)[0], 7, 5) * 1e3


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--quick", action="store_true")
    args = parser.parse_args()
    n = 200 if args.quick else 2000
    ours, theirs = libs()
    theirs_first = dispatch(theirs, n)
    rows = [("sharded jit dispatch (us/call)", dispatch(ours, n), min(theirs_first, dispatch(theirs, n))),
            ("sharded transformer block, trace to compiled (ms)", trace_to_compiled(ours),
             trace_to_compiled(theirs)),
            ("data-parallel training step, 8 devices (ms)", train_step(ours, "data"),
             train_step(theirs, "data")),
            ("tensor-parallel training step, 8 devices (ms)", train_step(ours, "model"),
             train_step(theirs, "model"))]
    for d in (1, 2, 4, 8):
        rows.append((f"data-parallel step on {d} devices (ms)", train_step(ours, "data", d),
                     train_step(theirs, "data", d)))
    print(f"{'measurement':52s} {'hlox':>9s} {'jax':>9s} {'hlox/jax':>9s}")
    for name, a, b in rows:
        print(f"{name:52s} {a:9.3f} {b:9.3f} {a / b:9.2f}")


if __name__ == "__main__":
    main()
