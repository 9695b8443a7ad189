"""Reductions with JAX's dtype rules: sum prod max min all any mean var std argmax cumsum ...

Every monoid reduction goes through `_reduction`, configured by a row of
`_RULES`; statistics (mean, var, ...) and the nan-variants are built on top.
"""
from __future__ import annotations

import builtins
import math
from typing import Callable, NamedTuple

import numpy as np

from hlox.frontend import dtypes, errors, lax
from hlox.frontend.windowed_reductions import cumulative
from hlox.numerics.numpy import elementwise as ufuncs
from hlox.numerics.numpy._util import (asarray, broadcast_to, canonicalize_axes,
                                       canonicalize_axis, check_arraylike,
                                       promote_dtypes_inexact, promote_dtypes_numeric)

__all__ = ["sum", "prod", "max", "min", "amax", "amin", "all", "any", "mean", "var", "std",
           "ptp", "average", "count_nonzero", "argmax", "argmin", "nanargmax", "nanargmin",
           "nansum", "nanprod", "nanmax", "nanmin", "nanmean", "nanvar", "nanstd",
           "cumsum", "cumprod", "nancumsum", "nancumprod", "cumulative_sum",
           "cumulative_prod", "median", "product", "cumproduct"]

_MONOID_FNS = {"add": lax.add, "multiply": lax.mul, "maximum": lax.max, "minimum": lax.min,
               "and": lax.and_, "or": lax.or_}


# -- preprocessing of the operand --------------------------------------------------------
def _to_numeric(a):
    return promote_dtypes_numeric(a)[0]


def _to_bool(a):
    if dtypes.is_complex(a.dtype):
        a = lax.real(a)
    return lax.convert_element_type(a, dtypes.bool_)


def _identity(a):
    return a


class _Rule(NamedTuple):
    monoid: str                 # lax monoid on numbers
    bool_monoid: str            # lax monoid when the computation is boolean
    has_identity: bool          # False: empty reductions and `where` need `initial`
    preproc: Callable
    promote_integers: bool      # small integers and bool accumulate in the default int
    upcast_f16: bool            # float16/bfloat16 accumulate in float32


_RULES = {
    "sum": _Rule("add", "or", True, _to_numeric, True, True),
    "prod": _Rule("multiply", "and", True, _to_numeric, True, True),
    "max": _Rule("maximum", "maximum", False, _identity, False, False),
    "min": _Rule("minimum", "minimum", False, _identity, False, False),
    "all": _Rule("and", "and", True, _to_bool, False, False),
    "any": _Rule("or", "or", True, _to_bool, False, False),
}


# -- dtype helpers ---------------------------------------------------------------------
def _promote_integer_dtype(dtype):
    if dtypes.is_bool(dtype):
        return dtypes.default_int()
    for kind, default in (("u", dtypes.default_uint()), ("i", dtypes.default_int())):
        if dtype.kind == kind and dtype.itemsize < default.itemsize:
            return default
    return dtype


def _upcast_f16(dtype):
    return dtypes.float32 if dtype in (dtypes.float16, dtypes.bfloat16) else dtype


def _user_dtype(dtype):
    return None if dtype is None else dtypes.canonicalize(dtypes.to_dtype(dtype))


def _no_out(name, out):
    if out is not None:
        raise NotImplementedError(f"The 'out' argument to hlox.numpy.{name} is not supported.")


def _check_where(name, where, shape):
    if where is None:
        return None
    check_arraylike(name, where)
    where = asarray(where)
    if where.dtype != dtypes.bool_:
        raise errors.value_error(f"hlox.numpy.{name}: where must be None or a boolean array; "
                                 f"got dtype={where.dtype}.")
    return broadcast_to(where, shape)


def _operand(name, a):
    check_arraylike(name, a)
    return asarray(a)


def _keep(result, axes, keepdims):
    return lax.expand_dims(result, axes) if keepdims and axes else result


