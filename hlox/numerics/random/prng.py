"""`hlox.random`: JAX's PRNG, bit for bit.

JAX's default generator is threefry2x32 with `jax_threefry_partitionable` on (the
default since jax 0.5): a key is two uint32 words; the element at row-major index i of
an array of random bits hashes the 64-bit counter i, split into (hi, lo) words, and
`bits`, `split` and the samplers read the two output words as JAX does. `fold_in`
hashes the pair (0, data). Floats come from the mantissa trick: random bits under the
exponent of 1.0 give a float in [1, 2), minus 1.

Keys are either legacy uint32 arrays of shape (..., 2) (`PRNGKey`) or typed key arrays
(`key`): `PRNGKeyArray`, a pytree over its uint32 data, so jit, vmap and the other
transforms carry it as that data. Each sampler runs through `eager_jit`, so a loop of
eager calls compiles once per shape and dtype.
"""
from __future__ import annotations

import math
import operator
import warnings
from collections.abc import Sequence

import numpy as np

import hlox.numpy as jnp
from hlox.frontend import dtypes, errors, lax
from hlox.numerics import lax_extras
from hlox.frontend.control_flow import fori_loop, while_loop
from hlox.frontend.core import Tracer
from hlox.frontend.jit import eager_jit
from hlox.transforms.vmap import vmap
from hlox.lowering import pytree
from hlox.lowering.array import Array

__all__ = ["PRNGKey", "PRNGKeyArray", "ball", "bernoulli", "beta", "bits", "categorical",
           "cauchy", "choice", "clone", "dirichlet", "exponential", "fold_in", "gamma",
           "generalized_normal", "gumbel", "key", "key_data", "key_impl", "laplace",
           "loggamma", "logistic", "maxwell", "multivariate_normal", "normal", "permutation",
           "poisson", "rademacher", "randint", "shuffle", "split", "truncated_normal",
           "uniform", "wrap_key_data"]

_U32 = np.dtype(np.uint32)
_UINT = {8: np.dtype(np.uint8), 16: np.dtype(np.uint16), 32: _U32, 64: np.dtype(np.uint64)}


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
    rotations = tuple(np.array(r, _U32) for r in _ROTATIONS)

    def group(i, state):
        x, ks, rotations = state
        for j in range(4):
            x = _mix(x, lax.broadcast_in_dim(lax.index_in_dim(rotations[0], j, keepdims=False),
                                             shape, ()))
        step = lax.broadcast_in_dim(lax.convert_element_type(i + 1, _U32), shape, ())
        x = (lax.add(x[0], ks[1]), lax.add(lax.add(x[1], ks[2]), step))
        return x, ks[1:] + ks[:1], rotations[1:] + rotations[:1]

    x = (lax.add(x0, ks[0]), lax.add(x1, ks[1]))
    return list(fori_loop(0, 5, group, (x, ks, tuple(lax.asarray(r) for r in rotations)))[0])


def _counters(shape):
    """The row-major index of each element as (hi, lo) uint32 words."""
    size = math.prod(shape)
    if size >= 2 ** 32:
        raise NotImplementedError(f"random bits arrays of {size} >= 2**32 elements")
    lo = lax.reshape(lax.iota(_U32, size), shape)
    return lax.full(shape, 0, _U32), lo


def _hash_shape(key, shape):
    return threefry_2x32(key, *_counters(shape))


def _random_bits(key, bit_width, shape):
    b1, b2 = _hash_shape(key, shape)
    if bit_width == 64:
        hi, lo = (lax.convert_element_type(b, _UINT[64]) for b in (b1, b2))
        return lax.bitwise_or(lax.shift_left(hi, 32), lo)
    word = lax.bitwise_xor(b1, b2)
    return word if bit_width == 32 else lax.convert_element_type(word, _UINT[bit_width])


def _split(key, shape=(2,)):
    b1, b2 = _hash_shape(key, shape)
    return jnp.stack([b1, b2], axis=len(shape))


def _fold_in(key, data):
    b1, b2 = threefry_2x32(key, lax.full((), 0, _U32), data)
    return jnp.stack([b1, b2])


# -- keys -----------------------------------------------------------------------------
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


_KEY_DTYPE = PRNGKeyDType()


class PRNGKeyArray:
    """A typed key array: shape `shape`, backed by uint32 data of shape (*shape, 2)."""

    __array_priority__ = 100

    def __init__(self, data):
        self._base = data

    shape = property(lambda self: tuple(self._base.shape[:-1]))
    ndim = property(lambda self: len(self.shape))
    size = property(lambda self: math.prod(self.shape))
    dtype = property(lambda self: _KEY_DTYPE)

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
        return PRNGKeyArray(jnp.reshape(self._base, (*shape, 2)))

    def ravel(self):
        return PRNGKeyArray(jnp.reshape(self._base, (self.size, 2)))

    flatten = ravel

    def __eq__(self, other):
        if not isinstance(other, PRNGKeyArray):
            return NotImplemented
        return jnp.all(self._base == other._base, axis=-1)

    def __ne__(self, other):
        eq = self.__eq__(other)
        return eq if eq is NotImplemented else jnp.logical_not(eq)

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


