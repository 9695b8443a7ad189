"""lax's convolutions built on conv_general_dilated: conv_transpose and
conv_general_dilated_patches."""
from __future__ import annotations

import math
import operator
from typing import Union

import numpy as np

from hlox.frontend import convolution, errors, lax
from hlox.numerics.numpy import creation, shape as shape_ops

__all__ = ["ConvGeneralDilatedDimensionNumbers", "conv_general_dilated_patches",
           "conv_general_shape_tuple", "conv_shape_tuple", "conv_transpose",
           "conv_transpose_shape_tuple", "reduce_window_shape_tuple"]

ConvGeneralDilatedDimensionNumbers = Union[tuple[str, str, str], convolution.ConvDimensionNumbers, None]


_DEFAULT_CONV_SPECS = {2: ("NC", "IO", "NC"), 3: ("NHC", "HIO", "NHC"),
                       4: ("NHWC", "HWIO", "NHWC"), 5: ("NHWDC", "HWDIO", "NHWDC")}


def _conv_transpose_padding(k, s, padding):
    """(before, after) padding of one dimension of a transposed convolution, given the padding
    of the forward convolution."""
    if padding == "SAME":
        pad_len = k + s - 2
        pad_a = k - 1 if s > k - 1 else int(np.ceil(pad_len / 2))
    elif padding == "VALID":
        pad_len = k + s - 2 + max(k - s, 0)
        pad_a = k - 1
    elif isinstance(padding, tuple):
        pads = tuple(k - p - 1 for p in padding)
        pad_a, pad_len = pads[0], sum(pads)
    else:
        raise errors.value_error(f"Invalid padding mode: {padding}")
    return pad_a, pad_len - pad_a


def conv_transpose(lhs, rhs, strides, padding, rhs_dilation=None, dimension_numbers=None,
                   transpose_kernel=False, precision=None, preferred_element_type=None,
                   use_consistent_padding=False):
    """The transposed convolution (Keras' Conv2DTranspose): a convolution of `lhs` dilated by
    `strides`."""
    lhs, rhs = lax.asarray(lhs), lax.asarray(rhs)
    if lhs.ndim != rhs.ndim or lhs.ndim < 2:
        raise errors.value_error(f"conv_transpose needs lhs and rhs of one rank >= 2, got "
                                 f"{lhs.shape} and {rhs.shape}")
    if dimension_numbers is None:
        if lhs.ndim not in _DEFAULT_CONV_SPECS:
            raise errors.value_error("No 4+ dimensional dimension_number defaults.")
        dimension_numbers = _DEFAULT_CONV_SPECS[lhs.ndim]
    dn = convolution.conv_dimension_numbers(lhs.shape, rhs.shape, dimension_numbers)
    k_sdims = [rhs.shape[d] for d in dn.rhs_spec[2:]]
    rhs_dilation = (1,) * (rhs.ndim - 2) if rhs_dilation is None else tuple(rhs_dilation)
    if use_consistent_padding or padding in ("SAME", "VALID"):
        per_dim = [padding] * len(strides) if isinstance(padding, str) else padding
        pads = tuple(_conv_transpose_padding(1 + r * (k - 1) if k else 0, s, p)
                     for k, r, s, p in zip(k_sdims, rhs_dilation, strides, per_dim))
    else:
        pads = padding
    if transpose_kernel:
        rhs = lax.rev(rhs, dn.rhs_spec[2:])
        rhs = shape_ops.swapaxes(rhs, dn.rhs_spec[0], dn.rhs_spec[1])
    return convolution.conv_general_dilated(lhs, rhs, (1,) * (lhs.ndim - 2), pads, strides,
                                    rhs_dilation, dn, precision=precision,
                                    preferred_element_type=preferred_element_type)


