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

    @staticmethod
    def from_host_sharded(host: np.ndarray, dtype, weak_type, sharding):
        host = np.asarray(host)
        if host.dtype != dtype:
            host = host.astype(dtype)
        aval = ShapedArray(host.shape, dtype, weak_type)
        return Array(runtime.to_devices(host, aval, sharding), aval)

    # -- where it is -------------------------------------------------------------
    @property
    def device(self):
        """The device of a single-device array; the sharding of one on several (as JAX)."""
        sharding = self._buf._sharding
        if len(sharding._device_assignment) == 1:
            return sharding._device_assignment[0]
        return sharding

    def devices(self):
        return set(self._buf._sharding._device_assignment)

    @property
    def _single_device(self):
        return len(self._buf._sharding._device_assignment) == 1

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
            value = runtime.to_host(self._buf) if self._single_device else self._gather()
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

    def _gather(self) -> np.ndarray:
        if self.sharding.is_fully_replicated:
            return runtime.to_host(self._buf._arrays[0])
        value = np.empty(self.shape, self.dtype)
        for shard in self.addressable_shards:
            value[shard.index] = runtime.to_host(shard.data._buf)
        return value

    def addressable_data(self, index):
        return self.addressable_shards[index].data

    @property
    def addressable_shards(self):
        if self._single_device:
            device = self._buf._sharding._device_assignment[0]
            return [Shard(device, (slice(None),) * self.ndim, self)]
        index_map = self.sharding.devices_indices_map(self.shape)
        shards, seen = [], {}
        for buf in self._buf._arrays:
            device = buf._sharding._device_assignment[0]
            index = index_map[device]
            key = tuple((i.start, i.stop) for i in index)
            replica = seen[key] = seen.get(key, -1) + 1
            local = ShapedArray(tuple(len(range(*i.indices(n))) for i, n in zip(index, self.shape)),
                                self.dtype, self.weak_type)
            shards.append(Shard(device, index, Array(buf, local), replica))
        return shards

    @property
    def global_shards(self):
        return self.addressable_shards

    @property
    def is_fully_addressable(self):
        return self.sharding.is_fully_addressable

    @property
    def is_fully_replicated(self):
        return self.sharding.is_fully_replicated


class Shard:
    """One device's piece of an Array: `device`, `index` (slices of the global array), `data`."""

    __slots__ = ("device", "index", "data", "replica_id")

    def __init__(self, device, index, data, replica_id=0):
        self.device = device
        self.index = index
        self.data = data
        self.replica_id = replica_id

    def __repr__(self):
        return f"Shard(device={self.device!r}, index={self.index}, data={self.data!r})"


def _rebuild(value, dtype, weak_type):
    return Array.from_host(value, dtype, weak_type)
