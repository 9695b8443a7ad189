"""JAX's collectives under `hlox.vmap(f, axis_name=...)`, against `jax.vmap` on the same inputs.

Inside a traced function a collective is a StableHLO collective op naming its axes in
`hlox.axis_names`; the batching pass run with `axis-name=i` turns a collective over i into the
same computation over the batch (hlox/frontend/collectives.py,
hlox/passes/batching/rules/collectives.py).
"""
from __future__ import annotations


import jax
import jax.numpy as jnp
import numpy as np
import pytest
from hypothesis import given, strategies as st

import hlox
import hlox.lax as hl
import hlox.passes as hp
import hlox.numpy as hnp
from hlox.lowering.mlir import make_context
from hlox.tools.mlir_io import parse_source


def _data(shape, seed=0, dtype=np.float32):
    rng = np.random.default_rng(seed)
    if np.dtype(dtype).kind in "iu":
        return rng.integers(-5, 6, shape).astype(dtype)
    return rng.standard_normal(shape).astype(dtype)


def _check(ours, theirs, *args, rtol=1e-5, **vmap_kw):
    got = hlox.vmap(ours, axis_name="i", **vmap_kw)(*args)
    want = jax.vmap(theirs, axis_name="i", **vmap_kw)(*args)
    got_leaves, want_leaves = jax.tree_util.tree_leaves(got), jax.tree_util.tree_leaves(want)
    assert len(got_leaves) == len(want_leaves)
    for g, w in zip(got_leaves, want_leaves):
        assert np.shape(g) == np.shape(w)
        assert np.asarray(g).dtype == np.asarray(w).dtype
        np.testing.assert_allclose(np.asarray(g), np.asarray(w), rtol=rtol, atol=1e-5)


shapes = st.lists(st.integers(1, 3), min_size=0, max_size=2).map(tuple)
batch = st.integers(1, 4)


# -- reductions -----------------------------------------------------------------------------
@pytest.mark.parametrize("name", ["psum", "pmax", "pmin", "pmean"])
@given(n=batch, shape=shapes)
def test_reductions_match_jax(name, n, shape):
    x = _data((n,) + shape, n)
    _check(lambda v: getattr(hl, name)(v, "i"), lambda v: getattr(jax.lax, name)(v, "i"), x)


@pytest.mark.parametrize("name", ["psum", "pmax", "pmin", "pmean"])
def test_reductions_of_integers_and_batched_elsewhere(name):
    x = _data((3, 4), 1, np.int32)
    _check(lambda v: getattr(hl, name)(v, "i"), lambda v: getattr(jax.lax, name)(v, "i"), x)
    y = _data((2, 3, 4), 2)
    _check(lambda v: getattr(hl, name)(v * 2.0, "i"), lambda v: getattr(jax.lax, name)(v * 2.0, "i"),
           y, in_axes=1)


def test_psum_of_constants_and_unbatched_values():
    x = _data((3, 2), 3)
    w = _data((2,), 4)
    _check(lambda v: v + hl.psum(1.0, "i"), lambda v: v + jax.lax.psum(1.0, "i"), x)
    _check(lambda v: v + hl.psum(1, "i"), lambda v: v + jax.lax.psum(1, "i"), x)
    _check(lambda v, c: v * hl.psum(c * 2.0, "i") + hl.pmax(c, "i"),
           lambda v, c: v * jax.lax.psum(c * 2.0, "i") + jax.lax.pmax(c, "i"), x, w,
           in_axes=(0, None))


def test_psum_of_a_pytree_and_positional_axes():
    x = {"a": _data((3, 2), 5), "b": (_data((3,), 6), _data((3, 2, 2), 7))}
    _check(lambda t: hl.psum(t, "i"), lambda t: jax.lax.psum(t, "i"), x)
    _check(lambda t: hl.pmean(t, "i"), lambda t: jax.lax.pmean(t, "i"), x)
    y = _data((3, 4, 2), 8)
    _check(lambda v: hl.psum(v, ("i", 0)), lambda v: jax.lax.psum(v, ("i", 0)), y)


def test_tuple_of_one_name():
    x = _data((3, 2), 9)
    _check(lambda v: hl.psum(v, ("i",)), lambda v: jax.lax.psum(v, ("i",)), x)
    _check(lambda v: hl.all_gather(v, ("i",)), lambda v: jax.lax.all_gather(v, ("i",)), x)


# -- gathers and scatters ------------------------------------------------------------------------
@given(n=batch, shape=st.lists(st.integers(1, 3), min_size=1, max_size=2).map(tuple),
       data=st.data())
