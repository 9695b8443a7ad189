"""jax.ops: segment reductions as scatters into an array of the reduction's identity, as JAX
computes them (out-of-range segment ids are dropped; `bucket_size` scatters per bucket, then
reduces over the buckets)."""
from __future__ import annotations

import numpy as np

from hlox.frontend import errors, lax
from hlox.numerics.numpy import creation, reductions
from hlox.numerics.numpy._util import asarray, check_arraylike

__all__ = ["segment_max", "segment_min", "segment_prod", "segment_sum"]

# name: (the identity's monoid, the .at[] update method, the reduction over buckets)
_SEGMENT_OPS = {
    "segment_sum": ("add", "add", reductions.sum),
    "segment_prod": ("multiply", "multiply", reductions.prod),
    "segment_max": ("maximum", "max", reductions.max),
    "segment_min": ("minimum", "min", reductions.min),
}


def _num_segments(num_segments, segment_ids):
    if num_segments is None:
        num_segments = int(np.max(np.asarray(segment_ids))) + 1
    try:
        num_segments = int(num_segments)
    except TypeError:
        raise errors.type_error("segment_sum() `num_segments` argument must be a concrete "
                                f"integer, got {num_segments!r}") from None
    if num_segments < 0:
        raise errors.value_error("num_segments must be non-negative.")
    return num_segments


def _segment_op(name):
    monoid, method, reducer = _SEGMENT_OPS[name]

    def op(data, segment_ids, num_segments=None, indices_are_sorted=False,
           unique_indices=False, bucket_size=None, mode=None, out_sharding=None):
        check_arraylike(name, data, segment_ids)
        data, segment_ids = asarray(data), asarray(segment_ids)
        n = _num_segments(num_segments, segment_ids)
        mode = "drop" if mode is None else mode
        kw = dict(indices_are_sorted=indices_are_sorted, unique_indices=unique_indices,
                  mode=mode)
        fill = lax.identity_value(monoid, data.dtype)
        if bucket_size is None:
            out = creation.full((n,) + data.shape[1:], fill, data.dtype)
            return getattr(out.at[segment_ids], method)(data, **kw)
        num_buckets = -(-segment_ids.size // bucket_size)
        out = creation.full((num_buckets, n) + data.shape[1:], fill, data.dtype)
        buckets = creation.arange(segment_ids.shape[0]) // bucket_size
        out = getattr(out.at[buckets, segment_ids[None, :]], method)(data, **kw)
        return reducer(out, axis=0).astype(data.dtype)
    op.__name__ = name
    return op


segment_sum = _segment_op("segment_sum")
segment_prod = _segment_op("segment_prod")
segment_max = _segment_op("segment_max")
segment_min = _segment_op("segment_min")
