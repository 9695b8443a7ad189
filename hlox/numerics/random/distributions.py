"""JAX's parametric distributions, built on the basic samplers (`samplers`, `gamma`) with
JAX's algorithms, so the same key gives the same samples.

Each public sampler is one row of `_SAMPLERS`: its parameters (JAX's names and defaults),
the kind of dtype it returns and how its default shape is found, and the traced body.
"""
from __future__ import annotations

import inspect
import operator

import numpy as np

from hlox.frontend import dtypes, errors, lax
from hlox.frontend.control_flow import scan, while_loop
from hlox.frontend.jit import eager_jit
from hlox.frontend.windowed_reductions import cumsum
from hlox.numerics.numpy import (array_constructors as arrays, creation, elementwise as ew,
                                 linalg as linalg_ops)
from hlox.numerics.numpy import reductions, shape as shape_ops, tensor_contractions as contractions
from hlox.numerics.numpy._util import broadcast_to
from hlox.numerics.random.arguments import (canonical_shape, check_shape, float_dtype,
                                            promote_inexact, shape_of)
from hlox.numerics.random.gamma import sample_gamma
from hlox.numerics.random.keys import key_data_of
from hlox.numerics.random.samplers import (sample_maxwell, sample_normal, sample_rademacher,
                                           sample_uniform, sample_uniform_exponential)
from hlox.numerics.random.threefry import split_key_data

__all__ = ["binomial", "chisquare", "double_sided_maxwell", "f", "geometric",
           "lognormal", "multinomial", "orthogonal", "pareto", "rayleigh", "t", "triangular",
           "wald", "weibull_min"]


# -- traced bodies (JAX's algorithms, operation for operation) ------------------------
def _as(x, dtype, shape=None):
    x = lax.convert_element_type(x, dtype)
    return x if shape is None else broadcast_to(x, shape)


def _lognormal(key, sigma, shape, dtype):
    return lax.exp(sample_normal(key, shape, dtype) * _as(sigma, dtype))


def _rayleigh(key, scale, shape, dtype):
    u = sample_uniform(key, 0., 1., shape, dtype)
    return lax.mul(_as(scale, dtype, shape), lax.sqrt(lax.mul(lax.log(u), -2.)))


def _pareto(key, b, shape, dtype):
    return lax.exp(sample_uniform_exponential(key, shape, dtype) / _as(b, dtype))


def _weibull_min(key, scale, concentration, shape, dtype):
    u = sample_uniform(key, 0., 1., shape, dtype)
    return ew.power(-ew.log1p(-u), 1.0 / concentration) * scale


def _wald(key, mean, shape, dtype):
    k1, k2 = split_key_data(key)
    mean = _as(mean, dtype, shape)
    v, z = sample_normal(k1, shape, dtype), sample_uniform(k2, 0., 1., shape, dtype)
    y = lax.integer_pow(v, 2)
    mean_sq = lax.integer_pow(mean, 2)
    sqrt_term = lax.sqrt(4 * mean * y + mean_sq * lax.integer_pow(y, 2))
    x = mean + mean_sq * y / 2 - mean / 2 * sqrt_term
    return lax.select(lax.le(z, mean / (mean + x)), x, mean_sq / x)


def _triangular(key, left, mode, right, shape, dtype):
    left, mode, right = (_as(x, dtype, shape) for x in (left, mode, right))
    u = sample_uniform(key, 0., 1., shape, dtype)
    out1 = left + lax.sqrt(u * (right - left) * (mode - left))
    out2 = right - lax.sqrt((1 - u) * (right - left) * (right - mode))
    return lax.select(u < (mode - left) / (right - left), out1, out2)


def _t(key, df, shape, dtype):
    key_n, key_g = split_key_data(key)
    n = sample_normal(key_n, shape, dtype)
    half_df = lax.div(_as(df, dtype), 2.)
    return n * ew.sqrt(half_df / sample_gamma(key_g, half_df, shape, dtype, False))


def _chisquare(key, df, shape, dtype):
    half_df = lax.div(_as(df, dtype), 2.)
    return lax.mul(ew.exp(sample_gamma(key, half_df, shape, dtype, True)), 2.)