def _key_data_of(name, key, allow_batched=False):
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
    data = data if isinstance(data, (Array, Tracer)) else jnp.asarray(data)
    if data.ndim < 1 or data.shape[-1] != 2:
        raise errors.type_error(
            "invalid PRNG key data: expected key_data.shape to end with (2,); got "
            f"shape={tuple(data.shape)} for impl=threefry2x32")
    if data.dtype != _U32:
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
    lo = lax.convert_element_type(seed, _U32)
    if seed.dtype.itemsize == 8:
        hi = lax.convert_element_type(lax.shift_right_logical(seed, 32), _U32)
    else:
        hi = lax.full((), 0, _U32)
    return jnp.stack([hi, lo])


def _resolve_impl(impl):
    if impl not in (None, "threefry2x32", _KEY_DTYPE):
        raise errors.value_error(
            f'unrecognized PRNG implementation "{impl}"; hlox implements "threefry2x32"')


def PRNGKey(seed, *, impl=None):  # noqa: N802  (JAX's name)
    """A legacy key: a uint32 array of shape (2,)."""
    _resolve_impl(impl)
    return _seed(_seed_array(seed, "PRNGKey"))


def key(seed, *, impl=None, dtype=None):
    """A typed key array of shape ()."""
    if impl is not None and dtype is not None:
        raise errors.value_error("Cannot specify both `impl` and `dtype` arguments to key")
    _resolve_impl(impl if dtype is None else dtype)
    return PRNGKeyArray(_seed(_seed_array(seed, "key")))


def key_data(keys):
    """The uint32 data under a key array (a legacy key is its own data)."""
    return _key_data_of("key_data", keys, allow_batched=True)[0]


def wrap_key_data(key_bits_array, *, impl=None, dtype=None):
    """A typed key array over uint32 data of shape (..., 2)."""
    _resolve_impl(impl if dtype is None else dtype)
    return PRNGKeyArray(_check_key_data(key_bits_array))


def key_impl(keys):
    _key_data_of("key_impl", keys, allow_batched=True)
    return "threefry2x32"


def clone(key):
    return key


def split(key, num=2):
    """`num` new keys (an int or a shape) along new leading axes."""
    data, legacy = _key_data_of("split", key)
    shape = tuple(num) if isinstance(num, Sequence) else (num,)
    return _as_key(_split_jit(data, shape=_canonical_shape(shape)), legacy)


_split_jit = eager_jit(_split, static_argnames=("shape",))


def fold_in(key, data):
    """A new key that is a deterministic function of `key` and the 32-bit integer `data`."""
    key_data_, legacy = _key_data_of("fold_in", key)
    if np.ndim(data):
        raise errors.type_error(f"fold_in accepts a scalar, but was given an array of shape "
                                f"{np.shape(data)} != (). Use hlox.vmap for batching.")
    return _as_key(_fold_in_jit(key_data_, _as_uint32(data)), legacy)


def _as_uint32(data):
    if isinstance(data, (Array, Tracer)):
        return lax.convert_element_type(data, _U32)
    if isinstance(data, int) and not 0 <= data < 2 ** 32:
        raise OverflowError(f"Python integer {data} out of bounds for uint32")
    return np.asarray(data).astype(_U32)


_fold_in_jit = eager_jit(_fold_in)


# -- argument checks -----------------------------------------------------------------
def _canonical_shape(shape):
    try:
        if isinstance(shape, (Sequence, np.ndarray)):
            return tuple(operator.index(d) for d in shape)
        return (operator.index(shape),)
    except TypeError:
        raise errors.type_error("Shapes must be 1D sequences of concrete values of integer "
                                f"type, got {shape}.") from None


def _optional_shape(shape):
    return None if shape is None else _canonical_shape(shape)


def _check_shape(name, shape, *param_shapes):
    if param_shapes:
        broadcast = np.broadcast_shapes(shape, *param_shapes)
        if broadcast != tuple(shape):
            raise errors.value_error(
                f"{name} parameter shapes must be broadcast-compatible with shape argument, "
                "and the result of broadcasting the shapes must equal the shape argument, but "
                f"got result {broadcast} for shape argument {tuple(shape)}.")


def _float_dtype(name, dtype, kinds=(np.floating,), what="a float"):
    dtype = dtypes.canonicalize(dtypes.to_dtype(float if dtype is None else dtype))
    if not any(dtypes.issubdtype(dtype, k) for k in kinds):
        raise errors.value_error(f"dtype argument to `{name}` must be {what} dtype, got {dtype}")
    return dtype


def _int_dtype(name, dtype):
    dtype = dtypes.canonicalize(dtypes.to_dtype(int if dtype is None else dtype))
    if not dtypes.is_integer(dtype):
        raise errors.type_error(f"{name} only accepts integer dtypes, got {dtype}")
    return dtype


def _shape_of(x):
    return tuple(np.shape(x))


# -- samplers -------------------------------------------------------------------------
def bits(key, shape=(), dtype=None):
    """Uniform random bits as unsigned integers."""
    data, _ = _key_data_of("bits", key)
    dtype = dtypes.canonicalize(dtypes.to_dtype(dtypes.default_uint() if dtype is None
                                                else dtype))
    if dtype.kind != "u":
        raise errors.value_error(
            f"dtype argument to `bits` must be an unsigned int dtype, got {dtype}")
    return _bits_jit(data, bit_width=dtype.itemsize * 8, shape=_canonical_shape(shape))


