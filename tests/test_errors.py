"""Errors name the problem, the traced function, the argument and the user's source line."""
from __future__ import annotations

import numpy as np
import pytest

import hlox
import hlox.numpy as jnp


def _line_of(fn, offset):
    return f"{__file__}:{fn.__code__.co_firstlineno + offset}"


def test_python_if_on_traced_value():
    def f(x):
        if x > 0:
            return x
        return -x
    with pytest.raises(hlox.ConcretizationTypeError) as info:
        hlox.jit(f)(1.0)
    msg = str(info.value)
    assert "boolean conversion" in msg
    assert _line_of(f, 1) in msg
    assert "function f" in msg and "argument 'x'" in msg
    assert "static_argnums" in msg and "lax.cond" in msg
    assert isinstance(info.value, TypeError)  # as in jax


@pytest.mark.parametrize("convert", [int, float, complex])
def test_int_float_conversion_of_traced_value(convert):
    def f(x, y):
        return convert(y)
    with pytest.raises(hlox.ConcretizationTypeError) as info:
        hlox.jit(f)(1.0, 2.0)
    assert "argument 'y'" in str(info.value) and "argument 'x'" not in str(info.value)
    assert _line_of(f, 1) in str(info.value)


def test_numpy_conversion_of_traced_value():
    with pytest.raises(hlox.TracerArrayConversionError):
        hlox.jit(lambda x: np.asarray(x))(np.ones(3, np.float32))


def test_traced_value_as_index():
    with pytest.raises(hlox.TracerIntegerConversionError):
        hlox.jit(lambda i: [1, 2, 3][i])(1)


def test_static_argnums_is_the_way_out():
    def f(x, n):
        return x * 2 if n > 0 else x
    assert float(hlox.jit(f, static_argnums=1)(3.0, 1)) == 6.0


def test_shape_mismatch_names_shapes_and_line():
    def f(x, y):
        return x + y
    with pytest.raises(ValueError) as info:
        hlox.jit(f)(np.ones(3, np.float32), np.ones(4, np.float32))
    msg = str(info.value)
    assert "(3,)" in msg and "(4,)" in msg
    assert _line_of(f, 1) in msg


def test_eager_shape_mismatch_too():
    with pytest.raises(ValueError, match=r"\(2,\).*\(5,\)"):
        jnp.asarray(np.ones(2, np.float32)) * jnp.asarray(np.ones(5, np.float32))


def test_lax_dtype_mismatch_is_type_error():
    with pytest.raises(TypeError, match="same dtype") as info:
        hlox.lax.add(jnp.asarray(np.ones(2, np.float32)), jnp.asarray(np.ones(2, np.int32)))
    assert __file__ in str(info.value)


def test_leaked_tracer_is_reported():
    leaked = []

    @hlox.jit
    def f(x):
        leaked.append(x)
        return x
    f(1.0)
    with pytest.raises(hlox.UnexpectedTracerError, match="after that trace ended"):
        hlox.jit(lambda y: y + leaked[0])(2.0)


def test_non_array_argument_is_a_type_error():
    with pytest.raises(TypeError, match="not a valid hlox type"):
        hlox.jit(lambda x: x)("hello")


def test_non_array_output_is_a_type_error():
    with pytest.raises(TypeError, match="returned a value of type str"):
        hlox.jit(lambda x: "nope")(1.0)
