"""`hlox.experimental.mesh_utils`, as jax.experimental.mesh_utils: arrays of devices shaped as a
logical mesh (for `hlox.sharding.Mesh`). Ported from jax/experimental/mesh_utils.py (JAX 0.10.2)
for CPU and GPU devices; TPU torus layouts are not ported."""
from __future__ import annotations

import collections
import math

import numpy as np

from hlox.frontend.api import devices as _devices

__all__ = ["create_device_mesh", "create_hybrid_device_mesh", "device_kind_handler_dict"]

# device_kind -> handler(mesh_shape, devices, contiguous_submeshes=...) returning a device
# array or None; JAX's own entries are its TPU layouts, which hlox does not have.
device_kind_handler_dict: dict = {}


def create_device_mesh(mesh_shape, devices=None, *, contiguous_submeshes=False,
                       allow_split_physical_axes=False):
    """`devices` (default: all devices) as an array of shape `mesh_shape`."""
    if devices is None:
        devices = _devices()
    try:
        new_mesh_shape = tuple(int(d) for d in mesh_shape)
    except (TypeError, ValueError):
        raise ValueError("`mesh_shape` passed to `create_device_mesh` should be a sequence of"
                         f" ints. Got {mesh_shape}") from None
    if math.prod(new_mesh_shape) != len(devices):
        raise ValueError(f"Number of devices {len(devices)} must equal the product "
                         f"of mesh_shape {new_mesh_shape}")
    last = devices[-1]
    handler = device_kind_handler_dict.get(getattr(last, "device_kind", None))
    if handler is not None:
        result = handler(new_mesh_shape, devices, contiguous_submeshes=contiguous_submeshes)
        if result is not None:
            return result
    if last.platform == "tpu":
        raise NotImplementedError("hlox.experimental.mesh_utils.create_device_mesh: TPU "
                                  "physical-topology meshes are not implemented yet")
    if last.platform == "gpu":
        return np.asarray(sorted(devices, key=lambda d: d.id)).reshape(new_mesh_shape)
    return np.asarray(devices).reshape(new_mesh_shape)


def create_hybrid_device_mesh(mesh_shape, dcn_mesh_shape, devices=None, *,
                              process_is_granule=False, should_sort_granules_by_key=True,
                              allow_split_physical_axes=False):
    """A mesh of shape mesh_shape * dcn_mesh_shape: one `mesh_shape` block per granule (slice,
    or process when `process_is_granule`), the blocks laid out as `dcn_mesh_shape`."""
    if devices is None:
        devices = _devices()
    attr = "process_index" if process_is_granule else "slice_index"
    if not hasattr(devices[0], attr):
        raise ValueError(f"Device {devices[0]} does not have attribute {attr}. See"
                         " `process_is_granule` option.")
    granule_dict = collections.defaultdict(list)
    for dev in devices:
        granule_dict[getattr(dev, attr)].append(dev)
    granules = ([granule_dict[key] for key in sorted(granule_dict)]
                if should_sort_granules_by_key else list(granule_dict.values()))
    if np.prod(dcn_mesh_shape) != len(granules):
        raise ValueError(f"Number of slices {len(granules)} must equal the product of "
                         f"dcn_mesh_shape {dcn_mesh_shape}")
    per_granule = [create_device_mesh(mesh_shape, g, allow_split_physical_axes=allow_split_physical_axes)
                   for g in granules]
    granule_mesh = np.arange(len(granules)).reshape(dcn_mesh_shape)
    blocks = np.vectorize(lambda i: per_granule[i], otypes=[object])(granule_mesh)
    return np.block(blocks.tolist())
