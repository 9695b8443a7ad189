"""`hlox.config` as `jax.config`: every option of JAX 0.10.2, its values and errors, the context
managers, and the options hlox acts on compared with real JAX on the same inputs.

`python tests/test_config.py --write` regenerates hlox/config_options.py from the JAX in the venv.
"""
from __future__ import annotations

import functools
import json
import os
import pprint
import subprocess
import sys
import threading
import warnings

import numpy as np
import pytest

# Run in a subprocess with a clean environment (JAX_* variables would change the defaults):
# prints each option's kind, default, allowed values and whether it has a context manager.
_PROBE = r'''
import enum, json, jax, jax._src.config as jc
c = jax.config
opts = {}
for n, h in sorted(c._value_holders.items()):
    t, _, kw = c.meta[n]
    meta = t if isinstance(t, str) else t.__name__
    d = h.value
    if isinstance(h, jc.State):
        def ok(v):
            try:
                with h(v):
                    return True
            except Exception:
                return False
        kind = meta
        if meta == "enum":
            kind = "oenum" if ok(None) else "enum"
        elif meta == "str":
            special = {"jax_default_device": "device", "jax_pjrt_client_create_options": "ostr_dict"}
            kind = special.get(n) or ("ostr" if ok(None) else "str")
    else:
        kind = "flag"
    extra = tuple(kw["enum_values"]) if "enum_values" in kw else (
        kw["enum_class"].__name__ if "enum_class" in kw else None)
    opts[n] = [kind, d.value if isinstance(d, enum.Enum) else d, extra, n in c._contextmanager_flags]
classes = {}
for n in jc.__dict__:
    v = getattr(jc, n)
    if isinstance(v, type) and issubclass(v, enum.Enum) and any(
            o[2] == v.__name__ for o in opts.values()):
        classes[v.__name__] = ["str" if issubclass(v, str) else "int", [[m.name, m.value] for m in v]]
cms = {n: getattr(jax, n).name for n in dir(jax) if isinstance(getattr(jax, n, None), jc.State)}
print(json.dumps({"version": jax.__version__, "options": opts, "enum_classes": classes,
                  "context_managers": cms}))
'''


@functools.lru_cache(maxsize=None)
def jax_table():
    env = {"PATH": os.environ.get("PATH", "/usr/bin:/bin")}
    out = subprocess.run([sys.executable, "-c", _PROBE], env=env, capture_output=True, text=True,
                         check=True).stdout
    d = json.loads(out)
    options = {n: (k, default, tuple(extra) if isinstance(extra, list) else extra, cm)
               for n, (k, default, extra, cm) in d["options"].items()}
    classes = {n: (base, tuple((m, v) for m, v in members))
               for n, (base, members) in d["enum_classes"].items()}
    return d["version"], options, classes, d["context_managers"]


def _render():
    version, options, classes, cms = jax_table()

    def block(name, value):
        return f"{name} = " + pprint.pformat(value, width=100, sort_dicts=True) + "\n"

    return ('"""Every configuration option of JAX ' + version + ', as data: generated from real JAX by\n'
            '`python tests/test_config.py --write` (tests/test_config.py checks it is current).\n\n'
            'OPTIONS: name -> (kind, default, allowed values or enum class name, has a context manager).\n'
            'Kinds: bool, int, float, str, ostr (str or None), ostr_dict (also a dict), device, enum,\n'
            'oenum (enum or None), enum_class, flag (an absl-style flag: no context manager, any value).\n'
            'Each reads its default from the environment variable NAME.upper() at import, as JAX does.\n"""\n'
            f'JAX_VERSION = {version!r}\n\n'
            + block("OPTIONS", options) + "\n"
            + "# enum class name -> (str or int enum, ((member, value), ...))\n"
            + block("ENUM_CLASSES", classes) + "\n"
            + "# the context managers JAX exports at top level: jax.<name> -> option\n"
            + block("CONTEXT_MANAGERS", cms))



import jax  # noqa: E402  (the oracle)
import jax.numpy as jnp  # noqa: E402
import jax._src.config as jax_config  # noqa: E402

import hlox  # noqa: E402
import hlox.numpy as hnp  # noqa: E402
from hlox import config, config_options  # noqa: E402

JAX_OPTIONS = sorted(jax.config._value_holders)
STATES = [n for n in JAX_OPTIONS if isinstance(jax.config._value_holders[n], jax_config.State)]


