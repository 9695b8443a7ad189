"""`hlox.numerics.scipy.special`: jax.scipy.special's functions, written as JAX writes them (same
algorithms, constants, branch selection and custom derivatives) so values, dtypes and weak types
agree."""
from __future__ import annotations

import operator

import numpy as np

from hlox.frontend import dtypes, errors, lax, lax_special
from hlox.frontend.custom_derivatives import custom_jvp
from hlox.frontend.jit import eager_jit
from hlox.numerics.normalizations import log_softmax as nn_log_softmax
from hlox.numerics.normalizations import softmax as nn_softmax
from hlox.numerics.numpy import (array_constructors as arrays, creation, elementwise as ew,
                                 indexing_routines)
from hlox.numerics.numpy import polynomial as poly, reductions, shape as shape_ops
from hlox.numerics.numpy._util import promote_args_inexact
from hlox.numerics.scipy._expint import exp1, expi, expn
from hlox.numerics.scipy._hypergeometric import hyp1f1
from hlox.numerics.scipy._sici import sici
from hlox.numerics.scipy.arguments import float32_or_64, inexact_unary, real_only, const
from hlox.numerics.scipy.gamma_functions import (beta, betainc, betaln, comb, digamma, factorial,
                                                 gamma, gammainc, gammaincc, gammaln, gammasgn,
                                                 loggamma, multigammaln, poch)
from hlox.numerics.logsumexp import logsumexp
from hlox.transforms.autodiff import jvp

__all__ = ["bernoulli", "beta", "betainc", "betaln", "boxcox", "boxcox1p", "comb", "digamma",
           "dawsn", "entr", "erf", "erfc", "erfcx", "erfinv", "exp1", "expi", "expit", "expn",
           "factorial", "gamma", "gammainc", "gammaincc", "gammaln", "gammasgn", "hyp1f1", "i0",
           "i0e", "i1", "i1e", "kl_div", "log_ndtr", "log_softmax", "loggamma", "logit",
           "logsumexp", "multigammaln", "ndtr", "ndtri", "poch", "polygamma", "rel_entr",
           "sici", "softmax", "spence", "xlog1py", "xlogy", "zeta"]


_ELEMENTWISE = {
    "expit": lax.logistic, "erf": lax.erf, "erfc": lax.erfc, "erfinv": lax.erf_inv,
}
globals().update({name: inexact_unary(name, fn) for name, fn in _ELEMENTWISE.items()})


@custom_jvp
def logit(x):
    (x,) = promote_args_inexact("logit", x)
    return lax.log(lax.div(x, lax.sub(lax.full_like(x, 1), x)))


logit.defjvps(lambda g, ans, x: lax.div(g, lax.mul(x, lax.sub(lax.full_like(x, 1), x))))


# -- x log y and entropies ------------------------------------------------------------------------
def _x_log(name, log, dlog):
    @custom_jvp
    def fn(x, y):
        x, y = promote_args_inexact(name, x, y)
        x_ok = x != 0.0
        return ew.where(x_ok | ew.isnan(y), lax.mul(x, log(y)), creation.zeros_like(x))

    @fn.defjvp
    def _jvp(primals, tangents):
        (x, y), (x_dot, y_dot) = primals, tangents
        result = fn(x, y)
        return result, (x_dot * log(y) + y_dot * x / dlog(y)).astype(result.dtype)
    fn.__name__ = name
    return fn


xlogy = _x_log("xlogy", lax.log, lambda y: y)
xlog1py = _x_log("xlog1py", lax.log1p, lambda y: 1 + y)


@custom_jvp
def _xlogx(x):
    return xlogy(x, x)


_xlogx.defjvp(lambda primals, tangents: (_xlogx(primals[0]),
                                         tangents[0] * (lax.log(primals[0]) + 1)))


def entr(x):
    (x,) = real_only("entr", x)
    return lax.select(lax.lt(x, const(x, 0)), lax.full_like(x, -np.inf), lax.neg(_xlogx(x)))


