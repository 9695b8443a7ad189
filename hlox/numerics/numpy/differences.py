"""Differences and integrals: diff ediff1d gradient trapezoid unwrap."""
from __future__ import annotations

import functools

import numpy as np

from hlox.frontend import dtypes, errors, lax
from hlox.frontend.jit import eager_jit
from hlox.numerics.numpy import elementwise as ufuncs, reductions, shape as shapes
from hlox.numerics.numpy._util import (_index, _ravel, _slice_axis, asarray, broadcast_to,
                                       canonicalize_axes, canonicalize_axis, check_arraylike,
                                       promote_dtypes, promote_dtypes_inexact)

__all__ = ["diff", "ediff1d", "gradient", "trapezoid", "unwrap"]


# -- differences, integrals -----------------------------------------------------------
def _edge_value(value, arr, axis):
    value = asarray(value)
    if value.ndim:
        return value
    shape = list(arr.shape)
    shape[axis] = 1
    return broadcast_to(value, shape)


@eager_jit(static_argnames=("n", "axis"))
def diff(a, n=1, axis=-1, prepend=None, append=None):
    check_arraylike("diff", a)
    arr = asarray(a)
    n = _index(n, "'n' argument of hlox.numpy.diff")
    axis = _index(axis, "'axis' argument of hlox.numpy.diff")
    if n == 0:
        return arr
    if n < 0:
        raise errors.value_error(f"order must be non-negative but got {n}")
    if arr.ndim == 0:
        raise errors.value_error(f"diff requires input that is at least one dimensional; got {a}")
    axis = canonicalize_axis(axis, arr.ndim)
    parts = [_edge_value(prepend, arr, axis)] if prepend is not None else []
    parts.append(arr)
    if append is not None:
        parts.append(_edge_value(append, arr, axis))
    if len(parts) > 1:
        arr = shapes.concatenate(parts, axis)
    op = lax.ne if dtypes.is_bool(arr.dtype) else lax.sub
    for _ in range(n):
        arr = op(_slice_axis(arr, 1, None, axis), _slice_axis(arr, None, -1, axis))
    return arr


@eager_jit
def ediff1d(ary, to_end=None, to_begin=None):
    check_arraylike("ediff1d", ary)
    arr = _ravel(asarray(ary))
    result = lax.sub(_slice_axis(arr, 1, None, 0), _slice_axis(arr, None, -1, 0))
    if to_begin is not None:
        check_arraylike("ediff1d", to_begin)
        begin = _ravel(lax.convert_element_type(asarray(to_begin), arr.dtype))
        result = lax.concatenate([begin, result], 0)
    if to_end is not None:
        check_arraylike("ediff1d", to_end)
        end = _ravel(lax.convert_element_type(asarray(to_end), arr.dtype))
        result = lax.concatenate([result, end], 0)
    return result


def _gradient_along_axis(a, h, axis):
    sliced = functools.partial(_slice_axis, a, axis=axis)
    upper = lax.sub(sliced(1, 2), sliced(0, 1))
    lower = lax.sub(sliced(-1, None), sliced(-2, -1))
    if h.ndim == 0:
        inner = ufuncs.divide(ufuncs.multiply(ufuncs.subtract(sliced(2, None), sliced(None, -2)),
                                              0.5), h)
        upper, lower = ufuncs.divide(upper, h), ufuncs.divide(lower, h)
    elif h.ndim == 1:
        if h.shape[0] != a.shape[axis]:
            raise errors.value_error("Spacing arrays must have the same length as the "
                                     "dimension along which the gradient is calculated.")
        shape = [1] * a.ndim
        shape[axis] = h.shape[0]
        h = lax.reshape(h, shape)
        hs = functools.partial(_slice_axis, h, axis=axis)
        upper = ufuncs.divide(upper, ufuncs.subtract(hs(1, 2), hs(0, 1)))
        lower = ufuncs.divide(lower, ufuncs.subtract(hs(-1, None), hs(-2, -1)))
        dx1 = ufuncs.subtract(hs(1, -1), hs(0, -2))
        dx2 = ufuncs.subtract(hs(2, None), hs(1, -1))
        total = ufuncs.add(dx1, dx2)
        ca = ufuncs.divide(ufuncs.negative(dx2), ufuncs.multiply(dx1, total))
        cb = ufuncs.divide(ufuncs.subtract(dx2, dx1), ufuncs.multiply(dx1, dx2))
        cc = ufuncs.divide(dx1, ufuncs.multiply(dx2, total))
        inner = ufuncs.add(ufuncs.add(ufuncs.multiply(ca, sliced(0, -2)),
                                      ufuncs.multiply(cb, sliced(1, -1))),
                           ufuncs.multiply(cc, sliced(2, None)))
    else:
        raise errors.value_error("Spacing arrays must be 1D arrays or scalars.")
    return shapes.concatenate([upper, inner, lower], axis)


