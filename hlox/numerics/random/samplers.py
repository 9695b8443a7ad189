"""The basic samplers: random bits, uniform and normal floats and the distributions that
are a transform of a few of them. Floats come from the mantissa trick: random bits under the
exponent of 1.0 give a float in [1, 2), minus 1. Each sampler runs through `eager_jit`, so a
loop of eager calls compiles once per shape and dtype.
"""
from __future__ import annotations

import numpy as np

from hlox.frontend import dtypes, errors, lax
from hlox.frontend.jit import eager_jit
from hlox.numerics.numpy import (elementwise as ew, linalg as linalg_ops,
                                 tensor_contractions as contractions)
from hlox.numerics.random.arguments import (canonical_shape, check_shape, float_dtype,
                                            optional_shape, promote_inexact, shape_of)
from hlox.numerics.random.keys import key_data_of
from hlox.numerics.random.threefry import UINT, random_bits, split_key_data

__all__ = ["bernoulli", "bits", "cauchy", "exponential", "gumbel", "laplace", "logistic",
           "maxwell", "multivariate_normal", "normal", "rademacher", "truncated_normal",
           "uniform"]


def bits(key, shape=(), dtype=None):
    """Uniform random bits as unsigned integers."""
    data, _ = key_data_of("bits", key)
    dtype = dtypes.canonicalize(dtypes.to_dtype(dtypes.default_uint() if dtype is None
                                                else dtype))
    if dtype.kind != "u":
        raise errors.value_error(
            f"dtype argument to `bits` must be an unsigned int dtype, got {dtype}")
    return _bits_jit(data, bit_width=dtype.itemsize * 8, shape=canonical_shape(shape))


_bits_jit = eager_jit(random_bits, static_argnames=("bit_width", "shape"))


def sample_uniform(key, minval, maxval, shape, dtype):
    finfo = dtypes.finfo(dtype)
    nbits, nmant = finfo.bits, finfo.nmant
    rng_bits = 8 if nmant < 8 else nbits
    uint = UINT[nbits]
    word = lax.convert_element_type(random_bits(key, rng_bits, shape), uint)
    one = np.array(1.0, dtype).view(uint)
    float_bits = lax.bitwise_or(lax.shift_right_logical(word, rng_bits - nmant), one.item())
    floats = lax.sub(lax.bitcast_convert_type(float_bits, dtype), 1.0)
    minval = to_rank(lax.convert_element_type(minval, dtype), len(shape))
    maxval = to_rank(lax.convert_element_type(maxval, dtype), len(shape))
    scaled = ew.add(ew.multiply(floats, ew.subtract(maxval, minval)), minval)
    return ew.maximum(minval, lax.reshape(scaled, shape))


def to_rank(x, rank):
    return lax.broadcast_in_dim(x, (1,) * (rank - x.ndim) + tuple(x.shape),
                                tuple(range(rank - x.ndim, rank)))


def uniform(key, shape=(), dtype=None, minval=0., maxval=1.):
    """Uniform floats in [minval, maxval)."""
    data, _ = key_data_of("uniform", key)
    dtype = float_dtype("uniform", dtype)
    return _uniform_jit(data, minval, maxval, shape=canonical_shape(shape), dtype=dtype)


_uniform_jit = eager_jit(sample_uniform, static_argnames=("shape", "dtype"))


def _normal_real(key, shape, dtype):
    lo = np.nextafter(np.array(-1., dtype), np.array(0., dtype), dtype=dtype)
    u = sample_uniform(key, lo, np.array(1., dtype), shape, dtype)
    return ew.multiply(np.array(np.sqrt(2), dtype), lax.erf_inv(u))


def sample_normal(key, shape, dtype):
    if not dtypes.is_complex(dtype):
        return _normal_real(key, shape, dtype)
    real = dtypes.real_dtype(dtype)
    key_re, key_im = split_key_data(key)
    re, im = (lax.convert_element_type(_normal_real(k, shape, real), dtype)
              for k in (key_re, key_im))
    return ew.divide(ew.add(re, ew.multiply(1j, im)), np.array(np.sqrt(2), dtype))


def normal(key, shape=(), dtype=None):
    """Standard normal floats (complex: independent real and imaginary parts)."""
    data, _ = key_data_of("normal", key)
    dtype = float_dtype("normal", dtype, (np.inexact,), "a float or complex")
    return _normal_jit(data, shape=canonical_shape(shape), dtype=dtype)


_normal_jit = eager_jit(sample_normal, static_argnames=("shape", "dtype"))