# -- the generic monoid reduction -----------------------------------------------------
def _reduction(name, a, axis=None, dtype=None, out=None, keepdims=False, initial=None,
               where=None, promote_integers=None):
    rule = _RULES[name]
    _no_out(name, out)
    a = rule.preproc(_operand(name, a))
    where = _check_where(name, where, a.shape)
    axes = canonicalize_axes(axis, a.ndim)
    if initial is None and not rule.has_identity:
        if where is not None:
            raise errors.value_error(f"reduction operation {name} does not have an identity, "
                                     "so to use a where mask one has to specify 'initial'")
        if builtins.any(a.shape[d] == 0 for d in axes):
            raise errors.value_error(f"zero-size array to reduction operation {name} which "
                                     "has no identity")
    result_dtype = _user_dtype(dtype)
    if result_dtype is None:
        promote = rule.promote_integers if promote_integers is None else promote_integers
        result_dtype = _promote_integer_dtype(a.dtype) if promote else a.dtype
    computation = result_dtype
    if rule.upcast_f16 and dtype is None:
        computation = _upcast_f16(result_dtype)
    a = lax.convert_element_type(a, computation)
    monoid = rule.bool_monoid if dtypes.is_bool(computation) else rule.monoid
    if where is not None:
        a = lax.select(where, a, lax.full_like(a, lax.identity_value(monoid, computation)))
    result = lax.reduce_monoid(a, monoid, axes)
    if initial is not None:
        init = lax.broadcast(_initial(initial, computation), result.shape)
        result = _MONOID_FNS[monoid](init, result)
    return lax.convert_element_type(_keep(result, axes, keepdims), result_dtype)


def _initial(initial, dtype):
    value = lax.convert_element_type(asarray(initial), dtype)
    if value.ndim:
        raise errors.value_error(f"initial value must be a scalar. Got array of shape "
                                 f"{value.shape}")
    return value


def sum(a, axis=None, dtype=None, out=None, keepdims=False, initial=None, where=None,  # noqa: A001
        promote_integers=True):
    return _reduction("sum", a, axis, dtype, out, keepdims, initial, where, promote_integers)


def prod(a, axis=None, dtype=None, out=None, keepdims=False, initial=None, where=None,
         promote_integers=True):
    return _reduction("prod", a, axis, dtype, out, keepdims, initial, where, promote_integers)


def max(a, axis=None, out=None, keepdims=False, initial=None, where=None):  # noqa: A001
    return _reduction("max", a, axis, None, out, keepdims, initial, where)


def min(a, axis=None, out=None, keepdims=False, initial=None, where=None):  # noqa: A001
    return _reduction("min", a, axis, None, out, keepdims, initial, where)


def all(a, axis=None, out=None, keepdims=False, *, where=None):  # noqa: A001
    return _reduction("all", a, axis, None, out, keepdims, None, where)


def any(a, axis=None, out=None, keepdims=False, *, where=None):  # noqa: A001
    return _reduction("any", a, axis, None, out, keepdims, None, where)


amax, amin, product = max, min, prod


def count_nonzero(a, axis=None, keepdims=False):
    a = _operand("count_nonzero", a)
    return sum(lax.ne(a, lax.full_like(a, 0)), axis=axis, dtype=dtypes.default_int(),
               keepdims=keepdims)


def ptp(a, axis=None, out=None, keepdims=False):
    _no_out("ptp", out)
    a = _operand("ptp", a)
    return lax.sub(max(a, axis, keepdims=keepdims), min(a, axis, keepdims=keepdims))


# -- statistics ------------------------------------------------------------------------
def _count(a, axes, keepdims, where, dtype, shape):
    """How many elements each result reduces over, as an array of the result's shape."""
    if where is None:
        n = math.prod(a.shape[d] for d in axes)
        return lax.full(shape, n, dtype)
    return sum(where, axes, dtype=dtype, keepdims=keepdims)


def mean(a, axis=None, dtype=None, out=None, keepdims=False, *, where=None):
    _no_out("mean", out)
    a = _operand("mean", a)
    where = _check_where("mean", where, a.shape)
    axes = canonicalize_axes(axis, a.ndim)
    result_dtype = _user_dtype(dtype)
    if result_dtype is None:
        result_dtype = dtypes.to_inexact(a.dtype, False)[0]
    computation = _upcast_f16(result_dtype) if dtype is None else result_dtype
    total = sum(a, axes, dtype=computation, keepdims=keepdims, where=where)
    count = _count(a, axes, keepdims, where, computation, total.shape)
    return lax.convert_element_type(lax.div(total, count), result_dtype)


def _var_dtypes(a_dtype, dtype):
    """(computation dtype, result dtype) of var/std, as JAX chooses them."""
    if dtype is not None:
        if dtypes.is_complex(a_dtype) and not dtypes.is_complex(dtype):
            raise errors.value_error("hlox.numpy.var does not support real dtype parameters "
                                     "when computing the variance of an array of complex "
                                     "values.")
        return _upcast_f16(dtype), dtype
    if not dtypes.is_inexact(a_dtype):
        out = dtypes.to_inexact(a_dtype, False)[0]
        return _upcast_f16(out), out
    return _upcast_f16(a_dtype), dtypes.real_dtype(a_dtype)


