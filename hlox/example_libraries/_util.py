"""The helpers of jax._src.util that the example libraries use."""
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
