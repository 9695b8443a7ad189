"""hlox.tree_util and hlox.tree against jax.tree_util on the same trees, and pytrees through jit."""
from __future__ import annotations

import collections
import dataclasses
import functools

import jax
import numpy as np
import pytest
from hypothesis import given, strategies as st

import hlox
import hlox.numpy as hnp
from hlox import tree_util as htu
from conftest import assert_matches

Point = collections.namedtuple("Point", ["x", "y"])

_leaves = st.one_of(st.integers(-5, 5), st.floats(-2, 2, allow_nan=False), st.just("s"))
trees = st.recursive(
    st.one_of(_leaves, st.none()),
    lambda children: st.one_of(
        st.lists(children, max_size=3),
        st.lists(children, max_size=3).map(tuple),
        st.dictionaries(st.sampled_from("abcd"), children, max_size=3),
        st.tuples(children, children).map(lambda t: Point(*t)),
        st.dictionaries(st.sampled_from("wxyz"), children, max_size=3).map(collections.OrderedDict),
    ),
    max_leaves=8)


def same_structure(h, j):
    assert str(h) == str(j).replace("jax.", "hlox.")


# -- flattening, against jax ----------------------------------------------------------------------
@given(trees)
def test_flatten_unflatten_matches_jax(tree):
    hl, ht = htu.tree_flatten(tree)
    jl, jt = jax.tree_util.tree_flatten(tree)
    assert hl == jl
    same_structure(ht, jt)
    assert htu.tree_leaves(tree) == jl
    same_structure(htu.tree_structure(tree), jt)
    assert htu.tree_unflatten(ht, hl) == tree
    assert ht.num_leaves == jt.num_leaves and ht.num_nodes == jt.num_nodes
    assert htu.treedef_is_leaf(ht) == jax.tree_util.treedef_is_leaf(jt)
    assert htu.all_leaves(hl) and htu.all_leaves([tree]) == jax.tree_util.all_leaves([tree])


@given(trees)
def test_paths_match_jax(tree):
    hk, ht = htu.tree_flatten_with_path(tree)
    jk, jt = jax.tree_util.tree_flatten_with_path(tree)
    assert hk == jk
    same_structure(ht, jt)
    assert [htu.keystr(k) for k, _ in hk] == [jax.tree_util.keystr(k) for k, _ in jk]
    assert ([htu.keystr(k, simple=True, separator="/") for k, _ in hk]
            == [jax.tree_util.keystr(k, simple=True, separator="/") for k, _ in jk])
    assert htu.tree_leaves_with_path(tree) == jax.tree_util.tree_leaves_with_path(tree)
    f = lambda path, x: (len(path), x)  # noqa: E731
    assert htu.tree_map_with_path(f, tree) == jax.tree_util.tree_map_with_path(f, tree)


@given(trees)
def test_map_reduce_all_match_jax(tree):
    f = lambda x: (x, 1)  # noqa: E731
    assert htu.tree_map(f, tree) == jax.tree_util.tree_map(f, tree)
    g = lambda a, b: [a, b]  # noqa: E731
    assert htu.tree_map(g, tree, tree) == jax.tree_util.tree_map(g, tree, tree)
    assert htu.tree_all(tree) == jax.tree_util.tree_all(tree)
    count = lambda acc, _: acc + 1  # noqa: E731
    assert htu.tree_reduce(count, tree, 0) == jax.tree_util.tree_reduce(count, tree, 0)


def test_map_with_is_leaf_and_none():
    tree = {"a": (1, 2), "b": [(3, 4)], "c": None}
    is_pair = lambda x: isinstance(x, tuple)  # noqa: E731
    want = jax.tree_util.tree_map(lambda p: p[0] + p[1], tree, is_leaf=is_pair)
    assert htu.tree_map(lambda p: p[0] + p[1], tree, is_leaf=is_pair) == want == {
        "a": 3, "b": [7], "c": None}
    assert htu.tree_leaves([None, 1, None]) == [1]
    assert htu.tree_leaves([None, 1], is_leaf=lambda x: x is None) == [None, 1]
    kp = htu.tree_leaves_with_path(tree, is_leaf=is_pair)
    assert kp == jax.tree_util.tree_leaves_with_path(tree, is_leaf=is_pair)


