"""`hlox.numerics.nn.initializers`: JAX's parameter initializers, drawn with hlox.random exactly as JAX
draws them (same keys, same samplers, same scaling), so the same seed gives the same weights."""
from __future__ import annotations

import math

import numpy as np

from hlox.frontend import dtypes, errors
from hlox.numerics.numpy import creation, shape as shape_ops
from hlox.numerics.numpy import elementwise as jnp
from hlox.numerics.random import distributions, keys, samplers

__all__ = ["Initializer", "constant", "delta_orthogonal", "glorot_normal", "glorot_uniform",
           "he_normal", "he_uniform", "kaiming_normal", "kaiming_uniform", "lecun_normal",
           "lecun_uniform", "normal", "ones", "orthogonal", "truncated_normal", "uniform",
           "variance_scaling", "xavier_normal", "xavier_uniform", "zeros"]


class Initializer:
    """The protocol: `init(key, shape, dtype=None) -> Array` (for isinstance checks and types)."""

    def __call__(self, key, shape, dtype=None, out_sharding=None):
        raise NotImplementedError


def _dtype(dtype):
    return dtypes.default_float() if dtype is None else dtype


def _scalar(value, dtype):
    return creation.array(value, dtype)


def zeros(key, shape, dtype=None, out_sharding=None):
    return creation.zeros(shape, _dtype(dtype))


def ones(key, shape, dtype=None, out_sharding=None):
    return creation.ones(shape, _dtype(dtype))


def constant(value, dtype=None):
    def init(key, shape, dtype=dtype, out_sharding=None):
        return creation.full(shape, value, dtype=_dtype(dtype))
    return init


def _scaled(sample, scale, dtype):
    """An initializer that draws `sample(key, shape, dtype)` and multiplies it by `scale`."""
    def init(key, shape, dtype=dtype, out_sharding=None):
        dtype = _dtype(dtype)
        return jnp.multiply(sample(key, shape, dtype), _scalar(scale, dtype))
    return init


def uniform(scale=1e-2, dtype=None):
    return _scaled(samplers.uniform, scale, dtype)


def normal(stddev=1e-2, dtype=None):
    return _scaled(samplers.normal, stddev, dtype)


def truncated_normal(stddev=1e-2, dtype=None, lower=-2.0, upper=2.0):
    return _scaled(lambda key, shape, dtype: samplers.truncated_normal(key, lower, upper, shape,
                                                                       dtype), stddev, dtype)


def _size(shape, axes):
    return shape[axes] if isinstance(axes, int) else math.prod(shape[i] for i in axes)


def _compute_fans(shape, in_axis=-2, out_axis=-1, batch_axis=()):
    if isinstance(in_axis, int) and in_axis == -2 and len(shape) <= 1:
        raise errors.value_error(
            f"Can't compute input and output sizes of a {len(shape)}-dimensional weights "
            "tensor with default in_axis. Must be at least 2D or specify in_axis explicitly.")
    in_size, out_size = _size(shape, in_axis), _size(shape, out_axis)
    receptive_field_size = math.prod(shape) / in_size / out_size / _size(shape, batch_axis)
    return in_size * receptive_field_size, out_size * receptive_field_size


_DENOMINATORS = {
    "fan_in": lambda fan_in, fan_out: fan_in,
    "fan_out": lambda fan_in, fan_out: fan_out,
    "fan_avg": lambda fan_in, fan_out: (fan_in + fan_out) / 2,
    "fan_geo_avg": lambda fan_in, fan_out: (fan_in * fan_out) ** 0.5,
}


def _complex_uniform(key, shape, dtype):
    key_r, key_theta = keys.split(key)
    real = np.array(0, dtype).real.dtype
    r = jnp.sqrt(jnp.multiply(2, samplers.uniform(key_r, shape, real))).astype(dtype)
    theta = jnp.multiply(2 * np.pi, samplers.uniform(key_theta, shape, real).astype(dtype))
    return jnp.multiply(r, jnp.exp(jnp.multiply(1j, theta)))


def _complex_truncated_normal(key, upper, shape, dtype):
    key_r, key_theta = keys.split(key)
    real = np.array(0, dtype).real.dtype
    t = jnp.multiply(jnp.subtract(1, jnp.exp(_scalar(-(upper ** 2), dtype))),
                     samplers.uniform(key_r, shape, real).astype(dtype))
    r = jnp.sqrt(jnp.negative(jnp.log(jnp.subtract(1, t))))
    theta = jnp.multiply(2 * np.pi, samplers.uniform(key_theta, shape, real).astype(dtype))
    return jnp.multiply(r, jnp.exp(jnp.multiply(1j, theta)))


