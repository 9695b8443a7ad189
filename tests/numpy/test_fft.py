"""hlox.numpy.fft against jax.numpy.fft (values, shapes, dtypes, error kinds) and numpy.fft,
eagerly and under hlox.jit."""
from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings, strategies as st

import hlox
import hlox.numpy
import jax

from conftest import enable_x64
from test_creation import compare

X = np.random.RandomState(0).randn(3, 4, 6).astype(np.float32)
C = (X + 1j * X[::-1]).astype(np.complex64)

CASES = [
    lambda m, a: m.fft.fft(a),
    lambda m, a: m.fft.ifft(a, 5, axis=0),
    lambda m, a: m.fft.rfft(a, 7, norm="ortho"),
    lambda m, a: m.fft.irfft(a, 9, axis=1),
    lambda m, a: m.fft.fftn(a),
    lambda m, a: m.fft.ifftn(a, s=(2, 3), axes=(0, 2), norm="forward"),
    lambda m, a: m.fft.rfftn(a, axes=(1, 0)),
    lambda m, a: m.fft.irfftn(a),
    lambda m, a: m.fft.fft2(a),
    lambda m, a: m.fft.rfft2(a),
    lambda m, a: m.fft.irfft2(a, s=(3, 4)),
    lambda m, a: m.fft.ifft2(a, norm="ortho"),
    lambda m, a: m.fft.hfft(a),
    lambda m, a: m.fft.ihfft(m.real(a)),
    lambda m, a: m.fft.fftn(a.reshape(1, 3, 1, 4, 6)),
    lambda m, a: m.fft.irfftn(a.reshape(1, 3, 1, 4, 6)),
    lambda m, a: m.fft.fftshift(a),
    lambda m, a: m.fft.ifftshift(a, axes=1),
    lambda m, a: m.fft.fftshift(a, axes=(0, 2)),
    lambda m, a: m.fft.fft(a, axis=(0, 1)),
    lambda m, a: m.fft.fftn(a, axes=(0, 0)),
    lambda m, a: m.fft.fft(a, 0),
    lambda m, a: m.fft.fftn(a, s=(2,), axes=(0, 1)),
    lambda m, a: m.fft.fft(a, norm="bad"),
]


@pytest.mark.parametrize("operand", ["real", "complex"])
@pytest.mark.parametrize("case", range(len(CASES)))
def test_table(case, operand):
    compare(CASES[case], X if operand == "real" else C, rtol=1e-4)


FREQ_CASES = [
    lambda m: m.fft.fftfreq(8),
    lambda m: m.fft.fftfreq(7, 0.5),
    lambda m: m.fft.fftfreq(5, dtype=m.float16),
    lambda m: m.fft.rfftfreq(9, 2.),
    lambda m: m.fft.rfftfreq(8),
    lambda m: m.fft.fftfreq([3]),
    lambda m: m.fft.rfftfreq(3, [1.]),
    lambda m: m.fft.fft(m.arange(4)),
    lambda m: m.fft.rfft(m.arange(4)),
    lambda m: m.fft.fft(m.arange(4) > 1),
    lambda m: m.fft.fft(m.arange(4, dtype=m.float16)),
    lambda m: m.fft.rfft(m.arange(4, dtype=m.bfloat16)),
    lambda m: m.fft.irfft(m.arange(4.)),
]


@pytest.mark.parametrize("x64", [False, True], ids=["x32", "x64"])
@pytest.mark.parametrize("case", range(len(FREQ_CASES)))
def test_freq_and_dtypes(case, x64):
    with enable_x64(x64):
        compare(FREQ_CASES[case], rtol=1e-3)


def test_float64_transforms(x64):
    x = X.astype(np.float64)
    compare(lambda m, a: (m.fft.rfftn(a), m.fft.ifft(a * 1j)), x, rtol=1e-10)


@settings(max_examples=8)
@given(st.data())
def test_against_numpy(data):
    shape = tuple(data.draw(st.lists(st.integers(1, 5), min_size=1, max_size=3)))
    x = np.arange(int(np.prod(shape)), dtype=np.float32).reshape(shape) % 5 - 2
    axes = tuple(data.draw(st.permutations(range(len(shape)))))[:data.draw(
        st.integers(1, len(shape)))]
    s = tuple(data.draw(st.integers(1, 6)) for _ in axes)
    name = data.draw(st.sampled_from(["fftn", "ifftn", "rfftn", "irfftn"]))
    norm = data.draw(st.sampled_from([None, "ortho", "forward"]))
    compare(lambda m, a: getattr(m.fft, name)(a, s, axes, norm), x, numpy=True, rtol=1e-4)



def _library(m):
    """The transformation API that goes with the numpy module `compare` passes in."""
    return hlox if m is hlox.numpy else jax


GRAD_CASES = [
    lambda m, a: m.fft.fft(a),
    lambda m, a: m.fft.ifft(a * 1j, 5, axis=0),
    lambda m, a: m.fft.rfft(a, 7, norm="ortho"),
    lambda m, a: m.fft.irfft(m.fft.rfft(a) * 1j, 9, axis=1),
    lambda m, a: m.fft.rfftn(a, axes=(1, 0)),
    lambda m, a: m.fft.irfftn(m.fft.fftn(a)),
    lambda m, a: m.fft.irfft2(m.fft.rfft2(a), s=(3, 5)),
    lambda m, a: m.fft.fftn(a.reshape(1, 3, 1, 4, 6), norm="forward"),
    lambda m, a: m.fft.hfft(a),
]


@pytest.mark.parametrize("case", range(len(GRAD_CASES)))
def test_grad_jvp_and_vmap_match_jax(case):
    """Reverse mode (JAX's convention for complex intermediates), forward mode and vmap."""
    transform = GRAD_CASES[case]

    def loss(m, a):
        out = transform(m, a)
        weights = np.linspace(-1.0, 2.0, out.size).reshape(out.shape)
        return (m.abs(out) ** 2 * weights + m.real(out) * weights).sum()

    compare(lambda m, a: _library(m).grad(lambda v: loss(m, v))(a), X, rtol=2e-3)
    compare(lambda m, a: _library(m).jvp(lambda v: transform(m, v), (a,), (a[::-1] * 0.5,))[1],
            X, rtol=1e-3)
    compare(lambda m, a: _library(m).vmap(lambda v: transform(m, v), in_axes=1)(a), X,
            rtol=1e-4)


@pytest.mark.parametrize("kind", ["fft", "IFFT", "rfft", "IRFFT", "Rfft", 7])
def test_lax_fft(kind):
    operand = X[..., :4] * 1j if str(kind).lower() == "irfft" else X
    compare(lambda m, a: _library(m).lax.fft(a, kind, (4, 6)), operand, rtol=1e-4)
