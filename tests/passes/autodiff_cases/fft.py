"""Cases for stablehlo.fft: every transform type, odd and even lengths, 1 to 3 axes."""
from __future__ import annotations

from hlox import lax

from autodiff_cases import Case, crand, rand


def _fft(kind, lengths):
    return lambda x: lax.fft(x, kind, lengths)


CASES = {
    "stablehlo.fft": [
        Case(_fft("FFT", (4,)), (crand(2, 4),), name="fft"),
        Case(_fft("IFFT", (3, 4)), (crand(3, 4),), name="ifft-2d"),
        Case(_fft("RFFT", (6,)), (rand(2, 6),), name="rfft-even"),
        Case(_fft("RFFT", (2, 3, 5)), (rand(2, 3, 5),), name="rfft-3d-odd"),
        Case(_fft("IRFFT", (6,)), (crand(2, 4),), name="irfft-even"),
        Case(_fft("IRFFT", (3, 5)), (crand(3, 3),), name="irfft-2d-odd"),
    ],
}
