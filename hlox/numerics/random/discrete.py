"""The samplers of integers: randint, permutations, choice, categorical and poisson."""
from __future__ import annotations

import math
import operator
import warnings
from collections.abc import Sequence

import numpy as np

from hlox.frontend import dtypes, errors, lax
from hlox.frontend.control_flow import while_loop
from hlox.frontend.core import Tracer
from hlox.frontend.jit import eager_jit
from hlox.lowering.array import Array
from hlox.numerics.lax.selection import top_k
from hlox.numerics.numpy import (array_constructors as arrays, creation, elementwise as ew,
                                 indexing_routines)
from hlox.numerics.numpy import reductions, searching, shape as shape_ops
from hlox.numerics.numpy._util import broadcast_to
from hlox.numerics.random.arguments import (canonical_axis, canonical_shape, check_shape,
                                            int_dtype, shape_of)
from hlox.numerics.random.keys import key_data_of
from hlox.numerics.random.samplers import (gumbel_mode, sample_gumbel, sample_uniform,
                                           to_rank)
from hlox.numerics.random.threefry import UINT, random_bits, split_key_data

__all__ = ["categorical", "choice", "permutation", "poisson", "randint", "shuffle"]


def _convert_and_clip_integer(val, dtype):
    """`val` as `dtype`, clipped to the range both types represent."""
    lo = max(int(dtypes.iinfo(dtype).min), int(dtypes.iinfo(val.dtype).min))
    hi = min(int(dtypes.iinfo(dtype).max), int(dtypes.iinfo(val.dtype).max))
    clipped = ew.clip(val, np.array(lo, val.dtype), np.array(hi, val.dtype))
    return lax.convert_element_type(clipped, dtype)


