"""scipy.interpolate.RegularGridInterpolator against real JAX on the same inputs: values,
fill/extrapolation, trailing value dimensions, errors, and jit/grad/vmap."""
from __future__ import annotations

import jax
import jax.scipy.interpolate as jax_interpolate
import numpy as np
import pytest
from hypothesis import given, settings, strategies as st

import hlox
import hlox.scipy.interpolate as hlox_interpolate
from conftest import assert_matches

LIBS = ((hlox, hlox_interpolate), (jax, jax_interpolate))


def _grid(rng, sizes):
    return tuple(np.sort(rng.uniform(-2, 2, n)).astype(np.float32) + np.arange(n) * 1e-2
                 for n in sizes)


def _both(program, **tol):
    ours, theirs = (program(lib, mod) for lib, mod in LIBS)
    for a, b in zip(jax.tree_util.tree_leaves(ours), jax.tree_util.tree_leaves(theirs)):
        assert_matches(a, b, **tol)


@settings(max_examples=15, deadline=None)
@given(sizes=st.lists(st.integers(2, 5), min_size=1, max_size=3), trailing=st.sampled_from([(), (2,)]),
       method=st.sampled_from(["linear", "nearest"]), fill=st.sampled_from([np.nan, None, 2.5]),
       seed=st.integers(0, 2**16))
def test_matches_jax_on_random_grids(sizes, trailing, method, fill, seed):
    rng = np.random.default_rng(seed)
    grid = _grid(rng, sizes)
    values = rng.standard_normal(tuple(sizes) + trailing).astype(np.float32)
    points = rng.uniform(-2.5, 2.5, (7, len(sizes))).astype(np.float32)
    _both(lambda lib, m: m.RegularGridInterpolator(grid, values, method=method,
                                                   fill_value=fill)(points), rtol=1e-5, atol=1e-5)


def test_call_forms_and_method_override():
    grid = (np.arange(3.0), np.arange(2.0))
    values = np.arange(6.0).reshape(3, 2)

    def program(lib, m):
        r = m.RegularGridInterpolator(grid, values)
        one_d = m.RegularGridInterpolator(grid[:1], np.arange(3))
        return [r(np.array([0.5, 0.5])), r((np.array([0.5, 1.0]), np.array([0.5, 0.2]))),
                r(np.array([[[0.2, 0.7]]]), method="nearest"), one_d(np.array([0.3, 1.6])),
                one_d(np.array([[0.3]], np.int32)), r.grid, r.values]
    _both(program)


def test_errors_match_jax():
    grid = (np.linspace(0, 1, 5),)
    for build in (lambda m: m.RegularGridInterpolator(grid, np.arange(5.0), method="cubic"),
                  lambda m: m.RegularGridInterpolator(grid, np.arange(5.0), bounds_error=True),
                  lambda m: m.RegularGridInterpolator(grid + grid, np.arange(5.0)),
                  lambda m: m.RegularGridInterpolator(grid, np.arange(5.0), fill_value=1j),
                  lambda m: m.RegularGridInterpolator(grid, np.arange(5.0))(np.ones((1, 2))),
                  lambda m: m.RegularGridInterpolator(grid, np.arange(5.0))(np.ones((1, 1)), "x")):
        errors = []
        for _, m in LIBS:
            with pytest.raises(Exception) as info:
                build(m)
            errors.append((type(info.value), str(info.value)))
        assert errors[0] == errors[1]


def test_jit_grad_vmap_match_jax():
    grid = (np.linspace(0, 1, 5), np.linspace(-1, 1, 3))
    values = np.arange(15.0, dtype=np.float32).reshape(5, 3) ** 1.5
    points = np.array([[0.3, 0.1], [0.9, -0.7]], np.float32)

    def program(lib, m):
        r = m.RegularGridInterpolator(grid, values)
        return [lib.jit(lambda r, x: r(x))(r, points),
                lib.grad(lambda v: m.RegularGridInterpolator(grid, v)(points).sum())(values),
                lib.grad(lambda x: m.RegularGridInterpolator(grid, values)(x).sum())(points),
                lib.vmap(lambda x: r(x[None]))(points)]
    _both(program, rtol=1e-5, atol=1e-5)