def _f(key, dfnum, dfden, shape, dtype):
    dfnum, dfden = _as(dfnum, dtype), _as(dfden, dtype)
    key_dfd, key_dfn = split_key_data(key)
    num = ew.divide(_chisquare(key_dfn, dfnum, shape, dtype), dfnum)
    return ew.divide(num, ew.divide(_chisquare(key_dfd, dfden, shape, dtype), dfden))


def _geometric(key, p, shape, dtype):
    (p,) = promote_inexact(p)
    u = sample_uniform(key, 0., 1., shape, p.dtype)
    log_u = lax.log(ew.where(u == 0, 1, u))
    log_one_minus_p = broadcast_to(lax.log1p(-p), shape)
    return (lax.floor(lax.div(log_u, log_one_minus_p)) + 1).astype(dtype)


def _double_sided_maxwell(key, loc, scale, shape, dtype):
    params_shape = np.broadcast_shapes(shape_of(loc), shape_of(scale))
    shape = (shape or params_shape) + params_shape  # JAX appends the parameters' shape
    maxwell_key, rademacher_key = split_key_data(key)
    maxwell_rvs = sample_maxwell(maxwell_key, shape, dtype)
    return sample_rademacher(rademacher_key, shape, dtype) * maxwell_rvs * scale + loc


def _orthogonal(key, shape, dtype, n, m):
    z = sample_normal(key, (*shape, max(n, m), min(n, m)), dtype)
    q, r = linalg_ops.qr(z)
    x = q * shape_ops.expand_dims(ew.sign(contractions.diagonal(r, axis1=-2, axis2=-1)), -2)
    return shape_ops.swapaxes(x, -1, -2) if n < m else x


# -- binomial (inversion below n*p = 10, BTRS above: JAX's and TensorFlow's choice) ----
_STIRLING_TAIL = (0.0810614667953272, 0.0413406959554092, 0.0276779256849983,
                  0.02079067210376509, 0.0166446911898211, 0.0138761288230707,
                  0.0118967099458917, 0.0104112652619720, 0.00925546218271273,
                  0.00833056343336287)


def _stirling_approx_tail(k):
    table = arrays.array(_STIRLING_TAIL, dtype=k.dtype)
    use_table = k <= 9
    k = lax.clamp(lax.full((), 0, k.dtype), k, lax.full((), 9, k.dtype))
    kp1sq = (k + 1) * (k + 1)
    approx = (1.0 / 12 - (1.0 / 360 - 1.0 / 1260 / kp1sq) / kp1sq) / (k + 1)
    return lax.select(use_table, table[arrays.asarray(ew.floor(k), dtype="int32")], approx)


def _binomial_inversion(key, count, prob, shape, dtype, max_iters):
    log1minusprob = ew.log1p(-prob)

    def body_fn(carry):
        i, num_geom, geom_sum, key = carry
        subkey, key = split_key_data(key)
        num_geom_out = lax.select(geom_sum <= count, num_geom + 1, num_geom)
        geom = ew.ceil(ew.log(sample_uniform(subkey, 0., 1., shape, prob.dtype)) / log1minusprob)
        return i + 1, num_geom_out, geom_sum + geom, key

    def cond_fn(carry):
        return reductions.any(carry[2] <= count) & (carry[0] < max_iters)

    zeros = lax.full(shape, 0, prob.dtype)
    k = while_loop(cond_fn, body_fn, (arrays.asarray(0), zeros, zeros, key))[1]
    return (k - 1).astype(dtype)


def _btrs(key, count, prob, shape, dtype, max_iters):
    """Hormann's transformed rejection with squeeze (BTRS)."""
    stddev = ew.sqrt(count * prob * (1 - prob))
    b = 1.15 + 2.53 * stddev
    a = -0.0873 + 0.0248 * b + 0.01 * prob
    c = count * prob + 0.5
    v_r = 0.92 - 4.2 / b
    r = prob / (1 - prob)
    alpha = (2.83 + 5.1 / b) * stddev
    m = ew.floor((count + 1) * prob)

    def body_fn(carry):
        i, k_out, accepted, key = carry
        key, subkey_0, subkey_1 = split_key_data(key, (3,))
        u = sample_uniform(subkey_0, 0., 1., shape, prob.dtype) - 0.5
        v = sample_uniform(subkey_1, 0., 1., shape, prob.dtype)
        us = 0.5 - ew.abs(u)
        accept1 = (us >= 0.07) & (v <= v_r)
        k = ew.floor((2 * a / us + b) * u + c)
        reject = (k < 0) | (k > count)
        v = ew.log(v * alpha / (a / (us * us) + b))
        ub = ((m + 0.5) * ew.log((m + 1) / (r * (count - m + 1)))
              + (count + 1) * ew.log((count - m + 1) / (count - k + 1))
              + (k + 0.5) * ew.log(r * (count - k + 1) / (k + 1))
              + _stirling_approx_tail(m) + _stirling_approx_tail(count - m)
              - _stirling_approx_tail(k) - _stirling_approx_tail(count - k))
        accept = accept1 | (~reject & (v <= ub))
        return i + 1, lax.select(accept, k, k_out), accepted | accept, key

    def cond_fn(carry):
        return reductions.any(~carry[2]) & (carry[0] < max_iters)

    init = (arrays.asarray(0), lax.full(shape, -1, prob.dtype), creation.full(shape, False), key)
    return while_loop(cond_fn, body_fn, init)[1].astype(dtype)


