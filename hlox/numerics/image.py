# Copyright 2020 The JAX Authors. Licensed under the Apache License, Version 2.0.
# Ported from jax/_src/image/scale.py (JAX 0.10.2) onto hlox (hlox has no symbolic dimensions,
# so a dimension is an int).
"""`hlox.numerics.image`, as jax.image: resize and scale_and_translate."""
from __future__ import annotations

from collections.abc import Callable, Sequence
import enum
from functools import partial
import math
import operator
from typing import Any

import numpy as np

from hlox.frontend import dtypes, lax
from hlox.frontend.jit import jit
from hlox.lowering.array import Array
from hlox.numerics.numpy import namespace as jnp
from hlox.numerics.numpy._util import canonicalize_axis, concrete_or_error, promote_dtypes_inexact

ArrayLike = Array
DimSize = int
Shape = Sequence[int]

__all__ = ["ResizeMethod", "resize", "scale_and_translate"]


def _canonicalize_shape(shape):
    return tuple(operator.index(d) for d in shape)


def _fill_lanczos_kernel(radius, x):
  y = radius * jnp.sin(np.pi * x) * jnp.sin(np.pi * x / radius)
  #  out = y / (np.pi ** 2 * x ** 2) where x >1e-3, 1 otherwise
  out = jnp.where(x > 1e-3, jnp.divide(y, jnp.where(x != 0, np.pi**2 * x**2, 1)), 1)
  return jnp.where(x > radius, 0., out)

def _fill_keys_cubic_kernel(x):
  # http://ieeexplore.ieee.org/document/1163711/
  # R. G. Keys. Cubic convolution interpolation for digital image processing.
  # IEEE Transactions on Acoustics, Speech, and Signal Processing,
  # 29(6):1153–1160, 1981.
  #
  # https://en.wikipedia.org/wiki/Bicubic_interpolation#Bicubic_convolution_algorithm
  # This is the Keys kernel with A=-0.5.
  #
  # This kernel matches Pillow, TensorFlow, and Pytorch when
  # antialiasing is enabled.
  out = ((1.5 * x - 2.5) * x) * x + 1.
  out = jnp.where(x >= 1., ((-0.5 * x + 2.5) * x - 4.) * x + 2., out)
  return jnp.where(x >= 2., 0., out)


def _fill_opencv_cubic_kernel(x):
  # See https://github.com/jax-ml/jax/issues/15768#issuecomment-1529939102 and
  # https://en.wikipedia.org/wiki/Bicubic_interpolation#Bicubic_convolution_algorithm
  #
  # When antialiasing is disabled, PyTorch uses a cubic kernel with A = -0.75
  # that matches OpenCV.
  # At least some users consider this a bug (opencv/opencv#17720), and that set
  # of parameters suffers from ringing artifacts.
  a = -0.75
  out = ((a + 2.0) * x - (a + 3.0)) * x * x + 1.0
  out = jnp.where(x >= 1.0, ((a * x - 5.0 * a) * x + 8.0 * a) * x - 4.0 * a,
                  out)
  return jnp.where(x >= 2.0, 0.0, out)


def _fill_triangle_kernel(x):
  return jnp.maximum(0, 1 - jnp.abs(x))

_area_kernel = object()