@eager_jit(static_argnames=("axis",))
def _gradient(f, *varargs, axis):
    a, *spacing = promote_dtypes_inexact(f, *varargs)
    axes = canonicalize_axes(axis, a.ndim)
    if not axes:
        return []
    if min(a.shape[d] for d in axes) < 2:
        raise errors.value_error("Shape of array too small to calculate a numerical gradient, "
                                 "at least 2 elements are required.")
    if not spacing:
        spacing = [lax.asarray(1.0, a.dtype)] * len(axes)
    elif len(spacing) == 1:
        spacing = spacing * len(axes)
    elif len(spacing) != len(axes):
        raise errors.type_error(f"Invalid number of spacing arguments {len(spacing)} for "
                                f"axis={axis!r}")
    grads = [_gradient_along_axis(a, h, d) for d, h in zip(axes, spacing)]
    return grads[0] if len(axes) == 1 else grads


def gradient(f, *varargs, axis=None, edge_order=None):
    if edge_order is not None:
        raise NotImplementedError("The 'edge_order' argument to hlox.numpy.gradient is not "
                                  "supported.")
    check_arraylike("gradient", f, *varargs)
    return _gradient(f, *varargs, axis=tuple(axis) if isinstance(axis, list) else axis)


@eager_jit(static_argnames=("axis",))
def trapezoid(y, x=None, dx=1.0, axis=-1):
    if x is None:
        check_arraylike("trapezoid", y)
        (y_arr,) = promote_dtypes_inexact(y)
        dx_arr = asarray(dx)
        if dx_arr.ndim:
            dx_arr = lax.expand_dims(dx_arr, tuple(range(y_arr.ndim - dx_arr.ndim)))
            dx_arr = shapes.moveaxis(dx_arr, axis, -1)
    else:
        check_arraylike("trapezoid", y, x)
        y_arr, x_arr = promote_dtypes_inexact(y, x)
        dx_arr = diff(x_arr) if x_arr.ndim == 1 else shapes.moveaxis(diff(x_arr, axis=axis),
                                                                       axis, -1)
    y_arr = shapes.moveaxis(y_arr, axis, -1)
    first, last = y_arr[..., 0], y_arr[..., -1]
    if dx_arr.ndim == 0 or dx_arr.shape[-1] == 1:
        step = dx_arr if dx_arr.ndim == 0 else dx_arr[..., 0]
        ends = ufuncs.multiply(0.5, ufuncs.add(first, last))
        return ufuncs.multiply(step, ufuncs.subtract(reductions.sum(y_arr, -1), ends))
    pairs = ufuncs.add(y_arr[..., 1:], y_arr[..., :-1])
    return ufuncs.multiply(0.5, reductions.sum(ufuncs.multiply(dx_arr, pairs), -1))


@eager_jit(static_argnames=("axis",))
def unwrap(p, discont=None, axis=-1, period=2 * np.pi):
    check_arraylike("unwrap", p)
    p, period = promote_dtypes(p, period)
    if dtypes.is_complex(p.dtype):
        raise errors.value_error("hlox.numpy.unwrap does not support complex inputs.")
    axis = canonicalize_axis(axis, p.ndim)
    if p.shape[axis] == 0:
        return p
    integer = dtypes.is_integer(p.dtype)
    interval = ufuncs.floor_divide(period, 2) if integer else ufuncs.divide(period, 2)
    if discont is None:
        discont = ufuncs.divide(period, 2)
    dd = diff(p, axis=axis)
    ddmod = ufuncs.subtract(ufuncs.remainder(ufuncs.add(dd, interval), period), interval)
    ddmod = ufuncs.where(lax.and_(ufuncs.equal(ddmod, ufuncs.negative(interval)),
                                  ufuncs.greater(dd, 0)), interval, ddmod)
    correct = ufuncs.where(ufuncs.less(ufuncs.abs(dd), discont), 0, ufuncs.subtract(ddmod, dd))
    rest = ufuncs.add(_slice_axis(p, 1, None, axis), reductions.cumsum(correct, axis=axis))
    return shapes.concatenate([_slice_axis(p, 0, 1, axis), rest], axis)