def _binomial(key, count, prob, shape, dtype):
    (prob,) = promote_inexact(prob)
    count = broadcast_to(lax.convert_element_type(count, prob.dtype), shape)
    prob = broadcast_to(prob, shape)
    p_lt_half = prob < 0.5
    q = lax.select(p_lt_half, prob, 1.0 - prob)
    count_nan_or_neg = ew.isnan(count) | (count < 0.0)
    count_inf = ew.isinf(count)
    q_is_nan, q_l_0 = ew.isnan(q), q < 0.0
    q = lax.select(q_is_nan | q_l_0, lax.full_like(q, 0.01), q)
    use_inversion = count_nan_or_neg | (count * q <= 10.0)
    count = ew.floor(count)
    count_inv = lax.select(use_inversion, count, lax.full_like(count, 0.0))
    count_btrs = lax.select(use_inversion, lax.full_like(count, 1e4), count)
    q_btrs = lax.select(use_inversion, lax.full_like(q, 0.5), q)
    max_iters = dtype.type(dtypes.finfo(dtype).max)
    samples = lax.select(use_inversion,
                         _binomial_inversion(key, count_inv, q, shape, dtype, max_iters),
                         _btrs(key, count_btrs, q_btrs, shape, dtype, max_iters))
    invalid = q_l_0 | q_is_nan | count_nan_or_neg
    samples = lax.select(invalid, creation.full_like(samples, np.nan, dtype), samples)
    samples = lax.select(count_inf & ~invalid, creation.full_like(samples, np.inf, dtype), samples)
    return lax.select(p_lt_half | count_nan_or_neg | q_is_nan | count_inf, samples,
                      count.astype(dtype) - samples)


def _multinomial(key, n, p, shape, dtype, unroll):
    n, p = promote_inexact(n, p)
    n, p = broadcast_to(n, shape[:-1]), shape_ops.moveaxis(broadcast_to(p, shape), -1, 0)

    def step(remainder, ratio_key):
        ratio, key = ratio_key
        count = _binomial(key, remainder, ratio.clip(0, 1), remainder.shape, remainder.dtype)
        return remainder - count, count

    remaining = cumsum(p, 0, reverse=True)
    ratios = p / ew.where(remaining == 0, 1, remaining)
    keys = split_key_data(key, (ratios.shape[0],))
    _, counts = scan(step, n, (ratios, keys), unroll=unroll)
    return shape_ops.moveaxis(counts, 0, -1).astype(dtype)


# -- the public samplers --------------------------------------------------------------
_FLOAT, _INEXACT, _INT = "float", "inexact", "int"
_REQUIRED = inspect.Parameter.empty


def _check_dtype(name, dtype, kind):
    if kind == _INT:
        dtype = dtypes.canonicalize(dtypes.to_dtype(int if dtype is None else dtype))
        if not dtypes.is_integer(dtype):
            raise errors.value_error(f"dtype argument to `{name}` must be an int dtype, "
                                     f"got {dtype}")
        return dtype
    if kind == _INEXACT:
        return float_dtype(name, dtype, (np.inexact,), "a float or complex")
    return float_dtype(name, dtype)


def _broadcast_shape(name, shape, params):
    """JAX's default shape: the parameters' broadcast shape, else checked against them."""
    param_shapes = [shape_of(p) for p in params]
    if shape is None:
        return np.broadcast_shapes(*param_shapes) if param_shapes else ()
    shape = canonical_shape(shape)
    check_shape(name, shape, *param_shapes)
    return shape