def compute_weight_mat(input_size: DimSize,
                       output_size: DimSize,
                       scale,
                       translation,
                       kernel: Callable,
                       antialias: bool,
                       edge_padding: bool,
                       radius: int | None):
  dtype = dtypes.result_type(scale, translation)
  inv_scale = 1. / scale
  # When downsampling the kernel should be scaled since we want to low pass
  # filter and interpolate, but when upsampling it should not be since we only
  # want to interpolate.
  kernel_scale = jnp.maximum(inv_scale, 1.) if antialias else 1.

  # sample_f has shape [output_size] and is the floating-point index in the
  # input image corresponding to the center of each output pixel.
  sample_f = ((jnp.arange(output_size, dtype=dtype) + 0.5) * inv_scale -
              translation * inv_scale - 0.5)

  # Evaluate the kernel for all input/output coordinate pairs. If edge_padding
  # is true, this includes k pixels outside the original image.
  if edge_padding:
    assert radius is not None
    if antialias:
      # This case isn't actually reachable from the public APIs at the time of
      # writing, but we did figure it out, so we may as well leave the code.
      concrete_scale = concrete_or_error(
          None, scale,
          context="Antialiasing with edge padding requires a static scale."
      )
      inv_scale_val = 1.0 / float(concrete_scale)
      kernel_scale_val = max(inv_scale_val, 1.0)
      k = math.ceil(radius * kernel_scale_val)
    else:
      k = radius
  else:
    k = 0

  expanded_indices = jnp.arange(-k, input_size + k, dtype=dtype)
  if kernel is _area_kernel:
    # Compute the left and right boundaries of each output pixel projected
    # back into the input coordinate system.
    L_i = jnp.arange(output_size, dtype=dtype) * inv_scale - translation * inv_scale
    R_i = L_i + inv_scale

    # Compute the left and right boundaries of each input pixel.
    L_j = jnp.arange(input_size, dtype=dtype)
    R_j = L_j + 1.0

    # The weight is the length of the overlap between the projected output
    # pixel interval [L_i, R_i] and the input pixel interval [L_j, R_j].
    # The overlap of [A, B] and [C, D] is max(0, min(B, D) - max(A, C)).
    weights = jnp.maximum(
        0.0,
        jnp.minimum(R_i[np.newaxis, :], R_j[:, np.newaxis])
        - jnp.maximum(L_i[np.newaxis, :], L_j[:, np.newaxis]),
    )
  else:
    x = jnp.abs(sample_f[np.newaxis, :] - expanded_indices[:, np.newaxis])
    x = x / kernel_scale
    weights = kernel(x)

  if edge_padding:
    # Some of the weights are for indices outside the input image. We use a
    # scatter-add to move their mass onto the relevant edge pixels.
    clamped_indices = jnp.clip(
      expanded_indices.astype(jnp.int32), 0, input_size - 1)
    output_indices = jnp.arange(output_size)
    weight_mat = jnp.zeros((input_size, output_size), dtype=dtype)
    output_indices_expanded = lax.broadcast_in_dim(
        output_indices, (expanded_indices.shape[0], output_size), (1,))
    weight_mat = weight_mat.at[
        clamped_indices[:, np.newaxis], output_indices_expanded
    ].add(weights)
    # Normalize the weights
    total_weight_sum = jnp.sum(weight_mat, axis=0, keepdims=True)
    weights = jnp.where(
        jnp.abs(total_weight_sum) > 1000. * float(np.finfo(np.float32).eps),
        jnp.divide(weight_mat,
                   jnp.where(total_weight_sum != 0, total_weight_sum, 1)),
        0)
  else:
    # Normalize the weights to account for the fact that some or all of the
    # input coordinates might not be in the valid part of the input image.
    total_weight_sum = jnp.sum(weights, axis=0, keepdims=True)
    weights = jnp.where(
        jnp.abs(total_weight_sum) > 1000. * float(np.finfo(np.float32).eps),
        jnp.divide(weights,
                   jnp.where(total_weight_sum != 0, total_weight_sum, 1)),
        0)

    # Zero out weights where the sample location is completely outside the input
    # range. sample_f has already had the 0.5 removed, hence the weird range
    # below.
    input_size_minus_0_5 = input_size - 0.5
    weights = jnp.where(
        jnp.logical_and(sample_f >= -0.5,
                        sample_f <= input_size_minus_0_5)[np.newaxis, :],
        weights, 0)

  return weights


def _scale_and_translate(x, output_shape: Shape,
                         spatial_dims: Sequence[int], scale, translation,
                         kernel, antialias: bool, precision,
                         edge_padding: bool = False, radius: int | None = None):
  """Args:"""
  input_shape = x.shape
  assert len(input_shape) == len(output_shape)
  assert len(spatial_dims) == len(scale)
  assert len(spatial_dims) == len(translation)
  if len(spatial_dims) == 0:
    return x
  contractions = []
  in_indices = list(range(len(output_shape)))
  out_indices = list(range(len(output_shape)))
  for i, d in enumerate(spatial_dims):
    d = canonicalize_axis(d, x.ndim)
    m = input_shape[d]
    n = output_shape[d]
    w = compute_weight_mat(
        m, n, scale[i], translation[i], kernel, antialias,
        edge_padding=edge_padding, radius=radius,
    ).astype(x.dtype)
    contractions.append(w)
    contractions.append([d, len(output_shape) + i])
    out_indices[d] = len(output_shape) + i
  contractions.append(out_indices)
  return jnp.einsum(x, in_indices, *contractions, precision=precision)


class ResizeMethod(enum.Enum):
  """Image resize method."""

  NEAREST = 0
  LINEAR = 1
  LANCZOS3 = 2
  LANCZOS5 = 3
  CUBIC = 4
  CUBIC_PYTORCH = 5
  AREA = 6

  # Caution: The current resize implementation assumes that the resize kernels
  # are interpolating, i.e. for the identity warp the output equals the input.
  # This is not true for, e.g. a Gaussian kernel, so if such kernels are added
  # the implementation will need to be changed.

  @staticmethod
  def from_string(s: str):
    if s == 'nearest':
      return ResizeMethod.NEAREST
    if s in ['linear', 'bilinear', 'trilinear', 'triangle']:
      return ResizeMethod.LINEAR
    elif s == 'lanczos3':
      return ResizeMethod.LANCZOS3
    elif s == 'lanczos5':
      return ResizeMethod.LANCZOS5
    elif s in ['cubic', 'bicubic', 'tricubic']:
      return ResizeMethod.CUBIC
    elif s in ['cubic-pytorch', 'bicubic-pytorch']:
      return ResizeMethod.CUBIC_PYTORCH
    elif s == 'area':
      return ResizeMethod.AREA
    else:
      raise ValueError(f'Unknown resize method "{s}"')

