"""shard_map and pmap with collectives on 8 CPU devices, against JAX on the same devices."""
import jax
import jax.numpy as jjnp
import numpy as np
import pytest

import hlox
import hlox.numpy as jnp
from hlox.sharding import AxisType, NamedSharding, PartitionSpec as P

AUTO = (AxisType.Auto, AxisType.Auto)
RNG = np.random.default_rng(0)
X = RNG.standard_normal((8, 6)).astype(np.float32)


@pytest.fixture(scope="module")
def meshes():
    ours = hlox.make_mesh((4, 2), ("data", "model"), axis_types=AUTO)
    theirs = jax.make_mesh((4, 2), ("data", "model"),
                           axis_types=(jax.sharding.AxisType.Auto,) * 2)
    return ours, theirs


# (hlox body, jax body, in spec, out spec) over the (data=4, model=2) mesh
COLLECTIVES = {
    "psum-model": (lambda x: hlox.lax.psum(x, "model"), lambda x: jax.lax.psum(x, "model"),
                   P("data", "model"), P("data", None)),
    "psum-both": (lambda x: hlox.lax.psum(x, ("data", "model")),
                  lambda x: jax.lax.psum(x, ("data", "model")), P("data", "model"), P()),
    "pmean-data": (lambda x: hlox.lax.pmean(x, "data"), lambda x: jax.lax.pmean(x, "data"),
                   P("data", "model"), P(None, "model")),
    "pmax": (lambda x: hlox.lax.pmax(x, "data"), lambda x: jax.lax.pmax(x, "data"),
             P("data"), P()),
    "pmin": (lambda x: hlox.lax.pmin(x, "model"), lambda x: jax.lax.pmin(x, "model"),
             P(None, "model"), P()),
    "all_gather": (lambda x: hlox.lax.all_gather(x, "data", axis=0, tiled=True),
                   lambda x: jax.lax.all_gather(x, "data", axis=0, tiled=True),
                   P("data", "model"), P(None, "model")),
    "all_gather-untiled": (lambda x: hlox.lax.all_gather(x, "model", axis=1)[:, 0],
                           lambda x: jax.lax.all_gather(x, "model", axis=1)[:, 0],
                           P("data", "model"), P("data", None)),
    "psum_scatter": (lambda x: hlox.lax.psum_scatter(x, "data", scatter_dimension=0, tiled=True),
                     lambda x: jax.lax.psum_scatter(x, "data", scatter_dimension=0, tiled=True),
                     P(None, "model"), P("data", "model")),
    "ppermute": (lambda x: hlox.lax.ppermute(x, "data", [(i, (i + 1) % 4) for i in range(4)]),
                 lambda x: jax.lax.ppermute(x, "data", [(i, (i + 1) % 4) for i in range(4)]),
                 P("data", "model"), P("data", "model")),
    "all_to_all": (lambda x: hlox.lax.all_to_all(x, "model", 0, 1, tiled=True),
                   lambda x: jax.lax.all_to_all(x, "model", 0, 1, tiled=True),
                   P(None, "model"), P("model", None)),
    "axis_index": (lambda x: x + hlox.lax.axis_index("data").astype(x.dtype),
                   lambda x: x + jax.lax.axis_index("data").astype(x.dtype),
                   P("data", "model"), P("data", "model")),
}


@pytest.mark.parametrize("name", list(COLLECTIVES))
def test_collective_under_shard_map_matches_jax(meshes, name):
    ours_body, jax_body, in_spec, out_spec = COLLECTIVES[name]
    ours = hlox.jit(hlox.shard_map(ours_body, mesh=meshes[0], in_specs=(in_spec,),
                                   out_specs=out_spec))
    theirs = jax.jit(jax.shard_map(jax_body, mesh=meshes[1], in_specs=(in_spec_jax(in_spec),),
                                   out_specs=in_spec_jax(out_spec), check_vma=False))
    got, want = ours(X), theirs(X)
    np.testing.assert_allclose(np.asarray(got), np.asarray(want), rtol=1e-5, atol=1e-5)
    assert got.sharding.is_equivalent_to(NamedSharding(meshes[0], P(*want.sharding.spec)),
                                         got.ndim)


def in_spec_jax(spec):
    return jax.sharding.PartitionSpec(*spec)


