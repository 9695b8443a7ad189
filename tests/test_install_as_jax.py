"""`hlox.install_as_jax()` and `python -m hlox.as_jax`: code written for `jax` (Optax, Chex,
plain scripts) runs on hlox. Each program runs twice in its own subprocess, once with real
JAX and once under `python -m hlox.as_jax`, and the two outputs must agree (hlox and real
JAX cannot share a process: both would be `jax`)."""
from __future__ import annotations

import json
import os
import pathlib
import subprocess
import sys
import textwrap

import numpy as np
import pytest

ROOT = pathlib.Path(__file__).resolve().parents[1]


def _run(tmp_path, source, *, as_jax, name="prog.py", args=()):
    script = tmp_path / name
    script.write_text(textwrap.dedent(source))
    cmd = [sys.executable] + (["-m", "hlox.as_jax"] if as_jax else []) + [str(script), *args]
    env = dict(os.environ, PYTHONPATH=str(ROOT))
    proc = subprocess.run(cmd, capture_output=True, text=True, timeout=600, cwd=tmp_path, env=env)
    assert proc.returncode == 0, proc.stderr[-4000:]
    return json.loads(proc.stdout.strip().splitlines()[-1])


def _both(tmp_path, source):
    return _run(tmp_path, source, as_jax=False), _run(tmp_path, source, as_jax=True)


# -- the module mapping ------------------------------------------------------------------------
def test_jax_modules_are_hlox_modules_and_report_jax_version(tmp_path):
    out = _run(tmp_path, """
        import json, sys
        import hlox
        hlox.install_as_jax()
        hlox.install_as_jax()  # idempotent
        import jax, jax.numpy as jnp, jax.numpy.linalg, jax.tree_util
        from jax import lax, random
        from jax.flatten_util import ravel_pytree
        import hlox.numpy, hlox.lax, hlox.random, hlox.tree_util
        print(json.dumps({
            "same": [jnp is hlox.numpy, lax is hlox.lax, random is hlox.random,
                     jax.tree_util is hlox.tree_util, jax.numpy.linalg is hlox.numpy.linalg,
                     jax.jit is hlox.jit, jax.Array is hlox.Array,
                     sys.modules["jax.numpy"] is hlox.numpy],
            "jax_is_not_hlox": jax is not hlox,
            "versions": [jax.__version__, list(jax.__version_info__), hlox.__version__,
                         jax.version.__version__],
            "spec_kept": hlox.numpy.__spec__.name,
            "ran": float((jnp.ones(3) + 1).sum()),
            "real_jax": [m for m in sys.modules if (m == "jax" or m.startswith("jax.")) and
                         not getattr(sys.modules[m], "__name__", "").startswith("hlox")],
        }))
        """, as_jax=False)
    assert all(out["same"]), out["same"]
    assert out["jax_is_not_hlox"]
    assert out["versions"][:2] == ["0.10.2", [0, 10, 2]]
    assert out["versions"][2] != "0.10.2" and out["versions"][3] == "0.10.2"
    assert out["spec_kept"] == "hlox.numpy"
    assert out["ran"] == 6.0
    assert out["real_jax"] == []  # nothing of real JAX got imported, not even by jaxlib's C++


def test_refuses_when_real_jax_is_imported(tmp_path):
    out = _run(tmp_path, """
        import json
        import jax, hlox
        try:
            hlox.install_as_jax()
            print(json.dumps(None))
        except RuntimeError as e:
            print(json.dumps(str(e)))
        """, as_jax=False)
    assert out and "real JAX is already imported" in out


def test_missing_jax_module_fails_to_import(tmp_path):
    out = _run(tmp_path, """
        import json, hlox
        hlox.install_as_jax()
        try:
            import jax.no_such_module
            print(json.dumps(None))
        except ImportError as e:
            print(json.dumps(type(e).__name__))
        """, as_jax=False)
    assert out == "ModuleNotFoundError"


def test_run_module_and_script_with_arguments(tmp_path):
    (tmp_path / "mymod.py").write_text("import sys, json, jax\n"
                                       "print(json.dumps([jax.__version__, sys.argv[1:], __name__]))\n")
    env = dict(os.environ, PYTHONPATH=str(ROOT))
    proc = subprocess.run([sys.executable, "-m", "hlox.as_jax", "-m", "mymod", "a", "--b"], cwd=tmp_path,
                          capture_output=True, text=True, timeout=300, env=env)
    assert proc.returncode == 0, proc.stderr
    assert json.loads(proc.stdout) == ["0.10.2", ["a", "--b"], "__main__"]
    out = _run(tmp_path, "import sys, json, jax\nprint(json.dumps([jax.numpy.__name__, sys.argv[1:]]))\n",
               as_jax=True, args=("x", "-y"))
    assert out == ["hlox.numpy", ["x", "-y"]]