def _truncated_normal_draw(key, shape, dtype, variance):
    if dtypes.is_complex(np.dtype(dtype)):
        stddev = jnp.divide(jnp.sqrt(variance), _scalar(.95311164380491208, dtype))
        return jnp.multiply(_complex_truncated_normal(key, 2, shape, dtype), stddev)
    stddev = jnp.divide(jnp.sqrt(variance), _scalar(.87962566103423978, dtype))
    return jnp.multiply(samplers.truncated_normal(key, -2, 2, shape, dtype), stddev)


def _uniform_draw(key, shape, dtype, variance):
    if dtypes.is_complex(np.dtype(dtype)):
        return jnp.multiply(_complex_uniform(key, shape, dtype), jnp.sqrt(variance))
    return jnp.multiply(samplers.uniform(key, shape, dtype, -1),
                        jnp.sqrt(jnp.multiply(3, variance)))


_DISTRIBUTIONS = {
    "truncated_normal": _truncated_normal_draw,
    "normal": lambda key, shape, dtype, variance: jnp.multiply(samplers.normal(key, shape, dtype),
                                                               jnp.sqrt(variance)),
    "uniform": _uniform_draw,
}


def variance_scaling(scale, mode, distribution, in_axis=-2, out_axis=-1, batch_axis=(),
                     dtype=None):
    if mode not in _DENOMINATORS:
        raise errors.value_error(f"invalid mode for variance scaling initializer: {mode}")
    if distribution not in _DISTRIBUTIONS:
        raise errors.value_error(
            f"invalid distribution for variance scaling initializer: {distribution}")

    def init(key, shape, dtype=dtype, out_sharding=None):
        shape, dtype = tuple(int(d) for d in shape), _dtype(dtype)
        denominator = _DENOMINATORS[mode](*_compute_fans(shape, in_axis, out_axis, batch_axis))
        variance = _scalar(scale / denominator, dtype)
        return _DISTRIBUTIONS[distribution](key, shape, dtype, variance)
    return init


def _variance_scaling_family(scale, mode, distribution):
    def make(in_axis=-2, out_axis=-1, batch_axis=(), dtype=None):
        return variance_scaling(scale, mode, distribution, in_axis, out_axis, batch_axis, dtype)
    return make


glorot_uniform = xavier_uniform = _variance_scaling_family(1.0, "fan_avg", "uniform")
glorot_normal = xavier_normal = _variance_scaling_family(1.0, "fan_avg", "truncated_normal")
lecun_uniform = _variance_scaling_family(1.0, "fan_in", "uniform")
lecun_normal = _variance_scaling_family(1.0, "fan_in", "truncated_normal")
he_uniform = kaiming_uniform = _variance_scaling_family(2.0, "fan_in", "uniform")
he_normal = kaiming_normal = _variance_scaling_family(2.0, "fan_in", "truncated_normal")


def orthogonal(scale=1.0, column_axis=-1, dtype=None):
    def init(key, shape, dtype=dtype, out_sharding=None):
        dtype = _dtype(dtype)
        if len(shape) < 2:
            raise errors.value_error("orthogonal initializer requires at least a 2D shape")
        if any(d == 0 for d in shape):
            return creation.zeros(shape, dtype)
        n_rows, n_cols = math.prod(shape) // shape[column_axis], shape[column_axis]
        q = distributions.orthogonal(key, n_rows, (), dtype, n_cols)
        q = q.reshape(tuple(np.delete(shape, column_axis)) + (shape[column_axis],))
        return jnp.multiply(_scalar(scale, dtype), shape_ops.moveaxis(q, -1, column_axis))
    return init


def delta_orthogonal(scale=1.0, column_axis=-1, dtype=None):
    def init(key, shape, dtype=dtype, out_sharding=None):
        dtype = _dtype(dtype)
        if len(shape) not in (3, 4, 5):
            raise errors.value_error("Delta orthogonal initializer requires a 3D, 4D or 5D shape.")
        if shape[-1] < shape[-2]:
            raise errors.value_error("`fan_in` must be less or equal than `fan_out`. ")
        ortho = orthogonal(scale=scale, column_axis=column_axis, dtype=dtype)(key, shape[-2:])
        centre = tuple((k - 1) // 2 for k in shape[:-2])
        return creation.zeros(shape, dtype).at[centre + (Ellipsis,)].set(ortho)
    return init