def _unary_sampler(name, transform, minval=None, maxval=1.):
    """A sampler `transform(u)` of a uniform `u` in [minval(finfo), maxval)."""
    def impl(key, shape, dtype):
        low = 0. if minval is None else minval(dtypes.finfo(dtype))
        return transform(sample_uniform(key, low, maxval, shape, dtype))
    jitted = eager_jit(impl, static_argnames=("shape", "dtype"))

    def sampler(key, shape=(), dtype=None):
        data, _ = key_data_of(name, key)
        return jitted(data, shape=canonical_shape(shape), dtype=float_dtype(name, dtype))
    sampler.__name__ = sampler.__qualname__ = name
    sampler.__doc__ = f"Samples of the {name} distribution."
    return sampler


def _cauchy(u):
    return lax.tan(lax.mul(np.pi, lax.sub(u, 0.5)))


def _laplace(u):
    return lax.mul(lax.sign(u), lax.log1p(lax.neg(lax.abs(u))))


def _gumbel_low(u):
    return ew.negative(ew.log(ew.negative(ew.log(u))))


exponential = _unary_sampler("exponential", lambda u: lax.neg(lax.log1p(lax.neg(u))))
cauchy = _unary_sampler("cauchy", _cauchy, lambda f: f.eps)
laplace = _unary_sampler("laplace", _laplace, lambda f: -1. + f.epsneg)
logistic = _unary_sampler("logistic", lambda u: lax.sub(lax.log(u), lax.log1p(lax.neg(u))),
                          lambda f: f.tiny)


def sample_gumbel(key, shape, dtype, mode):
    if mode == "low":
        return _gumbel_low(sample_uniform(key, dtypes.finfo(dtype).tiny, 1., shape, dtype))
    info = dtypes.finfo(dtype)
    high, low = sample_uniform(key, 0., 1., (2, *shape), dtype)
    x = ew.where(high >= 0.5, high, high + 2 ** -int(info.nmant) * low + info.tiny)
    return ew.negative(ew.log(ew.negative(ew.log1p(ew.negative(x)))))


_gumbel_jit = eager_jit(sample_gumbel, static_argnames=("shape", "dtype", "mode"))


def gumbel_mode(mode):
    mode = "low" if mode is None else mode
    if mode not in ("high", "low"):
        raise errors.value_error(f"Must provide valid mode for gumbel got: {mode} "
                                 "(hlox implements 'low' and 'high')")
    return mode


def gumbel(key, shape=(), dtype=None, mode=None):
    """Standard Gumbel samples (mode 'high' uses two uniforms for small tails)."""
    data, _ = key_data_of("gumbel", key)
    return _gumbel_jit(data, shape=canonical_shape(shape),
                       dtype=float_dtype("gumbel", dtype), mode=gumbel_mode(mode))


def _bernoulli(key, p, shape, mode):
    if mode == "high":
        u1, u2 = sample_uniform(key, 0., 1., (2, *shape), p.dtype)
        u2 = ew.multiply(u2, 2 ** -int(dtypes.finfo(p.dtype).nmant))
        return ew.less(u2, ew.subtract(p, u1))
    return ew.less(sample_uniform(key, 0., 1., shape, p.dtype), p)


_bernoulli_jit = eager_jit(_bernoulli, static_argnames=("shape", "mode"))


def bernoulli(key, p=0.5, shape=None, mode="low"):
    """Booleans that are True with probability p."""
    shape = optional_shape(shape)
    if mode not in ("high", "low"):
        raise errors.value_error(f"got mode={mode!r}, expected 'high' or 'low'")
    data, _ = key_data_of("bernoulli", key)
    dtype, _ = dtypes.dtype_of(p)
    if not dtypes.is_float(dtype):
        raise errors.type_error(f"bernoulli probability `p` must have a floating dtype, "
                                f"got {dtype}.")
    p = lax.asarray(p)
    if shape is None:
        shape = shape_of(p)
    check_shape("bernoulli", shape, shape_of(p))
    return _bernoulli_jit(data, p, shape=shape, mode=mode)


def sample_rademacher(key, shape, dtype):
    b = lax.convert_element_type(_bernoulli(key, lax.asarray(0.5), shape, "low"), dtype)
    return lax.convert_element_type(ew.subtract(ew.multiply(2, b), 1), dtype)


_rademacher_jit = eager_jit(sample_rademacher, static_argnames=("shape", "dtype"))


