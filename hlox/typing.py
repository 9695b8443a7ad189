"""`jax.typing`: the annotations for JAX-compatible inputs (`ArrayLike`, `DTypeLike`)."""
from __future__ import annotations

import typing
from typing import Any, Protocol, Union

import numpy as np

from hlox.frontend.array_type import Array


@typing.runtime_checkable
class SupportsDType(Protocol):
    @property
    def dtype(self, /) -> np.dtype: ...


# scalars that convert to arrays and can be static arguments
StaticScalar = Union[np.bool_, np.number, bool, int, float, complex]

# what converts implicitly to an array: arrays, NumPy arrays and scalars (not sequences, not strings)
ArrayLike = Union[Array, np.ndarray, StaticScalar]

# what `np.dtype` turns into a dtype hlox supports (None excluded, as in JAX)
DTypeLike = Union[str, type[Any], np.dtype, SupportsDType]

__all__ = ["ArrayLike", "DTypeLike"]
