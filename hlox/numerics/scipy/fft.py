"""`hlox.numerics.scipy.fft`, as jax.scipy.fft: the type-2 discrete cosine transform and its
inverse, along one axis (dct, idct) or several (dctn, idctn).

The unnormalized DCT-II is y[k] = 2 sum_n x[n] cos(pi k (2n + 1) / 2N). It is computed with one
complex FFT of length N (Makhoul's reordering: the even-indexed samples, then the odd-indexed
ones reversed), and inverted the same way backwards."""
from __future__ import annotations

import math

import numpy as np

from hlox.frontend import dtypes
from hlox.numerics.numpy import namespace as jnp
from hlox.numerics.numpy._util import canonicalize_axis, check_arraylike, promote_dtypes_inexact

__all__ = ["dct", "dctn", "idct", "idctn"]

_NORMS = (None, "backward", "ortho")


def _check_type_and_norm(name, type, norm):
    if type != 2:
        raise NotImplementedError("Only DCT type 2 is implemented.")
    if norm not in _NORMS:
        raise ValueError(f"jax.scipy.fft.{name}: {norm=!r} is not implemented")


def _inexact_array(name, x):
    check_arraylike(f"jax.scipy.fft.{name}", x)
    (x,) = promote_dtypes_inexact(jnp.asarray(x))
    return x


def _resized(x, n, axis):
    """x truncated or zero-padded to length n along axis (unchanged for n=None)."""
    length = x.shape[axis]
    if n is None or n == length:
        return x
    if n < length:
        return jnp.take(x, jnp.arange(n), axis=axis)
    widths = [(0, 0)] * x.ndim
    widths[axis] = (0, n - length)
    return jnp.pad(x, widths)


def _twiddle(length, sign, dtype):
    """exp(sign * i pi k / 2N) for k = 0..N-1."""
    return jnp.asarray(np.exp(sign * 1j * np.pi * np.arange(length) / (2 * length)), dtype=dtype)


def _complex_dtype(real_dtype):
    return jnp.complex128 if jnp.dtype(real_dtype) == jnp.float64 else jnp.complex64


def _makhoul_order(length):
    """Indices of the even samples followed by the odd samples reversed."""
    return list(range(0, length, 2)) + list(range(length - 1 - length % 2, 0, -2))


def _real_dct2_last_axis(x):
    length = x.shape[-1]
    reordered = x[..., _makhoul_order(length)]
    spectrum = jnp.fft.fft(reordered, axis=-1)
    twiddle = _twiddle(length, -1, _complex_dtype(x.dtype))
    return (2 * jnp.real(twiddle * spectrum)).astype(x.dtype)


def _real_idct2_last_axis(coefficients):
    """The x whose unnormalized DCT-II is `coefficients` (real), along the last axis."""
    length = coefficients.shape[-1]
    mirrored = jnp.concatenate([jnp.zeros_like(coefficients[..., :1]),
                                jnp.flip(coefficients[..., 1:], axis=-1)], axis=-1)
    twiddle = _twiddle(length, 1, _complex_dtype(coefficients.dtype))
    spectrum = 0.5 * twiddle * (coefficients - 1j * mirrored)
    reordered = jnp.real(jnp.fft.ifft(spectrum, axis=-1)).astype(coefficients.dtype)
    return reordered[..., np.argsort(_makhoul_order(length))]


def _on_real_and_imaginary_parts(transform, x):
    if dtypes.is_complex(x.dtype):
        return jnp.asarray(transform(jnp.real(x)) + 1j * transform(jnp.imag(x))).astype(x.dtype)
    return transform(x)


def _ortho_scale(length, dtype):
    """The factors turning the unnormalized DCT-II into the orthonormal one."""
    scale = jnp.full((length,), math.sqrt(1 / (2 * length)), dtype=dtype)
    return scale.at[0].set(math.sqrt(1 / (4 * length)))


def _dct_along(x, axis, norm):
    moved = jnp.moveaxis(x, axis, -1)
    out = _on_real_and_imaginary_parts(_real_dct2_last_axis, moved)
    if norm == "ortho":
        out = out * _ortho_scale(out.shape[-1], jnp.real(out).dtype)
    return jnp.moveaxis(out, -1, axis)


def _idct_along(x, axis, norm):
    moved = jnp.moveaxis(x, axis, -1)
    if norm == "ortho":
        moved = moved / _ortho_scale(moved.shape[-1], jnp.real(moved).dtype)
    out = _on_real_and_imaginary_parts(_real_idct2_last_axis, moved)
    return jnp.moveaxis(out, -1, axis)


def dct(x, type=2, n=None, axis=-1, norm=None):
    """The DCT-II of x along axis, after truncating or zero-padding it to length n."""
    _check_type_and_norm("dct", type, norm)
    x = _inexact_array("dct", x)
    axis = canonicalize_axis(axis, x.ndim)
    return _dct_along(_resized(x, n, axis), axis, norm)


def idct(x, type=2, n=None, axis=-1, norm=None):
    """The inverse of dct (so a DCT-III, scaled) of x along axis, resized to n first."""
    _check_type_and_norm("idct", type, norm)
    x = _inexact_array("idct", x)
    axis = canonicalize_axis(axis, x.ndim)
    return _idct_along(_resized(x, n, axis), axis, norm)


def _axes_and_sizes(x, s, axes):
    """The axes to transform (default: the last len(s), or all) and x resized to s on them."""
    if s is not None and len(s) > x.ndim:
        raise ValueError(f"s must have at most x.ndim ({x.ndim}) elements, got {len(s)}")
    if axes is None:
        axes = range(x.ndim - len(s), x.ndim) if s is not None else range(x.ndim)
    axes = [canonicalize_axis(a, x.ndim) for a in axes]
    for axis, n in zip(axes, s if s is not None else ()):
        x = _resized(x, n, axis)
    return x, axes


def _over_axes(name, along):
    def transform(x, type=2, s=None, axes=None, norm=None):
        _check_type_and_norm(name, type, norm)
        x, axes = _axes_and_sizes(_inexact_array(name, x), s, axes)
        for axis in axes:
            x = along(x, axis, norm)
        return x
    transform.__name__ = transform.__qualname__ = name
    return transform


dctn = _over_axes("dctn", _dct_along)  # the DCT-II over several axes: one dct per axis
idctn = _over_axes("idctn", _idct_along)  # its inverse: one idct per axis