def test_shard_map_ir_is_a_manual_computation(meshes):
    f = hlox.jit(hlox.shard_map(lambda x: hlox.lax.psum(x, "model"), mesh=meshes[0],
                                in_specs=P("data", "model"), out_specs=P("data")))
    text = f.lower(X).as_text()
    assert "sdy.manual_computation" in text and 'manual_axes={"data", "model"}' in text
    assert "replica_groups = dense<[[0, 1], [2, 3], [4, 5], [6, 7]]>" in text
    assert "use_global_device_ids" in text and "channel_handle" in text
    assert "all-reduce" in f.lower(X).compile().as_text()
    assert hlox.experimental.shard_map.shard_map is hlox.shard_map


def test_shard_map_errors(meshes):
    with pytest.raises(ValueError, match="divisible by 4"):
        hlox.shard_map(lambda x: x, mesh=meshes[0], in_specs=P("data"), out_specs=P("data"))(
            np.ones((6, 2), np.float32))
    with pytest.raises(NameError, match="unbound axis name: nope"):
        hlox.shard_map(lambda x: hlox.lax.psum(x, "nope"), mesh=meshes[0], in_specs=P("data"),
                       out_specs=P())(X)


PMAPS = {
    "psum": (lambda x: x / hlox.lax.psum(x, "i"), lambda x: x / jax.lax.psum(x, "i")),
    "pmean-axis_index": (lambda x: hlox.lax.pmean(x, "i") * hlox.lax.axis_index("i"),
                         lambda x: jax.lax.pmean(x, "i") * jax.lax.axis_index("i")),
    "all_gather": (lambda x: hlox.lax.all_gather(x, "i"), lambda x: jax.lax.all_gather(x, "i")),
    "ppermute": (lambda x: hlox.lax.ppermute(x, "i", [(j, (j + 3) % 8) for j in range(8)]),
                 lambda x: jax.lax.ppermute(x, "i", [(j, (j + 3) % 8) for j in range(8)])),
    "pmax": (lambda x: hlox.lax.pmax(x, "i"), lambda x: jax.lax.pmax(x, "i")),
}


@pytest.mark.parametrize("name", list(PMAPS))
def test_pmap_collectives_match_jax(name):
    ours, theirs = PMAPS[name]
    np.testing.assert_allclose(np.asarray(hlox.pmap(ours, "i")(X)),
                               np.asarray(jax.pmap(theirs, "i")(X)), rtol=1e-5, atol=1e-5)


def test_pmap_in_axes_out_axes_and_statics():
    f = lambda x, y, k: x * y + k  # noqa: E731
    ours = hlox.pmap(f, "i", in_axes=(1, None), out_axes=1, static_broadcasted_argnums=2)(
        X.T, np.float32(3.0), 2.0)
    theirs = jax.pmap(f, "i", in_axes=(1, None), out_axes=1, static_broadcasted_argnums=2)(
        X.T, np.float32(3.0), 2.0)
    np.testing.assert_allclose(np.asarray(ours), np.asarray(theirs), rtol=1e-6)
    with pytest.raises(ValueError, match="inconsistent sizes"):
        hlox.pmap(lambda a, b: a + b)(np.ones((8, 2)), np.ones((4, 2)))


def _loss(w, x, y, np_):
    return np_.mean((np_.tanh(x @ w) - y) ** 2)


def test_data_parallel_training_equals_single_device():
    rng = np.random.default_rng(1)
    w = rng.standard_normal((6, 3)).astype(np.float32)
    x = rng.standard_normal((8, 4, 6)).astype(np.float32)  # 8 devices x 4 examples
    y = rng.standard_normal((8, 4, 3)).astype(np.float32)

    def step(w, x, y):
        g = hlox.grad(lambda w: _loss(w, x, y, jnp))(w)
        return w - 0.1 * hlox.lax.pmean(g, "batch")

    ws = np.broadcast_to(w, (8,) + w.shape)
    for _ in range(3):
        ws = hlox.pmap(step, "batch")(ws, x, y)
    single = w
    for _ in range(3):
        single = single - 0.1 * np.asarray(hlox.grad(
            lambda w: _loss(w, x.reshape(32, 6), y.reshape(32, 3), jnp))(single))
    for replica in np.asarray(ws):
        np.testing.assert_allclose(replica, single, rtol=1e-5, atol=1e-6)


