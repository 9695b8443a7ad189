"""Derivatives of convolution.

Convolution is bilinear: its JVP re-emits it on each tangent and its VJPs are the
transposed convolutions of JAX's `_conv_general_dilated_transpose_lhs/rhs`.
"""
from __future__ import annotations

from hlox.frontend import convolution, lax
from hlox.lowering.mlir import ir, stablehlo
from hlox.passes.autodiff.common import jvp_rule, vjp_rule, zeros_like
from hlox.passes.autodiff.rules.structural import _dot_general_jvp

__all__ = ["conv_transpose_lhs", "conv_transpose_rhs", "pairs", "reshape_axis_into",
           "reshape_axis_out_of", "vjp_lhs_padding"]


def pairs(flat):
    return tuple((flat[i], flat[i + 1]) for i in range(0, len(flat), 2))


# -- convolution -------------------------------------------------------------------------------
def _conv_params(site):
    """The op's attributes as the keyword arguments of convolution.conv_general_dilated."""
    d = stablehlo.ConvDimensionNumbers(site.attr("dimension_numbers"))
    lhs_spec = (d.input_batch_dimension, d.input_feature_dimension, *d.input_spatial_dimensions)
    rhs_spec = (d.kernel_output_feature_dimension, d.kernel_input_feature_dimension,
                *d.kernel_spatial_dimensions)
    out_spec = (d.output_batch_dimension, d.output_feature_dimension, *d.output_spatial_dimensions)
    n = len(lhs_spec) - 2
    if site.has("window_reversal") and any(ir.DenseBoolArrayAttr(site.attr("window_reversal"))):
        site.fail("no differentiation rule for a convolution with window_reversal")
    precision = None
    if site.has("precision_config"):
        precision = stablehlo.PrecisionAttr(ir.ArrayAttr(site.attr("precision_config"))[0]).value
    return dict(
        window_strides=site.ints_or("window_strides", (1,) * n),
        padding=pairs(site.ints_or("padding", (0,) * (2 * n))),
        lhs_dilation=site.ints_or("lhs_dilation", (1,) * n),
        rhs_dilation=site.ints_or("rhs_dilation", (1,) * n),
        dimension_numbers=convolution.ConvDimensionNumbers(lhs_spec, rhs_spec, out_spec),
        feature_group_count=site.int_or("feature_group_count", 1),
        batch_group_count=site.int_or("batch_group_count", 1),
        precision=precision)


def _spec_transpose(spec):
    return (spec[1], spec[0]) + tuple(spec[2:])


