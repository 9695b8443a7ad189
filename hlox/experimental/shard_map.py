"""`jax.experimental.shard_map` (the same function as `hlox.shard_map`)."""
from hlox.frontend.shard_map import shard_map

__all__ = ["shard_map"]
