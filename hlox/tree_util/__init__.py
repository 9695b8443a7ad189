"""`hlox.tree_util`: JAX's pytree utilities on hlox's own registry (hlox.lowering.pytree).

A class registered here is a pytree for every hlox transformation (jit flattens
its arguments and results with the same registry), and independent of real JAX's
registry, so one class can be registered with both in one process.
"""
from __future__ import annotations

import collections
import dataclasses
import functools
import operator
import typing

from hlox.frontend import errors
from hlox.lowering import pytree as _pytree

__all__ = [
    "DictKey", "FlattenedIndexKey", "GetAttrKey", "KeyEntry", "KeyPath", "Partial", "PyTreeDef",
    "SequenceKey", "default_registry",
    "all_leaves", "build_tree", "flatten_one_level", "flatten_one_level_with_keys",
    "is_tree_node", "keystr", "register_dataclass", "register_pytree_node",
    "register_pytree_node_class", "register_pytree_with_keys", "register_pytree_with_keys_class",
    "register_static", "tree_all", "tree_broadcast", "tree_flatten", "tree_flatten_with_path",
    "tree_leaves", "tree_leaves_with_path", "tree_map", "tree_map_with_path", "tree_reduce",
    "tree_reduce_associative", "tree_structure", "tree_transpose", "tree_unflatten",
    "treedef_children", "treedef_is_leaf", "treedef_tuple",
]

PyTreeDef = _pytree.PyTreeDef
SequenceKey = _pytree.SequenceKey
DictKey = _pytree.DictKey
GetAttrKey = _pytree.GetAttrKey
FlattenedIndexKey = _pytree.FlattenedIndexKey
KeyEntry = typing.TypeVar("KeyEntry", bound=typing.Any)  # one step of a key path (as JAX's)
KeyPath = tuple[KeyEntry, ...]
default_registry = _pytree.registry  # the registry every hlox transformation flattens with


# -- flattening ------------------------------------------------------------------------
def tree_flatten(tree, is_leaf=None):
    return _pytree.flatten(tree, is_leaf)


def tree_unflatten(treedef, leaves):
    return treedef.unflatten(leaves)


def tree_leaves(tree, is_leaf=None):
    return _pytree.flatten(tree, is_leaf)[0]


def tree_structure(tree, is_leaf=None):
    return _pytree.flatten(tree, is_leaf)[1]


def treedef_tuple(treedefs):
    return _pytree.treedef_tuple(treedefs)


def treedef_children(treedef):
    return treedef.children()


def treedef_is_leaf(treedef):
    return treedef.num_nodes == 1


def build_tree(treedef, xs):
    """The tree of `treedef` whose nodes' children come from the nested iterable `xs`."""
    return treedef.from_iterable_tree(xs)


def all_leaves(iterable, is_leaf=None):
    if is_leaf is None:
        return _pytree.all_leaves(iterable)
    items = list(iterable)
    leaves = tree_leaves(items, is_leaf)
    return len(leaves) == len(items) and all(a is b for a, b in zip(items, leaves))


def is_tree_node(typ):
    return _pytree.is_node(typ)


def flatten_one_level(tree):
    out = _pytree.flatten_one_level(tree)
    if out is None:
        raise errors.value_error(f"can't tree-flatten type: {type(tree)}")
    return out


def flatten_one_level_with_keys(tree):
    out = _pytree.flatten_one_level_with_keys(tree)
    if out is None:
        raise errors.value_error(f"can't tree-flatten type: {type(tree)}")
    return out


# -- mapping and reducing ---------------------------------------------------------------
def _flatten_rest_up_to(treedef, rest, what):
    try:
        return [treedef.flatten_up_to(r) for r in rest]
    except (ValueError, TypeError) as e:
        raise type(e)(f"{what}: every further tree must have the structure of the first "
                      f"(or have it as a prefix), {treedef}: {e}") from None


def tree_map(f, tree, *rest, is_leaf=None):
    leaves, treedef = tree_flatten(tree, is_leaf)
    all_leaves_ = [leaves] + _flatten_rest_up_to(treedef, rest, "tree_map")
    return treedef.unflatten(f(*xs) for xs in zip(*all_leaves_))


class _Unspecified:
    pass


_UNSPECIFIED = _Unspecified()


