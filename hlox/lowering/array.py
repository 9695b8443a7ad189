"""`hlox.Array`: a device-resident array.

The data half lives here (buffer, host copies, devices); the numpy methods and
operators are attached by `hlox.numerics.array_methods`, shared with tracers.
"""
from __future__ import annotations

import numpy as np

from hlox.lowering.avals import ShapedArray
from hlox.lowering import runtime


class Array:
    __slots__ = ("_buf", "aval", "_npy", "__weakref__")
    __array_priority__ = 100

    def __init__(self, buffer, aval: ShapedArray):
        self._buf = buffer
        self.aval = aval
        self._npy = None

    @staticmethod
    def from_host(host: np.ndarray, dtype, weak_type=False, device=None, committed=False):
        host = np.asarray(host)
        if host.dtype != dtype:
            host = host.astype(dtype)
        aval = ShapedArray(host.shape, dtype, weak_type)
        return Array(runtime.to_device(host, aval, device, committed), aval)

    # -- what an array is ------------------------------------------------------
    @property
    def shape(self):
        return self.aval.shape

    @property
    def dtype(self):
        return self.aval.dtype

    @property
    def ndim(self):
        return len(self.aval.shape)

    @property
    def size(self):
        return self.aval.size

    @property
    def weak_type(self):
        return self.aval.weak_type

    @property
    def itemsize(self):
        return self.aval.dtype.itemsize

    @property
    def nbytes(self):
        return self.size * self.itemsize

    # -- where it is -------------------------------------------------------------
    @property
    def device(self):
        return self._buf._sharding._device

    def devices(self):
        return {self.device}

    @property
    def sharding(self):
        return self._buf._sharding

    @property
    def committed(self):
        return self._buf._committed

    def block_until_ready(self):
        self._check_alive()
        self._buf.block_until_ready()
        return self

    def is_ready(self):
        return self._buf.is_ready()

    def delete(self):
        self._buf.delete()
        self._npy = None

    def is_deleted(self):
        return self._buf.is_deleted()

    def _check_alive(self):
        if self._buf.is_deleted():
            raise RuntimeError("Array has been deleted (was it donated to a jitted function "
                               "with donate_argnums?)")

    # -- host views -------------------------------------------------------------
    def _value(self) -> np.ndarray:
        if self._npy is None:
            self._check_alive()
            value = runtime.to_host(self._buf)
            value.flags.writeable = False
            self._npy = value
        return self._npy

    def __array__(self, dtype=None, copy=None):
        value = self._value()
        if dtype is not None and np.dtype(dtype) != value.dtype:
            return value.astype(dtype)
        return value.copy() if copy else value

    def item(self, *args):
        return self._value().item(*args)

    def tolist(self):
        return self._value().tolist()

    def __float__(self):
        return float(self._value())

    def __int__(self):
        return int(self._value())

    def __complex__(self):
        return complex(self._value())

    def __bool__(self):
        return bool(self._value())

    def __index__(self):
        if self.dtype.kind not in "iu" or self.ndim:
            raise TypeError("only integer scalar arrays can be converted to a scalar index, "
                            f"got {self.aval.str_short()}")
        return int(self._value())

    def __hash__(self):
        raise TypeError("unhashable type: 'Array'")

    def __format__(self, spec):
        if self.ndim == 0:
            return format(self._value()[()], spec)
        return format(self._value(), spec)

    def __repr__(self):
        if self.is_deleted():
            return f"Array(<deleted>, shape={self.shape}, dtype={self.dtype.name})"
        body = np.array2string(self._value(), separator=", ", prefix="Array(")
        shape = f", shape={self.shape}" if self.size == 0 and self.shape != (0,) else ""
        weak = ", weak_type=True" if self.weak_type else ""
        return f"Array({body}{shape}, dtype={self.dtype.name}{weak})"

    def __str__(self):
        return str(self._value())

    def __reduce__(self):
        return (_rebuild, (self._value(), self.dtype, self.weak_type))

    def copy_to_host_async(self):
        self._buf._copy_single_device_array_to_host_async()

    def addressable_data(self, index):
        return self

    @property
    def addressable_shards(self):
        return [self]

    @property
    def is_fully_addressable(self):
        return True

    @property
    def is_fully_replicated(self):
        return True


def _rebuild(value, dtype, weak_type):
    return Array.from_host(value, dtype, weak_type)
