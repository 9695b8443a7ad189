"""Cases for the elementwise, structural, reduce and func.call rules (format: README.md)."""
import numpy as np

import hlox
import hlox.numpy as jnp
from hlox import lax

from autodiff_cases import Case, crand, distinct, ints, positive, rand, raw_op


def _dot(dims):
    return lambda x, y: lax.dot_general(x, y, dims)


def _argmax_reduce(x):
    """A two-operand reduce whose body only compares and selects (argmax-style): (max, index)."""
    idx = lax.broadcasted_iota(np.int32, x.shape, 1)

    def body(acc, val):
        pick = lax.gt(acc[0], val[0])
        return lax.select(pick, acc[0], val[0]), lax.select(pick, acc[1], val[1])
    return lax.reduce((x, idx), (-np.inf, np.int32(0)), body, (1,))


UNARY = {
    "stablehlo.exponential": [Case(lax.exp, (rand(3, 2),)),
                              Case(lax.exp, (crand(4),), name="complex")],
    "stablehlo.exponential_minus_one": [Case(lax.expm1, (rand(5),))],
    "stablehlo.log": [Case(lax.log, (positive(5),)),
                      Case(lax.log, (crand(3) + 2,), name="complex")],
    "stablehlo.log_plus_one": [Case(lax.log1p, (positive(5),))],
    "stablehlo.sine": [Case(lax.sin, (rand(2, 3),)),
                       Case(lax.sin, (crand(3),), name="complex")],
    "stablehlo.cosine": [Case(lax.cos, (rand(4),))],
    "stablehlo.tan": [Case(lax.tan, (rand(4),))],
    "stablehlo.tanh": [Case(lax.tanh, (rand(4),))],
    "stablehlo.logistic": [Case(lax.logistic, (rand(4, lo=-3, hi=3),))],
    "stablehlo.sqrt": [Case(lax.sqrt, (positive(4),))],
    "stablehlo.rsqrt": [Case(lax.rsqrt, (positive(4),))],
    "stablehlo.cbrt": [Case(lax.cbrt, (positive(4) * np.array([1, -1, 1, -1]),))],
    "chlo.sinh": [Case(lax.sinh, (rand(4),))],
    "chlo.cosh": [Case(lax.cosh, (rand(4),))],
    "chlo.tan": [Case(raw_op("chlo.tan"), (rand(4),))],
    "chlo.asin": [Case(lax.asin, (rand(4, lo=-0.8, hi=0.8),))],
    "chlo.acos": [Case(lax.acos, (rand(4, lo=-0.8, hi=0.8),))],
    "chlo.atan": [Case(lax.atan, (rand(4, lo=-2, hi=2),))],
    "chlo.asinh": [Case(lax.asinh, (rand(4, lo=-2, hi=2),))],
    "chlo.acosh": [Case(lax.acosh, (positive(4, lo=1.5, hi=3),))],
    "chlo.atanh": [Case(lax.atanh, (rand(4, lo=-0.8, hi=0.8),))],
    "chlo.erf": [Case(lax.erf, (rand(4, lo=-2, hi=2),))],
    "chlo.erfc": [Case(lax.erfc, (rand(4, lo=-2, hi=2),))],
    "chlo.erf_inv": [Case(lax.erf_inv, (rand(4, lo=-0.8, hi=0.8),))],
    "chlo.lgamma": [Case(lax.lgamma, (positive(4),))],
    "chlo.digamma": [Case(lax.digamma, (positive(4),))],
    "chlo.polygamma": [Case(lambda x: lax.polygamma(lax.full_like(x, 1.0), x), (positive(4),)),
                       Case(lambda x: lax.polygamma(lax.full_like(x, 3.0), x), (positive(4),),
                            name="order-3")],
    "chlo.bessel_i1e": [Case(raw_op("chlo.bessel_i1e"), (rand(4, lo=-3, hi=3),))],
    "stablehlo.abs": [Case(lax.abs, (positive(4) * np.array([1, -1, -1, 1]),)),
                      Case(lax.abs, (crand(4),), name="complex")],
    "stablehlo.negate": [Case(lax.neg, (rand(3),))],
}

