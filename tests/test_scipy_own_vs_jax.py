"""Checks, against real JAX on the same inputs, of the jax.scipy modules hlox implements from
their documented behaviour: integrate.trapezoid, cluster.vq, fft's DCTs, ndimage's
map_coordinates and signal (convolutions, detrend, stft/istft, csd, welch)."""
from __future__ import annotations

import importlib

import jax
import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import hlox
from conftest import assert_matches
from test_public_api_behaviour import assert_both_match


def _scipy(lib, name):
    return importlib.import_module(f"{lib.__name__}.scipy.{name}")


def _rand(shape, seed=0, dtype=np.float32):
    return np.random.default_rng(seed).standard_normal(shape).astype(dtype)


def _grads_match(fn_of_lib, *args, rtol=1e-4, atol=1e-5):
    ours = hlox.grad(lambda *a: hlox.numpy.sum(fn_of_lib(hlox)(*a)))(*args)
    theirs = jax.grad(lambda *a: jax.numpy.sum(fn_of_lib(jax)(*a)))(*args)
    assert_matches(ours, theirs, rtol=rtol, atol=atol)


# -- integrate ---------------------------------------------------------------------------------
def test_trapezoid_sample_points_spacing_and_axes_as_jax():
    y = _rand((4, 5))
    assert_both_match(lambda lib: [
        _scipy(lib, "integrate").trapezoid(*args, **kw) for args, kw in [
            ((y,), {}), ((y,), {"axis": 0}), ((y,), {"dx": 0.3}),
            ((y, np.arange(5.0) ** 2), {}), ((y, np.arange(4.0) ** 2), {"axis": 0}),
            ((y, y ** 2), {"axis": 0}), ((np.arange(6),), {}), ((np.arange(6),), {"dx": 2}),
            ((np.ones((3, 4, 5)), np.ones((4, 5))), {})]], rtol=1e-5)


def test_trapezoid_grad_jit_vmap_as_jax():
    y = _rand(6)
    _grads_match(lambda lib: lambda v: _scipy(lib, "integrate").trapezoid(v, v * 2), y)
    yy = _rand((3, 6))
    assert_matches(hlox.vmap(_scipy(hlox, "integrate").trapezoid)(yy),
                   jax.vmap(_scipy(jax, "integrate").trapezoid)(yy), rtol=1e-5)
    assert_matches(hlox.jit(_scipy(hlox, "integrate").trapezoid)(yy),
                   _scipy(jax, "integrate").trapezoid(yy), rtol=1e-5)


# -- cluster.vq --------------------------------------------------------------------------------
@settings(max_examples=15, deadline=None)
@given(m=st.integers(1, 6), k=st.integers(1, 4), n=st.integers(1, 3), seed=st.integers(0, 99))
def test_vq_nearest_code_as_jax(m, k, n, seed):
    obs, book = _rand((m, n), seed), _rand((k, n), seed + 1)
    assert_both_match(lambda lib: list(_scipy(lib, "cluster.vq").vq(obs, book)), rtol=1e-5)


def test_vq_one_dimensional_integer_inputs_and_rank_errors_as_jax():
    assert_both_match(lambda lib: list(_scipy(lib, "cluster.vq").vq(np.arange(4), np.arange(2))))
    for obs, book in [(np.ones((3, 2, 2)), np.ones((3, 2, 2))), (np.ones(3), np.ones((3, 2)))]:
        with pytest.raises(ValueError) as theirs:
            _scipy(jax, "cluster.vq").vq(obs, book)
        with pytest.raises(ValueError, match=str(theirs.value)):
            _scipy(hlox, "cluster.vq").vq(obs, book)


# -- fft: dct, idct, dctn, idctn ---------------------------------------------------------------
@settings(max_examples=25, deadline=None)
@given(shape=st.lists(st.integers(1, 7), min_size=1, max_size=3), n=st.sampled_from([None, 1, 4, 9]),
       norm=st.sampled_from([None, "backward", "ortho"]), data=st.data())
def test_dct_idct_one_axis_as_jax(shape, n, norm, data):
    axis = data.draw(st.integers(-len(shape), len(shape) - 1))
    x = _rand(tuple(shape), len(shape))
    assert_both_match(lambda lib: [getattr(_scipy(lib, "fft"), f)(x, n=n, axis=axis, norm=norm)
                                   for f in ("dct", "idct")], rtol=1e-4, atol=1e-5)


@pytest.mark.parametrize("s,axes", [(None, None), ((4,), None), (None, [0]), ((3, 3, 3), None),
                                    ((2,), (0,)), (None, (-1, 0)), ((2, 2), (0, 1))])
@pytest.mark.parametrize("norm", [None, "ortho"])
def test_dctn_idctn_as_jax(s, axes, norm):
    x = _rand((4, 5, 3))
    assert_both_match(lambda lib: [getattr(_scipy(lib, "fft"), f)(x, s=s, axes=axes, norm=norm)
                                   for f in ("dctn", "idctn")], rtol=1e-4, atol=1e-5)


