"""lax's shape helpers: broadcast_shapes, broadcast_to_rank, broadcast_like, collapse, split,
unstack, tile."""
from __future__ import annotations

import math
import operator

import numpy as np

from hlox.frontend import errors, lax
from hlox.numerics.numpy import shape as shape_ops
from hlox.numerics.numpy._util import broadcast_shapes as broadcast, broadcast_to

__all__ = ["broadcast_like", "broadcast_shapes", "broadcast_to_rank", "collapse", "split",
           "tile", "unstack"]


def canonical_axis(name, axis, ndim):
    axis = operator.index(axis)
    if not -ndim <= axis < ndim:
        raise errors.value_error(f"{name}: axis {axis} is out of bounds for array of "
                                 f"dimension {ndim}")
    return axis % ndim


def broadcast_shapes(*shapes):
    """The shape numpy broadcasting gives `shapes` (ValueError when they are incompatible)."""
    return tuple(broadcast(*(tuple(operator.index(d) for d in s) for s in shapes)))


def broadcast_to_rank(x, rank):
    """`x` with leading unit dimensions up to `rank`."""
    x = lax.asarray(x)
    if x.ndim > rank:
        raise errors.value_error(f"broadcast_to_rank: rank {rank} is less than x.ndim {x.ndim}")
    return x if x.ndim == rank else lax.broadcast(x, (1,) * (rank - x.ndim))


def broadcast_like(arr, like_arr):
    """`arr` broadcast to the shape of `like_arr` (trailing dimensions aligned)."""
    return broadcast_to(arr, np.shape(like_arr))


def collapse(operand, start_dimension, stop_dimension=None):
    """`operand` with the dimensions [start_dimension, stop_dimension) merged into one."""
    x = lax.asarray(operand)
    lo, hi = slice(start_dimension, stop_dimension).indices(x.ndim)[:2]
    if hi < lo:
        raise errors.value_error(f"collapse: start_dimension {start_dimension} must not be "
                                 f"after stop_dimension {stop_dimension}")
    return lax.reshape(x, x.shape[:lo] + (math.prod(x.shape[lo:hi]),) + x.shape[hi:])


def split(operand, sizes, axis=0):
    """Pieces of `operand` of the given sizes along `axis` (the sizes must sum to its length)."""
    x = lax.asarray(operand)
    axis = canonical_axis("split", axis, x.ndim)
    sizes = [operator.index(s) for s in sizes]
    if any(s < 0 for s in sizes) or sum(sizes) != x.shape[axis]:
        raise errors.value_error(f"Sum of sizes {sum(sizes)} must be equal to dimension {axis} "
                                 f"of the operand shape {x.shape}")
    starts = np.cumsum([0] + sizes)
    return [lax.slice_in_dim(x, int(a), int(b), axis=axis) for a, b in zip(starts, starts[1:])]


def unstack(x, axis=0):
    """The slices of `x` along `axis`, as a tuple."""
    x = lax.asarray(x)
    axis = canonical_axis("unstack", axis, x.ndim)
    return tuple(lax.index_in_dim(x, i, axis, keepdims=False) for i in range(x.shape[axis]))


def tile(operand, reps):
    """`operand` repeated `reps[i]` times along each dimension i (len(reps) == ndim)."""
    x = lax.asarray(operand)
    reps = tuple(operator.index(r) for r in reps)
    if len(reps) != x.ndim:
        raise errors.value_error(f"len(reps) must equal operand.ndim, got reps={reps} for "
                                 f"operand.shape={x.shape}")
    return shape_ops.tile(x, reps)
