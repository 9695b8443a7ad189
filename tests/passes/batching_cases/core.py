"""Cases for the elementwise, shape, dot_general, reduction, sort, linear-algebra, barrier and
func.call rules (format: README.md)."""
from __future__ import annotations

import numpy as np

import hlox
import hlox.numpy as jnp
from hlox import lax
from hlox.frontend import lax_linalg

from batching_cases import Case, bools, crand, distinct, ints, positive, rand, raw_op


def _specials(*shape):
    x = rand(*shape)
    flat = x.reshape(-1)
    flat[::4] = np.inf
    flat[1::5] = np.nan
    return x


def _unary(fn, *args, **kw):
    return [Case(fn, args, **kw)]


UNARY = {
    "stablehlo.abs": _unary(lax.abs, rand(2, 3)),
    "stablehlo.negate": _unary(lax.neg, rand(4)),
    "stablehlo.sign": _unary(lax.sign, rand(4)),
    "stablehlo.sqrt": _unary(lax.sqrt, positive(2, 4)),
    "stablehlo.rsqrt": _unary(lax.rsqrt, positive(4)),
    "stablehlo.cbrt": _unary(lax.cbrt, rand(4)),
    "stablehlo.exponential": _unary(lax.exp, crand(2, 2)),
    "stablehlo.exponential_minus_one": _unary(lax.expm1, rand(4)),
    "stablehlo.log": _unary(lax.log, positive(4)),
    "stablehlo.log_plus_one": _unary(lax.log1p, positive(4)),
    "stablehlo.sine": _unary(lax.sin, rand(2, 4)),
    "stablehlo.cosine": _unary(lax.cos, rand(4)),
    "stablehlo.tan": _unary(lax.tan, rand(4)),
    "stablehlo.tanh": _unary(lax.tanh, rand(4)),
    "stablehlo.logistic": _unary(lax.logistic, rand(4, lo=-3, hi=3)),
    "stablehlo.floor": _unary(lax.floor, rand(4, lo=-3, hi=3)),
    "stablehlo.ceil": _unary(lax.ceil, rand(4, lo=-3, hi=3)),
    "stablehlo.round_nearest_even": _unary(
        lambda x: lax.round(x, lax.RoundingMethod.TO_NEAREST_EVEN), rand(4, lo=-3, hi=3) * 2),
    "stablehlo.round_nearest_afz": _unary(lax.round, rand(4, lo=-3, hi=3) * 2),
    "stablehlo.not": _unary(lax.bitwise_not, ints(100, 4, lo=-100)),
    "stablehlo.count_leading_zeros": _unary(lax.clz, ints(2 ** 20, 4)),
    "stablehlo.popcnt": _unary(lax.population_count, ints(2 ** 20, 4)),
    "stablehlo.is_finite": _unary(lax.is_finite, _specials(2, 4)),
    "stablehlo.real": _unary(lax.real, crand(4)),
    "stablehlo.imag": _unary(lax.imag, crand(4)),
    "stablehlo.convert": _unary(lambda x: lax.convert_element_type(x * 4, np.int32), rand(2, 3)),
    "chlo.sinh": _unary(lax.sinh, rand(4)),
    "chlo.cosh": _unary(lax.cosh, rand(4)),
    "chlo.tan": _unary(raw_op("chlo.tan"), rand(4)),
    "chlo.asin": _unary(lax.asin, rand(4, lo=-0.9, hi=0.9)),
    "chlo.acos": _unary(lax.acos, rand(4, lo=-0.9, hi=0.9)),
    "chlo.atan": _unary(lax.atan, rand(4, lo=-2, hi=2)),
    "chlo.asinh": _unary(lax.asinh, rand(4, lo=-2, hi=2)),
    "chlo.acosh": _unary(lax.acosh, positive(4, lo=1.5, hi=3)),
    "chlo.atanh": _unary(lax.atanh, rand(4, lo=-0.9, hi=0.9)),
    "chlo.erf": _unary(lax.erf, rand(4, lo=-2, hi=2)),
    "chlo.erfc": _unary(lax.erfc, rand(4, lo=-2, hi=2)),
    "chlo.erf_inv": _unary(lax.erf_inv, rand(4, lo=-0.9, hi=0.9)),
    "chlo.lgamma": _unary(lax.lgamma, positive(4)),
    "chlo.digamma": _unary(lax.digamma, positive(4)),
    "chlo.bessel_i1e": _unary(raw_op("chlo.bessel_i1e"), rand(4, lo=-3, hi=3)),
}