def tree_reduce(function, tree, initializer=_UNSPECIFIED, is_leaf=None):
    leaves = tree_leaves(tree, is_leaf)
    if initializer is _UNSPECIFIED:
        return functools.reduce(function, leaves)
    return functools.reduce(function, leaves, initializer)


def tree_reduce_associative(operation, tree, *, identity=_UNSPECIFIED, is_leaf=None):
    def reduce(seq):
        if not seq:
            if identity is _UNSPECIFIED:
                raise errors.type_error("Must specify identity for parallel reduction of "
                                        "empty sequence.")
            return identity
        if len(seq) == 1:
            return seq[0]
        half = len(seq) // 2
        return operation(reduce(seq[:half]), reduce(seq[half:]))
    return reduce(tree_leaves(tree, is_leaf))


def tree_all(tree, *, is_leaf=None):
    return all(tree_leaves(tree, is_leaf))


def tree_transpose(outer_treedef, inner_treedef, pytree_to_transpose):
    flat, treedef = tree_flatten(pytree_to_transpose)
    if inner_treedef is None:
        inner_treedef = tree_structure(outer_treedef.flatten_up_to(pytree_to_transpose)[0])
    inner_size, outer_size = inner_treedef.num_leaves, outer_treedef.num_leaves
    if treedef.num_leaves != inner_size * outer_size:
        raise errors.type_error(f"Mismatch\n{treedef}\n != \n"
                                f"{outer_treedef.compose(inner_treedef)}")
    it = iter(flat)
    rows = [[next(it) for _ in range(inner_size)] for _ in range(outer_size)]
    return inner_treedef.unflatten(outer_treedef.unflatten(col) for col in zip(*rows))


def tree_broadcast(prefix_tree, full_tree, is_leaf=None):
    """Repeat each leaf of `prefix_tree` over the subtree of `full_tree` at its place."""
    leaves = []
    tree_map(lambda x, sub: leaves.extend([x] * tree_structure(sub).num_leaves),
             prefix_tree, full_tree, is_leaf=is_leaf)
    return tree_structure(full_tree).unflatten(leaves)


# -- keyed paths ---------------------------------------------------------------------------
def keystr(keys, *, simple=False, separator=""):
    return separator.join(map(_simple_entrystr if simple else str, keys))


_ENTRY_FIELD = {SequenceKey: "idx", DictKey: "key", GetAttrKey: "name", FlattenedIndexKey: "key"}


def _simple_entrystr(key):
    field = _ENTRY_FIELD.get(type(key))
    return str(getattr(key, field)) if field else str(key)


def tree_flatten_with_path(tree, is_leaf=None, is_leaf_takes_path=False):
    if is_leaf is not None and not is_leaf_takes_path:
        leaf_fn = is_leaf
        is_leaf = lambda _, x: leaf_fn(x)  # noqa: E731
    return _pytree.flatten_with_path(tree, is_leaf)


def tree_leaves_with_path(tree, is_leaf=None, is_leaf_takes_path=False):
    return tree_flatten_with_path(tree, is_leaf, is_leaf_takes_path)[0]


def tree_map_with_path(f, tree, *rest, is_leaf=None, is_leaf_takes_path=False):
    keyed, treedef = tree_flatten_with_path(tree, is_leaf, is_leaf_takes_path)
    paths = [k for k, _ in keyed]
    leaves = [x for _, x in keyed]
    all_leaves_ = [paths, leaves] + _flatten_rest_up_to(treedef, rest, "tree_map_with_path")
    return treedef.unflatten(f(*xs) for xs in zip(*all_leaves_))


# -- registration ---------------------------------------------------------------------------
def register_pytree_node(nodetype, flatten_func, unflatten_func, flatten_with_keys_func=None):
    _pytree.register_node(nodetype, flatten_func, unflatten_func, flatten_with_keys_func)


def register_pytree_node_class(cls):
    register_pytree_node(cls, operator.methodcaller("tree_flatten"), cls.tree_unflatten)
    return cls


def register_pytree_with_keys(nodetype, flatten_with_keys, unflatten_func, flatten_func=None):
    if flatten_func is None:
        def flatten_func(tree):
            key_children, aux = flatten_with_keys(tree)
            return [c for _, c in key_children], aux
    register_pytree_node(nodetype, flatten_func, unflatten_func, flatten_with_keys)


