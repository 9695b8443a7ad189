"""Models written once against a numpy namespace, run by hlox and by JAX side by side,
and the timing helper the benchmarks share."""
from __future__ import annotations

import statistics
import time

import numpy as np


def timed_ms(fn, repeats):
    """Median wall time of `fn()` in milliseconds, after one warm-up call."""
    fn()
    times = []
    for _ in range(repeats):
        t0 = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t0)
    return statistics.median(times) * 1e3


def mlp_params(sizes=(256, 512, 512, 10), seed=0):
    rng = np.random.default_rng(seed)
    return [{"w": (rng.normal(size=(a, b)) / np.sqrt(a)).astype(np.float32),
             "b": np.zeros(b, np.float32)} for a, b in zip(sizes[:-1], sizes[1:])]


def mlp_loss(np_, nn):
    def loss(params, x, y):
        h = x
        for layer in params[:-1]:
            h = nn.relu(h @ layer["w"] + layer["b"])
        logits = h @ params[-1]["w"] + params[-1]["b"]
        return -np_.mean(np_.sum(nn.log_softmax(logits) * y, axis=-1))
    return loss


def mlp_data(batch=128, seed=1):
    rng = np.random.default_rng(seed)
    x = rng.normal(size=(batch, 256)).astype(np.float32)
    y = np.eye(10, dtype=np.float32)[rng.integers(0, 10, batch)]
    return x, y


def conv_params(seed=0):
    rng = np.random.default_rng(seed)
    return {"k1": (rng.normal(size=(3, 3, 3, 16)) * 0.2).astype(np.float32),
            "k2": (rng.normal(size=(3, 3, 16, 32)) * 0.1).astype(np.float32),
            "w": (rng.normal(size=(8 * 8 * 32, 10)) * 0.02).astype(np.float32)}


def conv_loss(np_, nn, lax):
    def pool(h):
        return lax.reduce_window(h, -np.inf, lax.max, (1, 2, 2, 1), (1, 2, 2, 1), "VALID")

    def loss(p, x, y):
        dn = ("NHWC", "HWIO", "NHWC")
        h = nn.relu(lax.conv_general_dilated(x, p["k1"], (1, 1), "SAME", dimension_numbers=dn))
        h = pool(h)
        h = nn.relu(lax.conv_general_dilated(h, p["k2"], (1, 1), "SAME", dimension_numbers=dn))
        h = pool(h)
        logits = h.reshape(h.shape[0], -1) @ p["w"]
        return -np_.mean(np_.sum(nn.log_softmax(logits) * y, axis=-1))
    return loss


def conv_data(batch=32, seed=1):
    rng = np.random.default_rng(seed)
    x = rng.normal(size=(batch, 32, 32, 3)).astype(np.float32)
    y = np.eye(10, dtype=np.float32)[rng.integers(0, 10, batch)]
    return x, y


def transformer_params(d=128, hidden=512, seed=0):
    rng = np.random.default_rng(seed)
    shapes = {"wq": (d, d), "wk": (d, d), "wv": (d, d), "wo": (d, d), "w1": (d, hidden),
              "w2": (hidden, d)}
    p = {k: (rng.normal(size=s) / np.sqrt(s[0])).astype(np.float32) for k, s in shapes.items()}
    p["scale"] = np.ones(d, np.float32)
    p["bias"] = np.zeros(d, np.float32)
    return p


def transformer_loss(np_, nn, heads=4):
    def layernorm(h, scale, bias):
        mean = np_.mean(h, axis=-1, keepdims=True)
        var = np_.mean((h - mean) ** 2, axis=-1, keepdims=True)
        return (h - mean) / np_.sqrt(var + 1e-5) * scale + bias

    def loss(p, x):
        b, s, d = x.shape
        h = layernorm(x, p["scale"], p["bias"])
        split = lambda t: t.reshape(b, s, heads, d // heads).transpose(0, 2, 1, 3)  # noqa: E731
        q, k, v = split(h @ p["wq"]), split(h @ p["wk"]), split(h @ p["wv"])
        scores = np_.einsum("bhqd,bhkd->bhqk", q, k) / np.sqrt(d // heads)
        scores = np_.where(np_.tril(np_.ones((s, s), dtype=bool)), scores, -1e9)
        att = np_.einsum("bhqk,bhkd->bhqd", nn.softmax(scores, axis=-1), v)
        x = x + att.transpose(0, 2, 1, 3).reshape(b, s, d) @ p["wo"]
        x = x + nn.gelu(layernorm(x, p["scale"], p["bias"]) @ p["w1"]) @ p["w2"]
        return np_.mean(x ** 2)
    return loss


def transformer_data(batch=8, seq=64, d=128, seed=1):
    return (np.random.default_rng(seed).normal(size=(batch, seq, d)).astype(np.float32),)