def outcome(fn):
    """What fn() did: ('ok', value) or (exception type name, message)."""
    try:
        value = fn()
    except Exception as e:  # noqa: BLE001
        return type(e).__name__, str(e)
    return "ok", getattr(value, "value", value) if isinstance(value, __import__("enum").Enum) else value


def both(fn):
    """fn(lib, numpy namespace) for JAX and for hlox."""
    return outcome(lambda: fn(jax, jnp)), outcome(lambda: fn(hlox, hnp))


# -- the option list --------------------------------------------------------------------
def test_option_table_is_generated_from_this_jax():
    version, options, classes, cms = jax_table()
    assert config_options.JAX_VERSION == version == jax.__version__
    assert config_options.OPTIONS == options
    assert config_options.ENUM_CLASSES == classes
    assert config_options.CONTEXT_MANAGERS == cms


def test_every_jax_option_exists_with_jax_default():
    assert set(config.values) == set(JAX_OPTIONS)
    assert config.ACTED_ON | config.NO_EFFECT == set(JAX_OPTIONS)
    assert not config.ACTED_ON & config.NO_EFFECT
    _, options, _, _ = jax_table()
    for name in JAX_OPTIONS:
        if os.environ.get(name.upper()) is None:
            value = getattr(config, name)
            assert (value.value if hasattr(value, "value") else value) == options[name][1], name


_ENV_PROBE = r"""
import enum, json, jax, hlox
norm = lambda v: v.value if isinstance(v, enum.Enum) else v if isinstance(v, (bool, int, float, str, type(None))) else repr(v)
print(json.dumps([{n: norm(v) for n, v in c.values.items()} for c in (jax.config, hlox.config)]))
"""


def test_defaults_from_environment_variables_as_jax():
    env = {"PATH": os.environ.get("PATH", ""), "JAX_ENABLE_X64": "yes", "JAX_DEBUG_NANS": "1",
           "JAX_NUMPY_RANK_PROMOTION": "warn", "JAX_NUMPY_DTYPE_PROMOTION": "strict",
           "JAX_TRACEBACK_IN_LOCATIONS_LIMIT": "7", "JAX_DEFAULT_MATMUL_PRECISION": "highest",
           "JAX_PERSISTENT_CACHE_MIN_COMPILE_TIME_SECS": "2.5", "JAX_COMPILATION_CACHE_DIR": "/tmp/x",
           "JAX_PLATFORMS": "cpu", "JAX_LEGACY_PRNG_KEY": "warn"}
    out = subprocess.run([sys.executable, "-c", _ENV_PROBE], env=env, capture_output=True,
                         text=True, check=True).stdout
    jax_values, hlox_values = json.loads(out)
    assert hlox_values == jax_values
    assert hlox_values["jax_enable_x64"] is True and hlox_values["jax_traceback_in_locations_limit"] == 7


def test_bad_environment_value_raises_as_jax():
    env = {"PATH": os.environ.get("PATH", ""), "JAX_NUMPY_RANK_PROMOTION": "sometimes"}
    results = [subprocess.run([sys.executable, "-c", f"import {m}; {m}.config.jax_enable_x64"],
                              env=env, capture_output=True, text=True) for m in ("jax", "hlox")]
    for r in results:
        assert r.returncode != 0
        assert 'ValueError: Invalid value "sometimes" for JAX flag jax_numpy_rank_promotion' in r.stderr


_PROBES = [None, 123, "zzz", 1.5, True, 0, "", "allow", "strict", "highest", "rbg", "cpu"]


@pytest.mark.parametrize("name", STATES)
def test_values_accepted_and_refused_as_jax(name):
    """Every option with a context manager, given values of every kind: JAX's value or JAX's
    exception (type and message). The context manager keeps the change in this thread."""
    hlox.devices(), jax.devices()  # options fixed once backends exist refuse in both alike
    for probe in _PROBES:
        def read(lib, _):
            with getattr(lib.config, "state", lambda n: jax.config._value_holders[n])(name)(probe):
                return getattr(lib.config, name)
        j, h = both(read)
        assert h == j, (name, probe)


