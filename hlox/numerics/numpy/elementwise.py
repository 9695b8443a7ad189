"""Elementwise `hlox.numpy` functions with numpy broadcasting and JAX promotion."""
from __future__ import annotations

import numpy as np

from hlox.frontend import dtypes, errors, lax
from hlox.frontend.jit import eager_jit
from hlox.numerics.numpy.sorting import nonzero
from hlox.numerics.numpy._util import (asarray, promote_args, promote_args_inexact,
                                       promote_args_numeric, promote_dtypes, promote_shapes,
                                       check_arraylike)


def _zero(x):
    return lax.full_like(x, 0)


def _one_arg(name, fn, promote=promote_args):
    def wrapped(x, /):
        (x,) = promote(name, x)
        return fn(x)
    wrapped.__name__ = wrapped.__qualname__ = name
    return eager_jit(wrapped)


def _two_args(name, fn, promote=promote_args):
    def wrapped(x1, x2, /):
        x1, x2 = promote(name, x1, x2)
        return fn(x1, x2)
    wrapped.__name__ = wrapped.__qualname__ = name
    return eager_jit(wrapped)


# -- rules keyed by numpy name: (lax function, promotion) ------------------------------
_FLOAT_UNARY = {
    "sqrt": lax.sqrt, "cbrt": lax.cbrt, "exp": lax.exp, "expm1": lax.expm1, "log": lax.log,
    "log1p": lax.log1p, "sin": lax.sin, "cos": lax.cos, "tan": lax.tan, "arcsin": lax.asin,
    "arccos": lax.acos, "arctan": lax.atan, "sinh": lax.sinh, "cosh": lax.cosh,
    "tanh": lax.tanh, "arcsinh": lax.asinh, "arccosh": lax.acosh, "arctanh": lax.atanh,
    "rsqrt": lax.rsqrt,
}
for _name, _fn in _FLOAT_UNARY.items():
    globals()[_name] = _one_arg(_name, _fn, promote_args_inexact)

asin, acos, atan, asinh, acosh, atanh = arcsin, arccos, arctan, arcsinh, arccosh, arctanh  # noqa: F821


def _exp2(x):
    return lax.exp(lax.mul(x, float(np.log(2))))


def _scale_parts(z, fn):
    """fn on the real and imaginary parts apart: complex arithmetic with a real constant
    would turn log's infinities into NaNs."""
    if not dtypes.is_complex(z.dtype):
        return fn(z)
    return lax.complex(fn(lax.real(z)), fn(lax.imag(z)))


def _log2(x):
    return _scale_parts(lax.log(x), lambda r: lax.div(r, lax.log(lax.full_like(r, 2))))


def _log10(x):
    return _scale_parts(lax.log(x), lambda r: lax.mul(r, 0.4342944819032518))  # 1 / ln 10


exp2 = _one_arg("exp2", _exp2, promote_args_inexact)
log2 = _one_arg("log2", _log2, promote_args_inexact)
log10 = _one_arg("log10", _log10, promote_args_inexact)


def _integer_identity_or(fn):
    def rule(x):
        if not dtypes.is_inexact(x.dtype):
            return x
        return fn(x)
    return rule


floor = _one_arg("floor", _integer_identity_or(lax.floor))
ceil = _one_arg("ceil", _integer_identity_or(lax.ceil))


def _trunc(x):
    return lax.select(lax.lt(x, 0), lax.ceil(x), lax.floor(x))


trunc = _one_arg("trunc", _integer_identity_or(_trunc))
fix = trunc


def round(a, decimals=0, out=None):  # noqa: A001
    (a,) = promote_args("round", a)
    if dtypes.is_bool(a.dtype):
        raise errors.value_error("round does not accept dtype bool")
    if out is not None:
        raise NotImplementedError("The 'out' argument to round is not supported")
    if not dtypes.is_inexact(a.dtype):
        if decimals < 0:
            raise NotImplementedError("integer np.round not implemented for decimals < 0")
        return a
    if dtypes.is_complex(a.dtype):
        return lax.complex(round(lax.real(a), decimals), round(lax.imag(a), decimals))
    even = lax.RoundingMethod.TO_NEAREST_EVEN
    if decimals == 0:
        return lax.round(a, even)
    # Scaling in float16 loses the digit being rounded (1.65 * 10 -> 16.5); JAX scales in float32.
    scaled = lax.convert_element_type(a, np.float32) if a.dtype == np.float16 else a
    factor = float(10 ** decimals)
    rounded = lax.div(lax.round(lax.mul(scaled, factor), even), factor)
    return lax.convert_element_type(rounded, a.dtype) if a.dtype == np.float16 else rounded