def rel_entr(p, q):
    p, q = real_only("rel_entr", p, q)
    zero = const(p, 0.0)
    both_gt_zero = lax.bitwise_and(lax.gt(p, zero), lax.gt(q, zero))
    one_zero = lax.bitwise_and(lax.eq(p, zero), lax.ge(q, zero))
    safe_p, safe_q = ew.where(both_gt_zero, p, 1), ew.where(both_gt_zero, q, 1)
    log_val = lax.sub(_xlogx(safe_p), xlogy(safe_p, safe_q))
    return ew.where(both_gt_zero, log_val, ew.where(one_zero, zero, np.inf))


def kl_div(p, q):
    p, q = real_only("kl_div", p, q)
    return rel_entr(p, q) - p + q


def _boxcox(name, log):
    def fn(x, lmbda):
        x, lmbda = promote_args_inexact(name, x, lmbda)
        lmbda_is_zero = lmbda == 0
        safe_lmbda = ew.where(lmbda_is_zero, creation.ones_like(lmbda), lmbda)
        log_x = log(x)
        return ew.where(lmbda_is_zero, log_x, ew.expm1(safe_lmbda * log_x) / safe_lmbda)
    fn.__name__ = name
    return fn


boxcox, boxcox1p = _boxcox("boxcox", ew.log), _boxcox("boxcox1p", ew.log1p)


# -- the normal distribution ----------------------------------------------------------------------
def ndtr(x):
    return _ndtr(float32_or_64("ndtr", x))


def _ndtr(x):
    dtype = x.dtype.type
    half_sqrt_2 = dtype(0.5) * np.sqrt(2.0, dtype=dtype)
    w = x * half_sqrt_2
    z = lax.abs(w)
    y = lax.select(lax.lt(z, half_sqrt_2), dtype(1.0) + lax.erf(w),
                   lax.select(lax.gt(w, dtype(0.0)), dtype(2.0) - lax.erfc(z), lax.erfc(z)))
    return dtype(0.5) * y


_NDTRI = {  # Cephes' rational approximations for ndtri
    "p0": [-59.96335010141079, 98.00107541859997, -56.67628574690703, 13.931260938727968,
           -1.2391658386738125],
    "q0": [1.0, 1.9544885833814176, 4.676279128988815, 86.36024213908905, -225.46268785411937,
           200.26021238006066, -82.03722561683334, 15.90562251262117, -1.1833162112133],
    "p1": [4.0554489230596245, 31.525109459989388, 57.16281922464213, 44.08050738932008,
           14.684956192885803, 2.1866330685079025, -0.1402560791713545, -0.03504246268278482,
           -0.0008574567851546854],
    "q1": [1.0, 15.779988325646675, 45.39076351288792, 41.3172038254672, 15.04253856929075,
           2.504649462083094, -0.14218292285478779, -0.03808064076915783,
           -0.0009332594808954574],
    "p2": [3.2377489177694603, 6.915228890689842, 3.9388102529247444, 1.3330346081580755,
           0.20148538954917908, 0.012371663481782003, 0.00030158155350823543,
           2.6580697468673755e-06, 6.239745391849833e-09],
    "q2": [1.0, 6.02427039364742, 3.6798356385616087, 1.3770209948908132, 0.21623699359449663,
           0.013420400608854318, 0.00032801446468212774, 2.8924786474538068e-06,
           6.790194080099813e-09],
}


