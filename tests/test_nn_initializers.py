"""hlox.nn.initializers draw bit-identical weights to jax.nn.initializers for the same key:
every variance_scaling mode and distribution, real and complex dtypes, half precision, and
explicit in/out/batch axes, drawn by hypothesis."""
from __future__ import annotations

import jax
import ml_dtypes
import numpy as np
import pytest
from hypothesis import given, settings, strategies as st

import hlox

MODES = ["fan_in", "fan_out", "fan_avg", "fan_geo_avg"]
DISTRIBUTIONS = ["truncated_normal", "normal", "uniform"]
DTYPES = [np.float32, np.float16, ml_dtypes.bfloat16, np.complex64]
# (shape, axes keywords)
LAYOUTS = [((4, 6), {}), ((3, 3, 2, 5), {}),
           ((3, 4, 2), {"in_axis": 0, "out_axis": 1, "batch_axis": 2}),
           ((2, 3, 4, 5), {"in_axis": (0, 1), "out_axis": -1})]


def assert_identical(got, want):
    got, want = np.asarray(got), np.asarray(want)
    assert got.dtype == want.dtype and got.shape == want.shape
    np.testing.assert_array_equal(got.view(np.uint8), want.view(np.uint8))


def _init(lib, name, *args, **kw):
    return getattr(lib.nn.initializers, name)(*args, **kw)


@settings(max_examples=8)
@given(mode=st.sampled_from(MODES), distribution=st.sampled_from(DISTRIBUTIONS),
       dtype=st.sampled_from(DTYPES), layout=st.sampled_from(LAYOUTS),
       seed=st.integers(0, 2**31 - 1), scale=st.sampled_from([0.5, 1.0, 2.0]))
def test_variance_scaling_is_bit_identical(mode, distribution, dtype, layout, seed, scale):
    shape, axes = layout
    got, want = (_init(lib, "variance_scaling", scale, mode, distribution, dtype=dtype, **axes)(
        lib.random.PRNGKey(seed), shape) for lib in (hlox, jax))
    assert_identical(got, want)


@pytest.mark.parametrize("name", ["glorot_uniform", "glorot_normal", "xavier_uniform",
                                  "xavier_normal", "lecun_uniform", "lecun_normal",
                                  "he_uniform", "he_normal", "kaiming_uniform",
                                  "kaiming_normal"])
def test_named_schemes_are_bit_identical_eager_and_jit(name):
    key, shape = 11, (5, 7)
    want = _init(jax, name)(jax.random.PRNGKey(key), shape)
    init = _init(hlox, name)
    assert_identical(init(hlox.random.PRNGKey(key), shape), want)
    assert_identical(hlox.jit(lambda k: init(k, shape))(hlox.random.PRNGKey(key)), want)


@pytest.mark.parametrize("name, args, shape", [
    ("uniform", (0.3,), (4, 3)), ("normal", (0.05,), (6,)), ("truncated_normal", (0.2,), (3, 3)),
    ("truncated_normal", (1.0, np.float32, -1.0, 0.5), (8,)), ("constant", (-2.5,), (2, 2)),
    ("orthogonal", (), (5, 3)), ("orthogonal", (1.5, 0), (3, 2, 4)),
    ("delta_orthogonal", (), (3, 2, 4)), ("delta_orthogonal", (), (3, 3, 3, 2, 2)),
])
def test_other_initializers_are_bit_identical(name, args, shape):
    want = _init(jax, name, *args)(jax.random.PRNGKey(2), shape)
    assert_identical(_init(hlox, name, *args)(hlox.random.PRNGKey(2), shape), want)


def test_dtype_given_at_call_time_and_new_style_keys():
    for dtype in (np.float16, ml_dtypes.bfloat16):
        want = jax.nn.initializers.he_normal()(jax.random.key(4), (3, 4), dtype)
        assert_identical(hlox.nn.initializers.he_normal()(hlox.random.key(4), (3, 4), dtype),
                         want)
    assert_identical(hlox.nn.initializers.zeros(None, (2, 3), np.int32),
                     jax.nn.initializers.zeros(None, (2, 3), np.int32))


def test_invalid_arguments_raise_like_jax():
    key = hlox.random.PRNGKey(0)
    with pytest.raises(ValueError, match="mode"):
        hlox.nn.initializers.variance_scaling(1.0, "fan_max", "normal")(key, (2, 2))
    with pytest.raises(ValueError, match="distribution"):
        hlox.nn.initializers.variance_scaling(1.0, "fan_in", "cauchy")(key, (2, 2))
    with pytest.raises(ValueError, match="2D"):
        hlox.nn.initializers.orthogonal()(key, (3,))
    with pytest.raises(ValueError, match="3D, 4D or 5D"):
        hlox.nn.initializers.delta_orthogonal()(key, (3, 3))
