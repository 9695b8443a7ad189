"""Searching sorted arrays: searchsorted digitize."""
from __future__ import annotations

import numpy as np

from hlox.frontend import dtypes, errors, lax
from hlox.frontend.jit import eager_jit
from hlox.numerics.numpy import elementwise as ufuncs, indexing, indexing_routines
from hlox.numerics.numpy._util import _ravel, asarray, broadcast_to, check_arraylike, promote_dtypes

__all__ = ["searchsorted", "digitize"]


# -- searching ------------------------------------------------------------------------
def _total_le(a, b):
    return lax.not_(lax._total_order_lt(b, a))


def _search_scan(sorted_arr, query, side):
    """Binary search, one step per level, as JAX's 'scan' method."""
    n = sorted_arr.shape[0]
    go_left_fn = _total_le if side == "left" else lax._total_order_lt
    low = lax.full(query.shape, 0, dtypes.int32)
    high = lax.full(query.shape, n, dtypes.int32)
    for _ in range(int(np.ceil(np.log2(n + 1)))):
        mid = lax.add(low, lax.div(lax.sub(high, low), lax.full_like(low, 2)))
        go_left = go_left_fn(query, indexing_routines.take(sorted_arr, mid, mode="clip"))
        low, high = lax.select(go_left, low, mid), lax.select(go_left, mid, high)
    return high


def _search_compare_all(sorted_arr, query, side):
    op = lax._total_order_lt if side == "left" else _total_le
    values = lax.broadcast_in_dim(sorted_arr, sorted_arr.shape + query.shape, (0,))
    queries = lax.broadcast(query, sorted_arr.shape)
    hits = lax.convert_element_type(op(values, queries), dtypes.int32)
    return lax.reduce_sum(hits, [0])


def _rank(x):
    """The position of each element of x in its stable sorted order."""
    iota = lax.iota(dtypes.int32, x.shape[0])
    order = lax.sort((x, iota), dimension=0, is_stable=True, num_keys=1)[1]
    return indexing.scatter_update(lax.full_like(iota, 0), order, iota, "set")


def _search_sort(sorted_arr, query, side):
    """Co-sorting: a query's rank among the sorted values and the queries, less its rank
    among the queries alone."""
    flat = _ravel(query)
    if side == "left":
        index = _rank(lax.concatenate([flat, sorted_arr], 0))[:flat.size]
    else:
        index = _rank(lax.concatenate([sorted_arr, flat], 0))[sorted_arr.size:]
    return lax.reshape(lax.sub(index, _rank(flat)), query.shape)


_SEARCH_METHODS = {"scan": _search_scan, "scan_unrolled": _search_scan,
                   "compare_all": _search_compare_all, "sort": _search_sort}


@eager_jit(static_argnames=("side", "method"))
def searchsorted(a, v, side="left", sorter=None, *, method="scan"):
    check_arraylike("searchsorted", a, v, *(() if sorter is None else (sorter,)))
    a, v = asarray(a), asarray(v)
    if a.ndim != 1:
        raise errors.value_error("a should be 1-dimensional")
    if side not in ("left", "right"):
        raise errors.value_error(f"{side!r} is an invalid value for keyword 'side'. Expected "
                                 "one of ['left', 'right'].")
    if method not in _SEARCH_METHODS:
        raise errors.value_error(f"Unsupported method: {method}")
    a, v = promote_dtypes(a, v)
    if sorter is not None:
        a = indexing_routines.take(a, asarray(sorter), mode="clip")
    if a.shape[0] == 0:
        return lax.full(v.shape, 0, dtypes.int32)
    return _SEARCH_METHODS[method](a, v, side)


@eager_jit(static_argnames=("right", "method"))
def digitize(x, bins, right=False, *, method=None):
    check_arraylike("digitize", x, bins)
    x, bins = asarray(x), asarray(bins)
    if bins.ndim != 1:
        raise errors.value_error(f"digitize: bins must be a 1-dimensional array; got bins={bins}")
    if bins.shape[0] == 0:
        return lax.full(x.shape, 0, dtypes.int32)
    side = "left" if right else "right"
    kwargs = {} if method is None else {"method": method}
    increasing = searchsorted(bins, x, side=side, **kwargs)
    decreasing = lax.sub(lax.full_like(increasing, bins.shape[0]),
                         searchsorted(lax.rev(bins, (0,)), x, side=side, **kwargs))
    return lax.select(broadcast_to(ufuncs.greater_equal(bins[-1], bins[0]), x.shape),
                      increasing, decreasing)
