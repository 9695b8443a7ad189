"""hlox.jit: caching, static and donated arguments, pytrees, nesting, closures, lowering."""
from __future__ import annotations

import re

import jax
import jax.numpy as jnp_ref
import numpy as np
import pytest
from conftest import assert_matches
from hypothesis import given, strategies as st

import hlox
import hlox.numpy as jnp


def test_same_abstract_values_never_retrace():
    f = hlox.jit(lambda x, y: x * y + 1.0)
    a, b = jnp.asarray(np.ones((3,), np.float32)), jnp.asarray(np.full((3,), 2.0, np.float32))
    for _ in range(3):
        assert_matches(f(a, b), np.full((3,), 3.0, np.float32))
    assert f.trace_count == 1
    f(np.ones((3,), np.float32), np.ones((3,), np.float32))  # numpy inputs of the same avals
    assert f.trace_count == 1


def test_new_shape_dtype_or_weak_type_retraces():
    f = hlox.jit(lambda x: x + 1)
    f(jnp.asarray(np.ones(3, np.float32)))
    f(jnp.asarray(np.ones(4, np.float32)))
    assert f.trace_count == 2
    f(jnp.asarray(np.ones(4, np.int32)))
    assert f.trace_count == 3
    f(1.0)            # weak float32 scalar
    f(np.float32(1))  # strong float32 scalar: a different abstract value
    assert f.trace_count == 5


def test_static_argnums_and_argnames_key_the_cache():
    calls = []

    def f(x, n, *, mode):
        calls.append((n, mode))
        return x * n if mode == "mul" else x + n
    g = hlox.jit(f, static_argnums=1, static_argnames="mode")
    x = np.arange(4, dtype=np.float32)
    assert_matches(g(x, 3, mode="mul"), x * 3)
    assert_matches(g(x, 3, mode="mul"), x * 3)
    assert_matches(g(x, 3, mode="add"), x + 3)
    assert_matches(g(x, 4, mode="add"), x + 4)
    assert calls == [(3, "mul"), (3, "add"), (4, "add")]


def test_static_argument_must_be_hashable():
    g = hlox.jit(lambda x, cfg: x, static_argnums=1)
    with pytest.raises(ValueError, match="Non-hashable static argument"):
        g(1.0, [1, 2])


def test_pytree_inputs_and_outputs():
    @hlox.jit
    def f(params, x):
        return {"y": params["w"] * x + params["b"], "parts": (x, [params["b"]])}
    params = {"w": np.float32(2), "b": np.arange(3, dtype=np.float32)}
    out = f(params, np.ones(3, np.float32))
    assert set(out) == {"y", "parts"}
    assert_matches(out["y"], 2 * np.ones(3, np.float32) + np.arange(3, dtype=np.float32))
    assert_matches(out["parts"][1][0], np.arange(3, dtype=np.float32))


def test_nested_jit_becomes_a_private_function_and_call():
    inner = hlox.jit(lambda a: a * 2)

    @hlox.jit
    def outer(a):
        return inner(a) + inner(a + 1)
    x = np.arange(5, dtype=np.float32)
    assert_matches(outer(x), x * 2 + (x + 1) * 2)
    text = outer.lower(x).as_text()
    assert "func.func private @" in text
    assert len(re.findall(r"call @", text)) == 2
    assert len(re.findall(r"func\.func private", text)) == 1  # one definition, reused


def test_closed_over_arrays_are_captured():
    w = jnp.asarray(np.arange(50, dtype=np.float32))
    f = hlox.jit(lambda x: x + w)
    assert_matches(f(np.ones(50, np.float32)), np.ones(50, np.float32) + np.arange(50, dtype=np.float32))
    text = f.lower(np.ones(50, np.float32)).as_text(debug_info=False)
    assert "tensor<50xf32>, %arg1: tensor<50xf32>" in text  # captured as an extra argument


def test_closure_over_an_enclosing_tracer():
    @hlox.jit
    def f(x):
        g = hlox.jit(lambda y: x * y)
        return g(x + 1)
    x = np.arange(4, dtype=np.float32)
    assert_matches(f(x), x * (x + 1))


def test_donated_argument_is_consumed():
    f = hlox.jit(lambda x: x + 1, donate_argnums=0)
    a = jnp.asarray(np.ones(16, np.float32))
    out = f(a)
    assert_matches(out, np.full(16, 2, np.float32))
    assert a.is_deleted()
    with pytest.raises(RuntimeError, match="deleted"):
        np.asarray(a)
    assert "jax.buffer_donor = true" in f.lower(jnp.asarray(np.ones(16, np.float32))).as_text()


def test_lowering_text_has_user_locations():
    def f(x):
        return jnp.sin(x) * 2.0
    text = hlox.jit(f).lower(np.ones(3, np.float32)).as_text()
    line = f.__code__.co_firstlineno + 1
    assert f'"{__file__}":{line}' in text
    assert "stablehlo.sine" in text


def test_compile_gives_hlo_text_and_cost_analysis():
    x = np.ones((8, 8), np.float32)
    compiled = hlox.jit(lambda a: a @ a).lower(x).compile()
    assert "HloModule" in compiled.as_text()
    cost = compiled.cost_analysis()
    assert cost["flops"] > 0
    assert_matches(compiled(x), x @ x)


@given(st.sampled_from([np.float32, np.int32, np.bool_, np.float16]),
       st.lists(st.integers(1, 4), min_size=0, max_size=3))
def test_jit_identity_preserves_dtype_and_shape(dtype, shape):
    x = (np.arange(int(np.prod(shape)) if shape else 1) % 3).astype(dtype).reshape(shape)
    out = hlox.jit(lambda a: a)(x)
    ref = jax.jit(lambda a: a)(x)
    assert_matches(out, ref)


def test_jit_matches_jax_on_a_small_program():
    def f(x, y):
        return jnp.tanh(x) * y - jnp.exp(-x) / (1.0 + y * y)

    def f_ref(x, y):
        return jnp_ref.tanh(x) * y - jnp_ref.exp(-x) / (1.0 + y * y)
    rng = np.random.default_rng(0)
    x, y = rng.normal(size=(4, 5)).astype(np.float32), rng.normal(size=(5,)).astype(np.float32)
    assert_matches(hlox.jit(f)(x, y), jax.jit(f_ref)(x, y), rtol=1e-5)


def test_eval_shape():
    out = hlox.eval_shape(lambda x: x * 2, np.ones((2, 3), np.float32))
    assert out.shape == (2, 3) and out.dtype == np.float32


def test_jit_as_decorator_with_options():
    @hlox.jit(static_argnames=("k",))
    def f(x, k):
        return x * k
    assert_matches(f(np.float32(2), k=3), np.float32(6))