def _squared_deviation(a, a_mean):
    centered = ufuncs.subtract(a, a_mean)
    if dtypes.is_complex(centered.dtype):
        return lax.real(lax.mul(centered, lax.conj(centered)))
    return lax.mul(centered, centered)


def _correction(ddof, correction):
    if correction is None:
        return ddof
    if not isinstance(ddof, int) or ddof != 0:
        raise errors.value_error("ddof and correction can't be provided simultaneously.")
    return correction


def var(a, axis=None, dtype=None, out=None, ddof=0, keepdims=False, *, where=None, mean=None,
        correction=None):
    return _variance("var", a, axis, dtype, out, _correction(ddof, correction), keepdims,
                     where, mean, nan_aware=False)


def _variance(name, a, axis, dtype, out, correction, keepdims, where, a_mean, nan_aware):
    _no_out(name, out)
    a = _operand(name, a)
    where = _check_where(name, where, a.shape)
    axes = canonicalize_axes(axis, a.ndim)
    computation, result_dtype = _var_dtypes(a.dtype, _user_dtype(dtype))
    a = lax.convert_element_type(a, computation)
    if a_mean is None:
        mean_fn = nanmean if nan_aware else mean
        a_mean = mean_fn(a, axes, dtype=computation, keepdims=True, where=where)
    else:
        a_mean = lax.convert_element_type(asarray(a_mean), computation)
    deviation = _squared_deviation(a, a_mean)
    if nan_aware:
        deviation = lax.select(_isnan(a), lax.full_like(deviation, 0), deviation)
        where = _and_where(lax.not_(_isnan(a)), where)
    total = sum(deviation, axes, dtype=deviation.dtype, keepdims=keepdims, where=where)
    count = lax.sub(_count(a, axes, keepdims, where, total.dtype, total.shape),
                    lax.full_like(total, correction))
    result = lax.convert_element_type(lax.div(total, count), result_dtype)
    return lax.select(lax.gt(count, lax.full_like(count, 0)), result,
                      lax.full_like(result, np.nan))


def std(a, axis=None, dtype=None, out=None, ddof=0, keepdims=False, *, where=None, mean=None,
        correction=None):
    _check_inexact_dtype("std", dtype)
    return lax.sqrt(var(a, axis, dtype, out, ddof, keepdims, where=where, mean=mean,
                        correction=correction))


def _check_inexact_dtype(name, dtype):
    if dtype is not None and not dtypes.is_inexact(_user_dtype(dtype)):
        raise errors.value_error(f"dtype argument to hlox.numpy.{name} must be inexact; "
                                 f"got {dtype}")


def average(a, axis=None, weights=None, returned=False, keepdims=False):
    check_arraylike("average", a)
    if weights is None:
        (a,) = promote_dtypes_inexact(a)
        avg = mean(a, axis, keepdims=keepdims)
        axes = canonicalize_axes(axis, a.ndim)
        weights_sum = lax.full(avg.shape, math.prod(a.shape[d] for d in axes), avg.dtype)
    else:
        check_arraylike("average", weights)
        a, weights = promote_dtypes_inexact(a, weights)
        weights = _align_weights(a, weights, axis)
        weights_sum = sum(weights, axis, keepdims=keepdims)
        avg = ufuncs.divide(sum(ufuncs.multiply(a, weights), axis, keepdims=keepdims),
                            weights_sum)
    if returned:
        return avg, broadcast_to(weights_sum, avg.shape)
    return avg


def _align_weights(a, weights, axis):
    if a.shape == weights.shape:
        return weights
    if axis is None:
        raise errors.value_error("Axis must be specified when shapes of a and weights differ.")
    axes = canonicalize_axes(axis, a.ndim)
    if weights.shape != tuple(a.shape[d] for d in axes):
        raise errors.value_error("Shape of weights must be consistent with shape of a along "
                                 "specified axis.")
    shape = tuple(d if i in axes else 1 for i, d in enumerate(a.shape))
    return lax.reshape(weights, shape, dimensions=tuple(np.argsort(axes)))


# -- arg reductions ------------------------------------------------------------------
def _ravel(a):
    return lax.reshape(a, (a.size,))


