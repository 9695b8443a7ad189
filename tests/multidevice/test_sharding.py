"""Sharded arrays and jit with shardings on 8 simulated CPU devices, against JAX on the same
devices (run by tests/test_multidevice.py in a process started with 8 devices)."""
import jax
import numpy as np
import pytest
from hypothesis import given, strategies as st

import hlox
import hlox.numpy as jnp
from hlox.sharding import Mesh, NamedSharding, PartitionSpec as P

SPECS = [P(), P("data"), P(None, "model"), P("data", "model"), P("model", "data"),
         P(("data", "model")), P(None, ("model", "data"))]


@pytest.fixture(scope="module")
def meshes():
    assert len(hlox.devices()) == 8 and len(jax.devices()) == 8
    ours = Mesh(np.array(hlox.devices()).reshape(4, 2), ("data", "model"))
    theirs = jax.sharding.Mesh(np.array(jax.devices()).reshape(4, 2), ("data", "model"))
    return ours, theirs


def _jax_spec(spec):
    return jax.sharding.PartitionSpec(*spec)


@pytest.mark.parametrize("spec", SPECS, ids=str)
def test_named_sharding_layout_matches_jax(meshes, spec):
    ours, theirs = NamedSharding(meshes[0], spec), jax.sharding.NamedSharding(meshes[1], _jax_spec(spec))
    shape = (8, 16)
    assert ours._to_xla_hlo_sharding(2) == theirs._to_xla_hlo_sharding(2)
    assert ours.shard_shape(shape) == theirs.shard_shape(shape)
    assert ours.is_fully_replicated == theirs.is_fully_replicated
    ours_map = {d.id: i for d, i in ours.devices_indices_map(shape).items()}
    theirs_map = {d.id: i for d, i in theirs.devices_indices_map(shape).items()}
    assert ours_map == theirs_map


@pytest.mark.parametrize("spec", SPECS, ids=str)
def test_device_put_shards_and_gathers(meshes, spec):
    x = np.arange(8 * 16, dtype=np.float32).reshape(8, 16)
    a = hlox.device_put(x, NamedSharding(meshes[0], spec))
    b = jax.device_put(x, jax.sharding.NamedSharding(meshes[1], _jax_spec(spec)))
    np.testing.assert_array_equal(np.asarray(a), x)
    assert len(a.addressable_shards) == 8
    ours = sorted((s.device.id, str(s.index), s.replica_id) for s in a.addressable_shards)
    theirs = sorted((s.device.id, str(s.index), s.replica_id) for s in b.addressable_shards)
    assert ours == theirs
    for shard in a.addressable_shards:
        np.testing.assert_array_equal(np.asarray(shard.data), x[shard.index])
    assert a.is_fully_replicated == b.is_fully_replicated


@given(src=st.sampled_from(SPECS), dst=st.sampled_from(SPECS))
def test_resharding_keeps_values(meshes, src, dst):
    x = np.random.default_rng(0).standard_normal((8, 16)).astype(np.float32)
    a = hlox.device_put(hlox.device_put(x, NamedSharding(meshes[0], src)),
                        NamedSharding(meshes[0], dst))
    np.testing.assert_array_equal(np.asarray(a), x)
    assert a.sharding == NamedSharding(meshes[0], dst)


def _mlp(x, w1, w2):
    return jnp.tanh(x @ w1) @ w2


@pytest.mark.parametrize("x_spec, w_spec", [(P("data"), P()), (P("data"), P(None, "model")),
                                            (P(), P(None, ("data", "model")))], ids=str)
def test_jit_of_sharded_arguments_matches_jax(meshes, x_spec, w_spec):
    rng = np.random.default_rng(1)
    x, w1, w2 = (rng.standard_normal(s).astype(np.float32) for s in ((8, 16), (16, 32), (32, 4)))
    ours = hlox.jit(_mlp)(hlox.device_put(x, NamedSharding(meshes[0], x_spec)),
                          hlox.device_put(w1, NamedSharding(meshes[0], w_spec)), w2)
    theirs = jax.jit(lambda x, w1, w2: jax.numpy.tanh(x @ w1) @ w2)(
        jax.device_put(x, jax.sharding.NamedSharding(meshes[1], _jax_spec(x_spec))),
        jax.device_put(w1, jax.sharding.NamedSharding(meshes[1], _jax_spec(w_spec))), w2)
    np.testing.assert_allclose(np.asarray(ours), np.asarray(theirs), rtol=1e-5, atol=1e-5)
    assert ours.sharding.is_equivalent_to(_as_ours(meshes[0], theirs.sharding), 2)


def _as_ours(mesh, jax_sharding):
    return NamedSharding(mesh, P(*jax_sharding.spec))


def test_jit_in_and_out_shardings_and_the_ir(meshes):
    x = np.arange(64, dtype=np.float32).reshape(8, 8)
    f = hlox.jit(lambda x: x.sum(0), in_shardings=NamedSharding(meshes[0], P("data")),
                 out_shardings=NamedSharding(meshes[0], P("model")))
    text = f.lower(x).as_text()
    assert 'sdy.mesh @mesh = <["data"=4, "model"=2]>' in text
    assert 'sdy.sharding = #sdy.sharding<@mesh, [{"data"}, {}]>' in text
    assert "mhlo.num_partitions = 8" in text
    assert "all-reduce" in f.lower(x).compile().as_text()
    out = f(x)
    np.testing.assert_array_equal(np.asarray(out), x.sum(0))
    assert out.sharding == NamedSharding(meshes[0], P("model"))