def _plain_shape(name, shape, params):
    return canonical_shape(shape)


# name: (body, parameters with defaults, dtype kind, shape default, shape rule)
_SAMPLERS = {
    "lognormal": (_lognormal, {"sigma": np.float32(1.0)}, _INEXACT, None, _broadcast_shape),
    "rayleigh": (_rayleigh, {"scale": _REQUIRED}, _FLOAT, None, _broadcast_shape),
    "pareto": (_pareto, {"b": _REQUIRED}, _FLOAT, None, _broadcast_shape),
    "wald": (_wald, {"mean": _REQUIRED}, _FLOAT, None, _broadcast_shape),
    "triangular": (_triangular, dict.fromkeys(("left", "mode", "right"), _REQUIRED), _FLOAT,
                   None, _broadcast_shape),
    "t": (_t, {"df": _REQUIRED}, _FLOAT, None, _broadcast_shape),
    "chisquare": (_chisquare, {"df": _REQUIRED}, _FLOAT, None, _broadcast_shape),
    "f": (_f, dict.fromkeys(("dfnum", "dfden"), _REQUIRED), _FLOAT, None, _broadcast_shape),
    "geometric": (_geometric, {"p": _REQUIRED}, _INT, None, _broadcast_shape),
    "binomial": (_binomial, dict.fromkeys(("n", "p"), _REQUIRED), _FLOAT, None,
                 _broadcast_shape),
    "weibull_min": (_weibull_min, dict.fromkeys(("scale", "concentration"), _REQUIRED),
                    _FLOAT, (), _plain_shape),
    "double_sided_maxwell": (_double_sided_maxwell, dict.fromkeys(("loc", "scale"), _REQUIRED),
                             _FLOAT, (), _plain_shape),
}


def _signature(params, shape_default):
    kind = inspect.Parameter.POSITIONAL_OR_KEYWORD
    return inspect.Signature(
        [inspect.Parameter("key", kind)]
        + [inspect.Parameter(p, kind, default=d) for p, d in params.items()]
        + [inspect.Parameter("shape", kind, default=shape_default),
           inspect.Parameter("dtype", kind, default=None)])


def _make_sampler(name, body, params, kind, shape_default, shape_rule):
    jitted = eager_jit(body, static_argnames=("shape", "dtype"))
    signature = _signature(params, shape_default)

    def sampler(*args, **kwargs):
        bound = signature.bind(*args, **kwargs)
        bound.apply_defaults()
        values = [bound.arguments[p] for p in params]
        data, _ = key_data_of(name, bound.arguments["key"])
        dtype = _check_dtype(name, bound.arguments["dtype"], kind)
        shape = shape_rule(name, bound.arguments["shape"], values)
        return jitted(data, *values, shape=shape, dtype=dtype)
    sampler.__name__ = sampler.__qualname__ = name
    sampler.__signature__ = signature
    sampler.__doc__ = f"Samples of the {name} distribution (JAX's algorithm)."
    return sampler


globals().update({name: _make_sampler(name, *row) for name, row in _SAMPLERS.items()})


_orthogonal_jit = eager_jit(_orthogonal, static_argnames=("shape", "dtype", "n", "m"))


def orthogonal(key, n, shape=(), dtype=None, m=None):
    """Haar-random (semi-)orthogonal or unitary matrices of shape (*shape, n, m)."""
    data, _ = key_data_of("orthogonal", key)
    n = operator.index(n)
    m = n if m is None else operator.index(m)
    return _orthogonal_jit(data, shape=canonical_shape(shape), n=n, m=m,
                           dtype=float_dtype("orthogonal", dtype, (np.inexact,),
                                             "a float or complex"))


_multinomial_jit = eager_jit(_multinomial, static_argnames=("shape", "dtype", "unroll"))


def multinomial(key, n, p, *, shape=None, dtype=None, unroll=1):
    """Counts of n draws over the outcomes on p's last axis (binomials in sequence)."""
    data, _ = key_data_of("multinomial", key)
    dtype = float_dtype("multinomial", dtype)
    shape = shape_of(p) if shape is None else canonical_shape(shape)
    if not shape:
        raise errors.value_error("multinomial requires p with at least one dimension")
    return _multinomial_jit(data, n, p, shape=shape, dtype=dtype, unroll=unroll)