around = round_ = round
def _rint(x):
    if dtypes.is_complex(x.dtype):  # each part rounds to even on its own
        return lax.complex(_rint(lax.real(x)), _rint(lax.imag(x)))
    return lax.round(x, lax.RoundingMethod.TO_NEAREST_EVEN)


rint = _one_arg("rint", _integer_identity_or(_rint), promote_args_inexact)


def _abs(x):
    if dtypes.is_bool(x.dtype) or x.dtype.kind == "u":
        return x
    return lax.abs(x)


absolute = abs = _one_arg("abs", _abs)  # noqa: A001
fabs = _one_arg("fabs", lax.abs, promote_args_inexact)


def _sign(x):
    if dtypes.is_bool(x.dtype):
        return x
    if x.dtype.kind == "u":
        return lax.convert_element_type(lax.ne(x, 0), x.dtype)
    return lax.sign(x)


sign = _one_arg("sign", _sign)


def _negative(x):
    if dtypes.is_bool(x.dtype):
        raise errors.type_error("negative does not accept dtype bool (use logical_not or ~)")
    return lax.neg(x)


negative = _one_arg("negative", _negative)
positive = _one_arg("positive", lambda x: x)
square = _one_arg("square", lambda x: lax.mul(x, x), promote_args_numeric)
reciprocal = _one_arg("reciprocal", lambda x: lax.div(lax.full_like(x, 1), x), promote_args_inexact)


def _isnan(x):
    if not dtypes.is_inexact(x.dtype):
        return lax.full_like(x, False, dtypes.bool_)
    return lax.ne(x, x)


def _isinf(x):
    if not dtypes.is_inexact(x.dtype):
        return lax.full_like(x, False, dtypes.bool_)
    if dtypes.is_complex(x.dtype):
        return lax.or_(_isinf(lax.real(x)), _isinf(lax.imag(x)))
    return lax.eq(lax.abs(x), float("inf"))


def _isfinite(x):
    if not dtypes.is_inexact(x.dtype):
        return lax.full_like(x, True, dtypes.bool_)
    if dtypes.is_complex(x.dtype):
        return lax.and_(lax.is_finite(lax.real(x)), lax.is_finite(lax.imag(x)))
    return lax.is_finite(x)


isnan = _one_arg("isnan", _isnan)
isinf = _one_arg("isinf", _isinf)
isfinite = _one_arg("isfinite", _isfinite)


def isposinf(x, /):
    (x,) = promote_args("isposinf", x)
    return lax.eq(x, float("inf")) if dtypes.is_float(x.dtype) else _isinf(x)


def isneginf(x, /):
    (x,) = promote_args("isneginf", x)
    return lax.eq(x, float("-inf")) if dtypes.is_float(x.dtype) else _isinf(x)


def signbit(x, /):
    (x,) = promote_args("signbit", x)
    if dtypes.is_integer(x.dtype):
        return lax.lt(x, 0)
    if dtypes.is_bool(x.dtype):
        return lax.full_like(x, False, dtypes.bool_)
    bits = {2: np.int16, 4: np.int32, 8: np.int64}[x.dtype.itemsize]
    return lax.lt(lax.bitcast_convert_type(x, bits), 0)


def real(val, /):
    (val,) = promote_args("real", val)
    return lax.real(val) if dtypes.is_complex(val.dtype) else val


def imag(val, /):
    (val,) = promote_args("imag", val)
    return lax.imag(val) if dtypes.is_complex(val.dtype) else lax.full_like(val, 0)


def conjugate(x, /):
    (x,) = promote_args("conjugate", x)
    return lax.conj(x)