def test_map_over_prefix_and_mismatch():
    # later trees may be deeper than the first: their subtrees are passed whole
    assert htu.tree_map(lambda a, b: (a, b), [1, 2], [(3, 4), {"k": 5}]) == [(1, (3, 4)), (2, {"k": 5})]
    with pytest.raises(ValueError):
        htu.tree_map(lambda a, b: a, [1, 2], [1, 2, 3])
    with pytest.raises(ValueError):
        jax.tree_util.tree_map(lambda a, b: a, [1, 2], [1, 2, 3])
    with pytest.raises(ValueError):
        htu.tree_map(lambda a, b: a, {"a": 1}, {"b": 1})


def test_reduce_transpose_broadcast():
    assert htu.tree_reduce(lambda a, b: a + b, [1, (2, 3)]) == 6
    with pytest.raises(TypeError):
        htu.tree_reduce(lambda a, b: a + b, [])
    assert htu.tree_reduce_associative(lambda a, b: a + b, [1, [2, 3, 4]]) == 10
    tree = [(1, 2, 3), (4, 5, 6)]
    outer, inner = htu.tree_structure([0, 0]), htu.tree_structure((0, 0, 0))
    want = jax.tree_util.tree_transpose(jax.tree_util.tree_structure([0, 0]),
                                        jax.tree_util.tree_structure((0, 0, 0)), tree)
    assert htu.tree_transpose(outer, inner, tree) == want == ([1, 4], [2, 5], [3, 6])
    assert htu.tree_transpose(outer, None, tree) == want
    with pytest.raises(TypeError):
        htu.tree_transpose(outer, htu.tree_structure((0, 0)), tree)
    assert htu.tree_broadcast([1, 2], [[0, 0], {"a": 0}]) == jax.tree_util.tree_broadcast(
        [1, 2], [[0, 0], {"a": 0}])


def test_treedef_helpers_and_build_tree():
    td = htu.tree_structure([(1, 2), 3, {"a": 4}])
    kids = htu.treedef_children(td)
    assert [str(k) for k in kids] == ["PyTreeDef((*, *))", "PyTreeDef(*)", "PyTreeDef({'a': *})"]
    tup = htu.treedef_tuple(kids)
    assert tup.unflatten([1, 2, 3, 4]) == ((1, 2), 3, {"a": 4})
    assert htu.build_tree(htu.tree_structure((0, [0])), [1, [2]]) == (1, [2])
    assert htu.flatten_one_level({"b": 1, "a": 2}) == jax.tree_util.flatten_one_level({"b": 1, "a": 2})
    with pytest.raises(ValueError):
        htu.flatten_one_level(3)
    assert htu.is_tree_node(list) and not htu.is_tree_node(int)


def test_ordered_and_default_dict():
    od = collections.OrderedDict([("z", 1), ("a", 2)])
    assert htu.tree_leaves(od) == [1, 2]
    assert htu.tree_map(lambda x: x * 10, od) == collections.OrderedDict([("z", 10), ("a", 20)])
    dd = collections.defaultdict(list, {"b": 1, "a": 2})
    out = htu.tree_map(lambda x: -x, dd)
    assert isinstance(out, collections.defaultdict) and out.default_factory is list
    assert dict(out) == {"a": -2, "b": -1}
    assert htu.keystr(htu.tree_leaves_with_path(dd)[0][0]) == "['a']"


# -- registration ---------------------------------------------------------------------------------
class Box:
    def __init__(self, value, label):
        self.value, self.label = value, label

    def __eq__(self, other):
        return type(other) is Box and (self.value, self.label) == (other.value, other.label)


htu.register_pytree_node(Box, lambda b: ((b.value,), b.label), lambda label, kids: Box(kids[0], label))


def test_register_pytree_node_is_hlox_only():
    leaves, td = htu.tree_flatten(Box([1, 2], "L"))
    assert leaves == [1, 2]
    assert td.unflatten([3, 4]) == Box([3, 4], "L")
    assert jax.tree_util.tree_leaves(Box([1, 2], "L")) == [Box([1, 2], "L")]  # a leaf for JAX


