"""lax's batched matrix product and the type of dot_general's dimension numbers."""
from __future__ import annotations

from collections.abc import Sequence

from hlox.frontend import errors, lax

__all__ = ["DotDimensionNumbers", "batch_matmul"]

DotDimensionNumbers = tuple[tuple[Sequence[int], Sequence[int]],
                            tuple[Sequence[int], Sequence[int]]]


def batch_matmul(lhs, rhs, precision=None):
    """Batched matrix product of arrays of equal rank >= 2 (leading dimensions batch)."""
    lhs, rhs = lax.asarray(lhs), lax.asarray(rhs)
    if lhs.ndim < 2 or lhs.ndim != rhs.ndim:
        raise errors.value_error(f"Arguments to batch_matmul must be at least 2D and agree on "
                                 f"their rank, got {lhs.ndim} and {rhs.ndim}.")
    if lhs.shape[:-2] != rhs.shape[:-2]:
        raise errors.value_error(f"Argument shapes to batch_matmul must agree on leading "
                                 f"dimensions, got {lhs.shape[:-2]} and {rhs.shape[:-2]}.")
    batch = tuple(range(lhs.ndim - 2))
    return lax.dot_general(lhs, rhs, (((lhs.ndim - 1,), (rhs.ndim - 2,)), (batch, batch)),
                           precision=precision)
