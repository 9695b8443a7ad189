"""Eager mode: ops on concrete arrays run on device, each compiled once per signature."""
from __future__ import annotations

import numpy as np
from conftest import assert_matches

import hlox
import hlox.numpy as jnp
from hlox.frontend import primitives
from hlox.lowering import executable


def test_a_loop_of_eager_ops_compiles_once():
    x = jnp.asarray(np.zeros(7, np.float32))
    x = x * 2.0 + 1.0  # warm: compiles multiply, add (and the scalar broadcast)
    before = (primitives.eager_cache_size(), executable.cache_size())
    for i in range(20):
        x = x * 2.0 + 1.0
    assert (primitives.eager_cache_size(), executable.cache_size()) == before
    assert_matches(x, np.full(7, 2.0**21 - 1, np.float32))


def test_eager_results_are_device_arrays():
    y = jnp.sin(jnp.asarray(np.ones(3, np.float32)))
    assert isinstance(y, hlox.Array)
    assert_matches(y, np.sin(np.ones(3, np.float32)))


def test_new_scalar_values_do_not_recompile():
    x = jnp.asarray(np.ones(5, np.float32))
    _ = x * 1.0
    n = executable.cache_size()
    for k in range(10):
        assert_matches(x * float(k), np.full(5, float(k), np.float32))
    assert executable.cache_size() == n