def test_all_gather_matches_jax(n, shape, data):
    tiled = data.draw(st.booleans())
    axis = data.draw(st.integers(0, len(shape) - (1 if tiled else 0)))
    x = _data((n,) + shape, 10)
    _check(lambda v: hl.all_gather(v, "i", axis=axis, tiled=tiled),
           lambda v: jax.lax.all_gather(v, "i", axis=axis, tiled=tiled), x)


def test_all_gather_of_an_unbatched_value():
    x, c = _data((3, 2), 11), _data((2,), 12)
    _check(lambda v, w: v + hl.all_gather(w, "i"), lambda v, w: v + jax.lax.all_gather(w, "i"),
           x, c, in_axes=(0, None))


@given(n=batch, k=st.integers(1, 2), other=st.integers(1, 3), data=st.data())
def test_psum_scatter_matches_jax(n, k, other, data):
    tiled = data.draw(st.booleans())
    dim = data.draw(st.integers(0, 1))
    shape = [other, other]
    shape[dim] = n * k if tiled else n
    x = _data((n,) + tuple(shape), 13)
    _check(lambda v: hl.psum_scatter(v, "i", scatter_dimension=dim, tiled=tiled),
           lambda v: jax.lax.psum_scatter(v, "i", scatter_dimension=dim, tiled=tiled), x)


@given(perm=st.integers(1, 5).flatmap(lambda n: st.permutations(range(n))),
       shape=shapes)
def test_ppermute_matches_jax(perm, shape):
    n = len(perm)
    pairs = list(enumerate(perm))
    x = _data((n,) + shape, 14)
    _check(lambda v: hl.ppermute(v, "i", pairs), lambda v: jax.lax.ppermute(v, "i", pairs), x)


def test_ppermute_with_a_partial_permutation_sends_zeros():
    # JAX's vmap refuses a permutation that misses members; on devices they receive zeros
    x = _data((3, 2), 15)
    got = hlox.vmap(lambda v: hl.ppermute(v, "i", [(0, 1), (1, 2)]), axis_name="i")(x)
    np.testing.assert_allclose(got, np.stack([np.zeros(2, np.float32), x[0], x[1]]))


@pytest.mark.parametrize("split, concat", [(0, 0), (0, 1), (1, 0), (1, 1), (0, 2), (2, 0)])
@pytest.mark.parametrize("tiled", [False, True])
def test_all_to_all_matches_jax(split, concat, tiled):
    n = 3
    shape = [2, 2, 2]
    shape[split] = 2 * n if tiled else n
    x = _data((n,) + tuple(shape), 16)
    _check(lambda v: hl.all_to_all(v, "i", split, concat, tiled=tiled),
           lambda v: jax.lax.all_to_all(v, "i", split, concat, tiled=tiled), x)


# -- indices ----------------------------------------------------------------------------------------
@given(n=batch)
def test_axis_index_and_size(n):
    x = _data((n, 2), 17)
    _check(lambda v: v * hl.axis_index("i") + hl.axis_size("i"),
           lambda v: v * jax.lax.axis_index("i") + jax.lax.axis_size("i"), x)
    got = hlox.vmap(lambda v: hl.axis_index("i"), axis_name="i")(x)
    assert got.dtype == np.int32 and list(np.asarray(got)) == list(range(n))


def test_pbroadcast_gives_every_member_the_source_value():
    x = _data((4, 2), 18)
    got = hlox.vmap(lambda v: hl.pbroadcast(v, "i", 2), axis_name="i")(x)
    np.testing.assert_allclose(got, np.broadcast_to(x[2], x.shape))


# -- nested axes ------------------------------------------------------------------------------------
def _nested(f, jf, x, names=("i", "j")):
    outer, inner = names
    got = hlox.vmap(hlox.vmap(f, axis_name=inner), axis_name=outer)(x)
    want = jax.vmap(jax.vmap(jf, axis_name=inner), axis_name=outer)(x)
    np.testing.assert_allclose(np.asarray(got), np.asarray(want), rtol=1e-5, atol=1e-5)
    assert np.asarray(got).dtype == np.asarray(want).dtype


@pytest.mark.parametrize("axes", [("i", "j"), ("j", "i"), "i", "j"])
@pytest.mark.parametrize("name", ["psum", "pmax", "pmean"])
def test_nested_reductions(axes, name):
    x = _data((2, 3, 4), 19)
    _nested(lambda v: getattr(hl, name)(v, axes), lambda v: getattr(jax.lax, name)(v, axes), x)


@pytest.mark.parametrize("axes", [("i", "j"), ("j", "i"), "i", "j"])
def test_nested_indices_and_sizes(axes):
    x = _data((2, 3, 4), 20)
    _nested(lambda v: v * hl.axis_index(axes) + hl.axis_size(axes),
            lambda v: v * jax.lax.axis_index(axes) + jax.lax.axis_size(axes), x)