# -- public modules that libraries need, against real JAX --------------------------------------
def test_flatten_util_ravel_pytree_matches_jax(tmp_path):
    jax_out, hlox_out = _both(tmp_path, """
        import json
        import numpy as np
        import jax, jax.numpy as jnp
        from jax.flatten_util import ravel_pytree
        t = {"a": jnp.ones((2, 3)), "b": (jnp.arange(3, dtype=jnp.int32), 2.0)}
        flat, unravel = ravel_pytree(t)
        back = unravel(flat * 2)
        same, unravel2 = ravel_pytree([jnp.ones(2), jnp.zeros((1, 2))])
        err = None
        try:
            unravel(flat.astype(jnp.int32))
        except TypeError as e:
            err = str(e)
        print(json.dumps({
            "flat": [str(flat.dtype), np.asarray(flat).tolist()],
            "back": jax.tree_util.tree_map(lambda x: [str(x.dtype), np.asarray(x).tolist()], back),
            "jit": np.asarray(jax.jit(lambda v: ravel_pytree(unravel2(v))[0])(same)).tolist(),
            "empty": [str(ravel_pytree([])[0].dtype), ravel_pytree([])[0].shape[0]],
            "err": err, "hashable": ravel_pytree(t)[1] == unravel and hash(ravel_pytree(t)[1]) == hash(unravel),
        }))
        """)
    assert hlox_out == jax_out


def test_checkify_user_checks_match_jax(tmp_path):
    jax_out, hlox_out = _both(tmp_path, """
        import json
        import jax, jax.numpy as jnp
        from jax.experimental import checkify
        def f(x):
            checkify.check(x > 0, "{x} needs to be positive!", x=x)
            checkify.check(x < 10, "too big {}", x)
            return 1 / x
        cf = checkify.checkify(f)
        out = [[jax.jit(cf)(v)[0].get(), float(jax.jit(cf)(v)[1])] for v in (-3.0, 3.0, 30.0)]
        @jax.jit
        def g(x):
            checkify.check(jnp.all(x > 0), "neg")
            return x * 2
        err, y = checkify.checkify(g)(jnp.array([1.0, -1.0]))
        out.append([err.get(), y.tolist()])
        for bad in (err.throw, lambda: checkify.check(jnp.array(False), "eager {}", jnp.array(1)),
                    lambda: jax.jit(lambda x: checkify.check(x > 0, "no"))(1.0),
                    lambda: checkify.checkify(f)(2.0)):
            try:
                bad(); out.append(None)
            except (ValueError, TypeError) as e:
                out.append([type(e).__name__, str(e)[:60]])
        out.append(jax.vmap(cf)(jnp.array([1.0, -2.0, 20.0]))[0].get())
        print(json.dumps(out))
        """)
    assert hlox_out == jax_out


def test_check_grads_passes_and_catches_a_wrong_derivative(tmp_path):
    jax_out, hlox_out = _both(tmp_path, """
        import json
        import numpy as np
        import jax, jax.numpy as jnp
        from jax.test_util import check_grads
        out = []
        check_grads(lambda x, y: jnp.sin(x) * y ** 2, (np.float32(0.3), np.ones(3, np.float32)), order=2)
        out.append("ok")
        @jax.custom_jvp
        def wrong(x):
            return jnp.sin(x)
        wrong.defjvp(lambda p, t: (jnp.sin(p[0]), 2.0 * t[0]))
        for modes in (["fwd"], ["rev"]):
            try:
                check_grads(wrong, (np.float32(0.3),), order=1, modes=modes); out.append(None)
            except AssertionError:
                out.append("AssertionError")
        print(json.dumps(out))
        """)
    assert jax_out == ["ok", "AssertionError", "AssertionError"]
    assert hlox_out == jax_out


# -- canonical programs of the libraries -------------------------------------------------------
OPTAX_PROGRAM = """\
import json, sys
import numpy as np
import jax, jax.numpy as jnp
import optax

rng = np.random.RandomState(0)
sizes = [4, 16, 16, 1]
params = [{"w": jnp.asarray(rng.randn(a, b).astype(np.float32) / np.sqrt(a)), "b": jnp.zeros(b)}
          for a, b in zip(sizes[:-1], sizes[1:])]
x = jnp.asarray(rng.randn(64, 4).astype(np.float32))
y = jnp.sin(x.sum(axis=1, keepdims=True))

def mlp(params, x):
    for layer in params[:-1]:
        x = jax.nn.relu(x @ layer["w"] + layer["b"])
    return x @ params[-1]["w"] + params[-1]["b"]

def loss_fn(params, x, y):
    return jnp.mean((mlp(params, x) - y) ** 2)

schedule = optax.warmup_cosine_decay_schedule(init_value=0.0, peak_value=3e-2, warmup_steps=5,
                                              decay_steps=20, end_value=1e-3)
opt = optax.chain(optax.clip_by_global_norm(1.0), optax.adamw(schedule, weight_decay=1e-2))
state = opt.init(params)

@jax.jit
def step(params, state, x, y):
    loss, grads = jax.value_and_grad(loss_fn)(params, x, y)
    updates, state = opt.update(grads, state, params)
    return optax.apply_updates(params, updates), state, loss, optax.global_norm(grads)

losses, norms = [], []
for _ in range(20):
    params, state, loss, gnorm = step(params, state, x, y)
    losses.append(float(loss)); norms.append(float(gnorm))
lrs = [float(schedule(i)) for i in range(25)]
leaves = [np.asarray(l).ravel().tolist() for l in jax.tree_util.tree_leaves((params, state))]
json.dump({"losses": losses, "norms": norms, "lrs": lrs, "leaves": leaves,
           "count": int(state[1][0].count) if hasattr(state[1][0], "count") else None,
           "jax": jax.__version__}, sys.stdout)
"""