def ndtri(p):
    p = float32_or_64("ndtri", p)
    dtype = p.dtype.type
    c = {k: np.array(v, dtype=dtype) for k, v in _NDTRI.items()}
    complement = ew.where(p > dtype(-np.expm1(-2.0)), dtype(1.0) - p, p)
    mcp = ew.where(complement == dtype(0.0), creation.full(p.shape, dtype(0.5)), complement)
    w = mcp - dtype(0.5)
    ww = lax.square(w)
    x_big_p = w + w * ww * (poly.polyval(c["p0"], ww) / poly.polyval(c["q0"], ww))
    x_big_p = x_big_p * -dtype(np.sqrt(2.0 * np.pi))
    z = lax.sqrt(dtype(-2.0) * lax.log(mcp))
    first = z - lax.log(z) / z
    x_small_p = first - poly.polyval(c["p2"], 1 / z) / poly.polyval(c["q2"], 1 / z) / z
    x_otherwise = first - poly.polyval(c["p1"], 1 / z) / poly.polyval(c["q1"], 1 / z) / z
    x = ew.where(mcp > dtype(np.exp(-2.0)), x_big_p,
                  ew.where(z >= dtype(8.0), x_small_p, x_otherwise))
    x = ew.where(p > dtype(1.0 - np.exp(-2.0)), x, -x)
    infinity = creation.full(p.shape, dtype(np.inf))
    return ew.where(p == dtype(0.0), -infinity, ew.where(p == dtype(1.0), infinity, x))


_LOG_NDTR_SEGMENTS = {np.dtype(np.float64): (np.array(-20, np.float64), np.array(8, np.float64)),
                      np.dtype(np.float32): (np.array(-10, np.float32), np.array(5, np.float32))}


def _log_ndtr_checked(x, series_order):
    if not isinstance(series_order, int):
        raise errors.type_error("series_order must be a Python integer.")
    if series_order < 0:
        raise errors.value_error("series_order must be non-negative.")
    if series_order > 30:
        raise errors.value_error("series_order must be <= 30.")
    x = arrays.asarray(x)
    if x.dtype not in _LOG_NDTR_SEGMENTS:
        raise errors.type_error(f"x.dtype={x.dtype} is not supported.")
    return _log_ndtr(x, series_order)


def _log_ndtr_value(x, series_order):
    lower, upper = _LOG_NDTR_SEGMENTS[x.dtype]
    above = lax.gt(x, upper)
    ndtr_res = _ndtr(ew.where(above, -x, lax.max(x, lower)))
    return ew.where(above, -ndtr_res,
                     ew.where(lax.gt(x, lower), lax.log(ndtr_res),
                               _log_ndtr_lower(lax.min(x, lower), series_order)))


def _log_ndtr_lower(x, series_order):
    dtype = x.dtype.type
    log_scale = -dtype(0.5) * lax.square(x) - lax.log(-x) - dtype(0.5 * np.log(2.0 * np.pi))
    return log_scale + lax.log(_log_ndtr_asymptotic_series(x, series_order))


def _log_ndtr_asymptotic_series(x, series_order):
    dtype = x.dtype.type
    if series_order <= 0:
        return np.array(1, dtype)
    x_2 = lax.square(x)
    sums = [creation.zeros_like(x), creation.zeros_like(x)]  # even, odd
    x_2n = x_2
    for n in range(1, series_order + 1):
        sums[n % 2] = sums[n % 2] + np.array(np.prod(np.arange(2 * n - 1, 1, -2)), dtype) / x_2n
        x_2n = x_2n * x_2
    return dtype(1.0) + sums[0] - sums[1]


def _norm_logpdf(x):
    return lax.sub(lax.mul(lax.full_like(x, -0.5), lax.square(x)),
                   lax.full_like(x, np.log(np.sqrt(2 * np.pi))))


def log_ndtr(x, series_order=3):
    return _log_ndtr_checked(x, series_order)


def _log_ndtr(x, series_order):
    return _LOG_NDTR_BY_ORDER.setdefault(series_order, _log_ndtr_of_order(series_order))(x)


def _log_ndtr_of_order(series_order):
    @custom_jvp
    def fn(x):
        return _log_ndtr_value(x, series_order)

    @fn.defjvp
    def _jvp(primals, tangents):
        (x,), (t,) = primals, tangents
        ans = fn(x)
        return ans, lax.mul(t, lax.exp(lax.sub(_norm_logpdf(x), ans)))
    return fn


