"""JAX's smaller top-level APIs against jax: custom_gradient, closure_convert, linear_transpose,
disable_jit, ensure_compile_time_eval, clear_caches, default_device, enable_x64, live_arrays,
Device, and the dtypes and errors modules."""
from __future__ import annotations

import jax
import jax.numpy as jjnp
import numpy as np
import pytest

import hlox
import hlox.numpy as hjnp
from conftest import assert_matches

LIBS = [(hlox, hjnp), (jax, jjnp)]


def both(program):
    """program(lib, jnp) with hlox and with jax."""
    return [program(lib, jnp) for lib, jnp in LIBS]


def assert_both_match(program, **tol):
    ours, theirs = both(program)
    for a, b in zip(jax.tree_util.tree_leaves(ours), jax.tree_util.tree_leaves(theirs)):
        assert_matches(a, b, **tol)


# -- custom_gradient ---------------------------------------------------------------------------
def _clipped_sin(lib, jnp):
    @lib.custom_gradient
    def f(x):
        return jnp.sin(x), lambda g: g * 3.0 * jnp.cos(x)
    return f


def _two_args(lib, jnp):
    @lib.custom_gradient
    def f(x, y):
        return x * y, lambda g: (g * y * 2.0, g * x * 0.5)
    return f


@pytest.mark.parametrize("jit", [False, True])
def test_custom_gradient_values_and_gradients(jit):
    x = np.linspace(-1, 1, 5, dtype=np.float32)

    def program(lib, jnp):
        f, g = _clipped_sin(lib, jnp), _two_args(lib, jnp)
        wrap = lib.jit if jit else (lambda h: h)
        return [wrap(f)(x), wrap(lib.grad(lambda v: f(v).sum()))(x),
                wrap(lib.grad(lambda a, b: g(a, b).sum(), argnums=(0, 1)))(x, x + 2)]
    assert_both_match(program)


# -- closure_convert ---------------------------------------------------------------------------
def test_closure_convert_hoists_traced_float_values():
    def program(lib, jnp):
        counts = []

        def f(x, y):
            converted, consts = lib.closure_convert(lambda v: v * y + 1.0, x)
            counts.append(len(consts))
            return converted(x, *consts)
        return lib.jit(f)(np.float32(2), np.float32(3)), counts
    (ours, ours_n), (theirs, theirs_n) = both(program)
    assert_matches(ours, theirs)
    assert ours_n == theirs_n == [1]
    for lib, jnp in LIBS:  # concrete closures: nothing to hoist
        y = jnp.float32(3)
        converted, consts = lib.closure_convert(lambda v: v * y, 1.0)
        assert consts == [] and float(converted(2.0)) == 6.0


# -- linear_transpose --------------------------------------------------------------------------
def test_linear_transpose_matches_jax():
    m = np.arange(6, dtype=np.float32).reshape(2, 3)

    def program(lib, jnp):
        scalar = lib.ShapeDtypeStruct((), np.float32)
        f = lib.linear_transpose(lambda x, y: 0.5 * x - 0.5 * y, scalar, scalar)
        g = lib.linear_transpose(lambda v: jnp.dot(m, v), lib.ShapeDtypeStruct((3,), np.float32))
        h = lib.linear_transpose(lambda d: {"s": d["a"] * 2.0 + d["b"].sum()},
                                 {"a": np.ones(2, np.float32), "b": np.ones(3, np.float32)})
        return [f(1.0), g(np.array([1.0, -2.0], np.float32)),
                h({"s": np.array([1.0, 4.0], np.float32)})]
    assert_both_match(program)


def test_linear_transpose_rejects_mixed_kinds():
    for lib, _ in LIBS:
        with pytest.raises(TypeError, match="linear_transpose only supports"):
            lib.linear_transpose(lambda x: x.astype(np.float32),
                                 lib.ShapeDtypeStruct((2,), np.int32))


# -- disable_jit / ensure_compile_time_eval / clear_caches -------------------------------------
def test_disable_jit_runs_python_each_call():
    for lib, jnp in LIBS:
        calls = []

        @lib.jit
        def f(x):
            calls.append(type(x))
            return x * 2 if float(x) > 0 else -x  # needs a concrete value
        with lib.disable_jit():
            assert float(f(jnp.float32(3))) == 6.0
            assert float(f(jnp.float32(-1))) == 1.0
        assert len(calls) == 2 and all(t is type(jnp.float32(1)) for t in calls)
        assert float(lib.jit(lambda x: x + 1)(1.0)) == 2.0  # back to compiling


