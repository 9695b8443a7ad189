"""`hlox.tree`: the short names of hlox.tree_util, as `jax.tree`."""
from __future__ import annotations

import dataclasses as _dataclasses

from hlox import tree_util as _tu

__all__ = ["all", "broadcast", "flatten", "flatten_with_path", "leaves", "leaves_with_path",
           "map", "map_with_path", "reduce", "reduce_associative", "static", "structure",
           "transpose", "unflatten"]

_ALIASES = {
    "all": _tu.tree_all, "broadcast": _tu.tree_broadcast, "flatten": _tu.tree_flatten,
    "flatten_with_path": _tu.tree_flatten_with_path, "leaves": _tu.tree_leaves,
    "leaves_with_path": _tu.tree_leaves_with_path, "map": _tu.tree_map,
    "map_with_path": _tu.tree_map_with_path, "reduce": _tu.tree_reduce,
    "reduce_associative": _tu.tree_reduce_associative,
    "structure": _tu.tree_structure, "transpose": _tu.tree_transpose,
    "unflatten": _tu.tree_unflatten,
}
globals().update(_ALIASES)


def static(**kwargs):
    """A dataclass field that register_dataclass treats as static (metadata static=True)."""
    metadata = {"static": True, **(kwargs.pop("metadata", {}) or {})}
    return _dataclasses.field(metadata=metadata, **kwargs)
