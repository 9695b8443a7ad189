"""Bit packing: packbits unpackbits."""
from __future__ import annotations

from hlox.frontend import dtypes, errors, lax
from hlox.frontend.jit import eager_jit
from hlox.numerics.numpy import shape as shapes
from hlox.numerics.numpy._util import (_ravel, _slice_axis, asarray, broadcast_to,
                                       canonicalize_axis, check_arraylike)

__all__ = ["packbits", "unpackbits"]


# -- bit packing --------------------------------------------------------------------------
def _bitorder_bits(bitorder):
    if bitorder not in ("little", "big"):
        raise errors.value_error("'order' must be either 'little' or 'big'")
    bits = lax.iota(dtypes.uint8, 8)
    return lax.rev(bits, (0,)) if bitorder == "big" else bits


def _axis_last(arr, axis):
    if axis is None:
        return _ravel(arr), 0
    axis = canonicalize_axis(axis, arr.ndim)
    return shapes.moveaxis(arr, axis, -1), axis


@eager_jit(static_argnames=("axis", "bitorder"))
def packbits(a, axis=None, bitorder="big"):
    check_arraylike("packbits", a)
    arr = asarray(a)
    if not (dtypes.is_integer(arr.dtype) or dtypes.is_bool(arr.dtype)):
        raise errors.type_error("Expected an input array of integer or boolean data type")
    bits = _bitorder_bits(bitorder)
    arr = lax.convert_element_type(lax.ne(arr, lax.full_like(arr, 0)), dtypes.uint8)
    arr, axis = _axis_last(arr, axis)
    extra = -arr.shape[-1] % 8
    arr = lax.pad(arr, lax.full((), 0, dtypes.uint8),
                  [(0, 0, 0)] * (arr.ndim - 1) + [(0, extra, 0)])
    arr = lax.reshape(arr, arr.shape[:-1] + (arr.shape[-1] // 8, 8))
    packed = lax.reduce_or(lax.shift_left(arr, broadcast_to(bits, arr.shape)), [arr.ndim - 1])
    return shapes.moveaxis(packed, -1, axis)


@eager_jit(static_argnames=("axis", "count", "bitorder"))
def unpackbits(a, axis=None, count=None, bitorder="big"):
    check_arraylike("unpackbits", a)
    arr = asarray(a)
    if arr.dtype != dtypes.uint8:
        raise errors.type_error("Expected an input array of unsigned byte data type")
    masks = lax.shift_left(lax.full((8,), 1, dtypes.uint8), _bitorder_bits(bitorder))
    arr, axis = _axis_last(arr, axis)
    wide = lax.broadcast_in_dim(arr, arr.shape + (8,), tuple(range(arr.ndim)))
    bits = lax.ne(lax.and_(wide, broadcast_to(masks, wide.shape)), lax.full_like(wide, 0))
    bits = lax.convert_element_type(bits, dtypes.uint8)
    bits = lax.reshape(bits, bits.shape[:-2] + (bits.shape[-2] * 8,))
    if count is not None:
        extra = count - bits.shape[-1]
        if extra > 0:
            bits = lax.pad(bits, lax.full((), 0, dtypes.uint8),
                           [(0, 0, 0)] * (bits.ndim - 1) + [(0, extra, 0)])
        else:
            bits = _slice_axis(bits, 0, count, bits.ndim - 1)
    return shapes.moveaxis(bits, -1, axis)