def conv_general_dilated_patches(lhs, filter_shape, window_strides, padding, lhs_dilation=None,
                                 rhs_dilation=None, dimension_numbers=None, precision=None,
                                 preferred_element_type=None):
    """The patches a convolution with a `filter_shape` window sees, as output features
    (channel-major: feature c * prod(filter_shape) + position), by a grouped convolution with
    one-hot filters as in JAX."""
    lhs = lax.asarray(lhs)
    filter_shape = tuple(operator.index(d) for d in filter_shape)
    dn = convolution.conv_dimension_numbers(lhs.shape, (1, 1) + filter_shape, dimension_numbers)
    spatial_size = math.prod(filter_shape)
    n_channels = lhs.shape[dn.lhs_spec[1]]
    rhs = creation.eye(spatial_size, dtype=lhs.dtype)
    rhs = lax.broadcast_in_dim(rhs, (n_channels, spatial_size, spatial_size), (1, 2))
    rhs = lax.reshape(rhs, (n_channels * spatial_size, 1, *filter_shape))
    rhs = shape_ops.moveaxis(rhs, (0, 1), (dn.rhs_spec[0], dn.rhs_spec[1]))
    return convolution.conv_general_dilated(lhs, rhs, window_strides, padding, lhs_dilation,
                                    rhs_dilation, dn, feature_group_count=n_channels,
                                    precision=precision,
                                    preferred_element_type=preferred_element_type)


# -- static shapes (lax.conv_shape_tuple and friends, as JAX computes them) -----------------
def _stride_dim(d, window, stride):
    return 0 if d < window else (d - window) // stride + 1


def conv_shape_tuple(lhs_shape, rhs_shape, strides, pads, batch_group_count=1):
    """The output shape of a convolution of inputs in canonical (N, C, spatial...) order."""
    if isinstance(pads, str):
        pads = lax.padtype_to_pads(lhs_shape[2:], rhs_shape[2:], strides, pads)
    if len(pads) != len(lhs_shape) - 2:
        raise errors.type_error(f"Wrong number of explicit pads for convolution: expected "
                                f"{len(lhs_shape) - 2}, got {len(pads)}.")
    lhs_padded = np.add(lhs_shape[2:], np.sum(np.array(pads).reshape(-1, 2), axis=1))
    if np.any(lhs_padded < 0):
        raise errors.value_error("Negative padding is larger than the size of the corresponding "
                                 f"dimension: got padding={pads} for lhs_shape[2:]={lhs_shape[2:]}")
    out_space = tuple(map(_stride_dim, lhs_padded, rhs_shape[2:], strides))
    out_0 = lhs_shape[0] // batch_group_count if batch_group_count > 1 else lhs_shape[0]
    return tuple((out_0, rhs_shape[0]) + tuple(int(d) for d in out_space))


def conv_general_shape_tuple(lhs_shape, rhs_shape, window_strides, padding, dimension_numbers):
    lhs_perm, rhs_perm, out_perm = convolution.conv_general_permutations(dimension_numbers)
    out_trans = conv_shape_tuple(np.take(lhs_shape, lhs_perm), np.take(rhs_shape, rhs_perm),
                                 window_strides, padding)
    return tuple(int(d) for d in np.take(out_trans, np.argsort(out_perm)))


def conv_transpose_shape_tuple(lhs_shape, rhs_shape, window_strides, padding, dimension_numbers):
    lhs_perm, rhs_perm, out_perm = convolution.conv_general_permutations(dimension_numbers)
    lhs_trans, rhs_trans = np.take(lhs_shape, lhs_perm), np.take(rhs_shape, rhs_perm)
    if isinstance(padding, str):
        padding = [_conv_transpose_padding(k, s, padding) for k, s in zip(rhs_trans[2:], window_strides)]
    padding = list(map(np.sum, padding))
    unpad_out_space = [(i - 1) * s - k + 2 for i, k, s in zip(lhs_trans[2:], rhs_trans[2:], window_strides)]
    out_space = np.sum([unpad_out_space, padding], axis=0).tolist()
    out_trans = tuple((lhs_trans[0], rhs_trans[0]) + tuple(out_space))
    return tuple(int(d) for d in np.take(out_trans, np.argsort(out_perm)))


def reduce_window_shape_tuple(operand_shape, window_dimensions, window_strides, padding,
                              base_dilation=None, window_dilation=None):
    def dilate(shape, dilation):
        return tuple(0 if d == 0 else 1 + r * (d - 1) for d, r in zip(shape, dilation))
    if base_dilation is not None:
        operand_shape = dilate(operand_shape, base_dilation)
    if window_dilation is not None:
        window_dimensions = dilate(window_dimensions, window_dilation)
    padded = tuple(d + lo + hi for d, (lo, hi) in zip(operand_shape, padding))
    return tuple(map(_stride_dim, padded, window_dimensions, window_strides))
