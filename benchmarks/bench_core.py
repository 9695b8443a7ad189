"""Core runtime benchmarks, hlox side by side with JAX in one process.

Prints each measurement for both libraries and the ratio hlox/JAX (lower is better for hlox).
Targets (issue: hlox core): dispatch and eager latency within 1.5x of JAX's; trace-to-StableHLO
faster than JAX's trace+lower.

Run: python benchmarks/bench_core.py [--quick]
"""
from __future__ import annotations

import argparse
import statistics
import time

import jax
import jax.numpy as jnp_ref
import numpy as np

import hlox
import hlox.numpy as jnp


def best_of(fn, repeats=5, number=1):
    """Median over `repeats` of the mean time of `number` calls, in seconds."""
    times = []
    for _ in range(repeats):
        t0 = time.perf_counter()
        for _ in range(number):
            fn()
        times.append((time.perf_counter() - t0) / number)
    return statistics.median(times)


def dispatch_latency(lib, jit, numpy, n):
    f = jit(lambda x, y: x * y + 1.0)
    x, y = numpy.ones((4,), dtype=np.float32), numpy.ones((4,), dtype=np.float32)
    f(x, y).block_until_ready()
    return best_of(lambda: f(x, y), number=n) * 1e6


def eager_latency(numpy, n):
    x, y = numpy.ones((4,), dtype=np.float32), numpy.ones((4,), dtype=np.float32)
    (x + y).block_until_ready()
    return best_of(lambda: x + y, number=n) * 1e6


def chain_fn(numpy, n_ops):
    def f(x):
        for i in range(n_ops // 2):
            x = numpy.sin(x) * (1.0 + i * 1e-3)
        return x
    return f


def mlp_fn(numpy):
    def f(params, x):
        for w, b in params:
            x = numpy.tanh(x @ w + b)
        return numpy.mean(x ** 2)
    return f


def mlp_params(numpy, sizes=(64, 256, 256, 10)):
    rng = np.random.default_rng(0)
    return [(numpy.asarray(rng.normal(size=(a, b)).astype(np.float32)),
             numpy.asarray(np.zeros((b,), np.float32))) for a, b in zip(sizes[:-1], sizes[1:])]


def trace_time(jit, make_fn, args, lower_to_text):
    def once():
        lowered = jit(make_fn()).lower(*args)  # a fresh function: no trace cache can answer
        lower_to_text(lowered)
    once()
    return best_of(once, repeats=5) * 1e3


def compile_first_result(jit, numpy, seed):
    x = numpy.ones((128, 128), dtype=np.float32)

    def once(k=[seed]):
        k[0] += 1
        c = float(k[0])
        f = jit(lambda a: numpy.tanh(a @ a + c).sum())
        f(x).block_until_ready()
    return best_of(once, repeats=3) * 1e3


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--quick", action="store_true")
    args = parser.parse_args()
    n = 200 if args.quick else 2000
    rows = []
    rows.append(("jit dispatch latency (us/call)",
                 dispatch_latency("hlox", hlox.jit, jnp, n),
                 dispatch_latency("jax", jax.jit, jnp_ref, n)))
    rows.append(("eager op latency (us/op)", eager_latency(jnp, n), eager_latency(jnp_ref, n)))
    x = np.ones((8,), np.float32)
    rows.append(("trace to StableHLO, 1000 ops (ms)",
                 trace_time(hlox.jit, lambda: chain_fn(jnp, 1000), (x,), lambda l: l.as_text()),
                 trace_time(jax.jit, lambda: chain_fn(jnp_ref, 1000), (x,), lambda l: l.as_text())))
    xb = np.ones((32, 64), np.float32)
    rows.append(("trace to StableHLO, MLP (ms)",
                 trace_time(hlox.jit, lambda: mlp_fn(jnp), (mlp_params(jnp), xb), lambda l: l.as_text()),
                 trace_time(jax.jit, lambda: mlp_fn(jnp_ref), (mlp_params(jnp_ref), xb), lambda l: l.as_text())))
    rows.append(("compile to first result (ms)", compile_first_result(hlox.jit, jnp, 0),
                 compile_first_result(jax.jit, jnp_ref, 10_000)))
    width = max(len(r[0]) for r in rows)
    print(f"{'measurement':<{width}}  {'hlox':>10}  {'jax':>10}  {'hlox/jax':>8}")
    for name, h, j in rows:
        print(f"{name:<{width}}  {h:10.2f}  {j:10.2f}  {h / j:8.2f}")


if __name__ == "__main__":
    main()
