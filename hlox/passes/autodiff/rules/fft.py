"""Derivatives of stablehlo.fft, a linear op: its tangent is the same transform, and its
transposes are JAX's (so gradients of complex programs follow JAX's convention)."""
from __future__ import annotations

import math

import numpy as np

from hlox.frontend import fft, lax
from hlox.lowering.mlir import stablehlo
from hlox.passes.autodiff.common import jvp_rule, vjp_rule
from hlox.passes.autodiff.rules.structural import linear_in, reemit

jvp_rule("stablehlo.fft")(linear_in(0))


def _rfft_transpose(ct, lengths):
    """RFFT is FFT of the real input cut to its first n//2+1 frequencies: pad them back with
    zeros, transform, and keep the real part (the transpose of the real-to-complex cast)."""
    n = lengths[-1]
    config = [(0, 0, 0)] * (ct.ndim - 1) + [(0, n - ct.shape[-1], 0)]
    full = lax.pad(ct, lax.full((), 0, ct.dtype), config)
    return lax.real(fft.fft(full, fft.FftType.FFT, lengths))


def _irfft_transpose(ct, lengths):
    """IRFFT reads each stored frequency of the half spectrum twice (as itself and as its
    mirror), except the zero and, for even n, the Nyquist frequency: RFFT of the cotangent,
    weighted by that count and scaled by 1/N, conjugated for JAX's complex convention."""
    spectrum = fft.fft(ct, fft.FftType.RFFT, lengths)
    m, odd = spectrum.shape[-1], lengths[-1] % 2
    weights = np.array([1.0] + [2.0] * (m - 2 + odd) + [1.0] * (1 - odd)) / math.prod(lengths)
    weights = lax.broadcast_in_dim(np.asarray(weights, spectrum.dtype), spectrum.shape,
                                   (spectrum.ndim - 1,))
    return lax.conj(lax.mul(spectrum, weights))


@vjp_rule("stablehlo.fft")
def _fft_vjp(site, cts):
    kind = stablehlo.FftTypeAttr(site.attr("fft_type")).value
    lengths = tuple(site.ints("fft_length"))
    if kind == "RFFT":
        return [_rfft_transpose(cts[0], lengths)]
    if kind == "IRFFT":
        return [_irfft_transpose(cts[0], lengths)]
    return reemit(site, [cts[0]])  # the DFT matrix, scaled or not, is symmetric