def test_dct_complex_and_integer_inputs_grad_vmap_as_jax():
    x = _rand(6) + 1j * _rand(6, 1)
    assert_both_match(lambda lib: [_scipy(lib, "fft").dct(x.astype(np.complex64), norm="ortho"),
                                   _scipy(lib, "fft").idct(x.astype(np.complex64)),
                                   _scipy(lib, "fft").dct(np.arange(4))], rtol=1e-4, atol=1e-5)
    v, weights = _rand(5), np.arange(5.0, dtype=np.float32)
    _grads_match(lambda lib: lambda a: _scipy(lib, "fft").dct(a) * weights, v)
    _grads_match(lambda lib: lambda a: _scipy(lib, "fft").idctn(a.reshape(1, 5), norm="ortho")
                 * weights, v)
    xs = _rand((3, 6))
    assert_matches(hlox.vmap(_scipy(hlox, "fft").dct)(xs), _scipy(jax, "fft").dct(xs),
                   rtol=1e-4, atol=1e-5)
    assert_matches(hlox.jit(_scipy(hlox, "fft").idct)(xs), _scipy(jax, "fft").idct(xs),
                   rtol=1e-4, atol=1e-5)


@pytest.mark.parametrize("call", [lambda f: f.dct(np.ones(3), type=3),
                                  lambda f: f.idctn(np.ones(3), type=1),
                                  lambda f: f.dct(np.ones(3), norm="forward"),
                                  lambda f: f.idctn(np.ones((2, 3)), s=(1, 2, 3))])
def test_dct_unsupported_types_norms_and_sizes_raise_as_jax(call):
    with pytest.raises((NotImplementedError, ValueError)) as theirs:
        call(_scipy(jax, "fft"))
    with pytest.raises(theirs.type, match=str(theirs.value).replace("(", r"\(").replace(")", r"\)")):
        call(_scipy(hlox, "fft"))


# -- ndimage.map_coordinates -------------------------------------------------------------------
_MODES = ("constant", "nearest", "wrap", "mirror", "reflect")


@settings(max_examples=20, deadline=None)
@given(shape=st.lists(st.integers(1, 6), min_size=1, max_size=3), seed=st.integers(0, 99),
       integer_input=st.booleans())
def test_map_coordinates_all_modes_and_orders_as_jax(shape, seed, integer_input):
    x = _rand(tuple(shape), seed)
    x = (x * 10).astype(np.int32) if integer_input else x
    rng = np.random.default_rng(seed)
    halves = [np.array([0.5, -0.5, n - 0.5, n, -1.0], np.float32) for n in shape]
    coords = [np.concatenate([rng.uniform(-2 * n - 1, 2 * n + 1, 6).astype(np.float32), h])
              for n, h in zip(shape, halves)]
    assert_both_match(lambda lib: [
        _scipy(lib, "ndimage").map_coordinates(x, coords, order=order, mode=mode, cval=-3.0)
        for mode in _MODES for order in (0, 1)], rtol=1e-5, atol=1e-5)


def test_map_coordinates_dtypes_shapes_grad_jit_vmap_as_jax():
    x = _rand((4, 5))
    grid = [np.array([[0.3, 2.7], [1.1, 3.9]], np.float32), np.array([[1.2, 0.1], [4.4, 2.2]], np.float32)]
    assert_both_match(lambda lib: [
        _scipy(lib, "ndimage").map_coordinates(inp, c, order)
        for inp in (x, x > 0, (x + 1j * x).astype(np.complex64))
        for c in (grid, [1.2, 2.5], [np.array([0, 3]), np.array([1, 4])]) for order in (0, 1)],
        rtol=1e-5, atol=1e-5)
    _grads_match(lambda lib: lambda image, rows: _scipy(lib, "ndimage").map_coordinates(
        image, [rows, grid[1]], 1, mode="reflect"), x, grid[0])
    _grads_match(lambda lib: lambda rows: _scipy(lib, "ndimage").map_coordinates(
        x, [rows, grid[1]], 1, mode="constant", cval=2.0), grid[0])
    assert_matches(hlox.jit(lambda a: _scipy(hlox, "ndimage").map_coordinates(a, grid, 1, "wrap"))(x),
                   _scipy(jax, "ndimage").map_coordinates(x, grid, 1, "wrap"), rtol=1e-5)
    assert_matches(hlox.vmap(lambda c: _scipy(hlox, "ndimage").map_coordinates(x, [c, c], 1, "mirror"))(grid[0]),
                   jax.vmap(lambda c: _scipy(jax, "ndimage").map_coordinates(x, [c, c], 1, "mirror"))(grid[0]),
                   rtol=1e-5)


@pytest.mark.parametrize("kw,error", [({"order": 2}, "requires order<=1"),
                                      ({"order": 1, "mode": "grid-wrap"}, "does not yet support mode"),
                                      ({"order": 1, "coordinates": [np.array([0.5])]},
                                       "sequence of length input.ndim")])
def test_map_coordinates_unsupported_arguments_raise_as_jax(kw, error):
    kw = {"coordinates": [np.array([0.5]), np.array([1.5])], **kw}
    for lib in (jax, hlox):
        with pytest.raises((NotImplementedError, ValueError), match=error) as info:
            _scipy(lib, "ndimage").map_coordinates(np.ones((3, 4)), **kw)
        if lib is jax:
            expected = info.type
        else:
            assert info.type is expected
