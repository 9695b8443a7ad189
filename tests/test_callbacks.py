"""hlox.debug.print / hlox.debug.callback / hlox.pure_callback against jax: printed text,
values, errors, eagerly and inside jit, vmap, grad and control flow."""
from __future__ import annotations

import gc
import sys
import weakref

import jax
import jax.numpy as jjnp
import numpy as np
import pytest

import hlox
import hlox.numpy as hjnp
from conftest import assert_matches

LIBS = {"hlox": (hlox, hjnp), "jax": (jax, jjnp)}


def printed(capsys, program):
    """What `program(lib, jnp)` prints with hlox and with jax (hlox's first)."""
    texts = []
    for lib, jnp in LIBS.values():
        result = program(lib, jnp)
        lib.block_until_ready(result)
        sys.stdout.flush()
        texts.append(capsys.readouterr().out)
    return texts


def assert_same_print(capsys, program):
    ours, theirs = printed(capsys, program)
    assert ours == theirs
    assert theirs  # the program prints something: a test that can fail


# -- debug.print --------------------------------------------------------------------------------
def test_jitted_print_runs_each_call_with_runtime_values(capsys):
    def program(lib, jnp):
        f = lib.jit(lambda x: (lib.debug.print("x={x} y={}", x + 1, x=x), x * 2)[1])
        return [f(jnp.arange(3.0)), f(jnp.arange(3.0) + 10)]
    ours, theirs = printed(capsys, program)
    assert ours == theirs == "x=[0. 1. 2.] y=[1. 2. 3.]\nx=[10. 11. 12.] y=[11. 12. 13.]\n"


@pytest.mark.parametrize("fmt, args, kwargs", [
    ("{x:.3f} and {y}", (), {"x": 2.5, "y": 3}),
    ("{} {}", (1, [1.0, 2.0]), {}),
    ("no placeholders", (1, 2.5), {}),
    ("{0} {0}", (np.arange(2),), {}),
    ("{d}", (), {"d": {"a": 1.5, "b": [2, 3]}}),
])
@pytest.mark.parametrize("jit", [False, True])
def test_print_formats_like_jax(capsys, fmt, args, kwargs, jit):
    if fmt == "no placeholders":
        program = lambda lib, jnp: lib.debug.print(fmt, *args, skip_format_check=True)  # noqa: E731
    else:
        def program(lib, jnp):
            def show(*a, **k):
                lib.debug.print(fmt, *a, **k)
                return jnp.zeros(())
            return (lib.jit(show) if jit else show)(*args, **kwargs)
    assert_same_print(capsys, program)


def test_print_argument_errors_match_jax():
    for lib, _ in LIBS.values():
        with pytest.raises(ValueError, match="Unused positional arguments"):
            lib.debug.print("{}", 1, 2)
        with pytest.raises(ValueError, match="Unused keyword arguments"):
            lib.debug.print("{x}", x=1, y=2)
        with pytest.raises(TypeError, match="two-call form"):
            lib.debug.print(ordered=False)("{}", 1) or lib.debug.print(None, 1)


def test_print_two_call_form(capsys):
    assert_same_print(capsys, lambda lib, jnp: lib.jit(
        lambda x: lib.debug.print(ordered=False)("v {}", x))(jnp.float32(4)))


def test_print_under_vmap_prints_each_example(capsys):
    assert_same_print(capsys, lambda lib, jnp: lib.vmap(
        lambda x, y: lib.debug.print("{} {}", x, y), in_axes=(0, None))(jnp.arange(3.0), 5.0))


def test_print_under_grad_and_jvp_prints_primals(capsys):
    def program(lib, jnp):
        f = lambda x: (lib.debug.print("p {x}", x=x), jnp.sin(x) * x)[1]  # noqa: E731
        return [lib.grad(f)(1.5), lib.jvp(f, (2.0,), (1.0,)), lib.jit(lib.grad(f))(0.5)]
    assert_same_print(capsys, program)
    g = lambda lib, jnp: lib.grad(lambda x: (lib.debug.print("{}", x), x ** 3)[1])(2.0)  # noqa: E731
    assert_matches(g(hlox, hjnp), g(jax, jjnp))


