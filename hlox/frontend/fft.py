"""lax.fft: stablehlo.fft over the trailing dimensions."""
from __future__ import annotations

import enum
import operator

from hlox.frontend import dtypes, errors, lax, ops


class FftType(enum.IntEnum):
    """Which transform `fft` performs (jax.lax.FftType)."""
    FFT = 0
    IFFT = 1
    RFFT = 2
    IRFFT = 3


def _fft_type_of(fft_type):
    if isinstance(fft_type, FftType):
        return fft_type
    if isinstance(fft_type, str) and fft_type.upper() in FftType.__members__ \
            and fft_type in (fft_type.upper(), fft_type.lower()):
        return FftType[fft_type.upper()]
    if isinstance(fft_type, str):
        raise errors.value_error(f"Unknown FFT type '{fft_type}'")
    raise TypeError(f"Unknown FFT type value '{fft_type}'")


def fft(x, fft_type, fft_lengths):
    """stablehlo.fft over the trailing len(fft_lengths) dimensions (at most 3) of x."""
    kind = _fft_type_of(fft_type)
    x = lax.asarray(x)
    if kind == FftType.RFFT:
        if dtypes.is_complex(x.dtype):
            raise errors.value_error("only real valued inputs supported for rfft")
        x = lax.convert_element_type(x, dtypes.to_inexact(x.dtype, False)[0])
    else:
        x = lax.convert_element_type(x, dtypes.complex_of(x.dtype))
    fft_lengths = tuple(operator.index(n) for n in fft_lengths)
    if not fft_lengths:
        return x
    if len(fft_lengths) > x.ndim:
        raise errors.value_error(f"FFT input shape {x.shape} must have at least as many input "
                                 f"dimensions as fft_lengths {fft_lengths}.")
    return ops.fft.bind(x, fft_type=kind.name, fft_length=fft_lengths)


__all__ = sorted(n for n, v in list(globals().items())
                 if not n.startswith("_") and getattr(v, "__module__", None) == __name__
                 and (callable(v) or isinstance(v, type)))
