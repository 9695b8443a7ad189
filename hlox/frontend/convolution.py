"""lax.conv_general_dilated and its dimension-number helpers: stablehlo.convolution."""
from __future__ import annotations

import operator
from collections import namedtuple

from hlox.frontend import dtypes, errors, lax, ops


class ConvDimensionNumbers(namedtuple("ConvDimensionNumbers", ["lhs_spec", "rhs_spec", "out_spec"])):
    """(batch, feature, spatial...) of lhs and output, (out feature, in feature, spatial...)
    of rhs, as dimension indices."""

    def __new__(cls, lhs_spec, rhs_spec, out_spec):
        return super().__new__(cls, tuple(lhs_spec), tuple(rhs_spec), tuple(out_spec))


def conv_general_permutations(dimension_numbers):
    """Dimension indices of the string specs ('NCHW', 'OIHW', 'NCHW'), spatial dimensions in
    the order they appear in the rhs spec."""
    lhs_spec, rhs_spec, out_spec = dimension_numbers
    pairs = (("N", "C"), ("O", "I"), ("N", "C"))
    for i, (a, b) in enumerate(pairs):
        spec = dimension_numbers[i]
        if not spec.count(a) == spec.count(b) == 1:
            raise errors.type_error(f"convolution dimension_numbers[{i}] must contain the "
                                    f"characters '{a}' and '{b}' exactly once, got {spec}")
        if len(spec) != len(set(spec)):
            raise errors.type_error(f"convolution dimension_numbers[{i}] cannot have duplicate "
                                    f"characters, got {spec}")
    spatial = [set(s) - set(p) for s, p in zip(dimension_numbers, pairs)]
    if not spatial[0] == spatial[1] == spatial[2]:
        raise errors.type_error(f"convolution dimension_numbers elements must each have the "
                                f"same set of spatial characters, got {tuple(dimension_numbers)}")

    def perm(spec, pair):
        rest = sorted((i for i, c in enumerate(spec) if c not in pair),
                      key=lambda i: rhs_spec.index(spec[i]))
        return (spec.index(pair[0]), spec.index(pair[1])) + tuple(rest)
    return tuple(perm(s, p) for s, p in zip(dimension_numbers, pairs))


def conv_dimension_numbers(lhs_shape, rhs_shape, dimension_numbers):
    """`dimension_numbers` (None, three strings, or ConvDimensionNumbers) as ConvDimensionNumbers."""
    if isinstance(dimension_numbers, ConvDimensionNumbers):
        return dimension_numbers
    if len(lhs_shape) != len(rhs_shape):
        raise errors.type_error(f"convolution requires lhs and rhs ndim to be equal, got "
                                f"{len(lhs_shape)} and {len(rhs_shape)}")
    if dimension_numbers is None:
        iota_ = tuple(range(len(lhs_shape)))
        return ConvDimensionNumbers(iota_, iota_, iota_)
    if not isinstance(dimension_numbers, (list, tuple)) or len(dimension_numbers) != 3:
        raise errors.type_error(f"convolution dimension_numbers must be None, a "
                                f"ConvDimensionNumbers or three strings, got {dimension_numbers!r}")
    if not all(isinstance(s, str) for s in dimension_numbers):
        return ConvDimensionNumbers(*dimension_numbers)
    for i, spec in enumerate(dimension_numbers):
        if len(spec) != len(lhs_shape):
            raise errors.type_error(f"convolution dimension_numbers[{i}] must have len equal to "
                                    f"the ndim of lhs and rhs, got {len(spec)} for lhs and rhs "
                                    f"shapes {tuple(lhs_shape)} and {tuple(rhs_shape)}")
    return ConvDimensionNumbers(*conv_general_permutations(dimension_numbers))


def _dilate_shape(shape, dilation):
    return [0 if d == 0 else 1 + r * (d - 1) for d, r in zip(shape, dilation)]


def conv_general_dilated(lhs, rhs, window_strides, padding, lhs_dilation=None, rhs_dilation=None,
                         dimension_numbers=None, feature_group_count=1, batch_group_count=1,
                         precision=None, preferred_element_type=None, out_sharding=None):
    lhs, rhs = lax.asarray(lhs), lax.asarray(rhs)
    dnums = conv_dimension_numbers(lhs.shape, rhs.shape, dimension_numbers)
    n = lhs.ndim - 2
    if lhs_dilation is None:
        lhs_dilation = (1,) * n
    elif isinstance(padding, str) and any(d != 1 for d in lhs_dilation):
        raise errors.value_error("String padding is not implemented for transposed convolution "
                                 "using this op. Please either exactly specify the required "
                                 "padding or use conv_transpose.")
    rhs_dilation = (1,) * n if rhs_dilation is None else rhs_dilation
    if isinstance(padding, str):
        window = _dilate_shape([rhs.shape[d] for d in dnums.rhs_spec[2:]], rhs_dilation)
        padding = lax.padtype_to_pads([lhs.shape[d] for d in dnums.lhs_spec[2:]], window,
                                  window_strides, padding)
    else:
        try:
            padding = tuple((operator.index(lo), operator.index(hi)) for lo, hi in padding)
        except (ValueError, TypeError):
            raise errors.value_error(f"padding argument to conv_general_dilated should be a "
                                     f"string or a sequence of (low, high) pairs, got "
                                     f"{padding}") from None
    if lhs.dtype != rhs.dtype:
        raise errors.type_error(f"conv_general_dilated requires arguments to have the same "
                                f"dtypes, got {lhs.dtype.name}, {rhs.dtype.name}")
    pet = None if preferred_element_type is None else dtypes.canonicalize(
        dtypes.to_dtype(preferred_element_type))
    return ops.convolution.bind(
        lhs, rhs, window_strides=tuple(int(s) for s in window_strides),
        padding=tuple(padding), lhs_dilation=tuple(int(d) for d in lhs_dilation),
        rhs_dilation=tuple(int(d) for d in rhs_dilation),
        dimension_numbers=ConvDimensionNumbers(*dnums),
        feature_group_count=int(feature_group_count), batch_group_count=int(batch_group_count),
        precision=lax._precision_name(precision),
        preferred_element_type=pet if pet != lhs.dtype else None)


def conv(lhs, rhs, window_strides, padding, precision=None, preferred_element_type=None):
    return conv_general_dilated(lhs, rhs, window_strides, padding, precision=precision,
                                preferred_element_type=preferred_element_type)


def conv_with_general_padding(lhs, rhs, window_strides, padding, lhs_dilation, rhs_dilation,
                              precision=None, preferred_element_type=None):
    return conv_general_dilated(lhs, rhs, window_strides, padding, lhs_dilation=lhs_dilation,
                                rhs_dilation=rhs_dilation, precision=precision,
                                preferred_element_type=preferred_element_type)


__all__ = sorted(n for n, v in list(globals().items())
                 if not n.startswith("_") and getattr(v, "__module__", None) == __name__
                 and (callable(v) or isinstance(v, type)))