@pytest.mark.parametrize("axes", ["i", "j"])
def test_nested_gathers_over_one_name(axes):
    x = _data((2, 3, 4), 20)
    _nested(lambda v: hl.all_gather(v, axes), lambda v: jax.lax.all_gather(v, axes), x)
    y = _data((2, 3, 6), 21)
    _nested(lambda v: hl.psum_scatter(v, axes, tiled=True),
            lambda v: jax.lax.psum_scatter(v, axes, tiled=True), y)


@pytest.mark.parametrize("axes", [("i", "j"), ("j", "i")])
def test_nested_gathers_over_two_names(axes):
    # jax.vmap refuses these ("axis size doesn't match"); the expected values are pmap's:
    # members are numbered row-major over the names in the order given
    x = _data((2, 3, 4), 30)
    order = x if axes == ("i", "j") else x.transpose(1, 0, 2)
    stacked = order.reshape(6, 4)
    got = hlox.vmap(hlox.vmap(lambda v: hl.all_gather(v, axes), axis_name="j"), axis_name="i")(x)
    np.testing.assert_allclose(got, np.broadcast_to(stacked, (2, 3, 6, 4)))
    y = _data((2, 3, 12), 31)
    got = hlox.vmap(hlox.vmap(lambda v: hl.psum_scatter(v, axes, tiled=True), axis_name="j"),
                    axis_name="i")(y)
    total = y.sum((0, 1)).reshape(6, 2)
    index = (np.arange(2)[:, None] * 3 + np.arange(3)[None, :] if axes == ("i", "j")
             else np.arange(2)[:, None] + 2 * np.arange(3)[None, :])
    np.testing.assert_allclose(got, total[index], rtol=1e-5)


def test_nested_ppermute_over_the_outer_axis():
    x = _data((3, 2, 4), 22)
    perm = [(0, 2), (1, 0), (2, 1)]
    _nested(lambda v: hl.ppermute(v, "i", perm) + hl.psum(v, "j"),
            lambda v: jax.lax.ppermute(v, "i", perm) + jax.lax.psum(v, "j"), x)


def test_collectives_in_called_functions_and_under_jit():
    x = _data((3, 4), 23)

    @hlox.jit
    def inner(v):
        return hl.psum(v, "i") * hl.axis_index("i")

    _check(lambda v: inner(v) + 1.0,
           lambda v: jax.jit(lambda u: jax.lax.psum(u, "i") * jax.lax.axis_index("i"))(v) + 1.0, x)
    got = hlox.jit(hlox.vmap(lambda v: hl.pmean(v, "i"), axis_name="i"))(x)
    np.testing.assert_allclose(got, np.broadcast_to(x.mean(0), x.shape), rtol=1e-6)


def test_collectives_inside_control_flow():
    x = _data((3, 2), 24)
    _check(lambda v: hl.cond(True, lambda u: hl.psum(u, "i"), lambda u: u, v),
           lambda v: jax.lax.cond(True, lambda u: jax.lax.psum(u, "i"), lambda u: u, v), x)


# -- derivatives --------------------------------------------------------------------------------------
def test_grad_of_psum_under_vmap():
    x = _data((3,), 25)
    _check(hlox.grad(lambda v: hl.psum(v * v, "i")), jax.grad(lambda v: jax.lax.psum(v * v, "i")), x)
    _check(hlox.grad(lambda v: hl.psum(hnp.sin(v), "i") * v),
           jax.grad(lambda v: jax.lax.psum(jnp.sin(v), "i") * v), x)
    got = hlox.grad(lambda v: hlox.vmap(lambda u: hl.psum(u * u, "i"), axis_name="i")(v).sum())(x)
    want = jax.grad(lambda v: jax.vmap(lambda u: jax.lax.psum(u * u, "i"), axis_name="i")(v).sum())(x)
    np.testing.assert_allclose(got, want, rtol=1e-5)