_bits_jit = eager_jit(_random_bits, static_argnames=("bit_width", "shape"))


def _uniform(key, minval, maxval, shape, dtype):
    finfo = dtypes.finfo(dtype)
    nbits, nmant = finfo.bits, finfo.nmant
    rng_bits = 8 if nmant < 8 else nbits
    uint = _UINT[nbits]
    word = lax.convert_element_type(_random_bits(key, rng_bits, shape), uint)
    one = np.array(1.0, dtype).view(uint)
    float_bits = lax.bitwise_or(lax.shift_right_logical(word, rng_bits - nmant), one.item())
    floats = lax.sub(lax.bitcast_convert_type(float_bits, dtype), 1.0)
    minval = _to_rank(lax.convert_element_type(minval, dtype), len(shape))
    maxval = _to_rank(lax.convert_element_type(maxval, dtype), len(shape))
    scaled = jnp.add(jnp.multiply(floats, jnp.subtract(maxval, minval)), minval)
    return jnp.maximum(minval, lax.reshape(scaled, shape))


def _to_rank(x, rank):
    return lax.broadcast_in_dim(x, (1,) * (rank - x.ndim) + tuple(x.shape),
                                tuple(range(rank - x.ndim, rank)))


def uniform(key, shape=(), dtype=None, minval=0., maxval=1.):
    """Uniform floats in [minval, maxval)."""
    data, _ = _key_data_of("uniform", key)
    dtype = _float_dtype("uniform", dtype)
    return _uniform_jit(data, minval, maxval, shape=_canonical_shape(shape), dtype=dtype)


_uniform_jit = eager_jit(_uniform, static_argnames=("shape", "dtype"))


def _normal_real(key, shape, dtype):
    lo = np.nextafter(np.array(-1., dtype), np.array(0., dtype), dtype=dtype)
    u = _uniform(key, lo, np.array(1., dtype), shape, dtype)
    return jnp.multiply(np.array(np.sqrt(2), dtype), lax.erf_inv(u))


def _normal(key, shape, dtype):
    if not dtypes.is_complex(dtype):
        return _normal_real(key, shape, dtype)
    real = dtypes.real_dtype(dtype)
    key_re, key_im = _split(key)
    re, im = (lax.convert_element_type(_normal_real(k, shape, real), dtype)
              for k in (key_re, key_im))
    return jnp.divide(jnp.add(re, jnp.multiply(1j, im)), np.array(np.sqrt(2), dtype))


def normal(key, shape=(), dtype=None):
    """Standard normal floats (complex: independent real and imaginary parts)."""
    data, _ = _key_data_of("normal", key)
    dtype = _float_dtype("normal", dtype, (np.inexact,), "a float or complex")
    return _normal_jit(data, shape=_canonical_shape(shape), dtype=dtype)


_normal_jit = eager_jit(_normal, static_argnames=("shape", "dtype"))


def _unary_sampler(name, transform, minval=None, maxval=1.):
    """A sampler `transform(u)` of a uniform `u` in [minval(finfo), maxval)."""
    def impl(key, shape, dtype):
        low = 0. if minval is None else minval(dtypes.finfo(dtype))
        return transform(_uniform(key, low, maxval, shape, dtype))
    jitted = eager_jit(impl, static_argnames=("shape", "dtype"))

    def sampler(key, shape=(), dtype=None):
        data, _ = _key_data_of(name, key)
        return jitted(data, shape=_canonical_shape(shape), dtype=_float_dtype(name, dtype))
    sampler.__name__ = sampler.__qualname__ = name
    sampler.__doc__ = f"Samples of the {name} distribution."
    return sampler


def _cauchy(u):
    return lax.tan(lax.mul(np.pi, lax.sub(u, 0.5)))


def _laplace(u):
    return lax.mul(lax.sign(u), lax.log1p(lax.neg(lax.abs(u))))


def _gumbel_low(u):
    return jnp.negative(jnp.log(jnp.negative(jnp.log(u))))


exponential = _unary_sampler("exponential", lambda u: lax.neg(lax.log1p(lax.neg(u))))
cauchy = _unary_sampler("cauchy", _cauchy, lambda f: f.eps)
laplace = _unary_sampler("laplace", _laplace, lambda f: -1. + f.epsneg)
logistic = _unary_sampler("logistic", lambda u: lax.sub(lax.log(u), lax.log1p(lax.neg(u))),
                          lambda f: f.tiny)


def _gumbel(key, shape, dtype, mode):
    if mode == "low":
        return _gumbel_low(_uniform(key, dtypes.finfo(dtype).tiny, 1., shape, dtype))
    info = dtypes.finfo(dtype)
    high, low = _uniform(key, 0., 1., (2, *shape), dtype)
    x = jnp.where(high >= 0.5, high, high + 2 ** -int(info.nmant) * low + info.tiny)
    return jnp.negative(jnp.log(jnp.negative(jnp.log1p(jnp.negative(x)))))


_gumbel_jit = eager_jit(_gumbel, static_argnames=("shape", "dtype", "mode"))