_LOG_NDTR_BY_ORDER = {}


# -- polygamma and zeta ---------------------------------------------------------------------------
@custom_jvp
def _polygamma(n, x):
    return lax.polygamma(n, x)


_polygamma.defjvps(None, lambda g, ans, n, x: g * _polygamma(n + 1, x))


def polygamma(n, x):
    if not np.issubdtype(dtypes.result_type(n), np.integer):
        raise errors.value_error(f"Argument `n` to polygamma must be of integer type. Got dtype "
                                 f"{dtypes.result_type(n)}.")
    n, x = real_only("polygamma", n, x)
    return _polygamma(n, x)


# Bernoulli numbers B_{2k} divided into (2k)!, the Euler-Maclaurin terms of zeta's expansion
_BERNOULLI_COEFS = np.array([
    12, -720, 30240, -1209600, 47900160, -1307674368000 / 691, 74724249600,
    -10670622842880000 / 3617, 5109094217170944000 / 43867, -802857662698291200000 / 174611,
    14101100039391805440000 / 77683, -1693824136731743669452800000 / 236364091,
    186134520519971831808000000 / 657931, -37893265687455865519472640000000 / 3392780147,
    759790291646040068357842010112000000 / 1723168255201,
    -134196726836183700385281186201600000000 / 7709321041217])


def _zeta_series_expansion(s, a):
    """Hurwitz zeta by Euler-Maclaurin summation: what JAX differentiates for zeta's JVP."""
    dtype = a.dtype.type
    s_, a_ = shape_ops.expand_dims(s, -1), shape_ops.expand_dims(a, -1)
    n = m = dtype(8) if a.dtype == np.float32 else dtype(16)
    k = shape_ops.expand_dims(np.arange(n, dtype=n.dtype), tuple(range(a.ndim)))
    total = reductions.sum((a_ + k) ** (-s_), -1)
    integral = lax.div((a + n) ** (dtype(1) - s), s - dtype(1))
    t0 = (a + n) ** (-s)
    mm = shape_ops.expand_dims(np.arange(2 * m, dtype=m.dtype), tuple(range(s.ndim)))
    t1 = reductions.cumprod((s_ + mm) / (a_ + n), -1)[..., ::2]
    t1 = ew.clip(t1, max=np.finfo(dtype).max)
    coefs = np.expand_dims(np.array(_BERNOULLI_COEFS[:t1.shape[-1]], dtype=dtype),
                           tuple(range(a.ndim)))
    return total + integral + t0 * (dtype(0.5) + (t1 / coefs).sum(-1))


@custom_jvp
def _zeta(x, q):
    return lax.zeta(x, q)


@_zeta.defjvp
def _zeta_jvp(primals, tangents):
    return _zeta(*primals), jvp(_zeta_series_expansion, primals, tangents)[1]


def zeta(x, q=None):
    if q is None:
        raise NotImplementedError("Riemann zeta function not implemented; pass q != None to "
                                  "compute the Hurwitz Zeta function.")
    x, q = promote_args_inexact("zeta", x, q)
    return _zeta(x, q)


# -- Bessel functions -----------------------------------------------------------------------------
def _bessel(name, fn, scaled):
    def wrapped(x):
        (x,) = promote_args_inexact(name, x)
        return fn(x) if scaled else lax.mul(lax.exp(lax.abs(x)), fn(x))
    wrapped.__name__ = name
    return wrapped


i0e = _bessel("i0e", lax_special.bessel_i0e, True)
i0 = _bessel("i0", lax_special.bessel_i0e, False)
i1e = _bessel("i1e", lax_special.bessel_i1e, True)
i1 = _bessel("i1", lax_special.bessel_i1e, False)


