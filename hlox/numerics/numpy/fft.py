"""`hlox.numpy.fft`: jax.numpy.fft on stablehlo.fft (transforms over at most 3 trailing axes
per op; more axes are done in rounds, as JAX does)."""
from __future__ import annotations

import operator

import numpy as np

from hlox.frontend import dtypes, errors, lax, ops
from hlox.numerics.numpy import array_constructors, creation, elementwise, shape
from hlox.numerics.numpy._util import asarray, check_arraylike

__all__ = ["fft", "ifft", "rfft", "irfft", "fft2", "ifft2", "rfft2", "irfft2", "fftn", "ifftn",
           "rfftn", "irfftn", "hfft", "ihfft", "fftfreq", "rfftfreq", "fftshift", "ifftshift"]

_WIDE = (dtypes.float64, dtypes.complex128)


def _prepare(x, fft_type):
    """Operand of the op: real float32/float64 for RFFT, complex64/complex128 otherwise."""
    inexact, _ = dtypes.to_inexact(x.dtype, False)
    if fft_type == "RFFT":
        if dtypes.is_complex(inexact):
            raise errors.value_error("only real valued inputs supported for rfft")
        if inexact not in (dtypes.float32, dtypes.float64):
            raise errors.value_error(f"RFFT input must be float32 or float64, got {inexact.name}")
        target = inexact
    else:
        target = dtypes.complex128 if inexact in _WIDE else dtypes.complex64
    return lax.convert_element_type(x, target)


def _fft_nd(x, fft_type, s):
    """The op over the trailing len(s) axes, in rounds of at most 3 axes."""
    if len(s) <= 3:
        return ops.fft.bind(_prepare(x, fft_type), fft_type=fft_type, fft_length=tuple(s))
    n = 2 if len(s) == 4 else 3
    src = tuple(range(x.ndim - len(s), x.ndim - n))
    dst = tuple(range(x.ndim - len(s) + n, x.ndim))
    if fft_type in ("FFT", "RFFT"):
        x = shape.moveaxis(_fft_nd(x, fft_type, s[-n:]), src, dst)
        return shape.moveaxis(_fft_nd(x, "FFT", s[:-n]), dst, src)
    x = shape.moveaxis(_fft_nd(shape.moveaxis(x, src, dst), "IFFT", s[:-n]), dst, src)
    return _fft_nd(x, fft_type, s[-n:])


def _norm_factor(s, name, norm, dtype):
    size = float(np.prod(s))
    factors = {"ortho": np.sqrt(size), "forward": size}
    if norm not in factors:
        raise errors.value_error(f'Invalid norm value {norm}; should be "backward", "ortho" or '
                                 f'"forward".')
    f = factors[norm]
    return lax.full((), f if name.startswith("i") else 1 / f, dtype)


def _fft_core(name, fft_type, a, s, axes, norm):
    check_arraylike(f"jax.numpy.fft.{name}", a)
    x = asarray(a)
    if s is not None:
        s = tuple(operator.index(d) for d in s)
        if any(d <= 0 for d in s):
            raise errors.value_error("Shape should be positive.")
        if axes is not None and len(s) != len(axes):
            raise errors.value_error("Shape and axes have different lengths.")
    user_axes = axes
    if axes is None:
        axes = range(x.ndim) if s is None else range(x.ndim - len(s), x.ndim)
    axes = tuple(axes)
    if len(axes) != len(set(axes)):
        raise errors.value_error(f"jax.numpy.fft.{name} does not support repeated axes. Got "
                                 f"axes {axes}.")
    if user_axes is not None:  # the op transforms trailing axes
        axes = tuple(range(x.ndim - len(axes), x.ndim))
        x = shape.moveaxis(x, user_axes, axes)
    if s is not None:
        sizes = list(x.shape)
        for ax, d in zip(axes, s):
            sizes[ax] = d
        if fft_type == "IRFFT":
            sizes[-1] = sizes[-1] // 2 + 1
        x = x[tuple(slice(d) for d in sizes)]
        x = shape.pad(x, [(0, d - have) for d, have in zip(sizes, x.shape)])
    elif fft_type == "IRFFT":
        s = [x.shape[ax] for ax in axes[:-1]] + ([max(0, 2 * (x.shape[axes[-1]] - 1))]
                                                 if axes else [])
    else:
        s = [x.shape[ax] for ax in axes]
    out = _fft_nd(x, fft_type, list(s)) if axes else _prepare(x, fft_type)
    if norm is not None and norm != "backward":
        out = elementwise.multiply(out, _norm_factor(s, name, norm, out.dtype))
    return shape.moveaxis(out, axes, user_axes) if user_axes is not None else out



