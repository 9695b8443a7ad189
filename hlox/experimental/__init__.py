"""`jax.experimental`: the parts hlox provides."""
from hlox.experimental import checkify  # noqa: F401  (jax.experimental.checkify)
from hlox.experimental import shard_map  # noqa: F401  (jax.experimental.shard_map.shard_map)
