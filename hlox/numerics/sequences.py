"""Sequence helpers of jax._src.util that code ported from JAX uses: safe_zip, safe_map, unzip2/3."""
from __future__ import annotations

import builtins


def safe_zip(*args):
    """zip that insists on equal lengths."""
    n = len(args[0])
    for arg in args[1:]:
        assert len(arg) == n, f"length mismatch: {list(builtins.map(len, args))}"
    return list(builtins.zip(*args))


def safe_map(f, *args):
    """map (to a list) that insists on equal lengths."""
    args = list(builtins.map(list, args))
    n = len(args[0])
    for arg in args[1:]:
        assert len(arg) == n, f"length mismatch: {list(builtins.map(len, args))}"
    return list(builtins.map(f, *args))


def unzip2(xys):
    """Unzip a sequence of pairs into two tuples."""
    xs, ys = [], []
    for x, y in xys:
        xs.append(x)
        ys.append(y)
    return tuple(xs), tuple(ys)


def unzip3(xyzs):
    """Unzip a sequence of triples into three tuples."""
    xs, ys, zs = [], [], []
    for x, y, z in xyzs:
        xs.append(x)
        ys.append(y)
        zs.append(z)
    return tuple(xs), tuple(ys), tuple(zs)


def tuple_insert(t, idx, val):
    assert 0 <= idx <= len(t), (idx, len(t))
    return t[:idx] + (val,) + t[idx:]


def tuple_delete(t, idx):
    assert 0 <= idx < len(t), (idx, len(t))
    return t[:idx] + t[idx + 1:]