def _randint(key, minval, maxval, shape, dtype):
    minval, maxval = (x if dtypes.is_integer(x.dtype) else x.astype(dtypes.default_int())
                      for x in (arrays.asarray(minval), arrays.asarray(maxval)))
    dtype_max = np.array(dtypes.iinfo(dtype).max, dtype)
    out_of_range = ew.greater(maxval, _convert_and_clip_integer(lax.asarray(dtype_max),
                                                                 maxval.dtype))
    minval = to_rank(_convert_and_clip_integer(minval, dtype), len(shape))
    maxval = to_rank(_convert_and_clip_integer(maxval, dtype), len(shape))
    nbits = dtypes.iinfo(dtype).bits
    k1, k2 = split_key_data(key)
    higher, lower = random_bits(k1, nbits, shape), random_bits(k2, nbits, shape)
    span = lax.convert_element_type(ew.subtract(maxval, minval), UINT[nbits])
    span = ew.where(ew.less_equal(maxval, minval), np.array(1, span.dtype), span)
    span = ew.where(ew.logical_and(out_of_range, ew.greater(maxval, minval)),
                     ew.add(span, np.array(1, span.dtype)), span)
    multiplier = ew.remainder(np.array(2 ** (nbits // 2), span.dtype), span)
    multiplier = lax.rem(ew.multiply(multiplier, multiplier), span)
    higher, lower, span, multiplier = shape_ops.broadcast_arrays(higher, lower, span, multiplier)
    offset = lax.add(lax.mul(lax.rem(higher, span), multiplier), lax.rem(lower, span))
    offset = lax.rem(offset, span)
    return ew.add(minval, lax.convert_element_type(offset, dtype))


_randint_jit = eager_jit(_randint, static_argnames=("shape", "dtype"))


def randint(key, shape, minval, maxval, dtype=None):
    """Integers in [minval, maxval) (8- and 16-bit types are sampled in 32 bits)."""
    data, _ = key_data_of("randint", key)
    out_dtype = int_dtype("randint", dtype)
    shape = canonical_shape(shape)
    check_shape("randint", shape, shape_of(minval), shape_of(maxval))
    info = dtypes.iinfo(out_dtype)
    sample_dtype = out_dtype
    if info.bits < 32:
        sample_dtype = np.dtype(np.int32)
        minval = ew.clip(arrays.asarray(minval).astype(sample_dtype), int(info.min), int(info.max))
        maxval = ew.clip(arrays.asarray(maxval).astype(sample_dtype), int(info.min),
                          int(info.max) + 1)
    out = _randint_jit(data, minval, maxval, shape=shape, dtype=sample_dtype)
    return out if sample_dtype == out_dtype else out.astype(out_dtype)


def _shuffle(key, x, axis):
    exponent = 3  # tjablin@'s static stop criterion, as in JAX
    rounds = int(np.ceil(exponent * np.log(max(1, x.size)) / np.log(np.iinfo(np.uint32).max)))
    for _ in range(rounds):
        key, subkey = split_key_data(key)
        _, x = lax.sort_key_val(random_bits(subkey, 32, x.shape), x, axis)
    return x


_shuffle_jit = eager_jit(_shuffle, static_argnames=("axis",))


def _permutation(key, x, axis, independent):
    if independent or x.ndim == 1:
        return _shuffle(key, x, axis)
    order = _shuffle(key, creation.arange(x.shape[axis]), 0)
    return indexing_routines.take(x, order, axis, unique_indices=True)


_permutation_jit = eager_jit(_permutation, static_argnames=("axis", "independent"))


def permutation(key, x, axis=0, independent=False):
    """A random permutation of `x` along `axis` (of range(x) for an integer x)."""
    data, _ = key_data_of("permutation", key)
    if not np.ndim(x):
        if not dtypes.is_integer(dtypes.dtype_of(x)[0]):
            raise errors.type_error("x must be an integer or at least 1-dimensional")
        n = operator.index(x) if not isinstance(x, (Array, Tracer)) else int(x)
        return _permutation_jit(data, creation.arange(n), axis=0, independent=True)
    x = x if isinstance(x, (Array, Tracer)) else arrays.asarray(x)
    axis = canonical_axis(axis, x.ndim)
    return _permutation_jit(data, x, axis=axis, independent=bool(independent))


def shuffle(key, x, axis=0):
    """Deprecated (removed from JAX): use `permutation(key, x, axis, independent=True)`."""
    warnings.warn("hlox.random.shuffle is deprecated: use hlox.random.permutation with "
                  "independent=True.", DeprecationWarning, stacklevel=2)
    return permutation(key, x, axis, independent=True)


def _choice(key, arr, p, shape, replace, axis, n_inputs, mode):
    n_draws = math.prod(shape)
    if p is None:
        if replace:
            ind = _randint(key, 0, n_inputs, shape, dtypes.default_int())
            result = ind if arr is None else indexing_routines.take(arr, ind, axis)
        else:
            base = creation.arange(n_inputs) if arr is None else arr
            perm = _permutation(key, base, axis, arr is None)
            result = lax.slice_in_dim(perm, 0, n_draws, axis=axis if arr is not None else 0)
    else:
        if replace:
            p_cuml = reductions.cumsum(p)
            u = sample_uniform(key, 0., 1., shape, p_cuml.dtype)
            r = ew.multiply(p_cuml[-1], ew.subtract(1, u))
            ind = searching.searchsorted(p_cuml, r).astype(dtypes.default_int())
        else:
            g = ew.add(sample_gumbel(key, (n_inputs,), p.dtype, mode), ew.log(p))
            ind = top_k(g, n_draws)[1].astype(dtypes.default_int())
        result = ind if arr is None else indexing_routines.take(arr, ind, axis)
    if arr is None:
        return shape_ops.reshape(result, shape)
    return shape_ops.reshape(result, arr.shape[:axis] + tuple(shape) + arr.shape[axis + 1:])


_choice_jit = eager_jit(_choice, static_argnames=("shape", "replace", "axis", "n_inputs",
                                                  "mode"))


def choice(key, a, shape=(), replace=True, p=None, axis=0, mode=None):
    """Samples of `a` (or of range(a) for an integer a), optionally weighted by `p`."""
    data, _ = key_data_of("choice", key)
    if not isinstance(shape, Sequence):
        raise errors.type_error(f"shape argument of choice must be a sequence, got {shape}")
    shape = canonical_shape(shape)
    arr = arrays.asarray(a) if not isinstance(a, (Array, Tracer)) else a
    if arr.ndim == 0:
        n_inputs, arr = int(a), None
    else:
        axis = canonical_axis(axis, arr.ndim)
        n_inputs = arr.shape[axis]
    n_draws = math.prod(shape)
    if n_draws == 0:
        return creation.zeros(shape, dtype=(arr if arr is not None else arrays.asarray(a)).dtype)
    if n_inputs <= 0:
        raise errors.value_error("a must be greater than 0 unless no samples are taken")
    if not replace and n_draws > n_inputs:
        raise errors.value_error(
            f"Cannot take a larger sample (size {n_draws}) than population (size {n_inputs}) "
            "when 'replace=False'")
    if p is not None:
        p = arrays.asarray(p)
        p = p if dtypes.is_inexact(p.dtype) else p.astype(dtypes.to_inexact(p.dtype, False)[0])
        if p.shape != (n_inputs,):
            raise errors.value_error(
                "p must be None or a 1D vector with the same size as a.shape[axis]. "
                f"p has shape {p.shape} and a.shape[axis] is {n_inputs}.")
    return _choice_jit(data, arr, p, shape=shape, replace=bool(replace), axis=axis,
                       n_inputs=n_inputs, mode=gumbel_mode(mode))


def _categorical(key, logits, shape, batch_shape, axis, replace, mode):
    prefix = shape[:len(shape) - len(batch_shape)]
    if replace:
        axis = axis - logits.ndim if axis >= 0 else axis
        logits_shape = list(shape[len(shape) - len(batch_shape):])
        logits_shape.insert(axis % logits.ndim, logits.shape[axis])
        noise = sample_gumbel(key, (*prefix, *logits_shape), logits.dtype, mode)
        return reductions.argmax(ew.add(noise, shape_ops.expand_dims(logits, tuple(range(len(prefix))))),
                          axis=axis)
    logits = ew.add(logits, sample_gumbel(key, logits.shape, logits.dtype, mode))
    k = math.prod(prefix)
    if k > logits.shape[axis]:
        raise errors.value_error(f"Number of samples without replacement ({k}) cannot exceed "
                                 f"number of categories ({logits.shape[axis]}).")
    indices = top_k(shape_ops.moveaxis(logits, axis, -1), k)[1]
    return lax.reshape(indices, shape, (indices.ndim - 1, *range(indices.ndim - 1)))


_categorical_jit = eager_jit(_categorical, static_argnames=(
    "shape", "batch_shape", "axis", "replace", "mode"))


def categorical(key, logits, axis=-1, shape=None, replace=True, mode=None):
    """Indices drawn with probabilities softmax(logits) along `axis`."""
    data, _ = key_data_of("categorical", key)
    logits = logits if isinstance(logits, (Array, Tracer)) else arrays.asarray(logits)
    axis = operator.index(axis)
    batch_shape = tuple(np.delete(logits.shape, axis))
    shape = batch_shape if shape is None else canonical_shape(shape)
    check_shape("categorical", shape, batch_shape)
    return _categorical_jit(data, logits, shape=shape, batch_shape=batch_shape, axis=axis,
                            replace=bool(replace), mode=gumbel_mode(mode))


# -- poisson --------------------------------------------------------------------------
def _poisson_knuth(key, lam, shape, dtype, max_iters):
    def body_fn(carry):
        i, k, rng, log_prod = carry
        rng, subkey = split_key_data(rng)
        k = lax.select(ew.greater(log_prod, ew.negative(lam)), ew.add(k, 1), k)
        u = sample_uniform(subkey, 0., 1., shape, np.dtype(np.float32))
        return ew.add(i, 1), k, rng, ew.add(log_prod, ew.log(u))

    def cond_fn(carry):
        i, log_prod = carry[0], carry[3]
        return ew.logical_and(reductions.any(ew.greater(log_prod, ew.negative(lam))),
                               ew.less(i, max_iters))

    init = (arrays.asarray(0, dtype=max_iters.dtype), lax.full(shape, 0, dtype), key,
            lax.full(shape, 0, np.dtype(np.float32)))
    k = while_loop(cond_fn, body_fn, init)[1]
    return ew.subtract(k, 1).astype(dtype)


def _poisson_rejection(key, lam, shape, dtype, max_iters):
    log_lam = lax.log(lam)
    b = 0.931 + 2.53 * lax.sqrt(lam)
    a = -0.059 + 0.02483 * b
    inv_alpha = 1.1239 + 1.1328 / (b - 3.4)
    v_r = 0.9277 - 3.6224 / (b - 2)

    def body_fn(carry):
        i, k_out, accepted, key = carry
        key, subkey_0, subkey_1 = split_key_data(key, (3,))
        u = sample_uniform(subkey_0, 0., 1., shape, lam.dtype) - 0.5
        v = sample_uniform(subkey_1, 0., 1., shape, lam.dtype)
        u_shifted = 0.5 - abs(u)
        k = lax.floor((2 * a / u_shifted + b) * u + lam + 0.43)
        s = lax.log(v * inv_alpha / (a / (u_shifted * u_shifted) + b))
        t = -lam + k * log_lam - lax.lgamma(k + 1)
        accept1 = (u_shifted >= 0.07) & (v <= v_r)
        reject = (k < 0) | ((u_shifted < 0.013) & (v > u_shifted))
        accept = accept1 | (~reject & (s <= t))
        return i + 1, lax.select(accept, k, k_out), accepted | accept, key

    def cond_fn(carry):
        i, _, accepted, _ = carry
        return ew.logical_and(reductions.any(ew.logical_not(accepted)), ew.less(i, max_iters))

    init = (arrays.asarray(0, dtype=max_iters.dtype), lax.full(shape, -1, lam.dtype),
            lax.full(shape, False, np.dtype(np.bool_)), key)
    return while_loop(cond_fn, body_fn, init)[1].astype(dtype)


def _poisson(key, lam, shape, dtype):
    use_knuth = ew.logical_or(ew.isnan(lam), ew.less(lam, 10))
    lam_knuth = lax.select(use_knuth, lam, lax.full_like(lam, 0.0))
    lam_rejection = lax.select(use_knuth, lax.full_like(lam, 1e5), lam)
    max_iters = arrays.asarray(np.array(dtypes.iinfo(dtype).max, dtype))
    result = lax.select(use_knuth, _poisson_knuth(key, lam_knuth, shape, dtype, max_iters),
                        _poisson_rejection(key, lam_rejection, shape, dtype, max_iters))
    return lax.select(ew.equal(lam, 0), creation.zeros_like(result), result)


_poisson_jit = eager_jit(_poisson, static_argnames=("shape", "dtype"))


def poisson(key, lam, shape=None, dtype=None):
    """Poisson(lam) counts (Knuth's method below 10, Hormann's rejection above)."""
    data, _ = key_data_of("poisson", key)
    dtype = int_dtype("poisson", dtype)
    shape = shape_of(lam) if shape is None else canonical_shape(shape)
    lam = lax.convert_element_type(broadcast_to(lam, shape), np.dtype(np.float32))
    return _poisson_jit(data, lam, shape=shape, dtype=dtype)