def test_print_in_control_flow(capsys):
    def program(lib, jnp):
        lax = lib.lax

        def body(i, c):
            lib.debug.print("i={} c={}", i, c)
            return c * 2

        def branch(tag, sign):
            return lambda v: (lib.debug.print(tag + " {}", v), sign * v)[1]
        loop = lib.jit(lambda x: lax.fori_loop(0, 3, body, x))(1.0)
        cond = lib.jit(lambda x: lax.cond(x > 0, branch("pos", 1), branch("neg", -1), x))(-2.0)
        scan = lax.scan(lambda c, x: (lib.debug.print("s {} {}", c, x), (c + x, c))[1], 0.0,
                        jnp.arange(3.0))
        return [loop, cond, scan]
    assert_same_print(capsys, program)


def test_print_in_nested_jit(capsys):
    def program(lib, jnp):
        inner = lib.jit(lambda x: (lib.debug.print("inner {}", x), x + 1)[1])
        return lib.jit(lambda x: inner(x) * 2)(jnp.arange(2))
    assert_same_print(capsys, program)


# -- debug.callback ------------------------------------------------------------------------------
@pytest.mark.parametrize("jit", [False, True])
def test_debug_callback_sees_arrays_and_static_leaves(jit):
    seen = {}
    for name, (lib, jnp) in LIBS.items():
        calls = seen[name] = []

        def record(x, scale, tag=None):
            calls.append((np.asarray(x).tolist(), np.asarray(x).dtype.name, np.shape(x),
                          float(scale), tag))
        f = lambda x: lib.debug.callback(record, x * 2, 1.5, tag="t")  # noqa: E731
        (lib.jit(f) if jit else f)(jnp.arange(4).reshape(2, 2))
        (lib.jit(f) if jit else f)(jnp.ones((2, 2), "int32"))
    assert seen["hlox"] == seen["jax"] and len(seen["jax"]) == 2
    with pytest.raises(TypeError, match="must be callable"):
        hlox.debug.callback(3, 1.0)


def test_callback_receives_hlox_arrays_it_can_compute_with():
    kinds = []

    def cb(x):
        kinds.append(isinstance(x, hlox.Array) and not isinstance(x, np.ndarray))
        assert_matches(hjnp.sum(x * 2), np.float32(6.0))
    hlox.jit(lambda x: hlox.debug.callback(cb, x))(hjnp.arange(3.0))
    hlox.debug.callback(cb, hjnp.arange(3.0))
    assert kinds == [True, True]


# -- pure_callback -------------------------------------------------------------------------------
def _np_sin_plus(x, y):
    return (np.sin(np.asarray(x)) + np.asarray(y)).astype(np.asarray(x).dtype)


def _pure(lib, jnp, method=None):
    def f(x, y):
        shape = jnp.broadcast_shapes(jnp.shape(x), jnp.shape(y))
        out = lib.ShapeDtypeStruct(shape, jnp.result_type(x))
        return lib.pure_callback(_np_sin_plus, out, x, y, vmap_method=method)
    return f


@pytest.mark.parametrize("jit", [False, True])
def test_pure_callback_values(jit):
    x = np.linspace(-1, 1, 6, dtype=np.float32).reshape(2, 3)
    outs = [(lib.jit(_pure(lib, jnp)) if jit else _pure(lib, jnp))(x, np.float32(0.5))
            for lib, jnp in LIBS.values()]
    assert_matches(*outs)
    assert isinstance(outs[0], hlox.Array)


def test_pure_callback_pytrees_and_kwargs():
    def cb(d, *, k):
        return {"sum": np.asarray(d["a"]) + k, "n": np.int32(np.asarray(d["b"]).size)}

    def program(lib, jnp):
        spec = {"sum": lib.ShapeDtypeStruct((3,), jnp.float32),
                "n": lib.ShapeDtypeStruct((), jnp.int32)}
        return lib.jit(lambda a, b: lib.pure_callback(cb, spec, {"a": a, "b": b}, k=2.0))(
            jnp.arange(3.0), jnp.zeros((2, 2)))
    ours, theirs = program(hlox, hjnp), program(jax, jjnp)
    for key in ("sum", "n"):
        assert_matches(ours[key], theirs[key])


