"""JAX's activation functions (and one_hot), on hlox.numerics.numpy and hlox.lax.

Each function is written as JAX writes it, so results, dtypes and weak types agree
(e.g. softplus is logaddexp(x, 0)).
"""
from __future__ import annotations

import operator

import numpy as np

from hlox.frontend import dtypes, errors, lax
from hlox.frontend.custom_derivatives import custom_jvp
from hlox.numerics.numpy import elementwise as jnp
from hlox.numerics.numpy._util import arraylike
from hlox.numerics.numpy._util import canonicalize_axis, promote_args_inexact
from hlox.numerics.numpy.shape import split

__all__ = ["celu", "elu", "gelu", "glu", "hard_sigmoid", "hard_silu", "hard_swish", "hard_tanh",
           "identity", "leaky_relu", "log1mexp", "log_sigmoid", "mish", "one_hot", "relu",
           "relu6", "selu", "sigmoid", "silu", "soft_sign", "softplus", "sparse_plus",
           "squareplus", "swish", "tanh"]

tanh = jnp.tanh


def identity(x):
    return arraylike("identity", x)


@custom_jvp
def relu(x):
    return jnp.maximum(x, 0)


# JAX's derivative: 0 at x == 0 (not the 1/2 that maximum's tie rule would give)
relu.defjvps(lambda g, ans, x: lax.select(x > 0, g, lax.full_like(g, 0)))


@custom_jvp
def relu6(x):
    return jnp.minimum(jnp.maximum(x, 0), 6.)


relu6.defjvps(lambda g, ans, x: lax.select((x > 0) & (x < 6), g, lax.full_like(g, 0)))


def squareplus(x, b=4):
    x = arraylike("squareplus", x)
    return jnp.divide(jnp.add(x, jnp.sqrt(jnp.add(jnp.square(x), b))), 2)


def softplus(x):
    return jnp.logaddexp(x, 0)


def sparse_plus(x):
    x = arraylike("sparse_plus", x)
    quad = jnp.divide(jnp.power(jnp.add(x, 1.0), 2), 4)
    return jnp.where(jnp.less_equal(x, -1.0), 0.0, jnp.where(jnp.greater_equal(x, 1.0), x, quad))


def soft_sign(x):
    x = arraylike("soft_sign", x)
    return jnp.divide(x, jnp.add(jnp.abs(x), 1))


def sigmoid(x):
    return lax.logistic(x)


def silu(x):
    x = arraylike("silu", x)
    return jnp.multiply(x, sigmoid(x))


swish = silu


def mish(x):
    x = arraylike("mish", x)
    return jnp.multiply(x, jnp.tanh(softplus(x)))


def log_sigmoid(x):
    x = arraylike("log_sigmoid", x)
    return jnp.negative(softplus(jnp.negative(x)))


def elu(x, alpha=1.0):
    x = arraylike("elu", x)
    positive = jnp.greater(x, 0)
    return jnp.where(positive, x, jnp.multiply(alpha, jnp.expm1(jnp.where(positive, 0., x))))


def leaky_relu(x, negative_slope=1e-2):
    x = arraylike("leaky_relu", x)
    return jnp.where(jnp.greater_equal(x, 0), x, jnp.multiply(negative_slope, x))


def hard_tanh(x):
    x = arraylike("hard_tanh", x)
    return jnp.where(jnp.greater(x, 1), 1, jnp.where(jnp.less(x, -1), -1, x))


def glu(x, axis=-1):
    x = arraylike("glu", x)
    if x.shape[axis] % 2:
        raise errors.value_error(f"glu: the size of axis {axis} must be divisible by 2, got "
                                 f"{x.shape[axis]}")
    x1, x2 = split(x, 2, axis)
    return jnp.multiply(x1, sigmoid(x2))


@custom_jvp
def log1mexp(x):
    """log(1 - exp(-x)), by expm1 near 0 and by log1p beyond log(2) (Maechler's split)."""
    x = arraylike("log1mexp", x)
    return jnp.where(jnp.less(x, np.log(2.0)), jnp.log(jnp.negative(jnp.expm1(jnp.negative(x)))),
                     jnp.log1p(jnp.negative(jnp.exp(jnp.negative(x)))))


log1mexp.defjvps(lambda g, ans, x: jnp.divide(g, jnp.expm1(x)))


def celu(x, alpha=1.0):
    negative_part = jnp.expm1(jnp.divide(jnp.minimum(x, 0.0), alpha))
    return jnp.add(jnp.maximum(x, 0.0), jnp.multiply(alpha, negative_part))


_SELU_ALPHA = 1.6732632423543772848170429916717
_SELU_SCALE = 1.0507009873554804934193349852946


def selu(x):
    return jnp.multiply(_SELU_SCALE, elu(x, _SELU_ALPHA))


def hard_sigmoid(x):
    return jnp.divide(relu6(jnp.add(x, 3.)), 6.)


def hard_silu(x):
    x = arraylike("hard_silu", x)
    return jnp.multiply(x, hard_sigmoid(x))


hard_swish = hard_silu


def gelu(x, approximate=True):
    (x,) = promote_args_inexact("gelu", x)
    if approximate:
        c = np.sqrt(2 / np.pi).astype(x.dtype)
        inner = jnp.multiply(c, jnp.add(x, jnp.multiply(0.044715, jnp.power(x, 3))))
        cdf = jnp.multiply(0.5, jnp.add(1.0, jnp.tanh(inner)))
        return jnp.multiply(x, cdf)
    sqrt_half = np.sqrt(0.5).astype(x.dtype)
    out = jnp.multiply(jnp.multiply(0.5, x), lax.erfc(jnp.multiply(jnp.negative(x), sqrt_half)))
    return lax.convert_element_type(out, x.dtype)


def one_hot(x, num_classes, *, dtype=None, axis=-1):
    try:
        num_classes = operator.index(num_classes)
    except TypeError:
        raise errors.type_error(f"one_hot: num_classes must be a concrete integer, got "
                                f"{num_classes!r}") from None
    x = arraylike("one_hot", x)
    dtype = dtypes.default_float() if dtype is None else dtypes.canonicalize(dtypes.to_dtype(dtype))
    out_axis = canonicalize_axis(axis, x.ndim + 1)
    lhs = lax.expand_dims(x, (out_axis,))
    rhs_shape = [1] * x.ndim
    rhs_shape.insert(out_axis, num_classes)
    rhs = lax.broadcasted_iota(x.dtype, rhs_shape, out_axis)
    return lax.convert_element_type(jnp.equal(lhs, rhs), dtype)