CHEX_PROGRAM = """\
import json, sys
import numpy as np
import jax, jax.numpy as jnp
import chex

@chex.dataclass
class State:
    w: chex.Array
    b: chex.Array
    step: int = 0

def update(s: State, x) -> State:
    chex.assert_shape(s.w, (3, 2))
    chex.assert_rank(x, 1)
    chex.assert_type(x, float)
    y = jnp.tanh(x @ s.w + s.b)
    chex.assert_shape(y, (2,))
    return s.replace(w=s.w - 0.1 * jnp.outer(x, y), b=s.b - 0.1 * y, step=s.step + 1)

rng = np.random.RandomState(1)
s = State(w=jnp.asarray(rng.randn(3, 2).astype(np.float32)), b=jnp.zeros(2), step=0)
xs = jnp.asarray(rng.randn(5, 3).astype(np.float32))
out = {}
s1 = jax.jit(update)(s, xs[0])
out["jit_w"] = np.asarray(s1.w).tolist(); out["jit_step"] = int(s1.step)
batched = jax.vmap(update, in_axes=(None, 0))(s, xs)
chex.assert_shape(batched.w, (5, 3, 2))
out["vmap_b"] = np.asarray(batched.b).tolist()
chex.assert_trees_all_close(jax.vmap(update, in_axes=(None, 0))(s, xs[:1]).w[0], s1.w, rtol=1e-6)
chex.assert_trees_all_close(s1, update(s, xs[0]), rtol=1e-6)
leaves, tree = jax.tree_util.tree_flatten(s1)
out["n_leaves"] = len(leaves); out["keys"] = sorted(s1.keys())
out["errors"] = []
for bad in (lambda: chex.assert_shape(s.w, (2, 3)),
            lambda: chex.assert_trees_all_close(s, s1),
            lambda: jax.jit(lambda st: chex.assert_shape(st.b, (3,)))(s),
            lambda: chex.assert_equal_shape([s.w, s.b])):
    try:
        bad(); out["errors"].append(None)
    except AssertionError as e:
        out["errors"].append(type(e).__name__)
import functools
@functools.partial(chex.chexify, async_check=False)
@jax.jit
def safe_log(x):
    chex.assert_tree_all_finite(x)
    return jnp.log(x)
out["chexify_ok"] = np.asarray(safe_log(jnp.array([1.0, 2.0]))).tolist()
try:
    safe_log(jnp.array([1.0, jnp.inf])); out["chexify_err"] = None
except Exception as e:
    out["chexify_err"] = [type(e).__name__, str(e).split(" [failed at")[0]]
@chex.dataclass(frozen=True)
class Frozen:
    a: chex.Array
f = jax.vmap(lambda a: Frozen(a=a * 2))(jnp.arange(3.0))
out["frozen"] = np.asarray(f.a).tolist()
try:
    f.a = 1; out["frozen_err"] = None
except Exception as e:
    out["frozen_err"] = type(e).__name__
json.dump(out, sys.stdout)
"""


def _allclose_tree(a, b, path=""):
    if isinstance(a, dict):
        assert sorted(a) == sorted(b), path
        for k in a:
            _allclose_tree(a[k], b[k], f"{path}.{k}")
    elif isinstance(a, list) and a and isinstance(a[0], (list, dict)):
        assert len(a) == len(b), path
        for i, (x, y) in enumerate(zip(a, b)):
            _allclose_tree(x, y, f"{path}[{i}]")
    elif isinstance(a, list) and a and isinstance(a[0], float):
        np.testing.assert_allclose(np.array(b), np.array(a), rtol=1e-5, atol=1e-6, err_msg=path)
    else:
        assert a == b, path


def test_optax_adamw_chain_with_clipping_and_schedule_trains_an_mlp_as_in_jax(tmp_path):
    pytest.importorskip("optax")
    jax_out, hlox_out = _both(tmp_path, OPTAX_PROGRAM)
    assert jax_out["losses"][-1] < 0.5 * jax_out["losses"][0]  # it trained
    assert hlox_out["jax"] == jax_out["jax"] == "0.10.2"
    _allclose_tree(jax_out, hlox_out)


def test_chex_assertions_and_dataclasses_under_jit_and_vmap_as_in_jax(tmp_path):
    pytest.importorskip("chex")
    jax_out, hlox_out = _both(tmp_path, CHEX_PROGRAM)
    assert jax_out["errors"] == ["AssertionError"] * 4 and jax_out["chexify_err"][0] == "AssertionError"
    _allclose_tree(jax_out, hlox_out)
