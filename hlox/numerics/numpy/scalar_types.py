"""jnp.float32 and friends (and jnp.ndarray, numpy's abstract scalar classes) as JAX defines them:
usable as dtypes everywhere (np.dtype(jnp.float32),
x.astype(jnp.bfloat16), isinstance(np.float32(1), jnp.float32)), and calling one makes a
(strong-typed) hlox array of that dtype, also from a tracer: `jnp.float32(x)`."""
from __future__ import annotations

import numpy as np

from hlox.frontend import dtypes
from hlox.frontend.array_type import Array as ndarray
from hlox.numerics.numpy.array_constructors import asarray

__all__ = ["ndarray", "bool_", "bool", "int8", "int16", "int32", "int64", "uint8", "uint16",
           "uint32", "uint64", "float16", "float32", "float64", "bfloat16", "float8_e4m3fn",
           "float8_e5m2", "complex64", "complex128", "int_", "uint", "float_", "complex_", "dtype",
           "generic", "number", "inexact", "floating", "integer", "signedinteger",
           "unsignedinteger", "complexfloating"]


class _ScalarMeta(type):
    def __hash__(cls):
        return hash(cls.dtype.type)

    def __eq__(cls, other):
        return cls is other or cls.dtype.type == other

    def __ne__(cls, other):
        return not cls == other

    def __call__(cls, x):
        return asarray(x, dtype=cls.dtype)

    def __instancecheck__(cls, instance):
        return isinstance(instance, cls.dtype.type)


def scalar_type(np_type, name=None):
    """The hlox.numpy scalar type of a numpy scalar type (a class whose `.dtype` is its dtype)."""
    dtype = np.dtype(np_type)
    return _ScalarMeta(name or dtype.type.__name__, (object,),
                       {"dtype": dtype, "_hlox_dtype": dtype, "__module__": "hlox.numpy"})


bool_ = scalar_type(np.bool_, "bool")
bool = bool_  # noqa: A001
int8, int16, int32, int64 = (scalar_type(t) for t in (np.int8, np.int16, np.int32, np.int64))
uint8, uint16, uint32, uint64 = (scalar_type(t)
                                 for t in (np.uint8, np.uint16, np.uint32, np.uint64))
float16, float32, float64 = (scalar_type(t) for t in (np.float16, np.float32, np.float64))
bfloat16 = scalar_type(dtypes.bfloat16)
float8_e4m3fn = scalar_type(dtypes.float8_e4m3fn)
float8_e5m2 = scalar_type(dtypes.float8_e5m2)
complex64, complex128 = scalar_type(np.complex64), scalar_type(np.complex128)
int_ = scalar_type(np.int64, "int")
uint = scalar_type(np.uint64, "uint")
float_ = scalar_type(np.float64, "float")
complex_ = scalar_type(np.complex128, "complex")
dtype = np.dtype
generic, number, inexact, floating = np.generic, np.number, np.inexact, np.floating
integer, signedinteger, unsignedinteger = np.integer, np.signedinteger, np.unsignedinteger
complexfloating = np.complexfloating
