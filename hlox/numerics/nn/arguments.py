"""The array-argument check of hlox.nn's functions."""
from __future__ import annotations

from hlox.numerics.numpy._util import asarray, check_arraylike


def arraylike(name, x):
    """`x` as an array, after JAX's check that it is array-like (not a list)."""
    check_arraylike(name, x)
    return asarray(x)
