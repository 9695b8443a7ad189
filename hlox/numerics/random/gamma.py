"""The samplers built on Gamma variates: gamma, loggamma, beta, dirichlet, generalized_normal
and ball."""
from __future__ import annotations

import math
import operator

import numpy as np

from hlox.frontend import errors, lax
from hlox.frontend.control_flow import while_loop
from hlox.frontend.jit import eager_jit
from hlox.numerics.normalizations import softmax
from hlox.numerics.numpy import elementwise as ew, reductions, shape as shape_ops
from hlox.numerics.numpy._util import broadcast_to
from hlox.numerics.random.arguments import canonical_shape, check_shape, float_dtype, shape_of
from hlox.numerics.random.keys import key_data_of
from hlox.numerics.random.samplers import (sample_normal, sample_rademacher, sample_uniform,
                                           sample_uniform_exponential)
from hlox.numerics.random.threefry import split_key_data
from hlox.transforms.vmap import vmap

__all__ = ["ball", "beta", "dirichlet", "gamma", "generalized_normal", "loggamma"]


def _gamma_one(key, alpha, log_space):
    """Marsaglia and Tsang's rejection sampler for one Gamma(alpha) sample."""
    dtype = alpha.dtype
    zero, one = lax.full((), 0, dtype), lax.full((), 1, dtype)
    third, squeeze = np.array(1. / 3., dtype), np.array(0.0331, dtype)
    boost_mask = lax.ge(alpha, one)
    alpha_orig = alpha
    alpha = lax.select(boost_mask, alpha, lax.add(alpha, one))
    d = lax.sub(alpha, third)
    c = lax.div(lax.asarray(third), lax.sqrt(d))

    def cond_fn(state):
        _, x, v, u = state
        return lax.bitwise_and(
            lax.ge(u, lax.sub(one, lax.mul(squeeze, lax.mul(x, x)))),
            lax.ge(lax.log(u), lax.add(lax.mul(x, np.array(0.5, dtype)),
                                       lax.mul(d, lax.add(lax.sub(one, v), lax.log(v))))))

    def next_xv(state):
        key, subkey = split_key_data(state[0])
        x = sample_normal(subkey, (), dtype)
        return key, x, lax.add(one, lax.mul(x, c))

    def body_fn(state):
        key, x_key, u_key = split_key_data(state[0], (3,))
        _, x, v = while_loop(lambda s: lax.le(s[2], zero), next_xv,
                             (x_key, zero, lax.full((), -1, dtype)))
        u = sample_uniform(u_key, 0., 1., (), dtype)
        return key, lax.mul(x, x), lax.mul(lax.mul(v, v), v), u

    key, subkey = split_key_data(key)
    _, _, v, _ = while_loop(cond_fn, body_fn, (key, zero, one, lax.full((), 2, dtype)))
    if log_space:
        u = sample_uniform(subkey, 0., 1., (), dtype)
        log_samples = lax.neg(lax.neg(lax.log1p(lax.neg(u))))
        log_boost = lax.select(lax.bitwise_or(boost_mask, lax.eq(log_samples, zero)), zero,
                               lax.mul(log_samples, lax.div(one, alpha_orig)))
        return lax.add(lax.add(lax.log(d), lax.log(v)), log_boost)
    samples = lax.sub(one, sample_uniform(subkey, 0., 1., (), dtype))
    boost = lax.select(boost_mask, one, lax.pow(samples, lax.div(one, alpha_orig)))
    return lax.mul(lax.mul(d, v), boost)


def sample_gamma(key, a, shape, dtype, log_space):
    a = lax.convert_element_type(a, dtype)
    if a.shape != shape:
        a = broadcast_to(a, shape)
    keys = shape_ops.reshape(split_key_data(key, (math.prod(shape),)), (-1, 2))
    samples = vmap(lambda k, alpha: _gamma_one(k, alpha, log_space))(keys, shape_ops.ravel(a))
    return shape_ops.reshape(samples, shape)


_gamma_jit = eager_jit(sample_gamma, static_argnames=("shape", "dtype", "log_space"))


