"""`jax._src.sharding_impls`: the shardings, and the hook jaxlib's C++ calls to make the
sharding of an output array on one device (jaxlib imports this module itself)."""
from __future__ import annotations

from hlox._jax_compat._src._names import missing_names
from hlox.lowering.sharding import NamedSharding, SingleDeviceSharding  # noqa: F401
from hlox.sharding import PartitionSpec  # noqa: F401

__getattr__ = missing_names(__name__.replace("hlox._jax_compat", "jax"))


def make_single_device_sharding(device, *, memory_kind=None):
    """What jaxlib's PyArray calls for the sharding of an array it made on `device`."""
    return SingleDeviceSharding(device, memory_kind=memory_kind)
