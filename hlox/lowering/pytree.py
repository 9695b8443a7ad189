"""hlox's pytree registry, on jaxlib's C++ implementation.

hlox keeps a registry of its own (not jaxlib's default one) so that a program
using hlox and real JAX side by side can register a class with each.
"""
from __future__ import annotations

from jaxlib._jax import pytree as _pytree

registry = _pytree.PyTreeRegistry(enable_none=True, enable_tuple=True, enable_namedtuple=True,
                                  enable_list=True, enable_dict=True)

PyTreeDef = _pytree.PyTreeDef
SequenceKey = _pytree.SequenceKey
DictKey = _pytree.DictKey
GetAttrKey = _pytree.GetAttrKey
FlattenedIndexKey = _pytree.FlattenedIndexKey


def flatten(tree, is_leaf=None):
    return registry.flatten(tree, is_leaf)


def flatten_with_path(tree, is_leaf=None):
    return registry.flatten_with_path(tree, is_leaf)


def treedef_tuple(treedefs):
    return _pytree.treedef_tuple(registry, list(treedefs))


def all_leaves(iterable, is_leaf=None):
    return _pytree.all_leaves(registry, iterable) if is_leaf is None else all(
        registry.flatten(x, is_leaf)[1].num_nodes == 1 for x in iterable)


def register_node(nodetype, flatten_func, unflatten_func, flatten_with_keys_func=None):
    registry.register_node(nodetype, flatten_func, unflatten_func, flatten_with_keys_func)


def register_dataclass_node(nodetype, data_fields, meta_fields):
    registry.register_dataclass_node(nodetype, list(data_fields), list(meta_fields))


def is_node(typ):
    return registry.is_node(typ) if hasattr(registry, "is_node") else False


def flatten_one_level(tree):
    return registry.flatten_one_level(tree)


def flatten_one_level_with_keys(tree):
    return registry.flatten_one_level_with_keys(tree)


def broadcast_prefix(prefix, full, is_leaf=lambda x: x is None):
    """Each leaf of `prefix` repeated for every leaf of `full` below its position (None is a
    leaf of the prefix, as in JAX's in_shardings)."""
    prefix_leaves, prefix_tree = flatten(prefix, is_leaf=is_leaf)
    subtrees = prefix_tree.flatten_up_to(full)
    return [leaf for leaf, sub in zip(prefix_leaves, subtrees)
            for _ in range(len(flatten(sub)[0]))]