BINARY = {
    "stablehlo.add": [Case(lax.add, (rand(2, 3), rand(2, 3))),
                      Case(lambda x: lax.add(x, x), (rand(3),), name="same-operand")],
    "stablehlo.subtract": [Case(lax.sub, (rand(3), rand(3))),
                           Case(lambda x, y: lax.sub(x, y), (rand(2), rand(2)), wrt=(1,),
                                name="rhs-only")],
    "stablehlo.multiply": [Case(lax.mul, (rand(3), rand(3))),
                           Case(lax.mul, (crand(3), crand(3)), name="complex"),
                           Case(lambda x: lax.mul(x, x), (rand(3),), name="square")],
    "stablehlo.divide": [Case(lax.div, (rand(3), positive(3))),
                         Case(lax.div, (crand(3), crand(3) + 2), name="complex")],
    "stablehlo.power": [Case(lax.pow, (positive(4), rand(4, lo=-2, hi=2)))],
    "stablehlo.atan2": [Case(lax.atan2, (rand(4), positive(4)))],
    # x / y stays away from integers, where remainder jumps.
    "stablehlo.remainder": [Case(lax.rem, (np.array([2.3, -3.7, 5.45, 0.4]),
                                           np.array([1.1, 1.3, -2.1, 0.9])))],
    "stablehlo.maximum": [Case(lax.max, (distinct(6), distinct(6))),
                          Case(lambda x: lax.max(x, x), (rand(3),), kinks_ok=True, name="ties")],
    "stablehlo.minimum": [Case(lax.min, (distinct(6), distinct(6))),
                          Case(lambda x: lax.min(x, x), (rand(3),), kinks_ok=True, name="ties")],
    "stablehlo.select": [Case(lax.select, (np.array([True, False, True, False]), rand(4), rand(4))),
                         Case(lambda p, x: lax.select(p, x, lax.sin(x)),
                              (np.array([False, True, True]), rand(3)), name="one-branch")],
    "stablehlo.clamp": [
        Case(lax.clamp, (np.array(-0.3), np.array([-1.0, -0.5, -0.1, 0.2, 0.6, 1.1]), np.array(0.8))),
        Case(lax.clamp, (np.array([-0.5, 0.0, 0.5]), np.array([-1.0, 0.3, 0.9]),
                         np.array([0.5, 0.2, 1.2])), name="arrays"),
    ],
    "stablehlo.convert": [
        Case(lambda x: lax.convert_element_type(x, np.complex128), (rand(4),), name="to-complex"),
        Case(raw_op("stablehlo.convert", np.float64), (crand(4),), name="complex-to-real"),
        Case(lambda x: lax.convert_element_type(lax.convert_element_type(x, np.float32),
                                                np.float64),
             (rand(4),), rtol=1e-2, atol=1e-2, name="through-float32"),
        Case(lambda x, i: x * lax.convert_element_type(i, np.float64), (rand(3), ints(5, 3)),
             name="from-int"),
    ],
    "stablehlo.complex": [Case(lax.complex, (rand(3), rand(3)))],
    "stablehlo.real": [Case(lax.real, (crand(3),))],
    "stablehlo.imag": [Case(lax.imag, (crand(3),))],
}

STRUCTURAL = {
    "stablehlo.broadcast_in_dim": [
        Case(lambda x: lax.broadcast_in_dim(x, (2, 3, 4), (1,)), (rand(3),)),
        Case(lambda x: lax.broadcast_in_dim(x, (3, 4), (0, 1)), (rand(1, 4),), name="expand"),
    ],
    "stablehlo.reshape": [Case(lambda x: lax.reshape(x, (3, 2)), (rand(2, 3),))],
    "stablehlo.transpose": [Case(lambda x: lax.transpose(x, (2, 0, 1)), (rand(2, 3, 4),))],
    "stablehlo.slice": [Case(lambda x: lax.slice(x, (1, 0), (5, 3), (2, 2)), (rand(6, 4),))],
    "stablehlo.reverse": [Case(lambda x: lax.rev(x, (0, 1)), (rand(2, 3),))],
    "stablehlo.concatenate": [Case(lambda x, y: lax.concatenate([x, y, x], 1),
                                   (rand(2, 3), rand(2, 1)))],
    "stablehlo.pad": [Case(lambda x, v: lax.pad(x, v, [(1, -1, 1), (0, 2, 0)]),
                           (rand(3, 2), rand()))],
    "stablehlo.dynamic_slice": [Case(lambda x, i: lax.dynamic_slice(x, (i, 1), (2, 2)),
                                     (rand(4, 3), np.int32(1)))],
    "stablehlo.dynamic_update_slice": [
        Case(lambda x, u, i: lax.dynamic_update_slice(x, u, (i, 0)),
             (rand(4, 3), rand(2, 3), np.int32(1)))],
    "stablehlo.dot_general": [
        Case(_dot((((1,), (0,)), ((), ()))), (rand(2, 3), rand(3, 4)), name="matmul"),
        Case(_dot((((2,), (1,)), ((0,), (0,)))), (rand(2, 3, 4), rand(2, 4, 3)), name="batch"),
        Case(_dot((((0, 2), (2, 1)), ((1,), (0,)))), (rand(2, 3, 4), rand(3, 4, 2)),
             name="batch-multi-contract"),
        Case(_dot((((), ()), ((), ()))), (rand(2), rand(3)), name="outer"),
        Case(lambda x: _dot((((1,), (1,)), ((), ())))(x, x), (rand(2, 3),), name="gram"),
    ],
    "stablehlo.reduce": [
        Case(lambda x: lax.reduce_sum(x, (0, 2)), (rand(2, 3, 2),), name="add"),
        Case(lambda x, i: lax.reduce(x, i, lax.add, (1,)), (rand(2, 3), rand()),
             name="add-init"),
        Case(lambda x: lax.reduce_prod(x, (1,)), (rand(2, 4),), name="multiply"),
        Case(lambda x: lax.reduce_max(x, (1,)), (distinct(3, 4),), name="max"),
        Case(lambda x: lax.reduce_min(x, (0,)), (distinct(3, 4),), name="min"),
        Case(lambda x: lax.reduce_max(jnp.concatenate([x, x]), (0,)), (rand(3),),
             kinks_ok=True, name="max-ties"),
        Case(_argmax_reduce, (distinct(2, 5),), name="argmax"),
    ],
    "func.call": [
        Case(lambda x: hlox.jit(jnp.tanh)(x) * x, (rand(4),)),
        Case(lambda x, y: hlox.jit(lambda a, b: (a * b, jnp.sin(a)))(x, y)[0], (rand(3), rand(3)),
             name="two-results"),
        Case(lambda x, i: hlox.jit(lambda a, k: a * k)(x, i), (rand(3), ints(4, 3)),
             name="int-argument"),
    ],
    "stablehlo.optimization_barrier": [
        Case(lambda x, y: lax.optimization_barrier((jnp.sin(x), y))[0] * y, (rand(3), rand(3)))],
}

CASES = {**UNARY, **BINARY, **STRUCTURAL}