def test_tensor_parallel_mlp_equals_single_device(meshes):
    rng = np.random.default_rng(2)
    x = rng.standard_normal((8, 16)).astype(np.float32)
    w1 = rng.standard_normal((16, 32)).astype(np.float32)
    w2 = rng.standard_normal((32, 4)).astype(np.float32)

    def block(x, w1, w2):  # w1 split by columns, w2 by rows over "model": one psum
        return hlox.lax.psum(jnp.tanh(x @ w1) @ w2, "model")

    f = hlox.jit(hlox.shard_map(block, mesh=meshes[0],
                                in_specs=(P("data"), P(None, "model"), P("model", None)),
                                out_specs=P("data")))
    np.testing.assert_allclose(np.asarray(f(x, w1, w2)), np.tanh(x @ w1) @ w2,
                               rtol=1e-4, atol=1e-4)
    sharded = hlox.jit(lambda x, w1, w2: jnp.tanh(x @ w1) @ w2)(
        hlox.device_put(x, NamedSharding(meshes[0], P("data"))),
        hlox.device_put(w1, NamedSharding(meshes[0], P(None, "model"))),
        hlox.device_put(w2, NamedSharding(meshes[0], P("model", None))))
    np.testing.assert_allclose(np.asarray(sharded), np.tanh(x @ w1) @ w2, rtol=1e-4, atol=1e-4)


def test_hlox_run_executes_a_sharded_module_exported_by_jax(meshes, tmp_path):
    import subprocess
    import sys
    from pathlib import Path
    f = jax.jit(jax.shard_map(lambda x, w: jax.lax.psum(x @ w, "model"), mesh=meshes[1],
                              in_specs=(jax.P("data", "model"), jax.P("model", None)),
                              out_specs=jax.P("data", None)))
    x = np.arange(32, dtype=np.float32).reshape(8, 4)
    w = RNG.standard_normal((4, 3)).astype(np.float32)
    (tmp_path / "m.mlir").write_text(f.lower(x, w).as_text())
    np.save(tmp_path / "x.npy", x)
    np.save(tmp_path / "w.npy", w)
    np.savez(tmp_path / "want.npz", out0=np.asarray(f(x, w)))
    run = [str(Path(sys.executable).with_name("hlox-run")), str(tmp_path / "m.mlir"),
           str(tmp_path / "x.npy"), str(tmp_path / "w.npy")]
    env = {k: v for k, v in __import__("os").environ.items() if k != "XLA_FLAGS"}
    ok = subprocess.run(run + ["--check", str(tmp_path / "want.npz")], capture_output=True,
                        text=True, env=env)
    assert ok.returncode == 0 and "match" in ok.stdout, ok.stdout + ok.stderr
    too_few = subprocess.run(run + ["--devices", "2"], capture_output=True, text=True, env=env)
    assert too_few.returncode == 1 and "partitioned over 8 devices" in too_few.stderr
    assert "Traceback" not in too_few.stderr


GRAD_SPECS = [((P("data", "model"), P("model", None)), P("data", None)),
              ((P("data"), P()), P("data")),
              ((P(None, "model"), P("model")), P())]


def _psum_body(lib_np, lib_lax):
    return lambda x, w: lib_lax.psum(lib_np.tanh(x @ w), "model")


@pytest.mark.parametrize("in_specs, out_spec", GRAD_SPECS, ids=str)
def test_grad_and_jvp_through_shard_map_match_jax(meshes, in_specs, out_spec):
    x = RNG.standard_normal((8, 4)).astype(np.float32)
    w = RNG.standard_normal((4, 3)).astype(np.float32)
    ours = hlox.shard_map(_psum_body(jnp, hlox.lax), mesh=meshes[0], in_specs=in_specs,
                          out_specs=out_spec)
    theirs = jax.shard_map(_psum_body(jjnp, jax.lax), mesh=meshes[1],
                           in_specs=tuple(in_spec_jax(s) for s in in_specs),
                           out_specs=in_spec_jax(out_spec))
    got = hlox.jit(hlox.grad(lambda x, w: (ours(x, w) ** 2).sum(), argnums=(0, 1)))(x, w)
    want = jax.jit(jax.grad(lambda x, w: (theirs(x, w) ** 2).sum(), argnums=(0, 1)))(x, w)
    for g, h in zip(got, want):
        np.testing.assert_allclose(np.asarray(g), np.asarray(h), rtol=1e-4, atol=1e-5)
    t = np.ones_like(x)
    np.testing.assert_allclose(np.asarray(hlox.jvp(lambda x: ours(x, w), (x,), (t,))[1]),
                               np.asarray(jax.jvp(lambda x: theirs(x, w), (x,), (t,))[1]),
                               rtol=1e-4, atol=1e-5)


