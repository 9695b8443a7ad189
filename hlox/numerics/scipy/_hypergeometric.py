"""The confluent hypergeometric function hyp1f1, as jax.scipy.special computes it: its power
series for |x| < 100 and the asymptotic series beyond, element by element."""
from __future__ import annotations

import numpy as np

from hlox.frontend import errors, lax
from hlox.frontend.control_flow import cond as lax_cond
from hlox.frontend.control_flow import while_loop
from hlox.frontend.custom_derivatives import custom_jvp
from hlox.numerics.numpy import array_constructors as arrays, elementwise as ew, vectorize
from hlox.numerics.numpy._util import promote_args_inexact
from hlox.numerics.scipy.gamma_functions import gamma

__all__ = ["hyp1f1"]


def _series(init, step, add):
    """Sum terms until one is below the dtype's epsilon relative to the sum (at most 250)."""
    def run(a, b, x):
        precision = np.finfo(x.dtype).eps

        def body(state):
            serie, k, term = state
            return serie + add(term, a, b, k), k + 1, term * step(a, b, x, k)

        def keep_going(state):
            serie, k, term = state
            return (k < 250) & (lax.abs(term) / lax.abs(serie) > precision)
        return while_loop(keep_going, body, init(a, b, x))[0]
    return run


def _power_step(a, b, x, k):
    return (a + k) / (b + k) * x / (k + 1)


def _plain(term, a, b, k):
    return term


_power_series = _series(lambda a, b, x: (1, 1, a / b * x), _power_step, _plain)
_asymptotic_series = _series(lambda a, b, x: (1, 1, (b - a) * (1 - a) / x),
                             lambda a, b, x, k: (b - a + k) * (1 - a + k) / (k + 1) / x, _plain)
_a_derivative = vectorize.vectorize(_series(
    lambda a, b, x: (0, 1, a / b * x), _power_step,
    lambda term, a, b, k: term * (lax.digamma(a + k) - lax.digamma(a))))
_b_derivative = vectorize.vectorize(_series(
    lambda a, b, x: (0, 1, a / b * x), _power_step,
    lambda term, a, b, k: term * (lax.digamma(b) - lax.digamma(b + k))))


def _asymptotic(a, b, x):
    return (gamma(b) / gamma(a) * lax.exp(x) * x ** (a - b)
            * _asymptotic_series(a, b, x))


@custom_jvp
@vectorize.vectorize
def hyp1f1(a, b, x):
    a, b, x = promote_args_inexact("hyp1f1", a, b, x)
    if np.issubdtype(x.dtype, np.complexfloating):
        raise errors.value_error("hyp1f1 does not support complex-valued inputs.")
    result = lax_cond(lax.abs(x) < 100, _power_series, _asymptotic, a, b, x)
    index = (a == 0) * 1 + ((a == b) & (a != 0)) * 2 + ((b == 0) & (a != 0)) * 3
    return lax.select_n(index, result, arrays.array(1, dtype=x.dtype), ew.exp(x),
                        arrays.array(np.inf, dtype=x.dtype))


hyp1f1.defjvps(lambda a_dot, ans, a, b, x: _a_derivative(a, b, x) * a_dot,
               lambda b_dot, ans, a, b, x: _b_derivative(a, b, x) * b_dot,
               lambda x_dot, ans, a, b, x: a / b * hyp1f1(a + 1, b + 1, x) * x_dot)