class Shared:
    def __init__(self, a, b):
        self.a, self.b = a, b


def test_one_class_registered_with_hlox_and_jax():
    flat = lambda s: ((s.a, s.b), None)  # noqa: E731
    unflat = lambda _, kids: Shared(*kids)  # noqa: E731
    htu.register_pytree_node(Shared, flat, unflat)
    jax.tree_util.register_pytree_node(Shared, flat, unflat)
    tree = [Shared(1, (2, 3))]
    assert htu.tree_leaves(tree) == jax.tree_util.tree_leaves(tree) == [1, 2, 3]
    out = hlox.jit(lambda t: t[0].a + t[0].b[1])(tree)
    assert_matches(out, jax.jit(lambda t: t[0].a + t[0].b[1])(tree), check_weak=True)


class Keyed:
    def __init__(self, w, b):
        self.w, self.b = w, b


htu.register_pytree_with_keys(
    Keyed, lambda k: (((htu.GetAttrKey("w"), k.w), (htu.GetAttrKey("b"), k.b)), None),
    lambda _, kids: Keyed(*kids))


def test_register_pytree_with_keys():
    paths = [htu.keystr(p) for p, _ in htu.tree_leaves_with_path({"layer": Keyed(1, [2])})]
    assert paths == ["['layer'].w", "['layer'].b[0]"]
    out = htu.tree_map(lambda x: x + 1, Keyed(1, 2))
    assert (out.w, out.b) == (2, 3)


@htu.register_pytree_node_class
class Pair:
    def __init__(self, first, second):
        self.first, self.second = first, second

    def tree_flatten(self):
        return (self.first, self.second), None

    @classmethod
    def tree_unflatten(cls, aux, children):
        return cls(*children)


def test_register_pytree_node_class_through_jit():
    f = hlox.jit(lambda p: Pair(p.second, p.first * 2))
    out = f(Pair(hnp.ones(2), 3.0))
    assert isinstance(out, Pair)
    assert_matches(out.first, jax.numpy.asarray(3.0), check_weak=True)
    assert_matches(out.second, np.full(2, 2.0, np.float32))


@dataclasses.dataclass
class Params:
    w: object
    b: object
    activation: str = dataclasses.field(default="relu", metadata={"static": True})


htu.register_dataclass(Params)


@dataclasses.dataclass
class Explicit:
    x: object
    n: int


htu.register_dataclass(Explicit, data_fields=["x"], meta_fields=["n"])


def test_register_dataclass_inferred_and_explicit():
    p = Params(1, 2, "tanh")
    leaves, td = htu.tree_flatten(p)
    assert leaves == [1, 2]
    assert td.unflatten([3, 4]) == Params(3, 4, "tanh")
    assert [htu.keystr(k) for k, _ in htu.tree_leaves_with_path(p)] == [".w", ".b"]
    assert htu.tree_leaves(Explicit(5, 6)) == [5]
    assert htu.tree_structure(Explicit(0, 1)) != htu.tree_structure(Explicit(0, 2))


def test_register_dataclass_errors():
    @dataclasses.dataclass
    class D:
        a: int
        b: int

    with pytest.raises(ValueError, match="Missing fields"):
        htu.register_dataclass(D, data_fields=["a"], meta_fields=[])
    with pytest.raises(TypeError):
        htu.register_dataclass(D, data_fields=["a"])
    with pytest.raises(TypeError):
        htu.register_dataclass(Box)


def test_dataclass_static_field_retraces_under_jit():
    traces = []

    @hlox.jit
    def apply(p, x):
        traces.append(p.activation)
        y = p.w * x + p.b
        return hnp.tanh(y) if p.activation == "tanh" else hnp.maximum(y, 0)

    x = np.array([-1.0, 0.5], np.float32)
    a = apply(Params(hnp.asarray(2.0), hnp.asarray(-0.5), "relu"), x)
    b = apply(Params(hnp.asarray(2.0), hnp.asarray(-0.5), "tanh"), x)
    apply(Params(hnp.asarray(3.0), hnp.asarray(1.0), "tanh"), x)
    assert traces == ["relu", "tanh"]
    assert_matches(a, np.maximum(2 * x - 0.5, 0))
    assert_matches(b, np.tanh(2 * x - 0.5))


