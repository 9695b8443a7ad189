"""The gamma and beta functions of jax.scipy.special (gammaln, gamma, betaln, the incomplete
functions, factorial, comb, multigammaln, poch), written as JAX writes them."""
from __future__ import annotations

import operator

import numpy as np

from hlox.frontend import errors, lax, lax_special
from hlox.frontend.custom_derivatives import custom_jvp
from hlox.numerics.numpy import (array_constructors as arrays, creation, elementwise as ew,
                                 indexing_routines)
from hlox.numerics.numpy import reductions, shape as shape_ops
from hlox.numerics.numpy._util import promote_args_inexact
from hlox.numerics.scipy.arguments import inexact_unary, real_only, const

__all__ = ["beta", "betainc", "betaln", "comb", "digamma", "factorial", "gamma", "gammainc",
           "gammaincc", "gammaln", "gammasgn", "loggamma", "multigammaln", "poch"]

gammaln = inexact_unary("gammaln", lax.lgamma)
digamma = inexact_unary("digamma", lax.digamma)


def gammasgn(x):
    (x,) = real_only("gammasgn", x)
    typ = x.dtype.type
    floor_x = lax.floor(x)
    x_negative = x < 0
    return indexing_routines.select(
        [(x_negative & (x == floor_x)) | ew.isnan(x),
         (x_negative & (floor_x % 2 != 0)) | ((x == 0) & ew.signbit(x))],
        [typ(np.nan), typ(-1.0)], typ(1.0))


def gamma(x):
    (x,) = real_only("gamma", x)
    return gammasgn(x) * lax.exp(lax.lgamma(x))


def loggamma(x):
    (x,) = real_only("loggamma", x)
    return ew.where(x > 0, lax.lgamma(x), np.nan)


def _algdiv(a, b):
    """log(gamma(a)) - log(gamma(a + b)) for b >= 8 (scipy's cdflib algdiv, a <= b)."""
    c0, c1, c2 = 0.833333333333333e-01, -0.277777777760991e-02, 0.793650666825390e-03
    c3, c4, c5 = -0.595202931351870e-03, 0.837308034031215e-03, -0.165322962780713e-02
    h = a / b
    c = h / (1 + h)
    x = h / (1 + h)
    d = b + (a - 0.5)
    x2 = x * x
    s3 = 1.0 + (x + x2)
    s5 = 1.0 + (x + x2 * s3)
    s7 = 1.0 + (x + x2 * s5)
    s9 = 1.0 + (x + x2 * s7)
    s11 = 1.0 + (x + x2 * s9)
    t = (1.0 / b) ** 2
    w = ((((c5 * s11 * t + c4 * s9) * t + c3 * s7) * t + c2 * s5) * t + c1 * s3) * t + c0
    w = w * (c / b)
    u = d * lax.log1p(a / b)
    v = a * (lax.log(b) - 1.0)
    return ew.where(u <= v, (w - v) - u, (w - u) - v)


def betaln(a, b):
    a, b = promote_args_inexact("betaln", a, b)
    a, b = ew.minimum(a, b), ew.maximum(a, b)
    small_b = lax.lgamma(a) + (lax.lgamma(b) - lax.lgamma(a + b))
    large_b = lax.lgamma(a) + _algdiv(a, b)
    return ew.where(b < 8, small_b, large_b)


def beta(a, b):
    a, b = real_only("beta", a, b)
    sign = gammasgn(a) * gammasgn(b) * gammasgn(a + b)
    return sign * lax.exp(betaln(a, b))


def betainc(a, b, x):
    a, b, x = real_only("betainc", a, b, x)
    return lax_special.betainc(a, b, x)


def gammainc(a, x):
    a, x = promote_args_inexact("gammainc", a, x)
    return lax_special.igamma(a, x)


def gammaincc(a, x):
    a, x = promote_args_inexact("gammaincc", a, x)
    return lax_special.igammac(a, x)


def factorial(n, exact=False):
    if exact:
        raise NotImplementedError("factorial with exact=True")
    (n,) = promote_args_inexact("factorial", n)
    return ew.where(n < 0, 0, lax.exp(lax.lgamma(n + 1)))


def comb(N, k, *, repetition=False):  # noqa: N803  (scipy's name)
    if repetition:
        return ew.where((k == 0) & (N >= 0), 1.0, comb(N + k - 1, k, repetition=False))
    cond = (k <= N) & (N >= 0) & (k >= 0)
    safe_n, safe_k = ew.where(cond, N, 0.0), ew.where(cond, k, 0.0)
    result = lax.exp(gammaln(safe_n + 1) - gammaln(safe_k + 1) - gammaln(safe_n + 1 - safe_k))
    return ew.where(cond, result, 0.0)


def multigammaln(a, d):
    try:
        d = operator.index(d)
    except TypeError:
        raise errors.type_error("the d argument of multigammaln must be a concrete integer") \
            from None
    a, d_ = promote_args_inexact("multigammaln", a, d)
    constant = lax.mul(lax.mul(lax.mul(const(a, 0.25), d_), lax.sub(d_, const(a, 1))),
                       lax.log(const(a, np.pi)))
    b = lax.div(creation.arange(d, dtype=d_.dtype), const(a, 2))
    res = reductions.sum(gammaln(shape_ops.expand_dims(a, axis=-1)
                          - shape_ops.expand_dims(b, axis=tuple(range(a.ndim)))), axis=-1)
    return res + constant


@custom_jvp
def poch(z, m):
    z, m = real_only("poch", z, m)
    return ew.where(m == 0.0, arrays.array(1, dtype=z.dtype), gamma(z + m) / gamma(z))


poch.defjvps(lambda z_dot, ans, z, m: (digamma(z + m) - digamma(z)) * poch(z, m) * z_dot,
             lambda m_dot, ans, z, m: digamma(z + m) * poch(z, m) * m_dot)
