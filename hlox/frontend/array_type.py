"""`hlox.Array` as users see it (JAX's `jax.Array`): the abstract type of every array value,
concrete device arrays and the tracers that stand for them under jit, grad and vmap alike.

hlox's own code tells the two apart with the concrete class (`hlox.lowering.array.Array`)
and `Tracer`; user code asks `isinstance(x, hlox.Array)` and gets JAX's answer.
"""
from __future__ import annotations

import abc

from hlox.frontend.core import Tracer
from hlox.lowering.array import Array as DeviceArray


class Array(abc.ABC):
    """An array: on devices, or traced inside a transformation."""

    __slots__ = ()

    def __init__(self, *args, **kwargs):
        raise TypeError("hlox.Array is an abstract type and cannot be instantiated; make "
                        "arrays with hlox.numpy.array / asarray or hlox.device_put")


Array.register(DeviceArray)
Array.register(Tracer)
Array.__module__ = "hlox"
