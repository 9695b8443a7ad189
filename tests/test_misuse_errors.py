"""Common API mistakes raise what JAX raises (type and message), checked beside real JAX."""
from __future__ import annotations

import warnings

import jax
import jax.numpy as jjnp
import numpy as np
import pytest

import hlox
import hlox.numpy as jnp

LIBS = [(hlox, jnp), (jax, jjnp)]


def _raised(fn):
    try:
        fn()
    except Exception as e:  # noqa: BLE001  (the test compares what each library raised)
        return e
    pytest.fail("no exception")


def _same_error(ours_fn, theirs_fn, first_line=True):
    ours, theirs = _raised(ours_fn), _raised(theirs_fn)
    assert type(ours).__name__ == type(theirs).__name__, (ours, theirs)
    assert isinstance(ours, tuple(t for t in type(theirs).__mro__ if t.__module__ == "builtins"))
    if first_line:
        assert str(ours).splitlines()[0] == str(theirs).splitlines()[0]
    return ours


@pytest.mark.parametrize("kwargs", [dict(static_argnums=3), dict(static_argnums=(0, -2)),
                                    dict(donate_argnums=2)], ids=str)
def test_argnums_out_of_range(kwargs):
    _same_error(lambda: hlox.jit(lambda x: x, **kwargs), lambda: jax.jit(lambda x: x, **kwargs))


def test_argnums_negative_and_varargs_accepted():
    assert hlox.jit(lambda x, n: x * n, static_argnums=-1)(2.0, 3) == 6.0
    assert hlox.jit(lambda *a: a[0] + a[3], static_argnums=3)(1.0, 0, 0, 2) == 3.0


@pytest.mark.parametrize("target", ["gpu:7", 42, 1.5])
def test_device_put_to_something_not_a_device(target):
    _same_error(lambda: hlox.device_put(1.0, target), lambda: jax.device_put(1.0, target))


@pytest.mark.parametrize("shape", [-1, (2, -3), (-1, 0)], ids=str)
@pytest.mark.parametrize("name", ["ones", "zeros", "empty", "full"])
def test_negative_shapes(name, shape):
    args = (shape, 1.0) if name == "full" else (shape,)
    err = _same_error(lambda: getattr(jnp, name)(*args), lambda: getattr(jjnp, name)(*args))
    assert __file__ in str(err)  # the user's line


def test_leaked_tracer_used_later():
    leaked = {}

    def f(lib):
        def g(x):
            leaked[lib.__name__] = x
            return x
        return g
    hlox.jit(f(hlox))(1.0)
    jax.jit(f(jax))(1.0)
    err = _same_error(lambda: leaked["hlox"] + 1, lambda: leaked["jax"] + 1, first_line=False)
    assert str(err).startswith("Encountered an unexpected tracer.")
    assert "float32[]" in str(err) and __file__ in str(err)
    assert isinstance(_raised(lambda: np.asarray(leaked["hlox"])), hlox.errors.UnexpectedTracerError)
    assert isinstance(_raised(lambda: bool(leaked["hlox"])), hlox.errors.UnexpectedTracerError)


@pytest.mark.parametrize("dtype", ["float64", "int64", "complex128", "uint64"])
@pytest.mark.parametrize("name", ["ones", "zeros", "array", "full", "arange"])
def test_64_bit_dtype_without_x64_warns_as_jax(name, dtype):
    def call(np_):
        fn = getattr(np_, name)
        if name == "array":
            return fn([1, 2], dtype=dtype)
        if name == "full":
            return fn(3, 2, dtype=dtype)
        if name == "arange":
            return fn(3, dtype=dtype)
        return fn(3, dtype=dtype)
    messages = []
    for _, np_ in LIBS:
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            out = call(np_)
        messages.append(([str(w.message) for w in caught], [w.filename for w in caught],
                         out.dtype))
    assert messages[0][0] == messages[1][0] and messages[0][0]
    assert messages[0][1] == [__file__]  # the warning points at the user's call
    assert messages[0][2] == messages[1][2]


def test_no_warning_for_python_types_and_32_bit_dtypes():
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        jnp.ones(3, dtype=float), jnp.zeros(2, dtype=int), jnp.array([1], dtype="float32")


@pytest.mark.parametrize("what", ["if", "while", "and"])
def test_python_control_flow_on_a_tracer(what):
    bodies = {"if": lambda x: 1 if x > 0 else 2,
              "while": lambda x: [x for _ in iter(lambda: bool(x > 0), False)],
              "and": lambda x: (x > 0) and x}
    err = _same_error(lambda: hlox.jit(bodies[what])(1.0), lambda: jax.jit(bodies[what])(1.0))
    assert isinstance(err, hlox.errors.TracerBoolConversionError)
    assert isinstance(err, hlox.errors.ConcretizationTypeError)


@pytest.mark.parametrize("transform", ["eager", "jit", "grad", "vmap"])
def test_tracers_and_arrays_are_instances_of_array(transform):
    """As in JAX, `isinstance(x, jax.Array)` (and jnp.ndarray) holds under every transform."""
    results = []
    for lib, np_ in LIBS:
        seen = []

        def f(x):
            seen.append((isinstance(x, lib.Array), isinstance(x, np_.ndarray)))
            return (x * 2.0).sum()
        x = np_.arange(3.0)
        {"eager": f, "jit": lib.jit(f), "grad": lib.grad(f), "vmap": lib.vmap(f)}[transform](x)
        results.append(seen)
    assert results[0] == results[1] == [(True, True)]
    assert not isinstance(np.ones(3), hlox.Array) and not isinstance(1.0, hlox.Array)
    with pytest.raises(TypeError):
        hlox.Array()


@pytest.mark.parametrize("value", [np.ones((2, 3), np.float32), 1.0, np.int8(3),
                                   np.zeros(4, np.uint32)], ids=repr)
def test_typeof_prints_as_jax(value):
    ours, theirs = hlox.typeof(value), jax.typeof(value)
    assert (str(ours), repr(ours)) == (str(theirs), repr(theirs))
    assert (ours.shape, ours.dtype, ours.weak_type) == (theirs.shape, theirs.dtype,
                                                       theirs.weak_type)
    seen = []
    for lib in (hlox, jax):
        lib.jit(lambda x: seen.append(str(lib.typeof(x))) or x)(value)
    assert seen[0] == seen[1]


def test_checking_leaks_sets_the_option_inside_the_block():
    for lib in (hlox, jax):
        with lib.checking_leaks():
            assert lib.config.jax_check_tracer_leaks is True
        assert lib.config.jax_check_tracer_leaks is False


def test_compiler_ir_in_hlo_and_stablehlo():
    x = np.ones(3, np.float32)
    ours = hlox.jit(lambda x: jnp.sqrt(x) + 1).lower(x)
    theirs = jax.jit(lambda x: jjnp.sqrt(x) + 1).lower(x)
    hlo, their_hlo = ours.compiler_ir("hlo"), theirs.compiler_ir("hlo")
    assert type(hlo).__name__ == type(their_hlo).__name__ == "XlaComputation"
    for op in ("sqrt(", "add(", "parameter(0)"):
        assert op in hlo.as_hlo_text() and op in their_hlo.as_hlo_text()
    assert "stablehlo.sqrt" in str(ours.compiler_ir()) and \
        "stablehlo.sqrt" in str(ours.compiler_ir("stablehlo"))
    _same_error(lambda: ours.compiler_ir("foo"), lambda: theirs.compiler_ir("foo"))