def test_update_read_and_unknown_names_as_jax():
    for fn in (lambda lib, _: lib.config.update("jax_no_such_option", 1),
               lambda lib, _: lib.config.read("jax_no_such_option"),
               lambda lib, _: lib.config.read("jax_numpy_rank_promotion"),  # has a context manager
               lambda lib, _: lib.config.read("jax_enable_x64"),
               lambda lib, _: lib.config.read("jax_platform_name"),
               lambda lib, _: lib.config.update("jax_numpy_rank_promotion", "sometimes"),
               lambda lib, _: lib.config.update("jax_numpy_dtype_promotion", "loose"),
               lambda lib, _: lib.config.update("jax_num_cpu_devices", "2"),
               lambda lib, _: lib.config.jax_no_such_option):
        j, h = both(fn)
        assert h[0] == j[0] and (h[1] == j[1] or h[0] == "AttributeError"), (j, h)
    for lib in (jax, hlox):
        lib.config.update("jax_numpy_rank_promotion", "raise")
        assert lib.config.jax_numpy_rank_promotion == "raise"
        assert lib.config.values["jax_numpy_rank_promotion"] == "raise"
        lib.config.update("jax_numpy_rank_promotion", "allow")
        lib.config.update("jax_numpy_dtype_promotion", "strict")
        assert lib.config.jax_numpy_dtype_promotion == "strict"
        lib.config.update("jax_numpy_dtype_promotion", "standard")
    assert type(hlox.config.jax_numpy_dtype_promotion).__name__ == "NumpyDtypePromotion"


def test_listeners_hear_updates_and_context_managers():
    heard = []
    config.on_update(lambda n, v: heard.append((n, v)) if n == "jax_log_compiles" else None)
    config.update("jax_log_compiles", True)
    with hlox.log_compiles(False):
        pass
    config.update("jax_log_compiles", False)
    assert heard == [("jax_log_compiles", True), ("jax_log_compiles", False),
                     ("jax_log_compiles", True), ("jax_log_compiles", False)]


# -- context managers -------------------------------------------------------------------
@pytest.mark.parametrize("name", sorted(config_options.CONTEXT_MANAGERS))
def test_top_level_context_managers_as_jax(name):
    option = config_options.CONTEXT_MANAGERS[name]
    state = getattr(hlox, name)
    assert isinstance(state, config.State) and state.name == option == getattr(jax, name).name
    def no_value(lib, _):  # bool options default to True; the others need a value
        with getattr(lib, name)():
            return getattr(lib.config, option)
    j, h = both(no_value)
    assert h == j
    before = getattr(config, option)
    value = _a_different_value(option, before)
    with state(value):
        assert getattr(config, option) == value
        seen = []
        t = threading.Thread(target=lambda: seen.append(getattr(config, option)))
        t.start()
        t.join()
        assert seen == [before]  # other threads keep the process-wide value
    assert getattr(config, option) == before

    @state(value)
    def decorated():
        return getattr(config, option)

    assert decorated() == value and getattr(config, option) == before
    with pytest.raises(TypeError):
        bool(state)


def _a_different_value(option, current):
    kind, _, extra, _ = config_options.OPTIONS[option]
    if kind == "bool":
        return not current
    if kind == "enum_class":
        return next(m for m in type(current) if m != current)
    if kind in ("enum", "oenum"):
        return next(v for v in extra if v != current)
    if kind == "device":
        return "cpu"
    raise AssertionError(kind)


# -- jax_numpy_dtype_promotion ---------------------------------------------------------------
_DTYPES = ["bool", "int8", "uint8", "int32", "uint32", "float16", "bfloat16", "float32", "complex64"]
_WEAK = [1, 1.0, 1j, True]


@pytest.mark.parametrize("mode", ["standard", "strict"])
def test_dtype_promotion_as_jax(mode):
    pairs = [(a, b) for a in _DTYPES for b in _DTYPES] + [(a, w) for a in _DTYPES for w in _WEAK]

    def add(a, b):
        def f(lib, np_):
            x = np_.ones(2, a)
            y = b if not isinstance(b, str) else np_.ones(2, b)
            with lib.numpy_dtype_promotion(mode):
                return str((x + y).dtype), str(lib.numpy.promote_types(a, b if isinstance(b, str) else type(b)))
        return f

    for a, b in pairs:
        j, h = both(add(a, b))
        assert h[0] == j[0], (mode, a, b, j, h)
        if h[0] == "ok":
            assert h == j, (mode, a, b)
        else:
            assert h[0] == "TypePromotionError" and "jax_numpy_dtype_promotion=strict" in h[1]
            assert sorted(h[1].split("(")[1].split(")")[0].split(", ")) == \
                sorted(j[1].split("(")[1].split(")")[0].split(", ")), (h, j)  # the same dtypes named