@pytest.mark.parametrize("method", ["sequential", "expand_dims", "broadcast_all"])
def test_pure_callback_vmap_methods(method):
    shapes = {}
    for name, (lib, jnp) in LIBS.items():
        seen = shapes[name] = []

        def cb(x, y):
            seen.append((np.shape(x), np.shape(y)))
            return (np.asarray(x) * 2 + np.asarray(y)).astype(np.float32)

        def f(x, y):
            out = lib.ShapeDtypeStruct(jnp.broadcast_shapes(x.shape, y.shape), jnp.float32)
            return lib.pure_callback(cb, out, x, y, vmap_method=method)
        xs = jnp.arange(12.0).reshape(4, 3)
        shapes[name + " result"] = np.asarray(lib.vmap(f, in_axes=(0, None))(xs, jnp.ones(3)))
    assert shapes["hlox"] == shapes["jax"] and shapes["jax"]
    assert_matches(shapes["hlox result"], shapes["jax result"])


def test_pure_callback_vmap_without_method_raises_like_jax():
    for lib, jnp in LIBS.values():
        with pytest.raises(NotImplementedError, match="vmap_method"):
            lib.vmap(_pure(lib, jnp))(jnp.ones((2, 3)), jnp.ones((2, 3)))
    with pytest.raises(ValueError, match="vmap_method must be"):
        hlox.pure_callback(_np_sin_plus, hlox.ShapeDtypeStruct((), "float32"), 1.0, 1.0,
                           vmap_method="bogus")


@pytest.mark.parametrize("transform", ["grad", "jvp"])
def test_pure_callback_has_no_derivative(transform):
    for lib, jnp in LIBS.values():
        f = lambda x: _pure(lib, jnp)(x, jnp.float32(1.0))  # noqa: E731
        run = {"grad": lambda: lib.grad(f)(jnp.float32(0.5)),
               "jvp": lambda: lib.jvp(f, (jnp.float32(0.5),), (jnp.float32(1.0),))}[transform]
        with pytest.raises(ValueError, match="Pure callbacks do not support JVP"):
            run()


def test_pure_callback_result_checks_match_jax():
    wrong_shape = lambda x: np.zeros((5,), np.float32)  # noqa: E731
    for lib, jnp in LIBS.values():
        spec = lib.ShapeDtypeStruct((3,), jnp.float32)
        with pytest.raises(Exception, match="Incorrect output shape"):
            lib.block_until_ready(lib.jit(lambda x: lib.pure_callback(wrong_shape, spec, x))(
                jnp.ones(3)))
        with pytest.raises(ValueError, match="64-bit types"):
            lib.pure_callback(wrong_shape, lib.ShapeDtypeStruct((3,), np.float64), 1.0)
    # float64 results of the callback are canonicalized to the requested float32, as in JAX
    out = [lib.jit(lambda x: lib.pure_callback(lambda a: np.asarray(a, np.float64) + 0.25,
                                               lib.ShapeDtypeStruct((2,), jnp.float32), x))(
        jnp.ones(2)) for lib, jnp in LIBS.values()]
    assert_matches(*out)


def test_pure_callback_with_unused_result_may_be_dropped_but_used_one_runs():
    calls = []

    def cb(x):
        calls.append(1)
        return np.asarray(x)
    f = hlox.jit(lambda x: hlox.pure_callback(cb, hlox.ShapeDtypeStruct((), "float32"), x) + 1)
    assert_matches(f(np.float32(1)), np.float32(2))
    assert calls == [1]


def test_executable_keeps_callable_alive(capsys):
    class Printer:
        def __call__(self, x):
            print("alive", x)
    printer = Printer()
    ref = weakref.ref(printer)
    f = hlox.jit(lambda x: hlox.debug.callback(printer, x))
    f(hjnp.float32(1.0))
    del printer
    gc.collect()
    assert ref() is not None
    f(hjnp.float32(2.0))
    assert capsys.readouterr().out == "alive 1.0\nalive 2.0\n"


def test_different_callables_with_identical_programs_stay_apart():
    outs = [hlox.jit(lambda x, k=k: hlox.pure_callback(
        lambda a: np.asarray(a) * k, hlox.ShapeDtypeStruct((2,), "float32"), x))(hjnp.ones(2))
        for k in (2.0, 3.0)]
    assert_matches(outs[0], np.full(2, 2, np.float32))
    assert_matches(outs[1], np.full(2, 3, np.float32))
