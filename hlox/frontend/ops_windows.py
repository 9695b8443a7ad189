"""Windowed ops: their shared output-shape arithmetic, reduce_window, select_and_scatter and
convolution."""
from __future__ import annotations

import numpy as np

from hlox.frontend import dtypes
from hlox.frontend.op_builders import build_region, i64, i64_array, shape_str, weak
from hlox.frontend.primitives import Primitive, emit, simple_emitter
from hlox.lowering.avals import ShapedArray
from hlox.lowering.mlir import ir, stablehlo


# -- windows: shared shape arithmetic --------------------------------------------------
def window_output_shape(name, shape, window_dimensions, window_strides, padding,
                        base_dilations=None, window_dilations=None):
    """The shape of a windowed op (reduce_window, select_and_scatter, convolution's spatial
    dimensions) over `shape`."""
    n = len(shape)
    base_dilations = base_dilations or (1,) * n
    window_dilations = window_dilations or (1,) * n
    for what, seq in (("window_dimensions", window_dimensions), ("window_strides", window_strides),
                      ("padding", padding), ("base_dilations", base_dilations),
                      ("window_dilations", window_dilations)):
        if len(seq) != n:
            raise TypeError(f"{name}: {what} {tuple(seq)} must have one entry per dimension "
                            f"of the operand shape {tuple(shape)}")
    for what, seq in (("window_strides", window_strides), ("base_dilations", base_dilations),
                      ("window_dilations", window_dilations)):
        if any(v < 1 for v in seq):
            raise ValueError(f"{name}: {what} must be positive, got {tuple(seq)}")
    if any(w < 0 for w in window_dimensions):
        raise ValueError(f"{name}: window_dimensions must be non-negative, got "
                         f"{tuple(window_dimensions)}")
    out = []
    for d, w, s, bd, wd, (lo, hi) in zip(shape, window_dimensions, window_strides,
                                          base_dilations, window_dilations, padding):
        dilated = (d - 1) * bd + 1 + lo + hi if d else lo + hi
        if dilated < 0:
            raise ValueError(f"{name}: padding {tuple(padding)} is larger than the operand "
                             f"shape {tuple(shape)}")
        win = (w - 1) * wd + 1 if w else 0
        out.append(max(0, (dilated - win) // s + 1) if dilated >= win else 0)
    return out


# -- convolution ----------------------------------------------------------------------
def _conv_check_specs(lhs, rhs, dimension_numbers):
    if lhs.ndim != rhs.ndim or lhs.ndim < 2:
        raise TypeError(f"convolution lhs and rhs must have the same rank (at least 2), got "
                        f"{shape_str([lhs, rhs])}")
    for what, spec in zip(("lhs", "rhs", "output"), dimension_numbers):
        if sorted(spec) != list(range(lhs.ndim)):
            raise TypeError(f"convolution {what} dimension numbers {tuple(spec)} must be a "
                            f"permutation of the {lhs.ndim} dimensions")


def _convolution_rule(lhs, rhs, *, window_strides, padding, lhs_dilation, rhs_dilation,
                      dimension_numbers, feature_group_count=1, batch_group_count=1,
                      precision=None, preferred_element_type=None):
    """dimension_numbers: (lhs_spec, rhs_spec, out_spec) as JAX's ConvDimensionNumbers:
    (batch, feature, spatial...), (out feature, in feature, spatial...), (batch, feature, spatial...)."""
    _conv_check_specs(lhs, rhs, dimension_numbers)
    lhs_spec, rhs_spec, out_spec = dimension_numbers
    if lhs.dtype != rhs.dtype:
        raise TypeError(f"convolution requires operands of one dtype, got {shape_str([lhs, rhs])}")
    if dtypes.is_bool(lhs.dtype):
        raise TypeError("convolution does not accept boolean operands")
    if feature_group_count < 1 or batch_group_count < 1:
        raise ValueError(f"convolution feature_group_count ({feature_group_count}) and "
                         f"batch_group_count ({batch_group_count}) must be positive")
    if feature_group_count > 1 and batch_group_count > 1:
        raise ValueError("convolution: at most one of feature_group_count and "
                         "batch_group_count may exceed 1")
    batch, features = lhs.shape[lhs_spec[0]], lhs.shape[lhs_spec[1]]
    out_features, in_features = rhs.shape[rhs_spec[0]], rhs.shape[rhs_spec[1]]
    if features % feature_group_count or features // feature_group_count != in_features:
        raise ValueError(f"convolution lhs feature dimension ({features}) divided by "
                         f"feature_group_count ({feature_group_count}) must equal the rhs input "
                         f"feature dimension ({in_features})")
    if out_features % feature_group_count or out_features % batch_group_count:
        raise ValueError(f"convolution rhs output feature dimension ({out_features}) must be a "
                         f"multiple of feature_group_count ({feature_group_count}) and "
                         f"batch_group_count ({batch_group_count})")
    if batch % batch_group_count:
        raise ValueError(f"convolution batch_group_count ({batch_group_count}) must divide the "
                         f"lhs batch dimension ({batch})")
    spatial_in = [lhs.shape[d] for d in lhs_spec[2:]]
    window = [rhs.shape[d] for d in rhs_spec[2:]]
    spatial = window_output_shape("convolution", spatial_in, window, window_strides, padding,
                                  lhs_dilation, rhs_dilation)
    shape = [0] * lhs.ndim
    for d, size in zip(out_spec, [batch // batch_group_count, out_features] + spatial):
        shape[d] = size
    dtype = lhs.dtype if preferred_element_type is None else preferred_element_type
    return [ShapedArray(shape, dtype, weak(lhs, rhs) and preferred_element_type is None)]


def _precision_config(precision, count):
    if precision is None:
        return None
    names = precision if isinstance(precision, (tuple, list)) else (precision,) * count
    return ir.ArrayAttr.get([stablehlo.PrecisionAttr.get(p) for p in names])


def _convolution_attrs(window_strides, padding, lhs_dilation, rhs_dilation, dimension_numbers,
                       feature_group_count=1, batch_group_count=1, precision=None,
                       preferred_element_type=None):
    lhs_spec, rhs_spec, out_spec = dimension_numbers
    dnums = stablehlo.ConvDimensionNumbers.get(
        input_batch_dimension=lhs_spec[0], input_feature_dimension=lhs_spec[1],
        input_spatial_dimensions=list(lhs_spec[2:]),
        kernel_output_feature_dimension=rhs_spec[0], kernel_input_feature_dimension=rhs_spec[1],
        kernel_spatial_dimensions=list(rhs_spec[2:]),
        output_batch_dimension=out_spec[0], output_feature_dimension=out_spec[1],
        output_spatial_dimensions=list(out_spec[2:]))
    attrs = {
        "dimension_numbers": dnums,
        "feature_group_count": i64(feature_group_count),
        "batch_group_count": i64(batch_group_count),
        "window_strides": i64_array(window_strides),
        "padding": ir.DenseElementsAttr.get(
            np.asarray(padding, np.int64).reshape(len(window_strides), 2)),
        "lhs_dilation": i64_array(lhs_dilation),
        "rhs_dilation": i64_array(rhs_dilation),
    }
    config = _precision_config(precision, 2)
    if config is not None:
        attrs["precision_config"] = config
    return attrs


convolution = Primitive("stablehlo.convolution", _convolution_rule,
                        simple_emitter("stablehlo.convolution", _convolution_attrs))


# -- select_and_scatter ------------------------------------------------------------------
def _select_and_scatter_rule(operand, source, init, *, window_dimensions, window_strides,
                             padding, select, scatter):
    if source.dtype != operand.dtype or init.dtype != operand.dtype or init.shape != ():
        raise TypeError(f"select_and_scatter needs a source and a scalar init value of the "
                        f"operand's dtype, got {shape_str([operand, source, init])}")
    expected = window_output_shape("select_and_scatter", operand.shape, window_dimensions,
                                   window_strides, padding)
    if tuple(expected) != tuple(source.shape):
        raise TypeError(f"select_and_scatter source shape {source.shape} must be the windowed "
                        f"shape {tuple(expected)} of the operand {operand.str_short()}")
    return [operand.update(weak_type=False)]


def _select_and_scatter_emit(trace, values, out_avals, *, window_dimensions, window_strides,
                             padding, select, scatter):
    pad_attr = ir.DenseElementsAttr.get(
        np.asarray(padding, np.int64).reshape(len(window_dimensions), 2))
    op = emit(trace, "stablehlo.select_and_scatter", values, out_avals, {
        "window_dimensions": i64_array(window_dimensions),
        "window_strides": i64_array(window_strides),
        "padding": pad_attr}, regions=2)
    scalar = ShapedArray((), out_avals[0].dtype)
    build_region(trace, op.regions[0], [scalar, scalar], select)
    build_region(trace, op.regions[1], [scalar, scalar], scatter)
    return list(op.results)


select_and_scatter = Primitive("stablehlo.select_and_scatter", _select_and_scatter_rule,
                               _select_and_scatter_emit)

def _reduce_window_rule(*avals, window_dimensions, window_strides, base_dilations,
                        window_dilations, padding, body):
    n = len(avals) // 2
    operands = avals[:n]
    shape = window_output_shape("reduce_window", operands[0].shape, window_dimensions,
                                window_strides, padding, base_dilations, window_dilations)
    return [ShapedArray(shape, x.dtype, x.weak_type) for x in operands]


def _reduce_window_emit(trace, values, out_avals, *, window_dimensions, window_strides,
                        base_dilations, window_dilations, padding, body):
    pad_attr = ir.DenseElementsAttr.get(np.asarray(padding, np.int64).reshape(-1, 2))
    op = emit(trace, "stablehlo.reduce_window", values, out_avals, {
        "window_dimensions": i64_array(window_dimensions),
        "window_strides": i64_array(window_strides),
        "base_dilations": i64_array(base_dilations),
        "window_dilations": i64_array(window_dilations),
        "padding": pad_attr}, regions=1)
    scalars = [ShapedArray((), a.dtype) for a in out_avals]
    build_region(trace, op.regions[0], scalars + scalars, body)
    return list(op.results)


reduce_window = Primitive("stablehlo.reduce_window", _reduce_window_rule, _reduce_window_emit,
                          multiple_results=True)