BINARY = {
    "stablehlo.add": [Case(lax.add, (rand(2, 3), rand(2, 3))),
                      Case(lambda x, w: lax.add(x, lax.sin(w)), (rand(4), rand(4)),
                           name="unbatched-branch")],
    "stablehlo.subtract": [Case(lax.sub, (rand(4, 2), rand(4, 2)))],
    "stablehlo.multiply": [Case(lax.mul, (crand(3), crand(3)))],
    "stablehlo.divide": [Case(lax.div, (rand(3), positive(3)))],
    "stablehlo.remainder": [Case(lax.rem, (ints(20, 4, lo=-20), ints(5, 4, lo=1)))],
    "stablehlo.power": [Case(lax.pow, (positive(4), rand(4, lo=-2, hi=2)))],
    "stablehlo.maximum": [Case(lax.max, (rand(2, 3), rand(2, 3)))],
    "stablehlo.minimum": [Case(lax.min, (rand(2, 3), rand(2, 3)))],
    "stablehlo.atan2": [Case(lax.atan2, (rand(4), rand(4)))],
    "stablehlo.and": [Case(lax.bitwise_and, (ints(64, 4), ints(64, 4)))],
    "stablehlo.or": [Case(lax.bitwise_or, (bools(4), bools(4)))],
    "stablehlo.xor": [Case(lax.bitwise_xor, (ints(64, 4), ints(64, 4)))],
    "stablehlo.shift_left": [Case(lax.shift_left, (ints(100, 4), ints(8, 4)))],
    "stablehlo.shift_right_arithmetic": [
        Case(lax.shift_right_arithmetic, (ints(100, 4, lo=-100), ints(8, 4)))],
    "stablehlo.shift_right_logical": [
        Case(lax.shift_right_logical, (ints(100, 4, lo=-100), ints(8, 4)))],
    "stablehlo.complex": [Case(lax.complex, (rand(3), rand(3)))],
    "stablehlo.compare": [Case(lax.lt, (rand(2, 3), rand(2, 3)))],
    "stablehlo.select": [Case(lax.select, (bools(2, 3), rand(2, 3), rand(2, 3)))],
    "stablehlo.clamp": [
        Case(lax.clamp, (rand(lo=-1, hi=0), rand(4, 2, lo=-2, hi=2), rand(lo=0, hi=1)),
             name="scalar-bounds"),
        Case(lax.clamp, (rand(3, lo=-1, hi=0), rand(3, lo=-2, hi=2), rand(3, lo=0, hi=1)),
             name="array-bounds"),
    ],
    "chlo.next_after": [Case(lax.nextafter, (rand(4), rand(4)))],
    "chlo.polygamma": [Case(lax.polygamma, (ints(3, 4).astype(np.float64), positive(4)))],
    "chlo.zeta": [Case(lax.zeta, (positive(4, lo=1.5, hi=3), positive(4)))],
}


def _dot(dims):
    return lambda x, y: lax.dot_general(x, y, dims)


def _spd(m):
    """A symmetric positive-definite matrix made from any square m."""
    n = m.shape[-1]
    return lax.add(lax_linalg.batch_matmul(m, lax_linalg.matrix_transpose(m)),
                   lax.mul(jnp.eye(n, dtype=m.dtype), float(n)))


def _argmax_reduce(x):
    idx = lax.broadcasted_iota(np.int32, x.shape, 1)

    def body(acc, val):
        pick = lax.gt(acc[0], val[0])
        return lax.select(pick, acc[0], val[0]), lax.select(pick, acc[1], val[1])
    return lax.reduce((x, idx), (-np.inf, np.int32(0)), body, (1,))


