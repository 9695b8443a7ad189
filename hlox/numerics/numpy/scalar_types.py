"""jnp.float32 and friends as JAX defines them: usable as dtypes everywhere (np.dtype(jnp.float32),
x.astype(jnp.bfloat16), isinstance(np.float32(1), jnp.float32)), and calling one makes a
(strong-typed) hlox array of that dtype, also from a tracer: `jnp.float32(x)`."""
from __future__ import annotations

import numpy as np

from hlox.frontend import dtypes

__all__ = ["scalar_type"]


class _ScalarMeta(type):
    def __hash__(cls):
        return hash(cls.dtype.type)

    def __eq__(cls, other):
        return cls is other or cls.dtype.type == other

    def __ne__(cls, other):
        return not cls == other

    def __call__(cls, x):
        from hlox.numerics.numpy.creation import asarray
        return asarray(x, dtype=cls.dtype)

    def __instancecheck__(cls, instance):
        return isinstance(instance, cls.dtype.type)


def scalar_type(np_type, name=None):
    """The hlox.numpy scalar type of a numpy scalar type (a class whose `.dtype` is its dtype)."""
    dtype = np.dtype(np_type)
    return _ScalarMeta(name or dtype.type.__name__, (object,),
                       {"dtype": dtype, "_hlox_dtype": dtype, "__module__": "hlox.numpy"})


del dtypes
