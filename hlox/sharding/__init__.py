"""`jax.sharding`: meshes, partition specs and shardings."""
from hlox.frontend.sharding_api import set_mesh, use_mesh
from hlox.lowering.sharding import (AbstractMesh, AxisType, Mesh, NamedSharding, PartitionSpec,
                                    Sharding, SingleDeviceSharding)

__all__ = ["AbstractMesh", "AxisType", "Mesh", "NamedSharding", "PartitionSpec", "Sharding",
           "SingleDeviceSharding", "set_mesh", "use_mesh"]