def _gumbel_mode(mode):
    mode = "low" if mode is None else mode
    if mode not in ("high", "low"):
        raise errors.value_error(f"Must provide valid mode for gumbel got: {mode} "
                                 "(hlox implements 'low' and 'high')")
    return mode


def gumbel(key, shape=(), dtype=None, mode=None):
    """Standard Gumbel samples (mode 'high' uses two uniforms for small tails)."""
    data, _ = _key_data_of("gumbel", key)
    return _gumbel_jit(data, shape=_canonical_shape(shape),
                       dtype=_float_dtype("gumbel", dtype), mode=_gumbel_mode(mode))


def _bernoulli(key, p, shape, mode):
    if mode == "high":
        u1, u2 = _uniform(key, 0., 1., (2, *shape), p.dtype)
        u2 = jnp.multiply(u2, 2 ** -int(dtypes.finfo(p.dtype).nmant))
        return jnp.less(u2, jnp.subtract(p, u1))
    return jnp.less(_uniform(key, 0., 1., shape, p.dtype), p)


_bernoulli_jit = eager_jit(_bernoulli, static_argnames=("shape", "mode"))


def bernoulli(key, p=0.5, shape=None, mode="low"):
    """Booleans that are True with probability p."""
    shape = _optional_shape(shape)
    if mode not in ("high", "low"):
        raise errors.value_error(f"got mode={mode!r}, expected 'high' or 'low'")
    data, _ = _key_data_of("bernoulli", key)
    dtype, _ = dtypes.dtype_of(p)
    if not dtypes.is_float(dtype):
        raise errors.type_error(f"bernoulli probability `p` must have a floating dtype, "
                                f"got {dtype}.")
    p = lax.asarray(p)
    if shape is None:
        shape = _shape_of(p)
    _check_shape("bernoulli", shape, _shape_of(p))
    return _bernoulli_jit(data, p, shape=shape, mode=mode)


def _rademacher(key, shape, dtype):
    b = lax.convert_element_type(_bernoulli(key, lax.asarray(0.5), shape, "low"), dtype)
    return lax.convert_element_type(jnp.subtract(jnp.multiply(2, b), 1), dtype)


_rademacher_jit = eager_jit(_rademacher, static_argnames=("shape", "dtype"))


def rademacher(key, shape=(), dtype=None):
    """-1 or +1 with equal probability."""
    data, _ = _key_data_of("rademacher", key)
    dtype = dtypes.canonicalize(dtypes.to_dtype(int if dtype is None else dtype))
    return _rademacher_jit(data, shape=_canonical_shape(shape), dtype=dtype)


def _maxwell(key, shape, dtype):
    return jnp.linalg.norm(_normal(key, (*shape, 3), dtype), axis=-1)


_maxwell_jit = eager_jit(_maxwell, static_argnames=("shape", "dtype"))


def maxwell(key, shape=(), dtype=None):
    """One-sided Maxwell samples: the norm of three standard normals."""
    data, _ = _key_data_of("maxwell", key)
    return _maxwell_jit(data, shape=_canonical_shape(shape),
                        dtype=_float_dtype("maxwell", dtype))


def _truncated_normal(key, lower, upper, shape, dtype):
    sqrt2 = np.array(np.sqrt(2), dtype)
    lower = lax.convert_element_type(lower, dtype)
    upper = lax.convert_element_type(upper, dtype)
    a = lax.erf(jnp.divide(lower, sqrt2))
    b = lax.erf(jnp.divide(upper, sqrt2))
    out = jnp.multiply(sqrt2, lax.erf_inv(_uniform(key, a, b, shape, dtype)))
    return jnp.clip(out, _toward(lower, np.inf), _toward(upper, -np.inf))


def _toward(x, direction):
    x = lax.stop_gradient(x)
    return lax.nextafter(x, lax.full_like(x, direction))


_truncated_normal_jit = eager_jit(_truncated_normal, static_argnames=("shape", "dtype"))


def truncated_normal(key, lower, upper, shape=None, dtype=None):
    """Standard normal samples conditioned on lower < x < upper."""
    shape = _optional_shape(shape)
    data, _ = _key_data_of("truncated_normal", key)
    dtype = _float_dtype("truncated_normal", dtype)
    if shape is None:
        shape = np.broadcast_shapes(_shape_of(lower), _shape_of(upper))
    _check_shape("truncated_normal", shape, _shape_of(lower), _shape_of(upper))
    return _truncated_normal_jit(data, lower, upper, shape=shape, dtype=dtype)


# -- integers and permutations --------------------------------------------------------
def _convert_and_clip_integer(val, dtype):
    """`val` as `dtype`, clipped to the range both types represent."""
    lo = max(int(dtypes.iinfo(dtype).min), int(dtypes.iinfo(val.dtype).min))
    hi = min(int(dtypes.iinfo(dtype).max), int(dtypes.iinfo(val.dtype).max))
    clipped = jnp.clip(val, np.array(lo, val.dtype), np.array(hi, val.dtype))
    return lax.convert_element_type(clipped, dtype)


