"""Windowed reductions beyond reduce_window: lax.cumsum / cumprod / cummax / cummin (prefix
reductions as one reduce_window each) and select_and_scatter / select_and_gather_add."""
from __future__ import annotations

import functools

import numpy as np

from hlox.frontend import dtypes, errors, lax, ops
from hlox.frontend.control_flow import associative_scan

__all__ = ["cumsum", "cumprod", "cummax", "cummin", "select_and_scatter", "select_and_scatter_add",
           "select_and_gather_add"]

_CUMULATIVE_NAMES = {"add": "cumsum", "multiply": "cumprod", "maximum": "cummax",
                     "minimum": "cummin"}


def cumulative(operand, axis, monoid, reverse):
    """A reduce_window over the whole axis, padded with n-1 identities before (after, when
    reversed) so window i covers the prefix ending at i; XLA rewrites this window shape into
    an O(n log n) tree."""
    x = lax.asarray(operand)
    axis = int(axis)
    if axis < 0:
        raise errors.value_error("XLA operations do not allow negative axes")
    if axis >= x.ndim:
        raise errors.value_error(f"axis {axis} is out of bounds for array of shape {x.shape}")
    if not (dtypes.is_integer(x.dtype) or dtypes.is_inexact(x.dtype)):
        raise errors.type_error(f"{_CUMULATIVE_NAMES[monoid]} does not accept dtype "
                                f"{x.dtype.name}. Accepted dtypes are subtypes of number.")
    n = x.shape[axis]
    if n == 0:
        return x
    if monoid == "multiply":
        # a product is differentiated through the prefix scan's slices, pads and products
        # (a reduce_window of products has no derivative rule)
        return associative_scan(lax.mul, x, reverse=reverse, axis=axis)
    window = [1] * x.ndim
    window[axis] = n
    padding = [(0, 0)] * x.ndim
    padding[axis] = (0, n - 1) if reverse else (n - 1, 0)
    return lax.reduce_window(x, lax.identity_value(monoid, x.dtype), monoid, window,
                             [1] * x.ndim, padding)


def cumsum(operand, axis=0, reverse=False):
    return cumulative(operand, axis, "add", reverse)


def cumprod(operand, axis=0, reverse=False):
    return cumulative(operand, axis, "multiply", reverse)


def cummax(operand, axis=0, reverse=False):
    return cumulative(operand, axis, "maximum", reverse)


def cummin(operand, axis=0, reverse=False):
    return cumulative(operand, axis, "minimum", reverse)


# -- select_and_scatter / select_and_gather ------------------------------------------------
def select_and_scatter(operand, select, window_dimensions, window_strides, padding, source,
                       init_value, scatter):
    """stablehlo.select_and_scatter: in each window of `operand` pick one element with
    `select(a, b) -> bool` (True keeps a) and combine the window's `source` value into it
    with `scatter`."""
    x = lax.asarray(operand)
    src = lax.asarray(source, x.dtype)
    return ops.select_and_scatter.bind(
        x, src, lax._operand_like(init_value, x.dtype),
        window_dimensions=tuple(int(w) for w in window_dimensions),
        window_strides=tuple(int(s) for s in window_strides),
        padding=tuple((int(lo), int(hi)) for lo, hi in padding),
        select=lambda a, b: [select(a, b)], scatter=lambda a, b: [scatter(a, b)])


def _select_direction(select_prim):
    """'GE', 'LE', 'GT' or 'LT' for lax.ge/le/gt/lt (or those names as strings)."""
    names = {lax.ge: "GE", lax.le: "LE", lax.gt: "GT", lax.lt: "LT"}
    direction = names.get(select_prim) or str(select_prim).upper().removesuffix("_P")
    if direction not in ("GE", "LE", "GT", "LT"):
        raise errors.value_error(f"select_prim must be lax.ge, lax.le, lax.gt or lax.lt, got "
                                 f"{select_prim!r}")
    return direction


@functools.lru_cache(maxsize=None)
def _compare_body(direction):
    return lambda a, b: [ops.compare.bind(a, b, direction=direction)]


@functools.lru_cache(maxsize=None)
def _select_body(direction, pairs):
    """A body comparing the first operand of each side and selecting every operand with it."""
    def body(*args):
        a, b = args[:pairs], args[pairs:]
        pick = ops.compare.bind(a[0], b[0], direction=direction)
        return [ops.select.bind(pick, x, y) for x, y in zip(a, b)]
    return body


def _select_identity(direction, dtype):
    return lax.identity_value("maximum" if direction in ("GE", "GT") else "minimum", dtype)


def select_and_scatter_add(source, operand, select_prim, window_dimensions, window_strides,
                           padding):
    """Add each window's `source` value at the element `select_prim` picks in that window of
    `operand` (the transpose of select_and_gather_add; max pooling's gradient)."""
    x = lax.asarray(operand)
    direction = _select_direction(select_prim)
    identity = lax.asarray(_select_identity(direction, x.dtype), x.dtype)
    # Padding is applied to the operand explicitly (XLA CPU rejects padded select_and_scatter).
    padded = lax.pad(x, identity, [(lo, hi, 0) for lo, hi in padding])
    out = ops.select_and_scatter.bind(
        padded, lax.asarray(source, x.dtype), _zero(x.dtype),
        window_dimensions=tuple(int(w) for w in window_dimensions),
        window_strides=tuple(int(s) for s in window_strides), padding=((0, 0),) * x.ndim,
        select=_compare_body(direction), scatter=lax._MONOID_BODIES["add"])
    return lax.slice(out, [lo for lo, _ in padding],
                 [lo + d for (lo, _), d in zip(padding, x.shape)])


def select_and_gather_add(tangents, operand, select_prim, window_dimensions, window_strides,
                          padding, base_dilation=None, window_dilation=None, init_tangent=None):
    """For each window of `operand`, the element of `tangents` at the position `select_prim`
    picks (the JVP of max/min pooling), as one two-operand reduce_window."""
    x = lax.asarray(operand)
    t = lax.asarray(tangents, x.dtype)
    direction = _select_direction(select_prim)
    n = x.ndim
    inits = [lax.asarray(_select_identity(direction, x.dtype), x.dtype),
             _zero(x.dtype) if init_tangent is None else lax.asarray(init_tangent, x.dtype)]
    return ops.reduce_window.bind(
        x, t, *inits, window_dimensions=tuple(window_dimensions),
        window_strides=tuple(window_strides), base_dilations=tuple(base_dilation or (1,) * n),
        window_dilations=tuple(window_dilation or (1,) * n),
        padding=tuple(tuple(p) for p in padding), body=_select_body(direction, 2))[1]


def _zero(dtype):
    return lax.asarray(np.zeros((), dtype), dtype)
