"""Autodiff benchmarks, hlox side by side with JAX in one process.

For the gradient of an MLP, a conv net and a transformer block: runtime of the compiled
gradient (hlox `jit(grad(f))` against `jax.jit(jax.grad(f))`), op count and FLOPs of the
optimized HLO, memory of the compiled program, and the time to produce the gradient module.
Targets (issue: autodiff): runtime and memory within 1.05x of JAX's.

Run: python benchmarks/bench_autodiff.py [--quick]
"""
from __future__ import annotations

import argparse
import re
import sys
import time

import jax
import jax.numpy as jr

import hlox
import hlox.numpy as jnp

sys.path.insert(0, __file__.rsplit("/", 1)[0])
import models  # noqa: E402


def hlo_ops(text):
    return len([l for l in text.splitlines() if re.match(r"\s+(ROOT )?%\S+ = ", l)])


def memory(compiled):
    stats = compiled.memory_analysis()
    return (stats.temp_size_in_bytes + stats.argument_size_in_bytes
            + stats.output_size_in_bytes - stats.alias_size_in_bytes)


def measure(jit, grad, loss, args, repeats):
    g = jit(grad(loss))
    t0 = time.perf_counter()
    lowered = g.lower(*args)
    lowered.as_text()
    produce = time.perf_counter() - t0
    compiled = lowered.compile()
    run = models.timed_ms(lambda: jax.block_until_ready(g(*args)) if jit is jax.jit
                else hlox.block_until_ready(g(*args)), repeats)
    cost = compiled.cost_analysis()
    cost = cost[0] if isinstance(cost, list) else cost
    return {"runtime (ms)": run, "HLO ops": hlo_ops(compiled.as_text()),
            "GFLOP": cost.get("flops", 0.0) / 1e9, "memory (MB)": memory(compiled) / 2**20,
            "grad module (ms)": produce * 1e3}


def programs():
    yield "MLP", models.mlp_loss, (models.mlp_params(),) + models.mlp_data(), "nn"
    yield "conv net", models.conv_loss, (models.conv_params(),) + models.conv_data(), "conv"
    yield "transformer block", models.transformer_loss, (models.transformer_params(),) + \
        models.transformer_data(), "nn"


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--quick", action="store_true")
    repeats = 5 if parser.parse_args().quick else 30
    print(f"{'program':<18} {'measurement':<18} {'hlox':>10} {'jax':>10} {'hlox/jax':>9}")
    for name, make, args, kind in programs():
        if kind == "conv":
            h_loss, j_loss = make(jnp, hlox.nn, hlox.lax), make(jr, jax.nn, jax.lax)
        else:
            h_loss, j_loss = make(jnp, hlox.nn), make(jr, jax.nn)
        try:
            h = measure(hlox.jit, hlox.grad, h_loss, args, repeats)
        except Exception as e:  # report, keep going with the other programs
            print(f"{name:<18} hlox failed: {type(e).__name__}: {str(e).splitlines()[0]}")
            continue
        j = measure(jax.jit, jax.grad, j_loss, args, repeats)
        for key in h:
            ratio = h[key] / j[key] if j[key] else float("nan")
            print(f"{name:<18} {key:<18} {h[key]:10.3f} {j[key]:10.3f} {ratio:9.2f}")


if __name__ == "__main__":
    main()