def test_ensure_compile_time_eval_gives_concrete_values_in_jit():
    def program(lib, jnp):
        def f(x):
            with lib.ensure_compile_time_eval():
                y = float((jnp.sin(jnp.float32(0.5)) * jnp.arange(3.0))[1])
                n = int(jnp.arange(4).sum() + 1)
            return x * y + n
        return lib.jit(f)(np.float32(2))
    assert_both_match(program)


def test_clear_caches_retraces():
    for lib, jnp in LIBS:
        traces = []
        f = lib.jit(lambda x: traces.append(1) or x + 1)
        f(jnp.float32(1))
        f(jnp.float32(2))
        lib.clear_caches()
        f(jnp.float32(3))
        assert len(traces) == 2


# -- devices, x64, live arrays -------------------------------------------------------------------
def test_default_device_and_device_type():
    dev = hlox.devices()[0]
    assert isinstance(dev, hlox.Device)
    with hlox.default_device(dev):
        assert hjnp.ones(2).device == dev
    with hlox.default_device("cpu"):
        assert hjnp.ones(2).device.platform == "cpu"


def test_enable_x64_context():
    for lib, jnp in LIBS:
        before = jnp.ones(2).dtype
        with lib.enable_x64(True):
            assert jnp.ones(2).dtype == np.float64
        assert jnp.ones(2).dtype == before == np.float32


def test_enable_x64_reaches_jit():
    with hlox.enable_x64():
        assert hlox.jit(lambda x: x * 2)(np.arange(2.0)).dtype == np.float64
    assert hlox.jit(lambda x: x * 2)(np.arange(2.0)).dtype == np.float32


def test_live_arrays_tracks_arrays():
    x = hjnp.arange(5)
    assert any(a is x for a in hlox.live_arrays())
    x.delete()
    assert not any(a is x for a in hlox.live_arrays())
    assert all(isinstance(a, hlox.Array) for a in hlox.live_arrays("cpu"))


# -- dtypes and errors ---------------------------------------------------------------------------
@pytest.mark.parametrize("dtype", [np.float64, np.int64, np.uint8, np.complex128, np.bool_,
                                   "bfloat16"])
def test_dtypes_module_matches_jax(dtype):
    dtype = np.dtype(jax.dtypes.bfloat16) if dtype == "bfloat16" else np.dtype(dtype)
    assert hlox.dtypes.canonicalize_dtype(dtype) == jax.dtypes.canonicalize_dtype(dtype)
    for kind in (np.floating, np.integer, np.inexact, np.number, np.bool_):
        assert hlox.dtypes.issubdtype(dtype, kind) == jax.dtypes.issubdtype(dtype, kind)
    assert hlox.dtypes.itemsize_bits(dtype) == jax.dtypes.itemsize_bits(dtype)
    for other in (1, 1.0, np.float16(1), np.int8(1)):
        assert hlox.dtypes.result_type(dtype, other) == jax.dtypes.result_type(dtype, other)
    assert hlox.dtypes.float0 == jax.dtypes.float0
    assert hlox.dtypes.bfloat16 is jax.dtypes.bfloat16


def test_dtypes_prng_key_and_scalar_types():
    assert hlox.dtypes.issubdtype(hlox.random.key(0).dtype, hlox.dtypes.prng_key)
    assert jax.dtypes.issubdtype(jax.random.key(0).dtype, jax.dtypes.prng_key)
    assert not hlox.dtypes.issubdtype(np.float32, hlox.dtypes.prng_key)
    for value in (True, 1, 1.0, 1j, np.float32(1)):
        assert hlox.dtypes.scalar_type_of(value) is jax.dtypes.scalar_type_of(value)


def test_errors_module():
    for name in hlox.errors.__all__:  # the same builtin bases as jax's (TypeError, IndexError)
        ours, theirs = getattr(hlox.errors, name), getattr(jax.errors, name)
        assert ours is theirs or all(issubclass(ours, base) for base in
                                     (TypeError, IndexError, Exception) if issubclass(theirs, base))
    with pytest.raises(hlox.errors.ConcretizationTypeError):
        hlox.jit(lambda x: bool(x))(1.0)
    with pytest.raises(hlox.errors.JaxRuntimeError):
        hlox.jit(lambda x: hlox.pure_callback(lambda v: 1 / 0, hlox.ShapeDtypeStruct((), "float32"),
                                              x))(1.0).block_until_ready()