def _gamma_sampler(name, log_space):
    def sampler(key, a, shape=None, dtype=None):
        data, _ = key_data_of(name, key)
        dtype = float_dtype("gamma", dtype)
        shape = shape_of(a) if shape is None else canonical_shape(shape)
        check_shape("gamma", shape, shape_of(a))
        return _gamma_jit(data, a, shape=shape, dtype=dtype, log_space=log_space)
    sampler.__name__ = sampler.__qualname__ = name
    sampler.__doc__ = f"Gamma(a) samples{' in log space' if log_space else ''}."
    return sampler


gamma = _gamma_sampler("gamma", False)
loggamma = _gamma_sampler("loggamma", True)


def _beta(key, a, b, shape, dtype):
    a, b = (broadcast_to(lax.convert_element_type(x, dtype), shape) for x in (a, b))
    key_a, key_b = split_key_data(key)
    log_a = sample_gamma(key_a, a, shape, dtype, True)
    log_b = sample_gamma(key_b, b, shape, dtype, True)
    log_max = lax.max(log_a, log_b)
    scaled_a, scaled_b = ew.exp(log_a - log_max), ew.exp(log_b - log_max)
    return scaled_a / (scaled_a + scaled_b)


_beta_jit = eager_jit(_beta, static_argnames=("shape", "dtype"))


def beta(key, a, b, shape=None, dtype=None):
    """Beta(a, b) samples, as the ratio of two gammas computed in log space."""
    data, _ = key_data_of("beta", key)
    dtype = float_dtype("beta", dtype)
    if shape is None:
        shape = np.broadcast_shapes(shape_of(a), shape_of(b))
    shape = canonical_shape(shape)
    check_shape("beta", shape, shape_of(a), shape_of(b))
    return _beta_jit(data, a, b, shape=shape, dtype=dtype)


def _dirichlet(key, alpha, shape, dtype):
    alpha = lax.convert_element_type(alpha, dtype)
    return softmax(sample_gamma(key, alpha, shape + alpha.shape[-1:], dtype, True), -1)


_dirichlet_jit = eager_jit(_dirichlet, static_argnames=("shape", "dtype"))


def dirichlet(key, alpha, shape=None, dtype=None):
    """Dirichlet(alpha) samples along the last axis."""
    data, _ = key_data_of("dirichlet", key)
    dtype = float_dtype("dirichlet", dtype)
    if np.ndim(alpha) < 1:
        raise errors.value_error(
            f"dirichlet requires alpha.ndim >= 1, got alpha.ndim == {np.ndim(alpha)}")
    shape = shape_of(alpha)[:-1] if shape is None else canonical_shape(shape)
    check_shape("dirichlet", shape, shape_of(alpha)[:-1])
    return _dirichlet_jit(data, alpha, shape=shape, dtype=dtype)


def _generalized_normal(key, p, shape, dtype):
    k1, k2 = split_key_data(key)
    g = sample_gamma(k1, ew.divide(1, p), shape, dtype, False)
    r = sample_rademacher(k2, shape, dtype)
    return ew.multiply(r, ew.power(g, ew.divide(1, p)))


_generalized_normal_jit = eager_jit(_generalized_normal, static_argnames=("shape", "dtype"))


def generalized_normal(key, p, shape=(), dtype=None):
    """Samples with density proportional to exp(-|x|**p)."""
    data, _ = key_data_of("generalized_normal", key)
    return _generalized_normal_jit(data, p, shape=canonical_shape(shape),
                                   dtype=float_dtype("generalized_normal", dtype))


def _ball(key, p, d, shape, dtype):
    k1, k2 = split_key_data(key)
    g = _generalized_normal(k1, p, (*shape, d), dtype)
    e = sample_uniform_exponential(k2, shape, dtype)
    norm = ew.power(ew.add(reductions.sum(ew.power(ew.abs(g), p), axis=-1), e), ew.divide(1, p))
    return ew.divide(g, norm[..., None])


_ball_jit = eager_jit(_ball, static_argnames=("d", "shape", "dtype"))


def ball(key, d, p=2, shape=(), dtype=None):
    """Uniform samples from the unit Lp ball in d dimensions."""
    data, _ = key_data_of("ball", key)
    return _ball_jit(data, p, d=operator.index(d), shape=canonical_shape(shape),
                     dtype=float_dtype("ball", dtype))