def test_pmap_of_grad_matches_jax():
    w = RNG.standard_normal((8, 3)).astype(np.float32)
    f = lambda w: hlox.lax.psum((jnp.sin(w) ** 2).sum(), "i")  # noqa: E731
    g = lambda w: jax.lax.psum((jjnp.sin(w) ** 2).sum(), "i")  # noqa: E731
    np.testing.assert_allclose(np.asarray(hlox.pmap(hlox.grad(f), "i")(w)),
                               np.asarray(jax.pmap(jax.grad(g), "i")(w)), rtol=1e-5)


LINEAR = ["psum-model", "psum-both", "pmean-data", "all_gather", "all_gather-untiled",
          "psum_scatter", "ppermute", "all_to_all"]


def _maps(meshes, name, check_vma=True):
    ours_body, jax_body, in_spec, out_spec = COLLECTIVES[name]
    ours = hlox.shard_map(ours_body, mesh=meshes[0], in_specs=(in_spec,), out_specs=out_spec)
    theirs = jax.shard_map(jax_body, mesh=meshes[1], in_specs=(in_spec_jax(in_spec),),
                           out_specs=in_spec_jax(out_spec), check_vma=check_vma)
    return ours, theirs


@pytest.mark.parametrize("name", list(COLLECTIVES))
def test_vmap_of_shard_map_matches_jax(meshes, name):
    ours, theirs = _maps(meshes, name, check_vma=False)
    xs = RNG.standard_normal((3,) + X.shape).astype(np.float32)
    np.testing.assert_allclose(np.asarray(hlox.jit(hlox.vmap(ours))(xs)),
                               np.asarray(jax.jit(jax.vmap(theirs))(xs)), rtol=1e-5, atol=1e-6)
    # the batch axis elsewhere, and an operand left unbatched beside a batched one
    np.testing.assert_allclose(np.asarray(hlox.vmap(ours, in_axes=2)(xs.transpose(1, 2, 0))),
                               np.asarray(jax.vmap(theirs, in_axes=2)(xs.transpose(1, 2, 0))),
                               rtol=1e-5, atol=1e-6)


def test_vmap_of_shard_map_with_an_unbatched_operand(meshes):
    body = lambda lib: lambda x, w: lib.lax.psum(x @ w, "model")  # noqa: E731
    specs = (P("data", "model"), P("model", None))
    ours = hlox.shard_map(body(hlox), mesh=meshes[0], in_specs=specs, out_specs=P("data"))
    theirs = jax.shard_map(body(jax), mesh=meshes[1], in_specs=tuple(map(in_spec_jax, specs)),
                           out_specs=jax.P("data"))
    xs = RNG.standard_normal((3, 8, 4)).astype(np.float32)
    w = RNG.standard_normal((4, 5)).astype(np.float32)
    np.testing.assert_allclose(np.asarray(hlox.vmap(ours, in_axes=(0, None))(xs, w)),
                               np.asarray(jax.vmap(theirs, in_axes=(0, None))(xs, w)),
                               rtol=1e-4, atol=1e-5)


def test_vmap_of_pmap_with_collectives_over_both_names():
    xs = RNG.standard_normal((3, 8, 5)).astype(np.float32)

    def body(lib):
        return lambda x: lib.lax.psum(x, "i") * x - lib.lax.pmean(x, "b")
    got = hlox.vmap(hlox.pmap(body(hlox), "i"), axis_name="b")(xs)
    want = jax.vmap(jax.pmap(body(jax), "i"), axis_name="b")(xs)
    np.testing.assert_allclose(np.asarray(got), np.asarray(want), rtol=1e-5, atol=1e-6)