# -- erfcx and Dawson's integral ------------------------------------------------------------------
def _in_float32_unless_wide(impl):
    def wrapped(x):
        if x.dtype in (np.float32, np.float64):
            return impl(x)
        return impl(x.astype(np.float32)).astype(x.dtype)
    return wrapped


def erfcx(x):
    (x,) = real_only("erfcx", x)
    return _erfcx(x)


@custom_jvp
def _erfcx(x):
    return _in_float32_unless_wide(
        lambda x: _erfcx_impl(x, 9 if x.dtype == np.float64 else 5))(x)


_erfcx.defjvps(lambda g, ans, x: g * (2 * x * ans - const(x, 2.0 / np.sqrt(np.pi))))


def _erfcx_impl(x, nterms):
    coeffs = [7918.06640625, -1055.7421875, 162.421875, -29.53125, 6.5625, -1.875, 0.75, -0.5,
              1.0]
    large = x > const(x, np.sqrt(np.log(np.finfo(x.dtype).max)))
    safe_x = lax.select(large, lax.full_like(x, 1.0), x)
    direct = lax.exp(lax.square(safe_x)) * lax.erfc(safe_x)
    t = const(x, 1.0) / lax.square(x)
    asymptotic = (poly.polyval(np.array(coeffs[-nterms:], dtype=x.dtype), t)
                  / (x * const(x, np.sqrt(np.pi))))
    return lax.select(large, asymptotic, direct)


_DAWSN = {  # Cephes' rational approximations on [0, 3.25), [3.25, 6.25), [6.25, inf)
    "AN": [1.1368149897175597e-11, 8.492622676674738e-10, 1.9443420417555306e-08,
           9.531517412544844e-07, 3.078283098749132e-06, 0.00035251336852028877,
           -0.0008501498467244109, 0.04226182230055466, -0.09174803717734524, 1.0],
    "AD": [2.403720730667626e-11, 1.488646813684934e-09, 5.212652810105416e-08,
           1.2725847827318697e-06, 2.324902498207895e-05, 0.00032552474182605793,
           0.003488058146571626, 0.027944853119882897, 0.15887424196012057, 0.5749186294893204,
           1.0],
    "BN": [0.5089551564179009, -0.24475441814269785, 0.09415123353035344, -0.021871125514203903,
           0.003662076123295692, -0.0004232091144603888, 3.5964130479389666e-05,
           -2.1464035171996896e-06, 9.100107800763914e-08, -2.4027452082825098e-09,
           3.592333854409284e-11],
    "BD": [1.0, -0.6318398698733682, 0.2367067882282487, -0.053180636700322324,
           0.008480417185862954, -0.0009479967684866654, 7.810255929445524e-05,
           -4.558751532524426e-06, 1.8910035811142186e-07, -4.913246913319206e-09,
           7.184664032357345e-11],
    "CN": [-0.5905928605347732, 0.6292352427243688, -0.17285897538038814, 0.016483704782518965,
           -0.0004868276130204627],
    "CD": [1.0, -2.698200571975449, 1.7327079904594784, -0.3937085822819395,
           0.03442789240412334, -0.0009736552260409412],
}


def dawsn(x):
    (x,) = real_only("dawsn", x)
    return _dawsn(x)


@custom_jvp
def _dawsn(x):
    return _in_float32_unless_wide(_dawsn_impl)(x)


_dawsn.defjvps(lambda g, ans, x: g * (const(x, 1.0) - const(x, 2.0) * x * ans))