def test_with_sharding_constraint_under_a_mesh(meshes):
    x = np.arange(64, dtype=np.float32).reshape(8, 8)
    with meshes[0]:
        f = hlox.jit(lambda x: hlox.lax.with_sharding_constraint(jnp.sin(x), P(None, "model")))
        assert 'sdy.sharding_constraint' in f.lower(x).as_text()
        out = f(x)
    np.testing.assert_allclose(np.asarray(out), np.sin(x), rtol=1e-6)
    assert out.sharding == NamedSharding(meshes[0], P(None, "model"))
    with pytest.raises(ValueError, match="requires a non-empty mesh"):
        hlox.jit(lambda x: hlox.lax.with_sharding_constraint(x, P("data")))(x)


def test_make_array_from_callback_and_single_device_arrays(meshes):
    x = np.arange(64, dtype=np.float32).reshape(8, 8)
    s = NamedSharding(meshes[0], P("data", "model"))
    a = hlox.make_array_from_callback(x.shape, s, lambda index: x[index])
    np.testing.assert_array_equal(np.asarray(a), x)
    b = hlox.make_array_from_single_device_arrays(x.shape, s, [sh.data for sh in a.addressable_shards])
    np.testing.assert_array_equal(np.asarray(b), x)
    assert b.sharding == s


def test_errors_name_the_problem(meshes):
    with pytest.raises(ValueError, match="Resource axis: foo"):
        NamedSharding(meshes[0], P("foo"))
    with pytest.raises(ValueError, match="duplicate entries"):
        NamedSharding(meshes[0], P("data", "data"))
    with pytest.raises(ValueError, match="divisible by 4, but it is equal to 6"):
        hlox.device_put(np.ones((6, 8)), NamedSharding(meshes[0], P("data")))
    with pytest.raises(ValueError, match=r"leaf 0.*divisible by 2"):
        hlox.jit(lambda x: x, in_shardings=NamedSharding(meshes[0], P("model")))(np.ones((3,)))
    half = Mesh(np.array(hlox.devices()[:4]), ("data",))
    on_half = hlox.device_put(np.ones((8, 2), np.float32), NamedSharding(half, P("data")))
    on_all = hlox.device_put(np.ones((8, 2), np.float32), NamedSharding(meshes[0], P("data")))
    with pytest.raises(ValueError, match="incompatible devices"):
        hlox.jit(lambda a, b: a + b)(on_half, on_all)
    with pytest.raises(ValueError, match="incompatible devices"):
        hlox.jit(lambda a: a * 2, in_shardings=NamedSharding(meshes[0], P("data")))(on_half)
    with pytest.raises(ValueError, match="rank at least 2"):
        hlox.device_put(np.ones((8,)), NamedSharding(meshes[0], P("data", "model")))


def test_mesh_and_make_mesh_as_jax(meshes):
    m = hlox.make_mesh((2, 4), ("a", "b"))
    j = jax.make_mesh((2, 4), ("a", "b"))
    assert m.shape == j.shape and m.axis_names == j.axis_names and m.size == j.size
    assert [t.name for t in m.axis_types] == [t.name for t in j.axis_types]
    assert str(m) == str(j)
    assert hlox.device_count() == 8 and len(hlox.local_devices()) == 8


LAYOUTS = [((8, 6), P("data", "model")), ((8, 4), P("model", "data")), ((8, 6), P("data")),
           ((8, 6), P(None, "model")), ((8, 6), P()), ((16,), P("data")),
           ((16,), P(("data", "model"))), ((4, 16), P(None, ("model", "data")))]


@pytest.mark.parametrize("shape, spec", LAYOUTS, ids=str)
def test_visualize_array_sharding_prints_what_jax_prints(meshes, capsys, shape, spec):
    x = np.arange(np.prod(shape), dtype=np.float32).reshape(shape)
    hlox.debug.visualize_array_sharding(hlox.device_put(x, NamedSharding(meshes[0], spec)))
    ours = capsys.readouterr().out
    jax.debug.visualize_array_sharding(
        jax.device_put(x, jax.sharding.NamedSharding(meshes[1], jax.sharding.PartitionSpec(*spec))))
    theirs = capsys.readouterr().out
    assert ours == theirs and "CPU" in ours
    hlox.debug.visualize_sharding(shape, NamedSharding(meshes[0], spec), scale=0.5, max_width=40)
    ours = capsys.readouterr().out
    jax.debug.visualize_sharding(shape, jax.sharding.NamedSharding(
        meshes[1], jax.sharding.PartitionSpec(*spec)), scale=0.5, max_width=40)
    assert ours == capsys.readouterr().out


def test_visualize_sharding_refuses_what_jax_refuses(meshes):
    with pytest.raises(ValueError, match="only works for shapes with 1 and 2 dimensions"):
        hlox.debug.visualize_sharding((2, 4, 8), NamedSharding(meshes[0], P("data")))
    seen = []
    hlox.debug.inspect_array_sharding({"a": hlox.device_put(np.ones(8), NamedSharding(
        meshes[0], P("data")))}, callback=seen.append)
    assert seen[0].is_equivalent_to(NamedSharding(meshes[0], P("data")), 1)