conj = conjugate


def angle(z, deg=False):
    (z,) = promote_args("angle", z)
    re = lax.real(z) if dtypes.is_complex(z.dtype) else z
    im = lax.imag(z) if dtypes.is_complex(z.dtype) else lax.full_like(z, 0)
    if not dtypes.is_inexact(re.dtype) or (not dtypes.is_complex(z.dtype) and z.ndim == 0):
        # JAX computes the angle of non-float and of 0-d real input in the default float type
        re, im = (lax.convert_element_type(v, dtypes.default_float(), z.aval.weak_type)
                  for v in (re, im))
    out = lax.atan2(im, re)
    return lax.mul(out, float(180 / np.pi)) if deg else out


def deg2rad(x, /):
    (x,) = promote_args_inexact("deg2rad", x)
    return lax.mul(x, float(np.pi / 180))


def rad2deg(x, /):
    (x,) = promote_args_inexact("rad2deg", x)
    return lax.mul(x, float(180 / np.pi))


radians, degrees = deg2rad, rad2deg


# -- binary -------------------------------------------------------------------------
def _add(x, y):
    return lax.or_(x, y) if dtypes.is_bool(x.dtype) else lax.add(x, y)


def _multiply(x, y):
    return lax.and_(x, y) if dtypes.is_bool(x.dtype) else lax.mul(x, y)


def _subtract(x, y):
    if dtypes.is_bool(x.dtype):
        raise errors.type_error("subtract does not accept dtype bool (use logical_xor)")
    return lax.sub(x, y)


add = _two_args("add", _add)
multiply = _two_args("multiply", _multiply)
subtract = _two_args("subtract", _subtract)
true_divide = divide = _two_args("divide", lax.div, promote_args_inexact)
arctan2 = atan2 = _two_args("arctan2", lax.atan2, promote_args_inexact)
maximum = _two_args("maximum", lax.max)
minimum = _two_args("minimum", lax.min)


def _nan_max_min(pick):
    def rule(x, y):
        if not dtypes.is_inexact(x.dtype):
            return pick(x, y)
        return lax.select(_isnan(x), y, lax.select(_isnan(y), x, pick(x, y)))
    return rule


fmax = _two_args("fmax", _nan_max_min(lax.max))
fmin = _two_args("fmin", _nan_max_min(lax.min))


def _floor_divide(x, y):
    if dtypes.is_integer(x.dtype):
        if x.dtype.kind == "u":
            return lax.div(x, y)
        q = lax.div(x, y)
        fix_ = lax.and_(lax.ne(lax.sign(x), lax.sign(y)), lax.ne(lax.rem(x, y), 0))
        return lax.select(fix_, lax.sub(q, 1), q)
    if dtypes.is_complex(x.dtype):
        raise errors.type_error("floor_divide does not support complex-valued inputs")
    return _float_divmod(x, y)[0]


def _float_divmod(x, y):
    """Python's float divmod (CPython's float_divmod), as JAX computes it."""
    mod = lax.rem(x, y)
    div = lax.div(lax.select(lax.eq(y, 0), x, lax.sub(x, mod)), y)
    ind = lax.and_(lax.ne(mod, 0), lax.ne(lax.sign(y), lax.sign(mod)))
    mod = lax.select(ind, lax.add(mod, y), mod)
    div = lax.select(ind, lax.sub(div, 1), div)
    return lax.round(div), mod


def _nonzero_if_integer(y):
    """Integer division by zero is undefined in XLA; JAX divides by one instead."""
    if not dtypes.is_integer(y.dtype):
        return y
    return lax.select(lax.eq(y, 0), lax.full_like(y, 1), y)


def _remainder(x, y):
    if dtypes.is_complex(x.dtype):
        raise errors.type_error("remainder does not support complex-valued inputs")
    y = _nonzero_if_integer(y)
    rem = lax.rem(x, y)
    fix_ = lax.and_(lax.ne(lax.lt(rem, 0), lax.lt(y, 0)), lax.ne(rem, 0))
    return lax.select(fix_, lax.add(rem, y), rem)


def _fmod(x, y):
    return lax.rem(x, _nonzero_if_integer(y))