def test_strict_promotion_error_is_jax_dtypes_error_and_retraces_jit():
    assert issubclass(hlox.dtypes.TypePromotionError, ValueError)
    f = hlox.jit(lambda x, y: x + y)
    x, y = hnp.ones(2, "int32"), hnp.ones(2, "float32")
    assert f(x, y).dtype == np.float32
    with hlox.numpy_dtype_promotion("strict"):
        with pytest.raises(hlox.dtypes.TypePromotionError):
            f(x, y)
        assert f(y, 2.0).dtype == np.float32  # weak types still adopt the strong type
        with pytest.raises(hlox.dtypes.TypePromotionError):
            hnp.ones(2, "int32") + 2.0
    assert f(x, y).dtype == np.float32


# -- jax_numpy_rank_promotion ---------------------------------------------------------------
_RANK_CASES = {
    "add": lambda np_: np_.ones((2, 3)) + np_.ones(3),
    "scalar": lambda np_: np_.ones((2, 3)) + 1.0,
    "same rank": lambda np_: np_.ones((2, 3)) * np_.ones((1, 3)),
    "rank-0 array": lambda np_: np_.ones((2, 3)) * np_.float32(2),
    "maximum": lambda np_: np_.maximum(np_.ones((2, 3)), np_.ones(3)),
    "arctan2": lambda np_: np_.arctan2(np_.ones((2, 3)), np_.ones(3)),
    "where": lambda np_: np_.where(np_.ones((2, 3)) > 0, np_.ones(3), 0.0),
    "matmul": lambda np_: np_.ones((2, 3)) @ np_.ones(3),
    "subtract 3-2": lambda np_: np_.ones((4, 2, 3)) - np_.ones((2, 3)),
    "less": lambda np_: np_.ones((4, 2)) < np_.ones(2),
}


@pytest.mark.parametrize("mode", ["allow", "warn", "raise"])
@pytest.mark.parametrize("case", sorted(_RANK_CASES))
def test_rank_promotion_as_jax(mode, case):
    def run(lib, np_):
        with lib.numpy_rank_promotion(mode), warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            shape = _RANK_CASES[case](np_).shape
        return shape, [str(w.message) for w in caught if "rank promotion" in str(w.message)]
    j, h = both(run)
    assert h == j


def test_rank_promotion_raise_retraces_jit():
    f = hlox.jit(lambda x, y: x + y)
    assert f(hnp.ones((2, 3)), hnp.ones(3)).shape == (2, 3)
    with hlox.numpy_rank_promotion("raise"), pytest.raises(ValueError, match="jax_numpy_rank_promotion='raise'"):
        f(hnp.ones((2, 3)), hnp.ones(3))


# -- jax_debug_nans / jax_debug_infs -------------------------------------------------------------
_SPECIAL_CASES = {
    "log": lambda lib, np_: np_.log(np_.float32(-1.0)),
    "div 0/0": lambda lib, np_: np_.float32(0.0) / np_.float32(0.0),
    "div 1/0": lambda lib, np_: np_.float32(1.0) / np_.float32(0.0),
    "exp": lambda lib, np_: np_.exp(np_.float32(100.0)),
    "log 0": lambda lib, np_: np_.log(np_.float32(0.0)),
    "sqrt": lambda lib, np_: np_.sqrt(np_.array([1.0, -1.0])),
    "jit": lambda lib, np_: lib.jit(lambda x: np_.log(x) * 2)(np_.float32(-1.0)),
    "nested jit": lambda lib, np_: lib.jit(lambda x: lib.jit(np_.sqrt)(x) + 1)(np_.float32(-1.0)),
    "fine": lambda lib, np_: np_.ones(3) + 1,
    "integers": lambda lib, np_: np_.arange(3) // 1,
}


@pytest.mark.parametrize("option", ["debug_nans", "debug_infs"])
@pytest.mark.parametrize("case", sorted(_SPECIAL_CASES))
def test_debug_nans_and_infs_as_jax(option, case, capsys):
    def run(lib, np_):
        with getattr(lib, option)(True):
            return np.asarray(_SPECIAL_CASES[case](lib, np_)).tolist()
    j, h = both(run)
    assert h[0] == j[0], (j, h)
    if h[0] == "FloatingPointError":
        assert h[1] == j[1]  # the op that made the value is named: "invalid value (nan) encountered in log"
    # off again: no checks
    assert outcome(lambda: _SPECIAL_CASES[case](hlox, hnp))[0] == "ok"


def test_debug_nans_names_the_jitted_function_when_ops_do_not_reproduce():
    for lib, np_ in ((jax, jnp), (hlox, hnp)):
        with lib.debug_nans(True), pytest.raises(FloatingPointError, match="de-optimized function"):
            lib.jit(lambda x: x * 0 + np_.nan)(1.0)
    with hlox.debug_infs(True), pytest.raises(FloatingPointError, match=r"invalid value \(inf\)"):
        hlox.grad(hnp.sqrt)(0.0)