def _randint(key, minval, maxval, shape, dtype):
    minval, maxval = (x if dtypes.is_integer(x.dtype) else x.astype(dtypes.default_int())
                      for x in (jnp.asarray(minval), jnp.asarray(maxval)))
    dtype_max = np.array(dtypes.iinfo(dtype).max, dtype)
    out_of_range = jnp.greater(maxval, _convert_and_clip_integer(lax.asarray(dtype_max),
                                                                 maxval.dtype))
    minval = _to_rank(_convert_and_clip_integer(minval, dtype), len(shape))
    maxval = _to_rank(_convert_and_clip_integer(maxval, dtype), len(shape))
    nbits = dtypes.iinfo(dtype).bits
    k1, k2 = _split(key)
    higher, lower = _random_bits(k1, nbits, shape), _random_bits(k2, nbits, shape)
    span = lax.convert_element_type(jnp.subtract(maxval, minval), _UINT[nbits])
    span = jnp.where(jnp.less_equal(maxval, minval), np.array(1, span.dtype), span)
    span = jnp.where(jnp.logical_and(out_of_range, jnp.greater(maxval, minval)),
                     jnp.add(span, np.array(1, span.dtype)), span)
    multiplier = jnp.remainder(np.array(2 ** (nbits // 2), span.dtype), span)
    multiplier = lax.rem(jnp.multiply(multiplier, multiplier), span)
    higher, lower, span, multiplier = jnp.broadcast_arrays(higher, lower, span, multiplier)
    offset = lax.add(lax.mul(lax.rem(higher, span), multiplier), lax.rem(lower, span))
    offset = lax.rem(offset, span)
    return jnp.add(minval, lax.convert_element_type(offset, dtype))


_randint_jit = eager_jit(_randint, static_argnames=("shape", "dtype"))


def randint(key, shape, minval, maxval, dtype=None):
    """Integers in [minval, maxval) (8- and 16-bit types are sampled in 32 bits)."""
    data, _ = _key_data_of("randint", key)
    out_dtype = _int_dtype("randint", dtype)
    shape = _canonical_shape(shape)
    _check_shape("randint", shape, _shape_of(minval), _shape_of(maxval))
    info = dtypes.iinfo(out_dtype)
    sample_dtype = out_dtype
    if info.bits < 32:
        sample_dtype = np.dtype(np.int32)
        minval = jnp.clip(jnp.asarray(minval).astype(sample_dtype), int(info.min), int(info.max))
        maxval = jnp.clip(jnp.asarray(maxval).astype(sample_dtype), int(info.min),
                          int(info.max) + 1)
    out = _randint_jit(data, minval, maxval, shape=shape, dtype=sample_dtype)
    return out if sample_dtype == out_dtype else out.astype(out_dtype)


def _shuffle(key, x, axis):
    exponent = 3  # tjablin@'s static stop criterion, as in JAX
    rounds = int(np.ceil(exponent * np.log(max(1, x.size)) / np.log(np.iinfo(np.uint32).max)))
    for _ in range(rounds):
        key, subkey = _split(key)
        _, x = lax.sort_key_val(_random_bits(subkey, 32, x.shape), x, axis)
    return x


_shuffle_jit = eager_jit(_shuffle, static_argnames=("axis",))


def _permutation(key, x, axis, independent):
    if independent or x.ndim == 1:
        return _shuffle(key, x, axis)
    order = _shuffle(key, jnp.arange(x.shape[axis]), 0)
    return jnp.take(x, order, axis, unique_indices=True)


_permutation_jit = eager_jit(_permutation, static_argnames=("axis", "independent"))


def permutation(key, x, axis=0, independent=False):
    """A random permutation of `x` along `axis` (of range(x) for an integer x)."""
    data, _ = _key_data_of("permutation", key)
    if not np.ndim(x):
        if not dtypes.is_integer(dtypes.dtype_of(x)[0]):
            raise errors.type_error("x must be an integer or at least 1-dimensional")
        n = operator.index(x) if not isinstance(x, (Array, Tracer)) else int(x)
        return _permutation_jit(data, jnp.arange(n), axis=0, independent=True)
    x = x if isinstance(x, (Array, Tracer)) else jnp.asarray(x)
    axis = _canonical_axis(axis, x.ndim)
    return _permutation_jit(data, x, axis=axis, independent=bool(independent))


def _canonical_axis(axis, ndim):
    axis = operator.index(axis)
    if not -ndim <= axis < ndim:
        raise errors.value_error(f"axis {axis} is out of bounds for array of dimension {ndim}")
    return axis % ndim


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
            result = ind if arr is None else jnp.take(arr, ind, axis)
        else:
            base = jnp.arange(n_inputs) if arr is None else arr
            perm = _permutation(key, base, axis, arr is None)
            result = lax.slice_in_dim(perm, 0, n_draws, axis=axis if arr is not None else 0)
    else:
        if replace:
            p_cuml = jnp.cumsum(p)
            r = jnp.multiply(p_cuml[-1], jnp.subtract(1, _uniform(key, 0., 1., shape,
                                                                   p_cuml.dtype)))
            ind = jnp.searchsorted(p_cuml, r).astype(dtypes.default_int())
        else:
            g = jnp.add(_gumbel(key, (n_inputs,), p.dtype, mode), jnp.log(p))
            ind = lax_extras.top_k(g, n_draws)[1].astype(dtypes.default_int())
        result = ind if arr is None else jnp.take(arr, ind, axis)
    if arr is None:
        return jnp.reshape(result, shape)
    return jnp.reshape(result, arr.shape[:axis] + tuple(shape) + arr.shape[axis + 1:])


_choice_jit = eager_jit(_choice, static_argnames=("shape", "replace", "axis", "n_inputs",
                                                  "mode"))


def choice(key, a, shape=(), replace=True, p=None, axis=0, mode=None):
    """Samples of `a` (or of range(a) for an integer a), optionally weighted by `p`."""
    data, _ = _key_data_of("choice", key)
    if not isinstance(shape, Sequence):
        raise errors.type_error(f"shape argument of choice must be a sequence, got {shape}")
    shape = _canonical_shape(shape)
    arr = jnp.asarray(a) if not isinstance(a, (Array, Tracer)) else a
    if arr.ndim == 0:
        n_inputs, arr = int(a), None
    else:
        axis = _canonical_axis(axis, arr.ndim)
        n_inputs = arr.shape[axis]
    n_draws = math.prod(shape)
    if n_draws == 0:
        return jnp.zeros(shape, dtype=(arr if arr is not None else jnp.asarray(a)).dtype)
    if n_inputs <= 0:
        raise errors.value_error("a must be greater than 0 unless no samples are taken")
    if not replace and n_draws > n_inputs:
        raise errors.value_error(
            f"Cannot take a larger sample (size {n_draws}) than population (size {n_inputs}) "
            "when 'replace=False'")
    if p is not None:
        p = jnp.asarray(p)
        p = p if dtypes.is_inexact(p.dtype) else p.astype(dtypes.to_inexact(p.dtype, False)[0])
        if p.shape != (n_inputs,):
            raise errors.value_error(
                "p must be None or a 1D vector with the same size as a.shape[axis]. "
                f"p has shape {p.shape} and a.shape[axis] is {n_inputs}.")
    return _choice_jit(data, arr, p, shape=shape, replace=bool(replace), axis=axis,
                       n_inputs=n_inputs, mode=_gumbel_mode(mode))


def _categorical(key, logits, shape, batch_shape, axis, replace, mode):
    prefix = shape[:len(shape) - len(batch_shape)]
    if replace:
        axis = axis - logits.ndim if axis >= 0 else axis
        logits_shape = list(shape[len(shape) - len(batch_shape):])
        logits_shape.insert(axis % logits.ndim, logits.shape[axis])
        noise = _gumbel(key, (*prefix, *logits_shape), logits.dtype, mode)
        return jnp.argmax(jnp.add(noise, jnp.expand_dims(logits, tuple(range(len(prefix))))),
                          axis=axis)
    logits = jnp.add(logits, _gumbel(key, logits.shape, logits.dtype, mode))
    k = math.prod(prefix)
    if k > logits.shape[axis]:
        raise errors.value_error(f"Number of samples without replacement ({k}) cannot exceed "
                                 f"number of categories ({logits.shape[axis]}).")
    indices = lax_extras.top_k(jnp.moveaxis(logits, axis, -1), k)[1]
    return lax.reshape(indices, shape, (indices.ndim - 1, *range(indices.ndim - 1)))


_categorical_jit = eager_jit(_categorical, static_argnames=(
    "shape", "batch_shape", "axis", "replace", "mode"))


def categorical(key, logits, axis=-1, shape=None, replace=True, mode=None):
    """Indices drawn with probabilities softmax(logits) along `axis`."""
    data, _ = _key_data_of("categorical", key)
    logits = logits if isinstance(logits, (Array, Tracer)) else jnp.asarray(logits)
    axis = operator.index(axis)
    batch_shape = tuple(np.delete(logits.shape, axis))
    shape = batch_shape if shape is None else _canonical_shape(shape)
    _check_shape("categorical", shape, batch_shape)
    return _categorical_jit(data, logits, shape=shape, batch_shape=batch_shape, axis=axis,
                            replace=bool(replace), mode=_gumbel_mode(mode))


# -- multivariate ---------------------------------------------------------------------
def _multivariate_normal(key, mean, cov, shape, dtype, method):
    if method != "cholesky":
        raise errors.value_error(f"hlox's multivariate_normal implements method='cholesky', "
                                 f"not {method!r}")
    factor = jnp.linalg.cholesky(cov)
    samples = _normal(key, shape + mean.shape[-1:], dtype)
    if factor.ndim == 2:  # JAX's einsum contracts the samples first: match its rounding
        product = lax.dot_general(samples, factor, (([samples.ndim - 1], [1]), ([], [])))
    else:
        product = jnp.einsum("...ij,...j->...i", factor, samples)
    return jnp.add(mean, product)


_multivariate_normal_jit = eager_jit(_multivariate_normal,
                                     static_argnames=("shape", "dtype", "method"))


def multivariate_normal(key, mean, cov, shape=None, dtype=None, method="cholesky"):
    """Normal vectors with mean `mean` (..., n) and covariance `cov` (..., n, n)."""
    data, _ = _key_data_of("multivariate_normal", key)
    if method not in {"svd", "eigh", "cholesky"}:
        raise errors.value_error("method must be one of {'svd', 'eigh', 'cholesky'}")
    mean, cov = _promote_inexact(mean, cov)
    dtype = mean.dtype if dtype is None else _float_dtype("multivariate_normal", dtype)
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
        shape = _canonical_shape(shape)
        _check_shape("normal", shape, mean.shape[:-1], cov.shape[:-2])
    return _multivariate_normal_jit(data, mean, cov, shape=tuple(shape), dtype=dtype,
                                    method=method)


def _promote_inexact(*args):
    from hlox.numerics.numpy._util import promote_dtypes_inexact
    return promote_dtypes_inexact(*args)


# -- gamma and friends ----------------------------------------------------------------
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
        key, subkey = _split(state[0])
        x = _normal(subkey, (), dtype)
        return key, x, lax.add(one, lax.mul(x, c))

    def body_fn(state):
        key, x_key, u_key = _split(state[0], (3,))
        _, x, v = while_loop(lambda s: lax.le(s[2], zero), next_xv,
                             (x_key, zero, lax.full((), -1, dtype)))
        u = _uniform(u_key, 0., 1., (), dtype)
        return key, lax.mul(x, x), lax.mul(lax.mul(v, v), v), u

    key, subkey = _split(key)
    _, _, v, _ = while_loop(cond_fn, body_fn, (key, zero, one, lax.full((), 2, dtype)))
    if log_space:
        log_samples = lax.neg(lax.neg(lax.log1p(lax.neg(_uniform(subkey, 0., 1., (), dtype)))))
        log_boost = lax.select(lax.bitwise_or(boost_mask, lax.eq(log_samples, zero)), zero,
                               lax.mul(log_samples, lax.div(one, alpha_orig)))
        return lax.add(lax.add(lax.log(d), lax.log(v)), log_boost)
    samples = lax.sub(one, _uniform(subkey, 0., 1., (), dtype))
    boost = lax.select(boost_mask, one, lax.pow(samples, lax.div(one, alpha_orig)))
    return lax.mul(lax.mul(d, v), boost)


def _gamma(key, a, shape, dtype, log_space):
    a = lax.convert_element_type(a, dtype)
    if a.shape != shape:
        a = jnp.broadcast_to(a, shape)
    keys = jnp.reshape(_split(key, (math.prod(shape),)), (-1, 2))
    samples = vmap(lambda k, alpha: _gamma_one(k, alpha, log_space))(keys, jnp.ravel(a))
    return jnp.reshape(samples, shape)


_gamma_jit = eager_jit(_gamma, static_argnames=("shape", "dtype", "log_space"))


def _gamma_sampler(name, log_space):
    def sampler(key, a, shape=None, dtype=None):
        data, _ = _key_data_of(name, key)
        dtype = _float_dtype("gamma", dtype)
        shape = _shape_of(a) if shape is None else _canonical_shape(shape)
        _check_shape("gamma", shape, _shape_of(a))
        return _gamma_jit(data, a, shape=shape, dtype=dtype, log_space=log_space)
    sampler.__name__ = sampler.__qualname__ = name
    sampler.__doc__ = f"Gamma(a) samples{' in log space' if log_space else ''}."
    return sampler


gamma = _gamma_sampler("gamma", False)
loggamma = _gamma_sampler("loggamma", True)


def _beta(key, a, b, shape, dtype):
    a, b = (jnp.broadcast_to(lax.convert_element_type(x, dtype), shape) for x in (a, b))
    key_a, key_b = _split(key)
    log_a, log_b = _gamma(key_a, a, shape, dtype, True), _gamma(key_b, b, shape, dtype, True)
    log_max = lax.max(log_a, log_b)
    scaled_a, scaled_b = jnp.exp(log_a - log_max), jnp.exp(log_b - log_max)
    return scaled_a / (scaled_a + scaled_b)


_beta_jit = eager_jit(_beta, static_argnames=("shape", "dtype"))


def beta(key, a, b, shape=None, dtype=None):
    """Beta(a, b) samples, as the ratio of two gammas computed in log space."""
    data, _ = _key_data_of("beta", key)
    dtype = _float_dtype("beta", dtype)
    if shape is None:
        shape = np.broadcast_shapes(_shape_of(a), _shape_of(b))
    shape = _canonical_shape(shape)
    _check_shape("beta", shape, _shape_of(a), _shape_of(b))
    return _beta_jit(data, a, b, shape=shape, dtype=dtype)


def _dirichlet(key, alpha, shape, dtype):
    from hlox.numerics.nn.activations import softmax
    alpha = lax.convert_element_type(alpha, dtype)
    return softmax(_gamma(key, alpha, shape + alpha.shape[-1:], dtype, True), -1)


_dirichlet_jit = eager_jit(_dirichlet, static_argnames=("shape", "dtype"))


def dirichlet(key, alpha, shape=None, dtype=None):
    """Dirichlet(alpha) samples along the last axis."""
    data, _ = _key_data_of("dirichlet", key)
    dtype = _float_dtype("dirichlet", dtype)
    if np.ndim(alpha) < 1:
        raise errors.value_error(
            f"dirichlet requires alpha.ndim >= 1, got alpha.ndim == {np.ndim(alpha)}")
    shape = _shape_of(alpha)[:-1] if shape is None else _canonical_shape(shape)
    _check_shape("dirichlet", shape, _shape_of(alpha)[:-1])
    return _dirichlet_jit(data, alpha, shape=shape, dtype=dtype)


def _generalized_normal(key, p, shape, dtype):
    k1, k2 = _split(key)
    g = _gamma(k1, jnp.divide(1, p), shape, dtype, False)
    r = _rademacher(k2, shape, dtype)
    return jnp.multiply(r, jnp.power(g, jnp.divide(1, p)))


_generalized_normal_jit = eager_jit(_generalized_normal, static_argnames=("shape", "dtype"))


def generalized_normal(key, p, shape=(), dtype=None):
    """Samples with density proportional to exp(-|x|**p)."""
    data, _ = _key_data_of("generalized_normal", key)
    return _generalized_normal_jit(data, p, shape=_canonical_shape(shape),
                                   dtype=_float_dtype("generalized_normal", dtype))


def _ball(key, p, d, shape, dtype):
    k1, k2 = _split(key)
    g = _generalized_normal(k1, p, (*shape, d), dtype)
    e = _uniform_exponential(k2, shape, dtype)
    norm = jnp.power(jnp.add(jnp.sum(jnp.power(jnp.abs(g), p), axis=-1), e), jnp.divide(1, p))
    return jnp.divide(g, norm[..., None])


def _uniform_exponential(key, shape, dtype):
    return lax.neg(lax.log1p(lax.neg(_uniform(key, 0., 1., shape, dtype))))


_ball_jit = eager_jit(_ball, static_argnames=("d", "shape", "dtype"))


def ball(key, d, p=2, shape=(), dtype=None):
    """Uniform samples from the unit Lp ball in d dimensions."""
    data, _ = _key_data_of("ball", key)
    return _ball_jit(data, p, d=operator.index(d), shape=_canonical_shape(shape),
                     dtype=_float_dtype("ball", dtype))


# -- poisson --------------------------------------------------------------------------
def _poisson_knuth(key, lam, shape, dtype, max_iters):
    def body_fn(carry):
        i, k, rng, log_prod = carry
        rng, subkey = _split(rng)
        k = lax.select(jnp.greater(log_prod, jnp.negative(lam)), jnp.add(k, 1), k)
        u = _uniform(subkey, 0., 1., shape, np.dtype(np.float32))
        return jnp.add(i, 1), k, rng, jnp.add(log_prod, jnp.log(u))

    def cond_fn(carry):
        i, log_prod = carry[0], carry[3]
        return jnp.logical_and(jnp.any(jnp.greater(log_prod, jnp.negative(lam))),
                               jnp.less(i, max_iters))

    init = (jnp.asarray(0, dtype=max_iters.dtype), lax.full(shape, 0, dtype), key,
            lax.full(shape, 0, np.dtype(np.float32)))
    k = while_loop(cond_fn, body_fn, init)[1]
    return jnp.subtract(k, 1).astype(dtype)


def _poisson_rejection(key, lam, shape, dtype, max_iters):
    log_lam = lax.log(lam)
    b = 0.931 + 2.53 * lax.sqrt(lam)
    a = -0.059 + 0.02483 * b
    inv_alpha = 1.1239 + 1.1328 / (b - 3.4)
    v_r = 0.9277 - 3.6224 / (b - 2)

    def body_fn(carry):
        i, k_out, accepted, key = carry
        key, subkey_0, subkey_1 = _split(key, (3,))
        u = _uniform(subkey_0, 0., 1., shape, lam.dtype) - 0.5
        v = _uniform(subkey_1, 0., 1., shape, lam.dtype)
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
        return jnp.logical_and(jnp.any(jnp.logical_not(accepted)), jnp.less(i, max_iters))

    init = (jnp.asarray(0, dtype=max_iters.dtype), lax.full(shape, -1, lam.dtype),
            lax.full(shape, False, np.dtype(np.bool_)), key)
    return while_loop(cond_fn, body_fn, init)[1].astype(dtype)


def _poisson(key, lam, shape, dtype):
    use_knuth = jnp.logical_or(jnp.isnan(lam), jnp.less(lam, 10))
    lam_knuth = lax.select(use_knuth, lam, lax.full_like(lam, 0.0))
    lam_rejection = lax.select(use_knuth, lax.full_like(lam, 1e5), lam)
    max_iters = jnp.asarray(np.array(dtypes.iinfo(dtype).max, dtype))
    result = lax.select(use_knuth, _poisson_knuth(key, lam_knuth, shape, dtype, max_iters),
                        _poisson_rejection(key, lam_rejection, shape, dtype, max_iters))
    return lax.select(jnp.equal(lam, 0), jnp.zeros_like(result), result)


_poisson_jit = eager_jit(_poisson, static_argnames=("shape", "dtype"))


def poisson(key, lam, shape=None, dtype=None):
    """Poisson(lam) counts (Knuth's method below 10, Hormann's rejection above)."""
    data, _ = _key_data_of("poisson", key)
    dtype = _int_dtype("poisson", dtype)
    shape = _shape_of(lam) if shape is None else _canonical_shape(shape)
    lam = lax.convert_element_type(jnp.broadcast_to(lam, shape), np.dtype(np.float32))
    return _poisson_jit(data, lam, shape=shape, dtype=dtype)
