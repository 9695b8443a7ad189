"""Dtypes by name, loading ml_dtypes (slow to import) only for the types numpy lacks.

No value of an ml_dtypes type can exist before ml_dtypes is imported, so code that
only meets numpy's types never pays for it.
"""
from __future__ import annotations

import functools

import numpy as np

NUMPY_NAMES = frozenset(["bool", "int8", "int16", "int32", "int64", "uint8", "uint16", "uint32", "uint64",
                         "float16", "float32", "float64", "complex64", "complex128"])


@functools.lru_cache(maxsize=None)
def dtype_named(name: str) -> np.dtype:
    """The dtype called `name` (numpy's, or ml_dtypes' such as bfloat16 and float8_e4m3fn)."""
    if name in NUMPY_NAMES:
        return np.dtype(name)
    import ml_dtypes
    try:
        return np.dtype(getattr(ml_dtypes, name))
    except AttributeError:
        raise TypeError(f"data type {name!r} not understood") from None
