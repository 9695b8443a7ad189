"""Mathematical functions beyond the elementwise table: gcd lcm, the floating-point
decompositions frexp ldexp modf nextafter spacing, bitwise_count and i0."""
from __future__ import annotations

import numpy as np

from hlox.frontend import dtypes, errors, lax, lax_special
from hlox.frontend.control_flow import while_loop
from hlox.frontend.custom_derivatives import custom_jvp
from hlox.frontend.jit import eager_jit
from hlox.numerics.numpy import elementwise as ufuncs, reductions
from hlox.numerics.numpy._util import (asarray, check_arraylike, promote_args, promote_args_inexact,
                                       promote_args_numeric, promote_dtypes_inexact)
from hlox.transforms.autodiff import jvp

__all__ = ["gcd", "lcm", "frexp", "ldexp", "modf", "nextafter", "spacing", "bitwise_count", "i0"]


# -- integer and floating-point decomposition --------------------------------------------------
def _gcd_step(state):
    x1, x2 = state
    nonzero = lax.ne(x2, lax.full_like(x2, 0))
    safe = lax.select(nonzero, x2, lax.full_like(x2, 1))
    x1, x2 = lax.select(nonzero, x2, x1), lax.select(nonzero, lax.rem(x1, safe),
                                                     lax.full_like(x2, 0))
    swap = lax.lt(x1, x2)
    return lax.select(swap, x2, x1), lax.select(swap, x1, x2)


def _gcd_continue(state):
    return reductions.any(lax.ne(state[1], lax.full_like(state[1], 0)))


def _integer_operands(name, x1, x2):
    x1, x2 = promote_args(name, x1, x2)
    if not dtypes.is_integer(x1.dtype):
        raise errors.value_error(f"Arguments to hlox.numpy.{name} must be integers.")
    return ufuncs.abs(x1), ufuncs.abs(x2)


@eager_jit
def gcd(x1, x2):
    return while_loop(_gcd_continue, _gcd_step, _integer_operands("gcd", x1, x2))[0]


@eager_jit
def lcm(x1, x2):
    x1, x2 = _integer_operands("lcm", x1, x2)
    d = gcd(x1, x2)
    zero = lax.eq(d, lax.full_like(d, 0))
    product = ufuncs.multiply(x1, ufuncs.floor_divide(x2, lax.select(zero, lax.full_like(d, 1), d)))
    return lax.select(zero, lax.full_like(d, 0), product)


_SAME_WIDTH_INT = {2: np.dtype(np.int16), 4: np.dtype(np.int32), 8: np.dtype(np.int64)}


def _real_float_operand(name, x):
    (x,) = promote_args_inexact(name, x)
    if dtypes.is_complex(x.dtype):
        raise errors.type_error(f"{name} does not support complex-valued inputs")
    return x


def _frexp(x):
    info = dtypes.finfo(x.dtype)
    int_type = _SAME_WIDTH_INT[x.dtype.itemsize]
    mask = (1 << info.nexp) - 1
    bias = 1 - info.minexp
    subnormal = lax.lt(lax.abs(x), lax.full_like(x, info.tiny))
    scaled = lax.select(subnormal, lax.mul(x, lax.full_like(x, 1 << info.nmant)), x)
    exponent = lax.select(subnormal, lax.full(x.shape, -info.nmant, int_type),
                          lax.full(x.shape, 0, int_type))
    bits = lax.bitcast_convert_type(scaled, int_type)

    def const(v):
        return lax.full(x.shape, v, int_type)
    biased = lax.and_(lax.shift_right_arithmetic(bits, const(info.nmant)), const(mask))
    exponent = lax.add(exponent, lax.add(lax.sub(biased, const(bias)), const(1)))
    bits = lax.or_(lax.and_(bits, const(~(mask << info.nmant))), const((bias - 1) << info.nmant))
    mantissa = lax.bitcast_convert_type(bits, x.dtype)
    special = lax.or_(lax.or_(ufuncs.isinf(x), ufuncs.isnan(x)), lax.eq(x, lax.full_like(x, 0)))
    exponent = lax.select(special, lax.full_like(exponent, 0), exponent)
    return lax.select(special, x, mantissa), lax.convert_element_type(exponent, dtypes.int32)


