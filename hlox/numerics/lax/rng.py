"""lax.RandomAlgorithm: XLA's bit generators."""
from __future__ import annotations

import enum

__all__ = ["RandomAlgorithm"]


class RandomAlgorithm(enum.IntEnum):
    """XLA's bit generators (jax.lax.RandomAlgorithm)."""
    RNG_DEFAULT = 0
    RNG_THREE_FRY = 1
    RNG_PHILOX = 2
