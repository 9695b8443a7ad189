"""PRNG keys: legacy uint32 arrays of shape (..., 2) (`PRNGKey`) and typed key arrays (`key`).

A typed key array (`PRNGKeyArray`) is a pytree over its uint32 data, so jit, vmap and the
other transforms carry it as that data.
"""
from __future__ import annotations

import math
from collections.abc import Sequence

import numpy as np

from hlox.frontend import dtypes, errors, lax
from hlox.frontend.core import Tracer
from hlox.frontend.jit import eager_jit
from hlox.lowering import pytree
from hlox.lowering.array import Array
from hlox.numerics.numpy import (array_constructors, elementwise as ew, reductions,
                                 shape as shape_ops)
from hlox.numerics.random.arguments import canonical_shape
from hlox.numerics.random.threefry import U32, fold_in_key_data, split_key_data

__all__ = ["PRNGKey", "PRNGKeyArray", "clone", "fold_in", "key", "key_data", "key_dtype",
           "key_impl", "split", "wrap_key_data"]


class PRNGKeyDType:
    """The element type of typed key arrays (`key<fry>`, threefry2x32)."""
    name = "key<fry>"
    impl = "threefry2x32"
    itemsize = 8

    def __repr__(self):
        return self.name

    __str__ = __repr__

    def __eq__(self, other):
        return isinstance(other, PRNGKeyDType) or other == self.name

    def __hash__(self):
        return hash(self.name)


KEY_DTYPE = PRNGKeyDType()


class PRNGKeyArray:
    """A typed key array: shape `shape`, backed by uint32 data of shape (*shape, 2)."""

    __array_priority__ = 100

    def __init__(self, data):
        self._base = data

    shape = property(lambda self: tuple(self._base.shape[:-1]))
    ndim = property(lambda self: len(self.shape))
    size = property(lambda self: math.prod(self.shape))
    dtype = property(lambda self: KEY_DTYPE)

    def __len__(self):
        if not self.shape:
            raise TypeError("len() of unsized object")
        return self.shape[0]

    def __iter__(self):
        return (self[i] for i in range(len(self)))

    def __getitem__(self, index):
        index = index if isinstance(index, tuple) else (index,)
        if any(i is Ellipsis for i in index):
            raise errors.index_error("Ellipsis indexing of key arrays is not supported")
        return PRNGKeyArray(self._base[index + (slice(None),)])

    def reshape(self, *shape):
        shape = shape[0] if len(shape) == 1 and isinstance(shape[0], Sequence) else shape
        shape = np.empty(self.shape, np.bool_).reshape(shape).shape  # resolves a -1
        return PRNGKeyArray(shape_ops.reshape(self._base, (*shape, 2)))

    def ravel(self):
        return PRNGKeyArray(shape_ops.reshape(self._base, (self.size, 2)))

    flatten = ravel

    def __eq__(self, other):
        if not isinstance(other, PRNGKeyArray):
            return NotImplemented
        return reductions.all(self._base == other._base, axis=-1)

    def __ne__(self, other):
        eq = self.__eq__(other)
        return eq if eq is NotImplemented else ew.logical_not(eq)

    __hash__ = None

    def block_until_ready(self):
        if hasattr(self._base, "block_until_ready"):
            self._base.block_until_ready()
        return self

    def __repr__(self):
        if isinstance(self._base, Tracer):
            return f"Traced<key<fry>[{','.join(map(str, self.shape))}]>"
        return f"Array({self.shape}, dtype=key<fry>) overlaying:\n{np.asarray(self._base)}"


pytree.register_node(PRNGKeyArray, lambda k: ((k._base,), None),
                     lambda _, children: PRNGKeyArray(*children))


def _is_array(x):
    return isinstance(x, (Array, Tracer, np.ndarray, np.generic))


def key_data_of(name, key, allow_batched=False):
    """(uint32 data, whether `key` was a legacy array) of a key argument."""
    if isinstance(key, PRNGKeyArray):
        data, legacy = key._base, False
    elif _is_array(key) or isinstance(key, (list, tuple)):
        data, legacy = _check_key_data(key), True
    else:
        raise errors.type_error(f"unexpected PRNG key type {type(key)}")
    if not allow_batched and data.ndim > 1:
        raise errors.value_error(
            f"{name} accepts a single key, but was given a key array of shape "
            f"{tuple(np.shape(key))} != (). Use hlox.vmap for batching.")
    return data, legacy


