"""The k largest (or smallest) entries along an axis: top_k (chlo.top_k, as JAX lowers it) and
approx_max_k/approx_min_k (JAX's exact CPU fallback)."""
from __future__ import annotations

import operator

import numpy as np

from hlox.frontend import dtypes, errors, lax, ops
from hlox.numerics.lax.shapes import canonical_axis

__all__ = ["approx_max_k", "approx_min_k", "top_k"]


def _top_k_operand(operand, k, axis):
    x = lax.asarray(operand)
    if x.ndim == 0:
        raise errors.type_error("top_k operand must have >= 1 dimension, got ()")
    if dtypes.is_complex(x.dtype):
        raise errors.value_error("top_k is not compatible with complex inputs.")
    axis = canonical_axis("top_k", axis, x.ndim)
    k, n = operator.index(k), x.shape[axis]
    if not 0 <= k <= n:
        raise errors.value_error(f"k argument to top_k must be nonnegative and at most the size "
                                 f"of the reduced axis ({n}), got {k}")
    return x, k, axis


def _sorted_k(operand, k, axis, largest):
    """The k largest (smallest) entries along `axis`, ties to the lower index, with their int32
    indices, by a stable sort (of the reversed array, for the largest, so that reversing the
    sorted result keeps ties in index order): JAX's CPU fallback for approx_max_k/min_k."""
    x, k, axis = _top_k_operand(operand, k, axis)
    index = lax.broadcasted_iota(np.dtype(np.int32), x.shape, axis)
    if largest:
        x, index = lax.rev(x, (axis,)), lax.rev(index, (axis,))
    values, indices = lax.sort((x, index), dimension=axis, is_stable=True, num_keys=1)
    if largest:
        values, indices = lax.rev(values, (axis,)), lax.rev(indices, (axis,))
    return [lax.slice_in_dim(values, 0, k, axis=axis), lax.slice_in_dim(indices, 0, k, axis=axis)]


def top_k(operand, k, *, axis=-1):
    """[values, int32 indices] of the k largest entries along `axis`, in descending order (a
    list, as JAX returns): chlo.top_k over the last axis, as JAX lowers it."""
    x, k, axis = _top_k_operand(operand, k, axis)
    last = x.ndim - 1
    swap = list(range(x.ndim))
    swap[axis], swap[last] = last, axis
    if axis != last:
        x = lax.transpose(x, swap)
    outs = ops.top_k.bind(x, k=k)
    return [lax.transpose(o, swap) if axis != last else o for o in outs]


def _approx_k(largest):
    def approx_k(operand, k, reduction_dimension=-1, recall_target=0.95,
                 reduction_input_size_override=-1, aggregate_to_topk=True):
        return _sorted_k(operand, k, reduction_dimension, largest)
    approx_k.__name__ = approx_k.__qualname__ = f"approx_{'max' if largest else 'min'}_k"
    approx_k.__doc__ = (f"The k {'largest' if largest else 'smallest'} entries and their "
                        "indices; exact, as JAX's CPU fallback is.")
    return approx_k


approx_max_k = _approx_k(True)
approx_min_k = _approx_k(False)