def test_grad_of_the_linear_collectives_under_vmap():
    x = _data((3, 6), 26)
    w = _data((3, 6), 27)
    perm = [(0, 1), (1, 2), (2, 0)]
    ours = [lambda v: hl.all_gather(v, "i").sum() * 0 + (hl.all_gather(v, "i")[1] * v).sum(),
            lambda v: (hl.psum_scatter(v * v, "i", tiled=True) ** 2).sum(),
            lambda v: (hl.ppermute(v, "i", perm) * v).sum(),
            lambda v: (hl.all_to_all(v.reshape(3, 2), "i", 0, 1, tiled=True) ** 2).sum()]
    theirs = [lambda v: jax.lax.all_gather(v, "i").sum() * 0 + (jax.lax.all_gather(v, "i")[1] * v).sum(),
              lambda v: (jax.lax.psum_scatter(v * v, "i", tiled=True) ** 2).sum(),
              lambda v: (jax.lax.ppermute(v, "i", perm) * v).sum(),
              lambda v: (jax.lax.all_to_all(v.reshape(3, 2), "i", 0, 1, tiled=True) ** 2).sum()]
    for f, jf in zip(ours, theirs):
        _check(hlox.grad(f), jax.grad(jf), x)
        got = hlox.grad(lambda v, c: (hlox.vmap(f, axis_name="i")(v) * c[:, 0]).sum())(x, w)
        want = jax.grad(lambda v, c: (jax.vmap(jf, axis_name="i")(v) * c[:, 0]).sum())(x, w)
        np.testing.assert_allclose(got, want, rtol=1e-4, atol=1e-5)


def test_jvp_of_psum_under_vmap():
    x, t = _data((3, 2), 28), _data((3, 2), 29)
    got = hlox.vmap(lambda a, b: hlox.jvp(lambda v: hl.psum(v * v, "i"), (a,), (b,)),
                    axis_name="i")(x, t)
    want = jax.vmap(lambda a, b: jax.jvp(lambda v: jax.lax.psum(v * v, "i"), (a,), (b,)),
                    axis_name="i")(x, t)
    for g, w in zip(got, want):
        np.testing.assert_allclose(g, w, rtol=1e-5)


# -- errors ------------------------------------------------------------------------------------------
def test_unbound_axis_names_raise_name_error_as_jax():
    with pytest.raises(NameError, match="unbound axis name: i"):
        jax.lax.psum(1.0, "i")
    for f in [lambda: hl.psum(1.0, "i"), lambda: hl.axis_index("i"), lambda: hl.axis_size("i"),
              lambda: hl.all_gather(np.ones(2, np.float32), "i"),
              lambda: hl.ppermute(np.ones(2, np.float32), "i", [(0, 0)])]:
        with pytest.raises(NameError, match="unbound axis name: i"):
            f()
    with pytest.raises(NameError, match="unbound axis name: j"):
        hlox.vmap(lambda v: hl.psum(v, "j"), axis_name="i")(np.ones(3, np.float32))
    with pytest.raises(NameError, match="unbound axis name: i"):
        hlox.jit(lambda v: hl.psum(v, "i"))(np.ones(3, np.float32))


def test_pmax_has_no_derivative():
    with pytest.raises(NotImplementedError, match="pmax/pmin"):
        hlox.vmap(hlox.grad(lambda v: hl.pmax(v, "i")), axis_name="i")(np.ones(3, np.float32))


# -- the pass on IR ------------------------------------------------------------------------------------
SOURCE = """
func.func @f(%x: tensor<2xf32>) -> tensor<2xf32> {
  %0 = "stablehlo.all_reduce"(%x) ({
    ^bb0(%a: tensor<f32>, %b: tensor<f32>):
      %s = stablehlo.add %a, %b : tensor<f32>
      stablehlo.return %s : tensor<f32>
  }) {replica_groups = dense<0> : tensor<1x1xi64>, hlox.axis_names = ["i", "k"]}
     : (tensor<2xf32>) -> tensor<2xf32>
  %1 = stablehlo.partition_id {hlox.axis_names = ["i"]} : tensor<ui32>
  %2 = stablehlo.convert %1 : (tensor<ui32>) -> tensor<f32>
  %3 = stablehlo.broadcast_in_dim %2, dims = [] : (tensor<f32>) -> tensor<2xf32>
  %4 = stablehlo.add %0, %3 : tensor<2xf32>
  return %4 : tensor<2xf32>
}
"""


def test_the_batching_pass_option_axis_name():
    module = parse_source(SOURCE, "t.mlir", make_context())
    hp.run(module, "builtin.module(hlox-batch{func=f size=3 axis-name=i name=fi})")
    text = str(module)
    batched = text[text.index("@fi"):]
    # psum over (i, k) is a sum over the batch, then a collective over k alone
    assert "stablehlo.reduce" in batched and 'hlox.axis_names = ["k"]' in batched
    assert "partition_id" not in batched and "stablehlo.iota" in batched
    # batching over an unnamed axis keeps every collective
    hp.run(module, "builtin.module(hlox-batch{func=f size=3 name=fu})")
    text = str(module)
    unnamed = text[text.index("@fu"):]
    assert 'hlox.axis_names = ["i", "k"]' in unnamed and "partition_id" in unnamed