@eager_jit
def frexp(x, /):
    check_arraylike("frexp", x)
    return _frexp(_real_float_operand("frexp", x))


@eager_jit
def ldexp(x1, x2, /):
    check_arraylike("ldexp", x1, x2)
    d1, d2 = dtypes.dtype_of(x1)[0], dtypes.dtype_of(x2)[0]
    if dtypes.is_complex(d1) or dtypes.is_inexact(d2):
        raise errors.value_error(f"ldexp not supported for input types {(d1, d2)}")
    (x1,) = promote_args_inexact("ldexp", x1)
    x2 = lax.convert_element_type(asarray(x2), x1.dtype)
    m, e = _frexp(x1)
    e = ufuncs.add(lax.convert_element_type(e, x2.dtype), x2)
    e = lax.convert_element_type(e, x1.dtype)
    positive = lax.gt(e, lax.full_like(e, 0))
    m = lax.select(positive, lax.mul(m, lax.full_like(m, 2)), m)
    e = lax.select(positive, lax.sub(e, lax.full_like(e, 1)), e)
    out = lax.mul(m, lax.pow(lax.full_like(e, 2), e))
    keep = lax.or_(ufuncs.isinf(x1), lax.eq(x1, lax.full_like(x1, 0)))
    return lax.select(keep, x1, out)


@eager_jit
def modf(x, /, out=None):
    check_arraylike("modf", x)
    if out is not None:
        raise NotImplementedError("The 'out' argument to hlox.numpy.modf is not supported.")
    (x,) = promote_dtypes_inexact(x)
    whole = lax.select(lax.ge(x, lax.full_like(x, 0)), lax.floor(x), lax.ceil(x))
    return lax.sub(x, whole), whole


@eager_jit
def nextafter(x1, x2, /):
    x1, x2 = promote_args_inexact("nextafter", x1, x2)
    return lax.nextafter(x1, x2)


@eager_jit
def spacing(x, /):
    (x,) = promote_args_inexact("spacing", x)
    if dtypes.is_complex(x.dtype):
        raise errors.value_error("hlox.numpy.spacing is not defined for complex inputs.")
    inf = lax.full_like(x, np.inf)
    if x.dtype == dtypes.float16:
        return lax.sub(lax.nextafter(x, inf), x)
    result = lax.sub(lax.nextafter(x, ufuncs.copysign(inf, x)), x)
    tiny = ufuncs.copysign(lax.full_like(x, dtypes.finfo(x.dtype).smallest_subnormal), x)
    return lax.select(lax.eq(result, lax.full_like(result, 0)), tiny, result)


@eager_jit
def bitwise_count(x, /):
    (x,) = promote_args_numeric("bitwise_count", x)
    if not dtypes.is_integer(x.dtype):
        raise errors.type_error(f"bitwise_count is only defined for integer dtypes, got "
                                f"{x.dtype.name}")
    return lax.convert_element_type(lax.population_count(ufuncs.abs(x)), dtypes.uint8)


@custom_jvp
def _i0(x):
    ax = lax.abs(x)
    return lax.mul(lax.exp(ax), lax_special.bessel_i0e(ax))


@_i0.defjvp
def _i0_jvp(primals, tangents):
    (x,) = primals
    y, t = jvp(_i0.fun, primals, tangents)
    return y, ufuncs.where(lax.eq(x, lax.full_like(x, 0)), lax.full_like(t, 0), t)


@eager_jit
def i0(x):
    (x,) = promote_args_inexact("i0", x)
    if not dtypes.is_float(x.dtype):
        raise errors.value_error(f"Unsupported input type to hlox.numpy.i0: {x.dtype}")
    return _i0(x)