STRUCTURAL = {
    "stablehlo.broadcast_in_dim": [
        Case(lambda x: lax.broadcast_in_dim(x, (2, 4, 5), (1,)), (rand(4),)),
        Case(lambda x: lax.broadcast_in_dim(x, (4, 5), (0, 1)), (rand(1, 5),), name="expand")],
    "stablehlo.reshape": [Case(lambda x: lax.reshape(x, (5, 2, 2)), (rand(4, 5),))],
    "stablehlo.transpose": [Case(lambda x: lax.transpose(x, (2, 0, 1)), (rand(2, 4, 5),))],
    "stablehlo.slice": [Case(lambda x: lax.slice(x, (1, 0), (5, 3), (2, 2)), (rand(6, 4),))],
    "stablehlo.reverse": [Case(lambda x: lax.rev(x, (0, 2)), (rand(2, 4, 2),))],
    "stablehlo.concatenate": [Case(lambda x, y: lax.concatenate([x, y, x], 1),
                                   (rand(2, 3), rand(2, 1)))],
    "stablehlo.pad": [Case(lambda x: lax.pad(x, 0.5, [(1, -1, 1), (0, 2, 0)]), (rand(3, 2),),
                           name="constant-value")],
    "stablehlo.dynamic_slice": [Case(lambda x: lax.dynamic_slice(x, (1, 2), (2, 2)),
                                     (rand(4, 5),), name="constant-starts")],
    "stablehlo.dynamic_update_slice": [
        Case(lambda x, u: lax.dynamic_update_slice(x, u, (1, 0)), (rand(4, 3), rand(2, 3)),
             name="constant-starts")],
    "stablehlo.dot_general": [
        Case(_dot((((1,), (0,)), ((), ()))), (rand(2, 4), rand(4, 5)), name="matmul"),
        Case(_dot((((2,), (1,)), ((0,), (0,)))), (rand(2, 3, 4), rand(2, 4, 5)), name="batch"),
        Case(_dot((((0, 2), (2, 1)), ((1,), (0,)))), (rand(2, 3, 4), rand(3, 4, 2)),
             name="batch-multi-contract"),
        Case(_dot((((), ()), ((), ()))), (rand(2), rand(4)), name="outer"),
    ],
    "stablehlo.reduce": [
        Case(lambda x: lax.reduce_sum(x, (0, 2)), (rand(2, 4, 2),), name="add"),
        Case(lambda x: lax.reduce_max(x, (1,)), (rand(2, 4),), name="max"),
        Case(_argmax_reduce, (distinct(2, 5),), name="argmax"),
    ],
    "stablehlo.reduce_window": [
        Case(lambda x: lax.reduce_window(x, 0.0, lax.add, (2, 2), (1, 2), [(1, 0), (0, 1)]),
             (rand(4, 5),), name="add"),
        Case(lambda x: lax.reduce_window(x, -np.inf, lax.max, (2,), (2,), "VALID", (2,), (1,)),
             (rand(5),), name="max-dilated"),
        # a batched init value of a reduce_window still runs per example
        Case(lambda x, i: lax.reduce_window(x, i, lax.add, (2,), (1,), "VALID"),
             (rand(5), rand()), loop=True, name="batched-init"),
    ],
    "stablehlo.sort": [
        Case(lambda x: lax.sort(x, dimension=0), (distinct(4, 2),), name="one-operand"),
        Case(lambda k, v: lax.sort_key_val(k, v, dimension=1), (distinct(2, 5), rand(2, 5)),
             name="key-value"),
    ],
    "stablehlo.cholesky": [Case(lambda m: lax.linalg.cholesky(_spd(m)), (rand(3, 3),))],
    "stablehlo.fft": [Case(lambda x: lax.fft(x, "FFT", (2, 4)), (crand(3, 2, 4),), name="fft"),
                      Case(lambda x: lax.fft(x, "RFFT", (5,)), (rand(2, 5),), name="rfft"),
                      Case(lambda x: lax.fft(x, "IRFFT", (4,)), (crand(2, 3),), name="irfft")],
    "stablehlo.triangular_solve": [
        Case(lambda a, b: lax.linalg.triangular_solve(a, b, left_side=True, lower=True),
             (rand(3, 3) + 3 * np.eye(3), rand(3, 2)), rtol=1e-6, atol=1e-6)],
    "stablehlo.optimization_barrier": [
        Case(lambda x, y: lax.optimization_barrier((jnp.sin(x), y))[0] * y, (rand(3), rand(3)))],
    "func.call": [
        Case(lambda x: hlox.jit(jnp.tanh)(x) * x, (rand(4),)),
        Case(lambda x, y: hlox.jit(lambda a, b: (a * b, jnp.sin(a)))(x, y), (rand(3), rand(3)),
             name="two-results"),
    ],
}

CASES = {**UNARY, **BINARY, **STRUCTURAL}
