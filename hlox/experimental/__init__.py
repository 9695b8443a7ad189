"""`jax.experimental`: the parts hlox provides."""
from hlox.experimental import checkify  # noqa: F401  (jax.experimental.checkify)
from hlox.experimental import compilation_cache  # noqa: F401
from hlox.experimental import mesh_utils  # noqa: F401
from hlox.experimental import shard_map  # noqa: F401  (jax.experimental.shard_map.shard_map)
from hlox.frontend.callbacks import io_callback  # noqa: F401
from hlox.frontend.api import enable_x64  # noqa: F401  (older JAX's jax.experimental.enable_x64)

__all__ = ["checkify", "compilation_cache", "disable_x64", "enable_x64", "io_callback", "mesh_utils",
           "shard_map"]


def disable_x64():
    """`with disable_x64():` traces and runs the block in 32-bit mode (older JAX's
    jax.experimental.disable_x64)."""
    return enable_x64(False)