def _dawsn_impl(x):
    c = {k: np.array(v, dtype=x.dtype) for k, v in _DAWSN.items()}
    sign, ax = ew.sign(x), lax.abs(x)
    t = const(x, 1.0) / lax.square(ax)
    one = lax.full_like(ax, 1.0)
    r1 = ax < const(x, 3.25)
    r2 = (ax >= const(x, 3.25)) & (ax < const(x, 6.25))
    r3 = ax >= const(x, 6.25)
    ax1 = lax.select(r1, ax, one)
    val1 = ax1 * poly.polyval(c["AN"], lax.square(ax1)) / poly.polyval(c["AD"], lax.square(ax1))

    def tail(region, num, den):
        safe_t, safe_ax = lax.select(region, t, one), lax.select(region, ax, one)
        return const(x, 0.5) / safe_ax * (const(x, 1.0) + safe_t * poly.polyval(c[num], safe_t)
                                          / poly.polyval(c[den], safe_t))
    result = lax.select(r1, val1, lax.select(ax < const(x, 6.25), tail(r2, "BN", "BD"),
                                             tail(r3, "CN", "CD")))
    return sign * result


# -- spence, bernoulli ----------------------------------------------------------------------------
def _spence_calc(x):
    a = arrays.array([4.6512858607399003e-05, 0.007315890452380947, 0.13384763957830903,
                   0.8796913117545303, 2.7114985119655346, 4.256971560081218, 3.297713409852251,
                   1.0], dtype=x.dtype)
    b = arrays.array([0.0006909904889125533, 0.02540437639325444, 0.2829748606025681,
                   1.4117259775183106, 3.6380053334513707, 5.03278880143317, 3.547713409852251,
                   1.0], dtype=x.dtype)
    x2_bool = x > 2.0
    x = indexing_routines.piecewise(x, [x2_bool], [lambda x: 1.0 / x, lambda x: x])
    x1_5_bool, x_5_bool = x > 1.5, x < 0.5
    x2_bool = x2_bool | x1_5_bool
    w = indexing_routines.piecewise(x, [x1_5_bool, x_5_bool],
                      [lambda x: 1.0 / x - 1.0, lambda x: -x, lambda x: x - 1.0])
    y = -w * poly.polyval(a, w) / poly.polyval(b, w)
    y = ew.where(x_5_bool, np.pi ** 2 / 6.0 - ew.log(x) * ew.log(1.0 - x) - y, y)
    return ew.where(x2_bool, -0.5 * ew.log(x) ** 2 - y, y)


def spence(x):
    x = float32_or_64("spence", x)
    return indexing_routines.piecewise(x, [x < 0.0, x == 1.0, x == 0.0], [np.nan, 0, np.pi ** 2 / 6,
                                                           _spence_calc])


def bernoulli(n):
    try:
        n = operator.index(n)
    except TypeError:
        raise errors.type_error("Argument n of bernoulli must be a concrete integer") from None
    if n < 0:
        raise errors.value_error("n must be a non-negative integer.")
    b3 = arrays.array([1, -1 / 2, 1 / 6])
    if n < 3:
        return b3[:n + 1]
    bn = creation.zeros(n + 1).at[:3].set(b3)
    m = creation.arange(4, n + 1, 2, dtype=bn.dtype)
    q1 = 1.0 / np.pi ** 2 * reductions.cumprod(-(m - 1) * m / 4 / np.pi ** 2)
    k = creation.arange(2, 50, dtype=bn.dtype)
    q2 = reductions.sum(k[:, None] ** (-m[None, :]), axis=0)
    return bn.at[4::2].set(q1 * (1 + q2))


# -- softmax --------------------------------------------------------------------------------------
def softmax(x, /, *, axis=None):
    return nn_softmax(x, axis=axis)


def log_softmax(x, /, *, axis=None):
    return nn_log_softmax(x, axis=axis)


# Eager calls run each function as one compiled program (JAX jit-compiles many of these too);
# the named arguments are Python values that select the program.
_STATIC_ARGNAMES = {"multigammaln": ("d",), "bernoulli": ("n",), "log_ndtr": ("series_order",),
                    "factorial": ("exact",), "comb": ("repetition",), "softmax": ("axis",),
                    "log_softmax": ("axis",)}
globals().update({name: eager_jit(globals()[name], static_argnames=_STATIC_ARGNAMES.get(name, ()))
                  for name in __all__ if name not in ("logsumexp",)})