floor_divide = _two_args("floor_divide", _floor_divide, promote_args_numeric)
remainder = mod = _two_args("remainder", _remainder, promote_args_numeric)
fmod = _two_args("fmod", _fmod, promote_args_numeric)


def _divmod(x, y):
    if dtypes.is_integer(x.dtype):
        return _floor_divide(x, y), _remainder(x, y)
    return _float_divmod(x, y)


divmod = _two_args("divmod", _divmod, promote_args_numeric)  # noqa: A001


def power(x1, x2, /):
    check_arraylike("power", x1, x2)
    if isinstance(x2, int) and not isinstance(x2, bool):
        (x1,) = promote_args("power", x1)
        if not dtypes.is_inexact(x1.dtype) and x2 < 0:
            raise errors.value_error("Integers to negative integer powers are not allowed.")
        out = lax.integer_pow(x1, x2)
        return out if out.dtype == x1.dtype else lax.convert_element_type(out, x1.dtype)
    x1, x2 = promote_args_numeric("power", x1, x2)
    if dtypes.is_bool(x1.dtype):
        raise errors.type_error("power does not accept dtype bool")
    return lax.pow(x1, x2)


pow = power  # noqa: A001


float_power = _two_args("float_power", lax.pow, promote_args_inexact)


def _hypot(x, y):
    x, y = lax.abs(x), lax.abs(y)
    inf = lax.or_(_isinf(x), _isinf(y))
    big, small = lax.max(x, y), lax.min(x, y)
    safe = lax.select(lax.eq(big, 0), lax.full_like(big, 1), big)
    ratio = lax.div(small, safe)
    out = lax.mul(big, lax.sqrt(lax.add(lax.mul(ratio, ratio), 1)))
    out = lax.select(lax.eq(big, 0), big, out)
    return lax.select(inf, lax.full_like(out, float("inf")), out)


hypot = _two_args("hypot", _hypot, promote_args_inexact)


def _copysign(x, y):
    return lax.select(signbit(y), lax.neg(lax.abs(x)), lax.abs(x))


copysign = _two_args("copysign", _copysign, promote_args_inexact)


def _logaddexp(x, y):
    amax = lax.max(x, y)
    delta = lax.sub(x, y)
    out = lax.add(amax, lax.log1p(lax.exp(lax.neg(lax.abs(delta)))))
    # delta is NaN for equal infinities (answer: that infinity) and for NaN inputs (NaN)
    return lax.select(_isnan(delta), lax.add(x, y), out)


def _logaddexp2(x, y):
    ln2 = float(np.log(2))
    return lax.div(_logaddexp(lax.mul(x, ln2), lax.mul(y, ln2)), ln2)


logaddexp = _two_args("logaddexp", _logaddexp, promote_args_inexact)
logaddexp2 = _two_args("logaddexp2", _logaddexp2, promote_args_inexact)


# -- comparisons -----------------------------------------------------------------
def _comparison(name, fn):
    return _two_args(name, fn)


equal = _comparison("equal", lax.eq)
not_equal = _comparison("not_equal", lax.ne)
less = _comparison("less", lax.lt)
less_equal = _comparison("less_equal", lax.le)
greater = _comparison("greater", lax.gt)
greater_equal = _comparison("greater_equal", lax.ge)


# -- logical and bitwise ------------------------------------------------------------------
def _as_bool(x):
    return x if dtypes.is_bool(x.dtype) else lax.ne(x, lax.full_like(x, 0))


def _logical(name, fn):
    def wrapped(x1, x2, /):
        x1, x2 = promote_args(name, x1, x2)
        return fn(_as_bool(x1), _as_bool(x2))
    wrapped.__name__ = name
    return wrapped


logical_and = _logical("logical_and", lax.and_)
logical_or = _logical("logical_or", lax.or_)
logical_xor = _logical("logical_xor", lax.xor)


def logical_not(x, /):
    (x,) = promote_args("logical_not", x)
    return lax.not_(_as_bool(x))


