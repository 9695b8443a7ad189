"""The exponential integrals expi, expn and exp1, as jax.scipy.special computes them (Cephes"
rational approximations, series and continued fractions)."""
from __future__ import annotations

import functools

import numpy as np

from hlox.frontend import errors, lax
from hlox.frontend.control_flow import fori_loop, while_loop
from hlox.frontend.custom_derivatives import custom_jvp
from hlox.numerics.numpy import elementwise as ew, indexing_routines, polynomial as poly, vectorize
from hlox.numerics.numpy._util import promote_args_inexact

__all__ = ["exp1", "expi", "expn"]


def _c(x, v):
    return lax.full_like(x, v, shape=())


def _expint1(x):
    A = np.array([-5.350447357812543, 218.50491688166133, -4176.572384826693, 55411.76756393557,
                  -331338.13311781443, 1592627.1633849454], dtype=x.dtype)
    B = np.array([1.0, -52.505479591128626, 1259.6161867867906, -17565.495819735348,
                  149306.2117002726, -729494.9239640528, 1592627.1633849454], dtype=x.dtype)
    f = poly.polyval(A, x) / poly.polyval(B, x)
    return x * f + np.euler_gamma + ew.log(x)


def _eval_expint_k(A, B, x):
    one = _c(x, 1.0)
    w = one / x
    f = poly.polyval(A, w) / poly.polyval(B, w)
    f = w * f + one
    return ew.exp(x) * w * f


def _expint2(x):
    A = np.array([0.019818085032596897, -1.2716456259849176, -2.0881603356812284,
                  2.7555445091879367, -0.44095070487016, 0.046656238059358916,
                  -0.0015450426796734852, 7.059980605299618e-05], dtype=x.dtype)
    B = np.array([1.0, 1.4764986709149215, 0.5629177174822436, 0.16990178978793072,
                  0.02291647179034212, 0.0044501504397287525, 0.00017274396122065214,
                  3.953167195549672e-05], dtype=x.dtype)
    return _eval_expint_k(A, B, x)


def _expint3(x):
    A = np.array([-1.3732153758712087, -0.7084559133740839, 1.580806855547941, -0.2601500427425623,
                  0.029946746941137137, -0.001038086040188744, 4.371064420753005e-05,
                  2.141783679522603e-06], dtype=x.dtype)
    B = np.array([1.0, 0.8585231423622028, 0.4483285822873995, 0.07687932158124476,
                  0.024498682410218877, 0.0008832165941927797, 0.00045909522995113536,
                  -4.729848351866523e-06, 2.66519553739071e-06], dtype=x.dtype)
    return _eval_expint_k(A, B, x)


def _expint4(x):
    A = np.array([-2.1069346016919166, 1.7327338696646881, -0.2423619178935842,
                  0.02322724180937566, 0.00023728804404931798, -8.343219561192553e-05,
                  1.3634087956052505e-05, -3.655412321999254e-07, 1.4649417339759612e-08,
                  6.17640786371036e-10], dtype=x.dtype)
    B = np.array([1.0, -0.2298062239901678, 0.11050770414740378, -0.015665429666307924,
                  0.002761106850817353, -0.00020891480122840484, 1.7085289388076754e-05,
                  -4.4593117963566865e-07, 1.3946349303538475e-08, 6.150865933977338e-10],
                  dtype=x.dtype)
    return _eval_expint_k(A, B, x)


def _expint5(x):
    A = np.array([-0.24581193676740204, -0.14833822533220778, 0.07248291795735552,
                  -0.013483156873809405, 0.001342775069788637, -7.942465637159712e-05,
                  2.644179518984236e-06, -4.239473659313765e-08], dtype=x.dtype)
    B = np.array([1.0, -0.10442259084438711, -0.26764531281014026, 0.09695000254621984,
                  -0.01601745692712991, 0.001496414899205908, -8.462452563778485e-05,
                  2.7289384034767266e-06, -4.239462431819542e-08], dtype=x.dtype)
    return _eval_expint_k(A, B, x)


def _expint6(x):
    A = np.array([0.12125611181054567, -0.5823133179043894, 0.2348887314557017,
                  -0.030400343181132484, 0.0015100821468651906, -2.5231370954995714e-05],
                  dtype=x.dtype)
    B = np.array([1.0, -1.002252150365854, 0.2928709694872224, -0.03337004338674008,
                  0.0015605448811273888, -2.5231370936032347e-05], dtype=x.dtype)
    return _eval_expint_k(A, B, x)


def _expint7(x):
    A = np.array([-0.7657847078286127, 0.6886192415566705, -0.2132598113545206,
                  0.033461075523841935, -0.003076541477344756, 0.00017471193164549074,
                  -6.1037116822741705e-06, 1.218032765428652e-07, -1.0860761027932903e-09],
                  dtype=x.dtype)
    B = np.array([1.0, -1.8888028686623086, 1.066691687211409, -0.27519159823063805,
                  0.039308526882338234, -0.003414684558602365, 0.00018668443707035555,
                  -6.345146083130515e-06, 1.239754287483207e-07, -1.0860761027931265e-09],
                  dtype=x.dtype)
    return _eval_expint_k(A, B, x)


def _expi_pos(x):
    conds = [(_c(x, 0) < x) & (x <= _c(x, 2))] + [(_c(x, 2 ** i) < x) & (x <= _c(x, 2 ** (i + 1)))
                                                  for i in range(1, 6)]
    return indexing_routines.piecewise(x, conds, [_expint1, _expint2, _expint3, _expint4, _expint5, _expint6,
                                    _expint7])