def _arg_reduction(name, lax_fn, a, axis, out, keepdims):
    _no_out(name, out)
    a = _operand(name, a)
    if axis is None:
        dims, a, axis = tuple(range(a.ndim)), _ravel(a), 0
    else:
        axis = canonicalize_axis(axis, a.ndim)
        dims = (axis,)
    if a.shape[axis] == 0:
        raise errors.value_error(f"attempt to get {name} of an empty sequence")
    return _keep(lax_fn(a, axis, dtypes.default_int()), dims, keepdims)


def argmax(a, axis=None, out=None, keepdims=None):
    return _arg_reduction("argmax", lax.argmax, a, axis, out, bool(keepdims))


def argmin(a, axis=None, out=None, keepdims=None):
    return _arg_reduction("argmin", lax.argmin, a, axis, out, bool(keepdims))


def _nan_arg_reduction(name, arg_fn, fill):
    def fn(a, axis=None, out=None, keepdims=None):
        a = _operand(name, a)
        if not dtypes.is_inexact(a.dtype):
            return arg_fn(a, axis, out, keepdims)
        nans = _isnan(a)
        index = arg_fn(lax.select(nans, lax.full_like(a, fill), a), axis, out, keepdims)
        all_nan = all(nans, axis=axis, keepdims=bool(keepdims))
        return lax.select(all_nan, lax.full_like(index, -1), index)
    fn.__name__ = name
    return fn


nanargmax = _nan_arg_reduction("nanargmax", argmax, -np.inf)
nanargmin = _nan_arg_reduction("nanargmin", argmin, np.inf)


# -- nan-ignoring reductions ---------------------------------------------------------------
def _isnan(a):
    return lax.ne(a, a) if dtypes.is_inexact(a.dtype) else lax.full_like(a, False, dtypes.bool_)


def _and_where(mask, where):
    return mask if where is None else lax.and_(mask, where)


_NAN_RULES = {"sum": (sum, 0), "prod": (prod, 1), "max": (max, -np.inf), "min": (min, np.inf)}


def _nan_reduction(name, a, axis, out, keepdims, initial, where, **kwargs):
    """`name` of `a` with NaNs replaced by the identity (max/min: NaN where all are NaN)."""
    reduction, fill = _NAN_RULES[name]
    a = _operand(f"nan{name}", a)
    if dtypes.is_inexact(a.dtype):
        a_nan = _isnan(a)
        a = lax.select(a_nan, lax.full_like(a, fill), a)
    result = reduction(a, axis, out=out, keepdims=keepdims, initial=initial, where=where,
                       **kwargs)
    if name in ("max", "min") and initial is None and dtypes.is_inexact(a.dtype):
        all_nan = all(a_nan, axis=axis, keepdims=keepdims)
        result = lax.select(all_nan, lax.full_like(result, np.nan), result)
    return result


def nansum(a, axis=None, dtype=None, out=None, keepdims=False, initial=None, where=None):
    return _nan_reduction("sum", a, axis, out, keepdims, initial, where, dtype=dtype)


def nanprod(a, axis=None, dtype=None, out=None, keepdims=False, initial=None, where=None):
    return _nan_reduction("prod", a, axis, out, keepdims, initial, where, dtype=dtype)


def nanmax(a, axis=None, out=None, keepdims=False, initial=None, where=None):
    return _nan_reduction("max", a, axis, out, keepdims, initial, where)


def nanmin(a, axis=None, out=None, keepdims=False, initial=None, where=None):
    return _nan_reduction("min", a, axis, out, keepdims, initial, where)


def nanmean(a, axis=None, dtype=None, out=None, keepdims=False, where=None):
    _no_out("nanmean", out)
    a = _operand("nanmean", a)
    if not dtypes.is_inexact(a.dtype):
        return mean(a, axis, dtype, keepdims=keepdims, where=where)
    where = _check_where("nanmean", where, a.shape)
    dtype = _user_dtype(dtype) or a.dtype
    count = sum(lax.not_(_isnan(a)), axis, dtype=dtype, keepdims=keepdims, where=where)
    return lax.div(nansum(a, axis, dtype=dtype, keepdims=keepdims, where=where), count)


def nanvar(a, axis=None, dtype=None, out=None, ddof=0, keepdims=False, where=None, mean=None):
    return _variance("nanvar", a, axis, dtype, out, ddof, keepdims, where, mean, nan_aware=True)


