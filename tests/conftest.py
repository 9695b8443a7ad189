"""Shared test helpers: real JAX as the oracle, and the x64 switch for both libraries."""
from __future__ import annotations

import contextlib
import os

os.environ.setdefault("XLA_FLAGS", "--xla_cpu_multi_thread_eigen=false intra_op_parallelism_threads=1")
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")

import jax  # noqa: E402  (the oracle; hlox itself never imports it)
import numpy as np  # noqa: E402
import pytest  # noqa: E402
from hypothesis import HealthCheck, settings  # noqa: E402

import hlox  # noqa: E402

_QUIET_HEALTH_CHECKS = [HealthCheck.too_slow, HealthCheck.function_scoped_fixture]
# The default run (and CI) draws the same examples every time, so a red run is reproducible;
# HYPOTHESIS_PROFILE=explore draws fresh, more numerous examples to hunt for new bugs.
settings.register_profile("hlox", max_examples=20, deadline=None, derandomize=True,
                          suppress_health_check=_QUIET_HEALTH_CHECKS)
settings.register_profile("explore", max_examples=100, deadline=None,
                          suppress_health_check=_QUIET_HEALTH_CHECKS)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "hlox"))


@contextlib.contextmanager
def enable_x64(on=True):
    """Switch 64-bit mode in hlox and in the JAX oracle together."""
    old_h, old_j = hlox.config.read("jax_enable_x64"), jax.config.jax_enable_x64
    hlox.config.update("jax_enable_x64", on)
    jax.config.update("jax_enable_x64", on)
    try:
        yield
    finally:
        hlox.config.update("jax_enable_x64", old_h)
        jax.config.update("jax_enable_x64", old_j)


@pytest.fixture
def x64():
    with enable_x64(True):
        yield


def assert_matches(actual, expected, rtol=1e-6, atol=1e-6, check_dtype=True, check_weak=False):
    """Compare an hlox result with an oracle result (numpy or JAX): values, shape, dtype."""
    a, e = np.asarray(actual), np.asarray(expected)
    assert a.shape == e.shape, f"shape {a.shape} != expected {e.shape}"
    if check_dtype:
        assert a.dtype == e.dtype, f"dtype {a.dtype} != expected {e.dtype}"
    if check_weak:
        assert getattr(actual, "weak_type", False) == getattr(expected, "weak_type", False), \
            f"weak_type {getattr(actual, 'weak_type', None)} != {getattr(expected, 'weak_type', None)}"
    if a.dtype.kind in "fcV":
        np.testing.assert_allclose(a.astype(np.complex128 if a.dtype.kind == "c" else np.float64),
                                   e.astype(np.complex128 if e.dtype.kind == "c" else np.float64),
                                   rtol=rtol, atol=atol, equal_nan=True)
    else:
        np.testing.assert_array_equal(a, e)


# tests/multidevice needs a process started with 8 devices: tests/test_multidevice.py runs it.
collect_ignore = [] if os.environ.get("HLOX_MULTIDEVICE") else ["multidevice"]
