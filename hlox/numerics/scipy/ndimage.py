"""`hlox.numerics.scipy.ndimage`, as jax.scipy.ndimage: map_coordinates, interpolating an array
at arbitrary (fractional) coordinates with order 0 (nearest sample) or 1 (linear) splines."""
from __future__ import annotations

import functools
import itertools
import operator

from hlox.frontend import dtypes
from hlox.numerics.numpy import namespace as jnp
from hlox.numerics.numpy._util import check_arraylike

__all__ = ["map_coordinates"]


def _mirror_index(index, size):
    """(d c b | a b c d | c b a): reflection about the edge samples, period 2(size - 1)."""
    if size == 1:
        return jnp.zeros_like(index)
    period = 2 * (size - 1)
    folded = jnp.mod(index, period)
    return jnp.where(folded < size, folded, period - folded)


def _reflect_index(index, size):
    """(d c b a | a b c d | d c b a): reflection about the array's edges, period 2 size."""
    period = 2 * size
    folded = jnp.mod(index, period)
    return jnp.where(folded < size, folded, period - 1 - folded)


_INDEX_IN_BOUNDS = {
    "constant": lambda index, size: jnp.clip(index, 0, size - 1),
    "nearest": lambda index, size: jnp.clip(index, 0, size - 1),
    "wrap": jnp.mod,
    "mirror": _mirror_index,
    "reflect": _reflect_index,
}


def _is_inside(index, size):
    return (index >= 0) & (index < size)


def _round_half_away_from_zero(x):
    return jnp.sign(x) * jnp.floor(jnp.abs(x) + 0.5)


def _nearest_neighbour(coordinate):
    """The one sample order 0 reads, with weight 1."""
    return [(_round_half_away_from_zero(coordinate).astype(jnp.int32), None)]


def _linear_neighbours(coordinate):
    """The two samples order 1 blends: floor(c) with weight 1 - t and floor(c) + 1 with t."""
    lower = jnp.floor(coordinate)
    upper_weight = coordinate - lower
    lower = lower.astype(jnp.int32)
    return [(lower, 1 - upper_weight), (lower + 1, upper_weight)]


def _check_arguments(input, coordinates, order, mode):
    if len(coordinates) != input.ndim:
        raise ValueError("coordinates must be a sequence of length input.ndim, but "
                         f"{len(coordinates)} != {input.ndim}")
    if mode not in _INDEX_IN_BOUNDS:
        raise NotImplementedError(
            f"jax.scipy.ndimage.map_coordinates does not yet support mode {mode}. "
            f"Currently supported modes are {set(_INDEX_IN_BOUNDS)}.")
    if order not in (0, 1):
        raise NotImplementedError("jax.scipy.ndimage.map_coordinates currently requires order<=1")


def _corner_value(input, indices, mode, cval):
    """input at one corner of the interpolation cell, cval where constant mode leaves the array."""
    sizes = input.shape
    value = input[tuple(_INDEX_IN_BOUNDS[mode](i, n) for i, n in zip(indices, sizes))]
    if mode != "constant":
        return value
    inside = functools.reduce(operator.and_, [_is_inside(i, n) for i, n in zip(indices, sizes)])
    return jnp.where(inside, value, jnp.asarray(cval, dtype=input.dtype))


def _blend(input, neighbours_per_axis, mode, cval):
    total = 0
    for corner in itertools.product(*neighbours_per_axis):
        value = _corner_value(input, [index for index, _ in corner], mode, cval)
        weights = [weight for _, weight in corner if weight is not None]
        if weights:
            value = value * functools.reduce(operator.mul, weights)
        total = total + value
    return total


def map_coordinates(input, coordinates, order, mode="constant", cval=0.0):
    """input interpolated at the points `coordinates` (one array per axis of input, all of the
    output's shape), with spline `order` 0 or 1 and `mode` deciding the samples beyond the edges."""
    check_arraylike("map_coordinates", input, *coordinates)
    input = jnp.asarray(input)
    coordinates = [jnp.asarray(c) for c in coordinates]
    _check_arguments(input, coordinates, order, mode)
    neighbours_of = _nearest_neighbour if order == 0 else _linear_neighbours
    result = _blend(input, [neighbours_of(c) for c in coordinates], mode, cval)
    if dtypes.is_integer(input.dtype):
        result = _round_half_away_from_zero(result)
    return jnp.asarray(result).astype(input.dtype)
