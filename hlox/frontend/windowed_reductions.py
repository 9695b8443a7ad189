"""lax.cumsum / cumprod / cummax / cummin: prefix reductions as one reduce_window each."""
from __future__ import annotations

from hlox.frontend import dtypes, errors, lax
from hlox.frontend.control_flow import associative_scan

__all__ = ["cumsum", "cumprod", "cummax", "cummin"]

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
