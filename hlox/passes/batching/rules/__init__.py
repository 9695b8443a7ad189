"""The batching rule tables, filled by importing each family of rules."""
from hlox.passes.batching.rules import core, indexing, windows, control  # noqa: F401
from hlox.passes.batching.rules import custom_calls, linalg, callbacks, collectives  # noqa: F401
from hlox.passes.batching.rules import manual_computation  # noqa: F401  (shard_map)