def nanstd(a, axis=None, dtype=None, out=None, ddof=0, keepdims=False, where=None, mean=None):
    return lax.sqrt(nanvar(a, axis, dtype, out, ddof, keepdims, where=where, mean=mean))


# -- median -----------------------------------------------------------------------------
def median(a, axis=None, out=None, overwrite_input=False, keepdims=False):
    """The mean of the two middle elements of the sorted values (NaN if any value is NaN)."""
    _no_out("median", out)
    (a,) = promote_dtypes_inexact(_operand("median", a))
    if dtypes.is_complex(a.dtype):
        raise errors.value_error("median does not support complex input, as the operation "
                                 "is poorly defined.")
    axes = canonicalize_axes(axis, a.ndim)
    kept = [d for d in range(a.ndim) if d not in axes]
    flat = lax.reshape(a, [a.shape[d] for d in kept] + [math.prod(a.shape[d] for d in axes)],
                       dimensions=kept + list(axes))
    n = flat.shape[-1]
    if n == 0:
        result = lax.full(flat.shape[:-1], np.nan, a.dtype)
    else:
        ordered = lax.sort(flat, dimension=flat.ndim - 1)
        low = lax.index_in_dim(ordered, (n - 1) // 2, flat.ndim - 1, keepdims=False)
        high = lax.index_in_dim(ordered, n // 2, flat.ndim - 1, keepdims=False)
        result = lax.mul(lax.add(low, high), 0.5)
        result = lax.select(any(_isnan(flat), axis=-1), lax.full_like(result, np.nan), result)
    return _keep(result, axes, keepdims)


# -- cumulative reductions ----------------------------------------------------------------
def _cumulative_reduction(name, monoid, a, axis, dtype, out, fill_nan=False, fill_value=0,
                          promote_integers=False):
    _no_out(name, out)
    a = _operand(name, a)
    if axis is None or a.ndim == 0:
        a = _ravel(a)
    axis = canonicalize_axis(0 if axis is None else axis, a.ndim)
    if fill_nan:
        a = lax.select(_isnan(a), lax.full_like(a, fill_value), a)
    dtype = _user_dtype(dtype)
    if dtype is None:
        result = computation = (_promote_integer_dtype(a.dtype)
                                if promote_integers or dtypes.is_bool(a.dtype) else a.dtype)
    elif dtypes.is_bool(dtype):
        result, computation = dtype, _promote_integer_dtype(dtype)
        if not dtypes.is_bool(a.dtype):
            a = lax.ne(a, lax.full_like(a, 0))
    else:
        result = computation = dtype
    out = cumulative(lax.convert_element_type(a, computation), axis, monoid, False)
    return lax.convert_element_type(out, result)


def cumsum(a, axis=None, dtype=None, out=None):
    return _cumulative_reduction("cumsum", "add", a, axis, dtype, out)


def cumprod(a, axis=None, dtype=None, out=None):
    return _cumulative_reduction("cumprod", "multiply", a, axis, dtype, out)


def nancumsum(a, axis=None, dtype=None, out=None):
    return _cumulative_reduction("nancumsum", "add", a, axis, dtype, out, True, 0)


def nancumprod(a, axis=None, dtype=None, out=None):
    return _cumulative_reduction("nancumprod", "multiply", a, axis, dtype, out, True, 1)


cumproduct = cumprod


def _array_api_cumulative(name, monoid, identity, promote_integers):
    def fn(x, /, *, axis=None, dtype=None, include_initial=False):
        x = _operand(name, x)
        if x.ndim == 0:
            raise errors.value_error(f"The input must be non-scalar to take a {name}, however "
                                     "a scalar value or scalar array was given.")
        if axis is None:
            if x.ndim > 1:
                raise errors.value_error(
                    f"The input array has rank {x.ndim}, however axis was not set to an "
                    "explicit value. The axis argument is only optional for one-dimensional "
                    "arrays.")
            axis = 0
        axis = canonicalize_axis(axis, x.ndim)
        out = _cumulative_reduction(name, monoid, x, axis, dtype, None,
                                    promote_integers=promote_integers)
        if include_initial:
            shape = list(out.shape)
            shape[axis] = 1
            out = lax.concatenate([lax.full(shape, identity, out.dtype), out], axis)
        return out
    fn.__name__ = name
    return fn


cumulative_sum = _array_api_cumulative("cumulative_sum", "add", 0, True)
cumulative_prod = _array_api_cumulative("cumulative_prod", "multiply", 1, False)