def _expi_neg(x):
    return -exp1(-x)


@custom_jvp
def expi(x):
    x_arr, = promote_args_inexact("expi", x)
    if np.issubdtype(x_arr.dtype, np.complexfloating):
        raise errors.value_error("expi does not support complex-valued inputs.")
    return indexing_routines.piecewise(x_arr, [x_arr < 0], [_expi_neg, _expi_pos])


@expi.defjvp
def _expi_jvp(primals, tangents):
    x, = primals
    x_dot, = tangents
    return (expi(x), ew.exp(x) / x * x_dot)


def _expn1(x, n):
    MACHEP = np.finfo(x.dtype).eps
    zero = _c(x, 0.0)
    one = _c(x, 1.0)
    psi = -np.euler_gamma - ew.log(x)
    psi = fori_loop(_c(n, 1), n, lambda i, psi: psi + one / i, psi)
    n1 = ew.where(n == _c(n, 1), one + one, n)
    init = dict(x=x, z=-x, xk=zero, yk=one, pk=one - n,
                ans=ew.where(n == _c(n, 1), zero, one / (one - n1)), t=np.inf)

    def body(d):
        d["xk"] += one
        d["yk"] *= d["z"] / d["xk"]
        d["pk"] += one
        d["ans"] += ew.where(d["pk"] != zero, d["yk"] / d["pk"], zero)
        d["t"] = ew.where(d["ans"] != zero, abs(d["yk"] / d["ans"]), one)
        return d

    def cond(d):
        return (d["x"] > _c(d["x"], 0.0)) & (d["t"] > MACHEP)
    d = while_loop(cond, body, init)
    t = n
    r = n - _c(n, 1)
    return d["z"] ** r * psi / ew.exp(lax.lgamma(t)) - d["ans"]


def _expn2(x, n):
    BIG = _c(x, 1.4411518807585587e+17)
    MACHEP = np.finfo(x.dtype).eps
    zero = _c(x, 0.0)
    one = _c(x, 1.0)
    init = dict(k=_c(n, 1), pkm2=one, qkm2=x, pkm1=one, qkm1=x + n, ans=one / (x + n),
                t=_c(x, np.inf), r=zero, x=x)

    def body(d):
        x = d["x"]
        d["k"] += _c(d["k"], 1)
        k = d["k"]
        odd = k % _c(k, 2) == _c(k, 1)
        yk = ew.where(odd, one, x)
        xk = ew.where(odd, n + (k - _c(k, 1)) / _c(k, 2), k / _c(k, 2))
        pk = d["pkm1"] * yk + d["pkm2"] * xk
        qk = d["qkm1"] * yk + d["qkm2"] * xk
        nz = qk != zero
        d["r"] = r = ew.where(nz, pk / qk, d["r"])
        d["t"] = ew.where(nz, abs((d["ans"] - r) / r), one)
        d["ans"] = ew.where(nz, r, d["ans"])
        d["pkm2"] = d["pkm1"]
        d["pkm1"] = pk
        d["qkm2"] = d["qkm1"]
        d["qkm1"] = qk
        is_big = abs(pk) > BIG
        for s in "pq":
            for i in "12":
                key = s + "km" + i
                d[key] = ew.where(is_big, d[key] / BIG, d[key])
        return d

    def cond(d):
        return (d["x"] > _c(d["k"], 0)) & (d["t"] > MACHEP)
    d = while_loop(cond, body, init)
    return d["ans"] * ew.exp(-x)


def _expn3(x, n):
    one = _c(x, 1.0)
    xk = x + n
    yk = one / (xk * xk)
    t = n
    ans = yk * t * (_c(x, 6) * x * x - _c(x, 8) * t * x + t * t)
    ans = yk * (ans + t * (t - _c(x, 2) * x))
    ans = yk * (ans + t)
    return (ans + one) * ew.exp(-x) / xk


@functools.partial(custom_jvp, nondiff_argnums=(0,))
@vectorize.vectorize
def expn(n, x):
    n, x = promote_args_inexact("expn", n, x)
    if np.issubdtype(x.dtype, np.complexfloating):
        raise errors.value_error("expn does not support complex-valued inputs.")
    zero = _c(x, 0)
    one = _c(x, 1)
    conds = [(n < _c(n, 0)) | (x < zero), (x == zero) & (n < _c(n, 2)),
             (x == zero) & (n >= _c(n, 2)), (n == _c(n, 0)) & (x >= zero), n >= _c(n, 5000),
             x > one]
    n1 = ew.where(n == _c(n, 1), n + n, n)
    vals = [np.nan, np.inf, one / n1, ew.exp(-x) / x, _expn3, _expn2, _expn1]
    ret = indexing_routines.piecewise(x, conds, vals, n=n)
    return ret


@expn.defjvp
def _expn_jvp(n, primals, tangents):
    (x,), (x_dot,) = (primals, tangents)
    return (expn(n, x), lax.mul(lax.neg(x_dot), expn(lax.sub(n, _c(n, 1)), x)))


def exp1(x):
    x, = promote_args_inexact("exp1", x)
    if np.issubdtype(x.dtype, np.complexfloating):
        raise errors.value_error("exp1 does not support complex-valued inputs.")
    return expn(1, x)