def _one_axis(name, fft_type):
    def fn(a, n=None, axis=-1, norm=None):
        if isinstance(axis, (list, tuple)):
            raise errors.value_error(f"jax.numpy.fft.{name} does not support multiple axes. "
                                     f"Please use jax.numpy.fft.{name}n. Got axis = {list(axis)}.")
        return _fft_core(name, fft_type, a, None if n is None else [n],
                         None if axis is None else [axis], norm)
    fn.__name__ = name
    return fn


def _n_axes(name, fft_type, default_axes=None):
    def fn(a, s=None, axes=default_axes, norm=None):
        return _fft_core(name, fft_type, a, s, axes, norm)
    fn.__name__ = name
    return fn


fft, ifft = _one_axis("fft", "FFT"), _one_axis("ifft", "IFFT")
rfft, irfft = _one_axis("rfft", "RFFT"), _one_axis("irfft", "IRFFT")
fftn, ifftn = _n_axes("fftn", "FFT"), _n_axes("ifftn", "IFFT")
rfftn, irfftn = _n_axes("rfftn", "RFFT"), _n_axes("irfftn", "IRFFT")
fft2, ifft2 = _n_axes("fft2", "FFT", (-2, -1)), _n_axes("ifft2", "IFFT", (-2, -1))
rfft2, irfft2 = _n_axes("rfft2", "RFFT", (-2, -1)), _n_axes("irfft2", "IRFFT", (-2, -1))


def hfft(a, n=None, axis=-1, norm=None):
    """The FFT of a signal with Hermitian symmetry: irfft of the conjugate, rescaled."""
    x = asarray(a)
    n = n if n is not None else 2 * (x.shape[axis] - 1)
    flipped = {"backward": "forward", "forward": "backward", "ortho": "ortho"}.get(
        norm or "backward")
    return irfft(elementwise.conj(x), n, axis, flipped)


def ihfft(a, n=None, axis=-1, norm=None):
    flipped = {"backward": "forward", "forward": "backward", "ortho": "ortho"}.get(
        norm or "backward")
    return elementwise.conj(rfft(a, n, axis, flipped))


def _freq_args(name, n, d):
    if isinstance(n, (list, tuple)):
        raise errors.value_error(f"The n argument of jax.numpy.fft.{name} only takes an int. "
                                 f"Got n = {list(n)}.")
    if isinstance(d, (list, tuple)):
        raise errors.value_error(f"The d argument of jax.numpy.fft.{name} only takes a single "
                                 f"value. Got d = {list(d)}.")


def fftfreq(n, d=1.0, *, dtype=None, device=None):
    _freq_args("fftfreq", n, d)
    out_dtype = dtypes.default_float() if dtype is None else array_constructors._dtype_arg(dtype)
    work, _ = dtypes.to_inexact(out_dtype, False)
    work = dtypes.real_dtype(work)
    i = creation.arange(n, dtype=work)
    k = elementwise.subtract(elementwise.remainder(i + n // 2, n), n // 2)
    scale = array_constructors.array(d * n, dtype=work)
    return lax.convert_element_type(elementwise.divide(k, scale),
                                    out_dtype)


def rfftfreq(n, d=1.0, *, dtype=None, device=None):
    _freq_args("rfftfreq", n, d)
    dtype = dtypes.default_float() if dtype is None else array_constructors._dtype_arg(dtype)
    k = creation.arange(0, n // 2 + 1, dtype=dtype)
    return elementwise.divide(k, array_constructors.array(d * n, dtype=dtype))


def _shift(name, sign):
    def fn(x, axes=None):
        check_arraylike(name, x)
        x = asarray(x)
        if axes is None:
            axes = tuple(range(x.ndim))
        if isinstance(axes, int):
            return shape.roll(x, sign * (x.shape[axes] // 2), axes)
        return shape.roll(x, [sign * (x.shape[ax] // 2) for ax in axes], tuple(axes))
    fn.__name__ = name
    return fn


fftshift, ifftshift = _shift("fftshift", 1), _shift("ifftshift", -1)