# -- jax_default_matmul_precision --------------------------------------------------------------
def _precisions(lib, np_, value, conv):
    a, b = (np_.ones((1, 1, 4, 4)), np_.ones((1, 1, 2, 2))) if conv else (np_.ones((2, 2)),) * 2
    f = (lambda a, b: lib.lax.conv(a, b, (1, 1), "SAME")) if conv else (lambda a, b: a @ b)
    with lib.default_matmul_precision(value):
        text = lib.jit(f).lower(a, b).as_text()
    found = sorted({p for p in ("DEFAULT", "HIGHEST", "HIGH") for line in text.splitlines()
                    if ("dot_general" in line or "convolution" in line)
                    and (f"precision {p}>" in line or f"[{p}, {p}]" in line)})
    return found or ["DEFAULT"]  # no precision_config is DEFAULT


@pytest.mark.parametrize("conv", [False, True])
@pytest.mark.parametrize("value", [None, "default", "high", "highest", "bfloat16", "tensorfloat32", "float32"])
def test_default_matmul_precision_in_the_ir_as_jax(value, conv):
    j, h = both(lambda lib, np_: _precisions(lib, np_, value, conv))
    assert h == j and h[0] == "ok"


def test_default_matmul_precision_results_and_presets():
    with hlox.default_matmul_precision("highest"):
        np.testing.assert_allclose(hnp.ones((3, 4)) @ hnp.ones(4), [4.0] * 3)
    with hlox.default_matmul_precision("F32_F32_F32"), pytest.raises(NotImplementedError, match="F32_F32_F32"):
        hnp.ones((2, 2)) @ hnp.ones((2, 2))


# -- jax_threefry_partitionable / jax_default_prng_impl ---------------------------------------------
def _random_draws(lib):
    r = lib.random
    k = r.PRNGKey(42)
    return [np.asarray(o).tolist() for o in (
        r.split(k), r.split(k, 3), r.split(k, (2, 3)), r.fold_in(k, 7), r.bits(k, (3,)),
        r.bits(k, (5,), "uint8"), r.bits(k, (3,), "uint16"), r.bits(k, (2, 3)), r.uniform(k, (4,)),
        r.normal(k, (2, 3)), r.randint(k, (5,), 0, 100), r.key_data(r.split(r.key(1))))]


@pytest.mark.parametrize("partitionable", [True, False])
def test_threefry_partitionable_streams_bit_identical_to_jax(partitionable):
    with jax.threefry_partitionable(partitionable):
        expected = _random_draws(jax)
    with hlox.threefry_partitionable(partitionable):
        assert _random_draws(hlox) == expected
    assert (_random_draws(hlox) == expected) == partitionable  # the two streams differ


@pytest.mark.parametrize("partitionable", [True, False])
def test_threefry_partitionable_64_bit_draws(partitionable, x64):
    with jax.threefry_partitionable(partitionable), hlox.threefry_partitionable(partitionable):
        for lib_draw in (lambda r: r.bits(r.PRNGKey(3), (5,), "uint64"),
                         lambda r: r.normal(r.PRNGKey(3), (5,), "float64")):
            np.testing.assert_array_equal(lib_draw(hlox.random), lib_draw(jax.random))


def test_default_prng_impl():
    with hlox.default_prng_impl("threefry2x32"):
        assert hlox.random.PRNGKey(0).shape == (2,)
    for impl in ("rbg", "unsafe_rbg", "threefry4x32"):
        with hlox.default_prng_impl(impl), pytest.raises(NotImplementedError, match=impl):
            hlox.random.PRNGKey(0)
    with pytest.raises(ValueError, match="new enum value must be in"):
        hlox.config.update("jax_default_prng_impl", "mersenne")


def test_absl_flags_parse_into_options(monkeypatch):
    pytest.importorskip("absl")
    monkeypatch.setattr(sys, "argv", ["prog", "--jax_numpy_rank_promotion=raise", "--other", "--", "--jax_debug_nans"])
    try:
        config.parse_flags_with_absl()
        assert config.jax_numpy_rank_promotion == "raise" and config.jax_debug_nans is False
    finally:
        config.update("jax_numpy_rank_promotion", "allow")


if __name__ == "__main__" and "--write" in sys.argv:
    path = os.path.join(os.path.dirname(__file__), "..", "hlox", "config_options.py")
    with open(path, "w") as f:
        f.write(_render())
    sys.exit(0)