def _bitwise(name, fn):
    def rule(x, y):
        if not (dtypes.is_integer(x.dtype) or dtypes.is_bool(x.dtype)):
            raise errors.type_error(f"{name} is only defined for integer and boolean dtypes, "
                                    f"got {x.dtype.name}")
        return fn(x, y)
    return _two_args(name, rule)


bitwise_and = _bitwise("bitwise_and", lax.and_)
bitwise_or = _bitwise("bitwise_or", lax.or_)
bitwise_xor = _bitwise("bitwise_xor", lax.xor)


def bitwise_not(x, /):
    (x,) = promote_args("bitwise_not", x)
    if not (dtypes.is_integer(x.dtype) or dtypes.is_bool(x.dtype)):
        raise errors.type_error(f"bitwise_not is only defined for integer and boolean dtypes, "
                                f"got {x.dtype.name}")
    return lax.not_(x)


invert = bitwise_invert = bitwise_not


def _shift(name, signed_fn, unsigned_fn):
    def rule(x, y):
        if not dtypes.is_integer(x.dtype):
            raise errors.type_error(f"{name} is only defined for integer dtypes, got {x.dtype.name}")
        return (signed_fn if dtypes.is_signed(x.dtype) else unsigned_fn)(x, y)
    return _two_args(name, rule, promote_args_numeric)


left_shift = bitwise_left_shift = _shift("left_shift", lax.shift_left, lax.shift_left)
right_shift = bitwise_right_shift = _shift("right_shift", lax.shift_right_arithmetic,
                                           lax.shift_right_logical)


# -- selection ------------------------------------------------------------------------
def where(condition, x=None, y=None, /, *, size=None, fill_value=None):
    if x is None and y is None:
        return nonzero(condition, size=size, fill_value=fill_value)
    if x is None or y is None:
        raise errors.value_error("Either both or neither of the x and y arguments should be "
                                 "provided to hlox.numpy.where")
    check_arraylike("where", condition, x, y)
    cond = asarray(condition)
    x, y = promote_dtypes(x, y)  # JAX's where broadcasts without the rank-promotion check
    cond, x, y = promote_shapes(*promote_dtypes(_as_bool(cond)), x, y)
    return lax.select(_as_bool(cond) if not dtypes.is_bool(cond.dtype) else cond, x, y)


def clip(arr=None, /, min=None, max=None, *, a=None, a_min=None, a_max=None):  # noqa: A002
    if arr is None:
        arr = a
    if min is None:
        min = a_min
    if max is None:
        max = a_max
    check_arraylike("clip", arr)
    x = asarray(arr)
    if min is not None:
        x = maximum(min, x)
    if max is not None:
        x = minimum(max, x)
    return x


def nan_to_num(x, copy=True, nan=0.0, posinf=None, neginf=None):
    (x,) = promote_args("nan_to_num", x)
    if not dtypes.is_inexact(x.dtype):
        return x
    if dtypes.is_complex(x.dtype):
        return lax.complex(nan_to_num(lax.real(x), nan=nan, posinf=posinf, neginf=neginf),
                           nan_to_num(lax.imag(x), nan=nan, posinf=posinf, neginf=neginf))
    info = dtypes.finfo(x.dtype)
    posinf = float(info.max) if posinf is None else posinf
    neginf = float(info.min) if neginf is None else neginf
    x = where(_isnan(x), nan, x)
    x = where(lax.eq(x, float("inf")), posinf, x)
    return where(lax.eq(x, float("-inf")), neginf, x)


def heaviside(x1, x2, /):
    x1, x2 = promote_args_inexact("heaviside", x1, x2)
    zero = lax.full_like(x1, 0)
    return where(lax.lt(x1, zero), zero, where(lax.gt(x1, zero), lax.full_like(x1, 1), x2))


def sinc(x, /):
    (x,) = promote_args_inexact("sinc", x)
    pix = lax.mul(x, float(np.pi))
    safe = where(lax.eq(x, 0), lax.full_like(x, 1), pix)
    return where(lax.eq(x, 0), lax.full_like(x, 1), lax.div(lax.sin(safe), safe))


__all__ = sorted(n for n, v in list(globals().items())
                 if not n.startswith("_") and callable(v) and getattr(v, "__module__", None) == __name__)