def test_dataclass_output_of_jit_and_tree_static():
    @dataclasses.dataclass
    class State:
        count: object
        name: str = hlox.tree.static(default="s")

    htu.register_dataclass(State)
    out = hlox.jit(lambda s: State(s.count + 1, s.name + "!"))(State(hnp.asarray(1), "run"))
    assert out.name == "run!"
    assert_matches(out.count, jax.numpy.asarray(np.int32(2)))


@htu.register_static
class Config:
    def __init__(self, depth):
        self.depth = depth

    def __hash__(self):
        return hash(self.depth)

    def __eq__(self, other):
        return isinstance(other, Config) and other.depth == self.depth


def test_register_static_has_no_leaves_and_is_static_in_jit():
    assert htu.tree_leaves([Config(3), 1]) == [1]
    out = hlox.jit(lambda c, x: x * c.depth)(Config(3), hnp.ones(2))
    assert_matches(out, np.full(2, 3.0, np.float32))


# -- Partial --------------------------------------------------------------------------------------
def test_partial_is_a_pytree_and_jit_argument():
    add_one = htu.Partial(hnp.add, 1)
    assert htu.tree_leaves(add_one) == [1]
    assert_matches(add_one(2), jax.tree_util.Partial(jax.numpy.add, 1)(2), check_weak=True)

    @hlox.jit
    def call(f, x):
        return f(x)

    assert_matches(call(add_one, 2.0), jax.jit(lambda f, x: f(x))(
        jax.tree_util.Partial(jax.numpy.add, 1), 2.0), check_weak=True)
    out = hlox.jit(lambda y: htu.Partial(hnp.multiply, y))(hnp.asarray(3.0))
    assert isinstance(out, htu.Partial)
    assert_matches(out(2.0), np.float32(6.0))


def test_partial_of_functools_partial_keeps_its_own_args():
    inner = functools.partial(lambda a, b, c: a * 100 + b * 10 + c, 1)
    p = htu.Partial(inner, 2)
    assert htu.tree_leaves(p) == [2]
    assert p(3) == 123


# -- hlox.tree ------------------------------------------------------------------------------------
def test_tree_namespace_matches_jax_tree():
    tree = {"a": [1, 2], "b": (3, None)}
    assert hlox.tree.leaves(tree) == jax.tree.leaves(tree)
    assert hlox.tree.map(lambda x, y: x * y, tree, tree) == jax.tree.map(lambda x, y: x * y, tree, tree)
    leaves, td = hlox.tree.flatten(tree)
    assert hlox.tree.unflatten(td, leaves) == tree
    same_structure(hlox.tree.structure(tree), jax.tree.structure(tree))
    assert hlox.tree.reduce(lambda a, b: a + b, tree) == jax.tree.reduce(lambda a, b: a + b, tree)
    assert hlox.tree.all(tree) == jax.tree.all(tree)
    assert hlox.tree.leaves_with_path(tree) == jax.tree.leaves_with_path(tree)
    assert hlox.tree.flatten_with_path(tree)[0] == jax.tree.flatten_with_path(tree)[0]
    f = lambda p, x: (jax.tree_util.keystr(p), x)  # noqa: E731
    assert hlox.tree.map_with_path(f, tree) == jax.tree.map_with_path(f, tree)
    outer, inner = hlox.tree.structure([0, 0]), hlox.tree.structure((0, 0))
    assert hlox.tree.transpose(outer, inner, [(1, 2), (3, 4)]) == ([1, 3], [2, 4])


def test_jit_pytree_inputs_and_outputs():
    tree = {"p": Point(hnp.ones(2), np.float32(2)), "od": collections.OrderedDict(k=hnp.zeros(1)),
            "n": None}
    out = hlox.jit(lambda t: hlox.tree.map(lambda v: v * 2, t))(tree)
    assert isinstance(out["p"], Point) and isinstance(out["od"], collections.OrderedDict)
    assert out["n"] is None
    assert_matches(out["p"].x, np.full(2, 2.0, np.float32))
    assert_matches(out["p"].y, np.float32(4.0))
    assert_matches(out["od"]["k"], np.zeros(1, np.float32))