def reshape_axis_out_of(src, size1, x):
    shape = list(x.shape)
    shape[src:src + 1] = [size1, shape[src] // size1]
    return lax.reshape(x, shape)


def reshape_axis_into(src, dst, x):
    """Merge axis `src` into axis `dst` (numbered as if `src` were removed), `src` major."""
    perm = [i for i in range(x.ndim) if i != src]
    perm.insert(dst, src)
    shape = [d for i, d in enumerate(x.shape) if i != src]
    shape[dst] *= x.shape[src]
    return lax.reshape(x, shape, perm)


def _dilate(shape, dilation):
    return [0 if d == 0 else 1 + r * (d - 1) for d, r in zip(shape, dilation)]


def vjp_lhs_padding(in_shape, window, strides, out_shape, padding, lhs_dilation, rhs_dilation):
    lhs_d, rhs_d, out_d = (_dilate(in_shape, lhs_dilation), _dilate(window, rhs_dilation),
                           _dilate(out_shape, strides))
    before = [r - lo - 1 for r, (lo, _) in zip(rhs_d, padding)]
    after = [l + r - 1 - o - b for l, r, o, b in zip(lhs_d, rhs_d, out_d, before)]
    return list(zip(before, after))


def _vjp_rhs_padding(in_shape, window, strides, out_shape, padding, lhs_dilation, rhs_dilation):
    lhs_d, rhs_d, out_d = (_dilate(in_shape, lhs_dilation), _dilate(window, rhs_dilation),
                           _dilate(out_shape, strides))
    return [(lo, o - l + r - lo - 1) for (lo, _), l, r, o in zip(padding, lhs_d, rhs_d, out_d)]


def _as_dtype(x, dtype):
    return x if x.dtype == dtype else lax.convert_element_type(x, dtype)


def _take(shape, dims):
    return [shape[d] for d in dims]


def conv_transpose_lhs(g, lhs_aval, rhs, p):
    """The cotangent of conv(lhs, rhs, **p)'s lhs: a convolution of g with the flipped kernel."""
    lhs_spec, rhs_spec, out_spec = p["dimension_numbers"]
    fgc, bgc = p["feature_group_count"], p["batch_group_count"]
    padding = vjp_lhs_padding(_take(lhs_aval.shape, lhs_spec[2:]), _take(rhs.shape, rhs_spec[2:]),
                               p["window_strides"], _take(g.shape, out_spec[2:]), p["padding"],
                               p["lhs_dilation"], p["rhs_dilation"])
    groups = fgc if fgc > 1 else bgc
    if groups > 1:  # move the group axis from the kernel's output into its input features
        rhs = reshape_axis_into(rhs_spec[0], rhs_spec[1],
                                 reshape_axis_out_of(rhs_spec[0], groups, rhs))
    kernel = _as_dtype(lax.rev(rhs, rhs_spec[2:]), g.dtype)
    out = convolution.conv_general_dilated(
        g, kernel, window_strides=p["lhs_dilation"], padding=padding,
        lhs_dilation=p["window_strides"], rhs_dilation=p["rhs_dilation"],
        dimension_numbers=convolution.ConvDimensionNumbers(out_spec, _spec_transpose(rhs_spec), lhs_spec),
        feature_group_count=groups, precision=p["precision"])
    out = _as_dtype(out, lhs_aval.dtype)
    if bgc > 1:
        out = reshape_axis_into(lhs_spec[1], lhs_spec[0],
                                 reshape_axis_out_of(lhs_spec[1], bgc, out))
    return out


def conv_transpose_rhs(g, lhs, rhs_aval, p):
    """The cotangent of conv(lhs, rhs, **p)'s rhs: a convolution of lhs with g."""
    lhs_spec, rhs_spec, out_spec = p["dimension_numbers"]
    if g.size == 0:
        return zeros_like(rhs_aval)
    fgc, bgc = p["feature_group_count"], p["batch_group_count"]
    fgc, bgc = (bgc, 1) if bgc > 1 else (1, fgc)
    padding = _vjp_rhs_padding(_take(lhs.shape, lhs_spec[2:]), _take(rhs_aval.shape, rhs_spec[2:]),
                               p["window_strides"], _take(g.shape, out_spec[2:]), p["padding"],
                               p["lhs_dilation"], p["rhs_dilation"])
    out = convolution.conv_general_dilated(
        _as_dtype(lhs, g.dtype), g, window_strides=p["rhs_dilation"], padding=padding,
        lhs_dilation=p["lhs_dilation"], rhs_dilation=p["window_strides"],
        dimension_numbers=convolution.ConvDimensionNumbers(
            _spec_transpose(lhs_spec), _spec_transpose(out_spec), _spec_transpose(rhs_spec)),
        feature_group_count=fgc, batch_group_count=bgc, precision=p["precision"])
    return _as_dtype(out, rhs_aval.dtype)


jvp_rule("stablehlo.convolution")(_dot_general_jvp)


@vjp_rule("stablehlo.convolution")
def _convolution_vjp(site, cts):
    (ct,) = cts
    lhs, rhs = site.inputs
    p = _conv_params(site)
    return [conv_transpose_lhs(ct, lhs.aval, rhs, p) if site.active[0] else None,
            conv_transpose_rhs(ct, lhs, rhs.aval, p) if site.active[1] else None]