def rademacher(key, shape=(), dtype=None):
    """-1 or +1 with equal probability."""
    data, _ = key_data_of("rademacher", key)
    dtype = dtypes.canonicalize(dtypes.to_dtype(int if dtype is None else dtype))
    return _rademacher_jit(data, shape=canonical_shape(shape), dtype=dtype)


def sample_maxwell(key, shape, dtype):
    return linalg_ops.norm(sample_normal(key, (*shape, 3), dtype), axis=-1)


_maxwell_jit = eager_jit(sample_maxwell, static_argnames=("shape", "dtype"))


def maxwell(key, shape=(), dtype=None):
    """One-sided Maxwell samples: the norm of three standard normals."""
    data, _ = key_data_of("maxwell", key)
    return _maxwell_jit(data, shape=canonical_shape(shape),
                        dtype=float_dtype("maxwell", dtype))


def _truncated_normal(key, lower, upper, shape, dtype):
    sqrt2 = np.array(np.sqrt(2), dtype)
    lower = lax.convert_element_type(lower, dtype)
    upper = lax.convert_element_type(upper, dtype)
    a = lax.erf(ew.divide(lower, sqrt2))
    b = lax.erf(ew.divide(upper, sqrt2))
    out = ew.multiply(sqrt2, lax.erf_inv(sample_uniform(key, a, b, shape, dtype)))
    return ew.clip(out, _toward(lower, np.inf), _toward(upper, -np.inf))


def _toward(x, direction):
    x = lax.stop_gradient(x)
    return lax.nextafter(x, lax.full_like(x, direction))


_truncated_normal_jit = eager_jit(_truncated_normal, static_argnames=("shape", "dtype"))


def truncated_normal(key, lower, upper, shape=None, dtype=None):
    """Standard normal samples conditioned on lower < x < upper."""
    shape = optional_shape(shape)
    data, _ = key_data_of("truncated_normal", key)
    dtype = float_dtype("truncated_normal", dtype)
    if shape is None:
        shape = np.broadcast_shapes(shape_of(lower), shape_of(upper))
    check_shape("truncated_normal", shape, shape_of(lower), shape_of(upper))
    return _truncated_normal_jit(data, lower, upper, shape=shape, dtype=dtype)


def sample_uniform_exponential(key, shape, dtype):
    return lax.neg(lax.log1p(lax.neg(sample_uniform(key, 0., 1., shape, dtype))))


# -- multivariate ---------------------------------------------------------------------
def _multivariate_normal(key, mean, cov, shape, dtype, method):
    if method != "cholesky":
        raise errors.value_error(f"hlox's multivariate_normal implements method='cholesky', "
                                 f"not {method!r}")
    factor = linalg_ops.cholesky(cov)
    samples = sample_normal(key, shape + mean.shape[-1:], dtype)
    if factor.ndim == 2:  # JAX's einsum contracts the samples first: match its rounding
        product = lax.dot_general(samples, factor, (([samples.ndim - 1], [1]), ([], [])))
    else:
        product = contractions.einsum("...ij,...j->...i", factor, samples)
    return ew.add(mean, product)


_multivariate_normal_jit = eager_jit(_multivariate_normal,
                                     static_argnames=("shape", "dtype", "method"))


def multivariate_normal(key, mean, cov, shape=None, dtype=None, method="cholesky"):
    """Normal vectors with mean `mean` (..., n) and covariance `cov` (..., n, n)."""
    data, _ = key_data_of("multivariate_normal", key)
    if method not in {"svd", "eigh", "cholesky"}:
        raise errors.value_error("method must be one of {'svd', 'eigh', 'cholesky'}")
    mean, cov = promote_inexact(mean, cov)
    dtype = mean.dtype if dtype is None else float_dtype("multivariate_normal", dtype)
    if mean.ndim < 1:
        raise errors.value_error(
            f"multivariate_normal requires mean.ndim >= 1, got mean.ndim == {mean.ndim}")
    if cov.ndim < 2:
        raise errors.value_error(
            f"multivariate_normal requires cov.ndim >= 2, got cov.ndim == {cov.ndim}")
    n = mean.shape[-1]
    if cov.shape[-2:] != (n, n):
        raise errors.value_error(f"multivariate_normal requires cov.shape == (..., n, n) for "
                                 f"n={n}, but got cov.shape == {cov.shape}.")
    if shape is None:
        shape = np.broadcast_shapes(mean.shape[:-1], cov.shape[:-2])
    else:
        shape = canonical_shape(shape)
        check_shape("normal", shape, mean.shape[:-1], cov.shape[:-2])
    return _multivariate_normal_jit(data, mean, cov, shape=tuple(shape), dtype=dtype,
                                    method=method)
