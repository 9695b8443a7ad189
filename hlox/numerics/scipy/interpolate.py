"""scipy.interpolate: `RegularGridInterpolator`, linear and nearest-neighbour interpolation
on a rectilinear grid whose axes are strictly increasing."""
from __future__ import annotations

import itertools

from hlox.lowering.array import Array
from hlox.lowering.pytree import register_node
from hlox.numerics.numpy import namespace as jnp
from hlox.numerics.numpy._util import check_arraylike, promote_dtypes_inexact

__all__ = ["RegularGridInterpolator"]

_METHODS = ("linear", "nearest")


def _check_method(method):
    if method not in _METHODS:
        raise ValueError(f"method '{method}' is not defined")


def _sample_points(xi, ndim):
    """The query points as an array of shape (..., ndim)."""
    if isinstance(xi, (tuple, list)) and len(xi) == ndim:
        return jnp.stack(jnp.broadcast_arrays(*[jnp.asarray(c) for c in xi]), axis=-1)
    xi = jnp.asarray(xi)
    return xi.reshape(-1, ndim) if xi.ndim == 1 else xi


class RegularGridInterpolator:
    """Interpolate points on a regular rectangular grid.

    As :class:`scipy.interpolate.RegularGridInterpolator`, with ``method`` ``"linear"`` or
    ``"nearest"``; ``bounds_error`` is not supported, and every axis of ``points`` must be
    strictly increasing. ``fill_value`` (NaN by default) is returned for points outside the
    grid; ``None`` extrapolates instead.
    """

    def __init__(self, points, values, method="linear", bounds_error=False, fill_value=jnp.nan):
        _check_method(method)
        if bounds_error:
            raise NotImplementedError("`bounds_error` takes no effect under JIT")
        self.method = method
        self.bounds_error = bounds_error
        check_arraylike("RegularGridInterpolator", values)
        values, = promote_dtypes_inexact(values)
        if len(points) > values.ndim:
            raise ValueError(f"there are {len(points)} point arrays, but values has "
                             f"{values.ndim} dimensions")
        if fill_value is not None:
            check_arraylike("RegularGridInterpolator", fill_value)
            fill_value = jnp.asarray(fill_value)
            if not jnp.can_cast(fill_value.dtype, values.dtype, casting="same_kind"):
                raise ValueError("fill_value must be either 'None' or of a type compatible "
                                 "with values")
        self.fill_value = fill_value
        self.grid = tuple(jnp.asarray(p) for p in points)
        self.values = values

    def __call__(self, xi, method=None):
        method = self.method if method is None else method
        _check_method(method)
        ndim = len(self.grid)
        xi = _sample_points(xi, ndim)
        if xi.shape[-1] != ndim:
            raise ValueError(f"the requested sample points xi have dimension {xi.shape[-1]}, "
                             f"but this RegularGridInterpolator has dimension {ndim}")
        lead_shape = xi.shape[:-1]
        coords = xi.reshape(-1, ndim).T
        indices, distances, outside = self._locate(coords)
        if method == "linear":
            result = self._linear(indices, distances)
        else:
            result = self._nearest(indices, distances)
        if self.fill_value is not None:
            mask = outside.reshape(outside.shape + (1,) * (result.ndim - 1))
            result = jnp.where(mask, self.fill_value, result)
        return result.reshape(lead_shape + self.values.shape[ndim:])

    def _locate(self, coords):
        """Per axis: the cell index left of each point, the point's fractional position in
        that cell, and whether any coordinate lies outside the grid."""
        indices, distances = [], []
        outside = jnp.zeros(coords.shape[1], dtype=bool)
        for axis_points, x in zip(self.grid, coords):
            i = jnp.clip(jnp.searchsorted(axis_points, x) - 1, 0, axis_points.shape[0] - 2)
            left, right = axis_points[i], axis_points[i + 1]
            indices.append(i)
            distances.append((x - left) / (right - left))
            outside = outside | (x < axis_points[0]) | (x > axis_points[-1])
        return indices, distances, outside

    def _values_at(self, corner, weight):
        picked = self.values[tuple(corner)]
        return picked * weight.reshape(weight.shape + (1,) * (picked.ndim - 1))

    def _linear(self, indices, distances):
        result = 0.0
        for upper in itertools.product((False, True), repeat=len(indices)):
            corner = [i + 1 if up else i for i, up in zip(indices, upper)]
            weight = 1.0
            for up, d in zip(upper, distances):
                weight = weight * (d if up else 1.0 - d)
            result = result + self._values_at(corner, jnp.asarray(weight))
        return result

    def _nearest(self, indices, distances):
        corner = [jnp.where(d <= 0.5, i, i + 1) for i, d in zip(indices, distances)]
        return self.values[tuple(corner)]


def _flatten(interpolator):
    children = (interpolator.grid, interpolator.values, interpolator.fill_value)
    return children, (interpolator.method, interpolator.bounds_error)


def _unflatten(aux, children):
    interpolator = object.__new__(RegularGridInterpolator)
    interpolator.method, interpolator.bounds_error = aux
    interpolator.grid, interpolator.values, interpolator.fill_value = children
    return interpolator


register_node(RegularGridInterpolator, _flatten, _unflatten)