def _check_key_data(data):
    data = data if isinstance(data, (Array, Tracer)) else array_constructors.asarray(data)
    if data.ndim < 1 or data.shape[-1] != 2:
        raise errors.type_error(
            "invalid PRNG key data: expected key_data.shape to end with (2,); got "
            f"shape={tuple(data.shape)} for impl=threefry2x32")
    if data.dtype != U32:
        raise errors.type_error(
            f"invalid PRNG key data: expected key_data.dtype = uint32; got dtype={data.dtype}")
    return data


def _as_key(data, legacy):
    return data if legacy else PRNGKeyArray(data)


def _seed_array(seed, ctor):
    if isinstance(seed, PRNGKeyArray):
        raise errors.type_error(f"{ctor} accepts a scalar seed, but was given a PRNG key.")
    if np.ndim(seed):
        raise errors.type_error(
            f"{ctor} accepts a scalar seed, but was given an array of shape "
            f"{np.shape(seed)} != (). Use hlox.vmap for batching")
    if isinstance(seed, int):  # Python ints wrap to the default int type, as in JAX
        seed = np.int64(seed)
        return seed if dtypes.config.x64_enabled() else seed.astype(np.int32)
    if not dtypes.is_integer(dtypes.dtype_of(seed)[0]):
        raise errors.type_error(f"PRNG key seed must be an integer; got {seed!r}")
    return seed


@eager_jit
def _seed(seed):
    seed = lax.asarray(seed)
    lo = lax.convert_element_type(seed, U32)
    if seed.dtype.itemsize == 8:
        hi = lax.convert_element_type(lax.shift_right_logical(seed, 32), U32)
    else:
        hi = lax.full((), 0, U32)
    return shape_ops.stack([hi, lo])


def resolve_impl(impl):
    if impl is None and dtypes.config.jax_default_prng_impl != "threefry2x32":
        raise NotImplementedError(
            f"jax_default_prng_impl={dtypes.config.jax_default_prng_impl!r}: hlox.random "
            "implements the threefry2x32 PRNG only")
    if impl not in (None, "threefry2x32", KEY_DTYPE):
        raise errors.value_error(
            f'unrecognized PRNG implementation "{impl}"; hlox implements "threefry2x32"')


def PRNGKey(seed, *, impl=None):  # noqa: N802  (JAX's name)
    """A legacy key: a uint32 array of shape (2,)."""
    resolve_impl(impl)
    return _seed(_seed_array(seed, "PRNGKey"))


def key(seed, *, impl=None, dtype=None):
    """A typed key array of shape ()."""
    if impl is not None and dtype is not None:
        raise errors.value_error("Cannot specify both `impl` and `dtype` arguments to key")
    resolve_impl(impl if dtype is None else dtype)
    return PRNGKeyArray(_seed(_seed_array(seed, "key")))


def key_data(keys):
    """The uint32 data under a key array (a legacy key is its own data)."""
    return key_data_of("key_data", keys, allow_batched=True)[0]


def wrap_key_data(key_bits_array, *, impl=None, dtype=None):
    """A typed key array over uint32 data of shape (..., 2)."""
    resolve_impl(impl if dtype is None else dtype)
    return PRNGKeyArray(_check_key_data(key_bits_array))


def key_impl(keys):
    key_data_of("key_impl", keys, allow_batched=True)
    return "threefry2x32"


def clone(key):
    return key


def key_dtype(impl_spec=None):
    """The dtype of typed key arrays of a PRNG implementation (only threefry2x32)."""
    resolve_impl(impl_spec)
    return KEY_DTYPE


def split(key, num=2):
    """`num` new keys (an int or a shape) along new leading axes."""
    data, legacy = key_data_of("split", key)
    shape = tuple(num) if isinstance(num, Sequence) else (num,)
    return _as_key(_split_jit(data, shape=canonical_shape(shape)), legacy)


_split_jit = eager_jit(split_key_data, static_argnames=("shape",))


def fold_in(key, data):
    """A new key that is a deterministic function of `key` and the 32-bit integer `data`."""
    key_data_, legacy = key_data_of("fold_in", key)
    if np.ndim(data):
        raise errors.type_error(f"fold_in accepts a scalar, but was given an array of shape "
                                f"{np.shape(data)} != (). Use hlox.vmap for batching.")
    return _as_key(_fold_in_jit(key_data_, _as_uint32(data)), legacy)


def _as_uint32(data):
    if isinstance(data, (Array, Tracer)):
        return lax.convert_element_type(data, U32)
    if isinstance(data, int) and not 0 <= data < 2 ** 32:
        raise OverflowError(f"Python integer {data} out of bounds for uint32")
    return np.asarray(data).astype(U32)


_fold_in_jit = eager_jit(fold_in_key_data)
