"""The threefry2x32 hash under JAX's default PRNG, bit for bit.

With `jax_threefry_partitionable` on (the default since jax 0.5) the element at row-major
index i of an array of random bits hashes the 64-bit counter i, split into (hi, lo) words;
`split` and `fold_in` read the two output words as JAX does, and `fold_in` hashes (0, data).
"""
from __future__ import annotations

import math

import numpy as np

from hlox import config
from hlox.frontend import lax
from hlox.frontend.control_flow import fori_loop
from hlox.numerics.numpy import shape as shape_ops

U32 = np.dtype(np.uint32)
UINT = {8: np.dtype(np.uint8), 16: np.dtype(np.uint16), 32: U32, 64: np.dtype(np.uint64)}

# -- the threefry2x32 hash ------------------------------------------------------------
_ROTATIONS = ((13, 15, 26, 6), (17, 29, 16, 24))
_PARITY = 0x1BD11BDA


def _rotate_left(x, d):
    return lax.bitwise_or(lax.shift_left(x, d), lax.shift_right_logical(x, lax.sub(32, d)))


def _mix(x, rotation):
    x0 = lax.add(x[0], x[1])
    return [x0, lax.bitwise_xor(x0, _rotate_left(x[1], rotation))]


def threefry_2x32(key, x0, x1):
    """The Threefry-2x32 hash (20 rounds) of the counter words (x0, x1) under `key`.

    The five groups of four rounds run as a loop, as JAX runs them on CPU: the unrolled
    hash makes samplers with loops (gamma, poisson) slow to compile.
    """
    shape = x0.shape
    k1, k2 = (lax.broadcast_in_dim(lax.index_in_dim(key, i, keepdims=False), shape, ())
              for i in range(2))
    ks = (k1, k2, lax.bitwise_xor(lax.bitwise_xor(k1, k2), _PARITY))
    rotations = tuple(np.array(r, U32) for r in _ROTATIONS)

    def group(i, state):
        x, ks, rotations = state
        for j in range(4):
            x = _mix(x, lax.broadcast_in_dim(lax.index_in_dim(rotations[0], j, keepdims=False),
                                             shape, ()))
        step = lax.broadcast_in_dim(lax.convert_element_type(i + 1, U32), shape, ())
        x = (lax.add(x[0], ks[1]), lax.add(lax.add(x[1], ks[2]), step))
        return x, ks[1:] + ks[:1], rotations[1:] + rotations[:1]

    x = (lax.add(x0, ks[0]), lax.add(x1, ks[1]))
    return list(fori_loop(0, 5, group, (x, ks, tuple(lax.asarray(r) for r in rotations)))[0])


def _counters(shape):
    """The row-major index of each element as (hi, lo) uint32 words."""
    size = math.prod(shape)
    if size >= 2 ** 32:
        raise NotImplementedError(f"random bits arrays of {size} >= 2**32 elements")
    lo = lax.reshape(lax.iota(U32, size), shape)
    return lax.full(shape, 0, U32), lo


def _hash_shape(key, shape):
    return threefry_2x32(key, *_counters(shape))


def _hash_flat(key, count):
    """JAX's threefry_2x32(key, count) on a flat uint32 counter array: the first half and the
    second half (zero-padded to even length) are the two words; the outputs are concatenated."""
    n = count.shape[0]
    if n % 2:
        count = lax.concatenate([count, lax.full((1,), 0, U32)], 0)
    half = count.shape[0] // 2
    words = threefry_2x32(key, lax.slice(count, (0,), (half,)), lax.slice(count, (half,), (2 * half,)))
    out = lax.concatenate(words, 0)
    return lax.slice(out, (0,), (n,)) if n % 2 else out


def _random_bits_original(key, bit_width, shape):
    """jax_threefry_partitionable=False: JAX's original stream (one hash of iota(ceil(bits/32)))."""
    size = math.prod(shape)
    max_count = -(-bit_width * size // 32)
    if max_count >= 2 ** 32 - 1:
        raise NotImplementedError(f"random bits arrays of {size} elements with "
                                  "jax_threefry_partitionable=False")
    bits = _hash_flat(key, lax.iota(U32, max_count))
    if bit_width == 64:
        hi, lo = (lax.convert_element_type(lax.slice(bits, (s,), (s + size,)), UINT[64])
                  for s in (0, size))
        bits = lax.bitwise_or(lax.shift_left(hi, np.uint64(32)), lo)
    elif bit_width in (8, 16):
        per_word = 32 // bit_width
        lanes = lax.shift_right_logical(
            lax.broadcast(bits, (per_word,)),
            lax.mul(np.uint32(bit_width), lax.broadcasted_iota(U32, (per_word, max_count), 0)))
        lanes = lax.bitwise_and(lanes, np.uint32(2 ** bit_width - 1))
        bits = lax.reshape(lanes, (max_count * per_word,), (1, 0))
        bits = lax.slice(lax.convert_element_type(bits, UINT[bit_width]), (0,), (size,))
    return lax.reshape(bits, shape)


def random_bits(key, bit_width, shape):
    if not config.jax_threefry_partitionable:
        return _random_bits_original(key, bit_width, tuple(shape))
    b1, b2 = _hash_shape(key, shape)
    if bit_width == 64:
        hi, lo = (lax.convert_element_type(b, UINT[64]) for b in (b1, b2))
        return lax.bitwise_or(lax.shift_left(hi, 32), lo)
    word = lax.bitwise_xor(b1, b2)
    return word if bit_width == 32 else lax.convert_element_type(word, UINT[bit_width])


def split_key_data(key, shape=(2,)):
    if not config.jax_threefry_partitionable:  # JAX's original split: hash iota(2 * num)
        return lax.reshape(_hash_flat(key, lax.iota(U32, 2 * math.prod(shape))), (*shape, 2))
    b1, b2 = _hash_shape(key, shape)
    return shape_ops.stack([b1, b2], axis=len(shape))


def fold_in_key_data(key, data):
    b1, b2 = threefry_2x32(key, lax.full((), 0, U32), data)
    return shape_ops.stack([b1, b2])
