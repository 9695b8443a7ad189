"""`hlox.nn.dot_product_attention`: JAX's XLA implementation (grouped-query heads, bias, boolean
mask, causal and local-window masks, padding by sequence lengths), the softmax in float32."""
from __future__ import annotations

import numpy as np

from hlox.frontend import dtypes, errors, lax
from hlox.numerics.normalizations import softmax
from hlox.numerics.numpy import (array_constructors as arrays, creation, elementwise as ew,
                                 shape as shape_ops)
from hlox.numerics.numpy import tensor_contractions as contractions
from hlox.numerics.numpy._util import broadcast_to
from hlox.numerics.logsumexp import logsumexp

__all__ = ["dot_product_attention"]


def _large_negative(dtype):
    """-0.7 * the dtype's max (capped at float32's, as the softmax runs in float32)."""
    return arrays.asarray(-0.7 * min(float(dtypes.finfo(dtype).max), float(dtypes.finfo(np.float32).max)),
                       dtype=dtype)


def _window_mask(t, s, local_window_size):
    left, right = local_window_size
    q, k = creation.arange(t)[:, None], creation.arange(s)[None, :]
    return (q <= k + left) & (q >= k - right)


def _per_batch(lengths, ndim):
    return lengths.reshape((-1,) + (1,) * (ndim - 1))


def _combined_mask(logits_shape, mask, is_causal, q_seqlen, kv_seqlen, local_window_size):
    """The boolean mask of the logits (batch first, (T, S) last) to keep, or None for all."""
    t, s, ndim = logits_shape[-2], logits_shape[-1], len(logits_shape)
    masks = [] if mask is None else [mask]
    if is_causal:
        masks.append(creation.tril(creation.ones((t, s), dtype=bool)))
    if local_window_size is not None:
        masks.append(_window_mask(t, s, local_window_size))
    if q_seqlen is not None:
        masks.append(creation.arange(t)[:, None] < _per_batch(q_seqlen, ndim))
    if kv_seqlen is not None:
        masks.append(creation.arange(s)[None, :] < _per_batch(kv_seqlen, ndim))
    if not masks:
        return None
    combined = creation.ones(logits_shape, dtype=bool)
    for m in masks:
        combined = combined & m
    return combined


def _ensure_4d(t):
    t = arrays.asarray(t)
    return shape_ops.expand_dims(t, tuple(range(4 - t.ndim))) if t.ndim < 4 else t


def _check(t, shape, dtype, name):
    if t is None:
        return
    if t.ndim != len(shape):
        raise errors.value_error(f"{name} ndim should be {len(shape)}, but got {t.ndim}")
    if dtype is not None and t.dtype != dtype:
        raise errors.value_error(f"{name} dtype should be {dtype}, but got {t.dtype}")
    if any(want not in (-1, got) for want, got in zip(shape, t.shape)):
        raise errors.value_error(f"{name} shape should be {shape}: but got {t.shape}")


def _grouped(t, k, g):
    """(B, N or 1, T, S) -> (B, K, G, T, S) for K key heads shared by G query heads each."""
    if t is None:
        return None
    b, n, tt, s = t.shape
    if n == 1:
        return broadcast_to(t[:, :, None], (b, 1, g, tt, s))
    return t.reshape(b, k, g, tt, s)


def dot_product_attention(query, key, value, bias=None, mask=None, *, scale=None,
                          is_causal=False, query_seq_lengths=None, key_value_seq_lengths=None,
                          local_window_size=None, implementation=None, return_residual=False):
    if implementation not in (None, "xla"):
        raise errors.value_error(f"Unsupported implementation option: {implementation}")
    out_shape = arrays.asarray(query).shape
    query, key, value = _ensure_4d(query), _ensure_4d(key), _ensure_4d(value)
    bias = None if bias is None else _ensure_4d(bias)
    mask = None if mask is None else _ensure_4d(mask)
    q_len = None if query_seq_lengths is None else arrays.asarray(query_seq_lengths)
    kv_len = None if key_value_seq_lengths is None else arrays.asarray(key_value_seq_lengths)
    if isinstance(local_window_size, int):
        local_window_size = (local_window_size, local_window_size)
    b, s, k, h = key.shape
    _check(value, [b, s, k, h], key.dtype, "value")
    _check(query, [b, -1, -1, h], key.dtype, "query")
    _check(mask, [-1] * 4, np.dtype(bool), "mask")
    _check(bias, [-1] * 4, None, "bias")
    _check(q_len, [b], np.dtype("int32"), "query_seq_lengths")
    _check(kv_len, [b], np.dtype("int32"), "key_value_seq_lengths")
    t, n = query.shape[1], query.shape[2]
    if n % k != 0:
        raise errors.value_error("The number of query heads must be a multiple of key/value "
                                 f"heads, but got {n} vs {k}")
    g = n // k
    scale = 1.0 / np.sqrt(h) if scale is None else scale
    logits_dtype = dtypes.promote_types(query.dtype, np.float32)
    logits = contractions.einsum("BTKGH,BSKH->BKGTS", query.reshape(b, t, k, g, h), key,
                        preferred_element_type=logits_dtype)
    logits = logits * arrays.array(scale, dtype=logits.dtype)
    if bias is not None:
        logits = (logits + _grouped(bias, k, g)).astype(logits.dtype)
    keep = _combined_mask(logits.shape, _grouped(mask, k, g), is_causal, q_len, kv_len,
                          local_window_size)
    if keep is not None:
        logits = ew.where(keep, logits, _large_negative(logits.dtype))
    logits = logits.astype(np.float32)
    probs = softmax(logits, axis=-1).astype(key.dtype)
    encoded = contractions.einsum("BKGTS,BSKH->BTKGH", probs, value)
    if q_len is not None:
        encoded = encoded * (creation.arange(t)[None, :] < q_len[:, None])[:, :, None, None, None] \
            .astype(encoded.dtype)
    encoded = encoded.reshape(out_shape)
    if not return_residual:
        return encoded
    residual = logsumexp(logits, axis=-1).astype(key.dtype)  # (B, K, G, T)
    residual = shape_ops.transpose(residual, (0, 3, 1, 2)).reshape(out_shape[:-1])
    return encoded, lax.stop_gradient(residual)