_kernels = {
    ResizeMethod.LINEAR: (1, _fill_triangle_kernel),
    ResizeMethod.LANCZOS3: (3, lambda x: _fill_lanczos_kernel(3., x)),
    ResizeMethod.LANCZOS5: (5, lambda x: _fill_lanczos_kernel(5., x)),
    ResizeMethod.CUBIC: (2, _fill_keys_cubic_kernel),
    ResizeMethod.CUBIC_PYTORCH: (2, _fill_opencv_cubic_kernel),
    ResizeMethod.AREA: (1, _area_kernel),
}


# scale and translation here are scalar elements of an np.array, what is the
# correct type annotation?
def scale_and_translate(image, shape: Shape,
                        spatial_dims: Sequence[int],
                        scale, translation,
                        method: str | ResizeMethod,
                        antialias: bool = True,
                        precision=lax.Precision.HIGHEST):
  """Apply a scale and translation to an image."""
  shape = _canonicalize_shape(shape)
  if len(shape) != image.ndim:
    msg = ('shape must have length equal to the number of dimensions of x; '
           f' {shape} vs {image.shape}')
    raise ValueError(msg)
  if isinstance(method, str):
    method = ResizeMethod.from_string(method)
  if method == ResizeMethod.NEAREST:
    # Nearest neighbor is currently special-cased for straight resize, so skip
    # for now.
    raise ValueError('Nearest neighbor resampling is not currently supported '
                     'for scale_and_translate.')
  assert isinstance(method, ResizeMethod)

  if method == ResizeMethod.CUBIC_PYTORCH and antialias:
    method = ResizeMethod.CUBIC
  radius, kernel = _kernels[method]
  edge_padding = (method == ResizeMethod.CUBIC_PYTORCH and not antialias)
  image, = promote_dtypes_inexact(image)
  scale, translation = promote_dtypes_inexact(scale, translation)
  return _scale_and_translate(
     image, shape, spatial_dims, scale, translation, kernel, antialias,
     precision, edge_padding=edge_padding, radius=radius)


def _resize_nearest(x, output_shape: Shape):
  input_shape = x.shape
  assert len(input_shape) == len(output_shape)
  spatial_dims = tuple(i for i in range(len(input_shape))
                       if not (input_shape[i] == output_shape[i]))
  for d in spatial_dims:
    m = input_shape[d]
    n = output_shape[d]
    offsets = (jnp.arange(n, dtype=np.float32) + 0.5) * m / n
    # TODO(b/206898375): this computation produces the wrong result on
    # CPU and GPU when using float64. Use float32 until the bug is fixed.
    offsets = jnp.floor(offsets.astype(np.float32)).astype(np.int32)
    indices: list[Any] = [slice(None)] * len(input_shape)
    indices[d] = offsets
    x = x[tuple(indices)]
  return x


@jit(static_argnums=(1, 2, 3, 4))
def _resize(image, shape: Shape, method: str | ResizeMethod,
            antialias: bool, precision):
  if len(shape) != image.ndim:
    msg = ('shape must have length equal to the number of dimensions of x; '
           f' {shape} vs {image.shape}')
    raise ValueError(msg)
  if isinstance(method, str):
    method = ResizeMethod.from_string(method)
  if method == ResizeMethod.NEAREST:
    return _resize_nearest(image, shape)
  assert isinstance(method, ResizeMethod)

  image, = promote_dtypes_inexact(image)
  # Skip dimensions that have scale=1 and translation=0, this is only possible
  # since all of the current resize methods (kernels) are interpolating, so the
  # output = input under an identity warp.
  spatial_dims = tuple(i for i in range(len(shape))
                       if not (image.shape[i] == shape[i]))
  if method == ResizeMethod.CUBIC_PYTORCH and antialias:
    method = ResizeMethod.CUBIC
  radius, kernel = _kernels[method]
  scale = [1.0 if (shape[d] == 0) else shape[d] / image.shape[d]
           for d in spatial_dims]
  edge_padding = (method == ResizeMethod.CUBIC_PYTORCH and not antialias)
  return _scale_and_translate(image, shape, spatial_dims, scale,
                              [0.] * len(spatial_dims), kernel, antialias,
                              precision, edge_padding=edge_padding,
                              radius=radius)


def resize(image, shape: Shape, method: str | ResizeMethod,
           antialias: bool = True,
           precision = lax.Precision.HIGHEST):
  """Image resize."""
  return _resize(image, _canonicalize_shape(shape), method, antialias,
                 precision)
