"""stablehlo.fft: complex and real transforms over up to three trailing dimensions."""
from __future__ import annotations

from hlox.frontend import dtypes
from hlox.frontend.op_builders import i64_array
from hlox.frontend.primitives import Primitive, simple_emitter
from hlox.lowering.avals import ShapedArray
from hlox.lowering.mlir import stablehlo


# -- fft --------------------------------------------------------------------------------
_FFT_TYPES = ("FFT", "IFFT", "RFFT", "IRFFT")
_COMPLEX_OF = {dtypes.float32: dtypes.complex64, dtypes.float64: dtypes.complex128}


def _fft_rule(x, *, fft_type, fft_length):
    """FFT/IFFT: complex -> complex; RFFT: real -> complex with n//2+1 last entries;
    IRFFT: complex -> real with `fft_length` last entries. Over the trailing len(fft_length)
    dimensions (at most 3)."""
    k = len(fft_length)
    if fft_type not in _FFT_TYPES or not 1 <= k <= 3 or k > x.ndim:
        raise TypeError(f"fft needs fft_type in {_FFT_TYPES} and 1 to 3 trailing dimensions of "
                        f"{x.str_short()}, got {fft_type} with fft_length={tuple(fft_length)}")
    real_in = fft_type == "RFFT"
    if real_in != (x.dtype in _COMPLEX_OF) or (not real_in and x.dtype not in _COMPLEX_OF.values()):
        raise TypeError(f"fft {fft_type} does not accept dtype {x.dtype.name}")
    expected = list(fft_length)
    if fft_type == "IRFFT":
        expected[-1] = fft_length[-1] // 2 + 1
    if list(x.shape[-k:]) != expected:
        raise TypeError(f"fft {fft_type} of {x.str_short()} needs trailing dimensions {expected}")
    shape = list(x.shape)
    if fft_type == "RFFT":
        shape[-1] = fft_length[-1] // 2 + 1
        dtype = _COMPLEX_OF[x.dtype]
    elif fft_type == "IRFFT":
        shape[-1] = fft_length[-1]
        dtype = dtypes.real_dtype(x.dtype)
    else:
        dtype = x.dtype
    return [ShapedArray(tuple(shape), dtype)]


fft = Primitive("stablehlo.fft", _fft_rule, simple_emitter(
    "stablehlo.fft", lambda fft_type, fft_length: {
        "fft_type": stablehlo.FftTypeAttr.get(fft_type), "fft_length": i64_array(fft_length)}))