@pytest.mark.parametrize("name", LINEAR)
def test_grad_of_each_collective_under_shard_map_matches_jax(meshes, name):
    # JAX's replication check cannot see that an all_gather's result is replicated
    ours, theirs = _maps(meshes, name, check_vma=not name.startswith("all_gather"))
    c = RNG.standard_normal(np.asarray(theirs(X)).shape).astype(np.float32)
    got = hlox.jit(hlox.grad(lambda x: (jnp.sin(ours(x)) * c).sum()))(X)
    want = jax.jit(jax.grad(lambda x: (jjnp.sin(theirs(x)) * c).sum()))(X)
    np.testing.assert_allclose(np.asarray(got), np.asarray(want), rtol=1e-5, atol=1e-6)


def test_ppermute_over_a_minor_axis_of_a_two_axis_mesh_differentiates(meshes):
    perm = [(0, 1), (1, 0)]
    ours = hlox.shard_map(lambda x: hlox.lax.ppermute(x, "model", perm) * x, mesh=meshes[0],
                          in_specs=(P("data", "model"),), out_specs=P("data", "model"))
    theirs = jax.shard_map(lambda x: jax.lax.ppermute(x, "model", perm) * x, mesh=meshes[1],
                           in_specs=(jax.P("data", "model"),), out_specs=jax.P("data", "model"))
    ct = RNG.standard_normal(X.shape).astype(np.float32)
    got = hlox.grad(lambda x: (ours(x) * ct).sum())(X)
    want = jax.grad(lambda x: (theirs(x) * ct).sum())(X)
    np.testing.assert_allclose(np.asarray(got), np.asarray(want), rtol=1e-5, atol=1e-6)


@pytest.mark.parametrize("transform", ["grad", "batch"])
def test_passes_transform_a_shard_map_module_exported_by_jax(meshes, tmp_path, transform):
    """JAX's collectives carry no hlox names: the passes find their axes from the device
    groups. hlox-opt's derived module runs under hlox-run and equals JAX's transform."""
    import subprocess
    import sys
    from pathlib import Path
    body = lambda x, w: jax.lax.ppermute(  # noqa: E731
        jax.lax.psum(jjnp.tanh(x @ w), "model"), "data", [(i, (i + 1) % 4) for i in range(4)])
    inner = jax.shard_map(body, mesh=meshes[1], in_specs=(jax.P("data", "model"),
                                                          jax.P("model", None)),
                          out_specs=jax.P("data", None))
    x = RNG.standard_normal((8, 4)).astype(np.float32)
    w = RNG.standard_normal((4, 3)).astype(np.float32)
    if transform == "grad":
        f = jax.jit(lambda x, w: (inner(x, w) ** 2).sum())
        want = jax.grad(f, argnums=(0, 1))(x, w)
        inputs, opt = (x, w), ["--hlox-grad"]
        func = "main_grad"
    else:
        f = jax.jit(inner)
        xs = RNG.standard_normal((2, 8, 4)).astype(np.float32)
        want = (jax.vmap(f, in_axes=(0, None))(xs, w),)
        inputs, opt = (xs, w), ["--hlox-batch=size=2 in-axes=0,none"]
        func = "main_batch"
    (tmp_path / "m.mlir").write_text(f.lower(x, w).as_text())
    bin_dir = Path(sys.executable).parent
    env = {k: v for k, v in __import__("os").environ.items() if k != "XLA_FLAGS"}
    opt_run = subprocess.run([str(bin_dir / "hlox-opt"), str(tmp_path / "m.mlir")] + opt
                             + ["-o", str(tmp_path / "d.mlir")],
                             capture_output=True, text=True, env=env)
    assert opt_run.returncode == 0, opt_run.stderr
    np.savez(tmp_path / "in.npz", **{f"arg{i}": a for i, a in enumerate(inputs)})
    np.savez(tmp_path / "want.npz", **{f"out{i}": np.asarray(a) for i, a in enumerate(want)})
    ran = subprocess.run([str(bin_dir / "hlox-run"), str(tmp_path / "d.mlir"), "--func", func,
                          "--inputs", str(tmp_path / "in.npz"), "--check",
                          str(tmp_path / "want.npz"), "--rtol", "1e-4", "--atol", "1e-5"],
                         capture_output=True, text=True, env=env)
    assert ran.returncode == 0 and "match" in ran.stdout, ran.stdout + ran.stderr
