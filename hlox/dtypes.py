"""`hlox.dtypes`, as `jax.dtypes`: canonical dtypes, the promotion lattice, and the extended
dtypes of typed PRNG keys."""
from __future__ import annotations

import ml_dtypes
import numpy as np

from hlox.frontend import dtypes as _dtypes
from hlox.numerics.random.keys import PRNGKeyDType as _PRNGKeyDType

__all__ = ["TypePromotionError", "bfloat16", "canonicalize_dtype", "extended", "finfo", "float0",
           "iinfo", "issubdtype", "itemsize_bits", "prng_key", "result_type", "scalar_type_of"]

bfloat16 = ml_dtypes.bfloat16
float0 = _dtypes.float0
finfo = _dtypes.finfo
iinfo = _dtypes.iinfo
result_type = _dtypes.result_type


TypePromotionError = _dtypes.TypePromotionError


class extended:  # noqa: N801  (JAX's names)
    """The abstract type of dtypes that are not numpy's (typed PRNG keys)."""


class prng_key(extended):  # noqa: N801
    """The abstract type of typed PRNG key dtypes."""


_EXTENDED_KINDS = (extended, prng_key)


def issubdtype(a, b) -> bool:
    if isinstance(a, _PRNGKeyDType) or b in _EXTENDED_KINDS:
        return isinstance(a, _PRNGKeyDType) and b in _EXTENDED_KINDS + (_PRNGKeyDType,)
    return _dtypes.issubdtype(a, b)


def canonicalize_dtype(dtype, allow_extended_dtype=False):
    if isinstance(dtype, _PRNGKeyDType):
        if not allow_extended_dtype:
            raise ValueError(f"Internal: canonicalize_dtype called on extended dtype {dtype} "
                             "with allow_extended_dtype=False")
        return dtype
    return _dtypes.canonicalize(_dtypes.to_dtype(dtype))


_SCALAR_TYPES = {"b": bool, "i": int, "u": int, "f": float, "V": float, "c": complex}


def scalar_type_of(x):
    """The Python scalar type (bool, int, float, complex) that values like `x` belong to."""
    return _SCALAR_TYPES[np.dtype(_dtypes.dtype_of(x)[0]).kind]


def itemsize_bits(dtype) -> int:
    return np.dtype(dtype).itemsize * 8
