"""JAX's top-level API for many devices: make_mesh, use_mesh/set_mesh, and building sharded
arrays from per-device data."""
from __future__ import annotations

import contextlib
import math

import numpy as np

from hlox.frontend import dtypes
from hlox.lowering import runtime
from hlox.lowering import sharding as sharding_lib
from hlox.lowering.array import Array
from hlox.lowering.avals import ShapedArray


def make_mesh(axis_shapes, axis_names, axis_types=None, *, devices=None):
    """A mesh of the first prod(axis_shapes) devices (JAX 0.10: axis types default to
    Explicit)."""
    if devices is None:
        devices = runtime.devices()
    axis_shapes = tuple(axis_shapes)
    if not all(isinstance(s, (int, np.integer)) for s in axis_shapes):
        raise ValueError("`axis_shapes` passed to `make_mesh` should be a sequence of ints. "
                         f"Got {axis_shapes}")
    size = math.prod(axis_shapes)
    if size > len(devices):
        raise ValueError(f"Number of devices {len(devices)} must be >= the product of "
                         f"mesh_shape {axis_shapes}")
    devices = list(devices)[:size]
    if axis_types is None:
        axis_types = (sharding_lib.AxisType.Explicit,) * len(axis_shapes)
    return sharding_lib.Mesh(np.array(devices, dtype=object).reshape(axis_shapes), axis_names,
                             axis_types=axis_types)


@contextlib.contextmanager
def use_mesh(mesh):
    """`with use_mesh(mesh):` — PartitionSpecs inside refer to `mesh`."""
    with mesh:
        yield mesh


class set_mesh:
    """`jax.set_mesh(mesh)`: as a context manager like use_mesh; called bare, for the thread."""

    def __init__(self, mesh):
        self.mesh = mesh
        self.mesh.__enter__()

    def __enter__(self):
        return self.mesh

    def __exit__(self, *exc):
        self.mesh.__exit__(*exc)
        return False


def make_array_from_callback(shape, sharding, data_callback, dtype=None):
    """A global array whose piece on each device is `data_callback(index)`."""
    shape = tuple(shape)
    index_map = sharding.devices_indices_map(shape)
    pieces = [np.asarray(data_callback(index)) for index in index_map.values()]
    dtype = dtypes.canonicalize(np.dtype(dtype) if dtype is not None else pieces[0].dtype)
    aval = ShapedArray(shape, dtype, False)
    buffers = [Array.from_host(p.astype(dtype, copy=False), dtype, False, d, committed=True)._buf
               for p, d in zip(pieces, index_map)]
    return Array(runtime.from_single_device_buffers(aval, sharding, buffers), aval)


def make_array_from_single_device_arrays(shape, sharding, arrays, *, dtype=None):
    """A global array from one single-device Array per device of `sharding`."""
    shape = tuple(shape)
    arrays = list(arrays)
    by_device = {a.device: a for a in arrays}
    order = list(sharding.devices_indices_map(shape))
    if set(by_device) != set(order):
        raise ValueError(f"make_array_from_single_device_arrays needs one array on each device of "
                         f"{sharding}; got arrays on {sorted(d.id for d in by_device)}")
    dtype = arrays[0].dtype if dtype is None else np.dtype(dtype)
    aval = ShapedArray(shape, dtype, False)
    return Array(runtime.from_single_device_buffers(aval, sharding,
                                                    [by_device[d]._buf for d in order]), aval)