def register_pytree_with_keys_class(cls):
    flatten = operator.methodcaller("tree_flatten") if hasattr(cls, "tree_flatten") else None
    register_pytree_with_keys(cls, operator.methodcaller("tree_flatten_with_keys"),
                              cls.tree_unflatten, flatten)
    return cls


def _dataclass_fields(nodetype):
    fields = dataclasses.fields(nodetype)
    data = [f.name for f in fields if not f.metadata.get("static", False)]
    meta = [f.name for f in fields if f.metadata.get("static", False)]
    return data, meta


def _check_dataclass_fields(nodetype, data_fields, meta_fields, drop_fields):
    init_fields = {f.name for f in dataclasses.fields(nodetype) if f.init} - set(drop_fields)
    given = {*data_fields, *meta_fields}
    if given != init_fields:
        msg = ("data_fields and meta_fields must include all dataclass fields with "
               "``init=True`` and only them.")
        if init_fields - given:
            msg += (f" Missing fields: {init_fields - given}. Add them to drop_fields to "
                    "suppress this error.")
        if given - init_fields:
            msg += f" Unexpected fields: {given - init_fields}."
        raise errors.value_error(msg)


def register_dataclass(nodetype, data_fields=None, meta_fields=None, drop_fields=()):
    if data_fields is None or meta_fields is None:
        if (data_fields is None) != (meta_fields is None):
            raise errors.type_error(
                "register_dataclass: data_fields and meta_fields must both be specified when "
                f"either is specified. Got data_fields={data_fields} meta_fields={meta_fields}.")
        if not dataclasses.is_dataclass(nodetype):
            raise errors.type_error("register_dataclass: data_fields and meta_fields are "
                                    f"required when nodetype is not a dataclass. Got "
                                    f"nodetype={nodetype}.")
        data_fields, meta_fields = _dataclass_fields(nodetype)
    data_fields, meta_fields = tuple(data_fields), tuple(meta_fields)
    if dataclasses.is_dataclass(nodetype):
        _check_dataclass_fields(nodetype, data_fields, meta_fields, drop_fields)
    overlap = set(data_fields) & set(meta_fields)
    if overlap:
        raise errors.value_error(f"data_fields and meta_fields must not overlap. Overlapping "
                                 f"fields: {overlap}.")
    _pytree.register_dataclass_node(nodetype, data_fields, meta_fields)
    return nodetype


def register_static(cls):
    register_pytree_with_keys(cls, lambda obj: ((), obj), lambda obj, _: obj)
    return cls


# -- Partial ------------------------------------------------------------------------------------
class _HashableCallableShim:
    """Boxes a functools.partial so that Partial does not merge its arguments into its own."""

    def __init__(self, fun):
        self.fun = fun

    def __call__(self, *args, **kw):
        return self.fun(*args, **kw)

    def __hash__(self):
        return hash(self.fun)

    def __eq__(self, other):
        return self.fun == (other.fun if isinstance(other, _HashableCallableShim) else other)

    def __repr__(self):
        return f"_HashableCallableShim({self.fun!r})"


class Partial(functools.partial):
    """functools.partial as a pytree: the bound arguments are its leaves, the function its
    static data, so a Partial can be passed into and out of transformed functions."""

    def __new__(klass, func, *args, **kw):
        if isinstance(func, functools.partial):
            original = func
            func = _HashableCallableShim(original)
            out = super().__new__(klass, func, *args, **kw)
            func.func, func.args, func.keywords = original.func, original.args, original.keywords
            return out
        return super().__new__(klass, func, *args, **kw)


register_pytree_node(Partial,
                     lambda p: ((p.args, p.keywords), p.func),
                     lambda func, xs: Partial(func, *xs[0], **xs[1]))


# -- containers JAX registers beyond the C++ built-ins ------------------------------------------------
def _defaultdict_with_keys(d):
    keys = tuple(sorted(d))
    return tuple((DictKey(k), d[k]) for k in keys), (d.default_factory, keys)


register_pytree_with_keys(
    collections.OrderedDict,
    lambda x: (tuple((DictKey(k), x[k]) for k in x), tuple(x)),
    lambda keys, values: collections.OrderedDict(zip(keys, values, strict=True)))
register_pytree_with_keys(
    collections.defaultdict, _defaultdict_with_keys,
    lambda s, values: collections.defaultdict(s[0], zip(s[1], values, strict=True)))
