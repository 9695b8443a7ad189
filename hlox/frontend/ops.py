"""One primitive per StableHLO (and CHLO) op: its shape/dtype rule and emitter.

Shape and dtype checking happens here and only here; everything above
(`lax`, `numpy`) calls these primitives after arranging its operands. This module holds the
elementwise ops (built from `op_catalog`), conversions, shape ops, contractions, reductions
and sorting, and re-exports the primitives of the topic modules (`ops_indexing`,
`ops_windows`, `ops_control`, `ops_linalg`, `ops_fft`).
"""
from __future__ import annotations

import numpy as np

from hlox.frontend import dtypes
from hlox.frontend.op_builders import (bool_attr, build_region, i64, i64_array,  # noqa: F401
                                       same_shapes_and_dtypes, shape_str, weak)
from hlox.frontend.op_catalog import DTYPE_CATEGORIES, ops_where
from hlox.frontend.ops_control import case, if_, while_loop  # noqa: F401
from hlox.frontend.ops_fft import fft  # noqa: F401
from hlox.frontend.ops_indexing import gather, scatter  # noqa: F401
from hlox.frontend.ops_linalg import TRANSPOSE_KINDS, cholesky, triangular_solve  # noqa: F401
from hlox.frontend.ops_windows import (convolution, reduce_window,  # noqa: F401
                                       select_and_scatter, window_output_shape)
from hlox.frontend.primitives import Primitive, emit, simple_emitter
from hlox.lowering import mlir
from hlox.lowering.avals import ShapedArray
from hlox.lowering.mlir import ir, stablehlo


# -- elementwise ------------------------------------------------------------------
def elementwise_rule(name, accepts="any"):
    check = DTYPE_CATEGORIES[accepts]

    def rule(*avals):
        same_shapes_and_dtypes(name, avals)
        if not check(avals[0].dtype):
            raise TypeError(f"{name} does not accept dtype {avals[0].dtype.name} "
                            f"(accepts {accepts.replace('_', ' ')} types)")
        return [ShapedArray(avals[0].shape, avals[0].dtype, weak(*avals))]
    return rule


def _elementwise(op):
    return Primitive(op.name, elementwise_rule(op.short, op.dtypes), simple_emitter(op.name))


def _generic(dialect, arity):
    return {op.short: _elementwise(op) for op in ops_where(generic=True, arity=arity)
            if op.name.startswith(dialect + ".")}


unary, binary = _generic("stablehlo", 1), _generic("stablehlo", 2)
chlo_unary, chlo_binary = _generic("chlo", 1), _generic("chlo", 2)


def _abs_rule(x):
    (out,) = elementwise_rule("abs", "signed")(x)
    return [out.update(dtype=dtypes.real_dtype(x.dtype))]


unary["abs"] = Primitive("stablehlo.abs", _abs_rule, simple_emitter("stablehlo.abs"))


def _is_finite_rule(x):
    if not dtypes.is_float(x.dtype):
        raise TypeError(f"is_finite requires a real floating-point operand, got {x.str_short()}")
    return [ShapedArray(x.shape, dtypes.bool_)]


is_finite = Primitive("stablehlo.is_finite", _is_finite_rule, simple_emitter("stablehlo.is_finite"))


def _real_imag_rule(name):
    def rule(x):
        if not dtypes.is_complex(x.dtype):
            raise TypeError(f"{name} requires a complex operand, got {x.str_short()}")
        return [ShapedArray(x.shape, dtypes.real_dtype(x.dtype), x.weak_type)]
    return rule


real = Primitive("stablehlo.real", _real_imag_rule("real"), simple_emitter("stablehlo.real"))
imag = Primitive("stablehlo.imag", _real_imag_rule("imag"), simple_emitter("stablehlo.imag"))


def _complex_rule(re, im):
    same_shapes_and_dtypes("complex", [re, im])
    if re.dtype not in (dtypes.float32, dtypes.float64):
        raise TypeError(f"complex requires float32 or float64 parts, got {re.str_short()}")
    out = dtypes.complex64 if re.dtype == dtypes.float32 else dtypes.complex128
    return [ShapedArray(re.shape, out, weak(re, im))]


complex_ = Primitive("stablehlo.complex", _complex_rule, simple_emitter("stablehlo.complex"))


# -- compare / select / clamp ---------------------------------------------------------
def _compare_rule(x, y, *, direction, compare_type=None):
    same_shapes_and_dtypes("compare", [x, y])
    if direction not in ("EQ", "NE", "LT", "LE", "GT", "GE"):
        raise ValueError(f"unknown comparison direction {direction}")
    # as JAX: the result is weak when both operands are (e.g. bool_array > 1.5 compares weak floats)
    return [ShapedArray(x.shape, dtypes.bool_, x.weak_type and y.weak_type)]


def compare_type_of(dtype):
    if dtypes.is_inexact(dtype):
        return "FLOAT"
    if dtypes.is_signed(dtype):
        return "SIGNED"
    return "UNSIGNED"


def _compare_attrs(direction, compare_type=None):
    return {"comparison_direction": stablehlo.ComparisonDirectionAttr.get(direction),
            **({"compare_type": stablehlo.ComparisonTypeAttr.get(compare_type)}
               if compare_type else {})}


def _compare_emit(trace, values, out_avals, *, direction, compare_type=None):
    if compare_type is None:
        compare_type = compare_type_of(mlir.shape_and_dtype(values[0].type)[1])
    return list(emit(trace, "stablehlo.compare", values, out_avals,
                     _compare_attrs(direction, compare_type)).results)


compare = Primitive("stablehlo.compare", _compare_rule, _compare_emit)


def _select_rule(pred, on_true, on_false):
    if pred.dtype != dtypes.bool_:
        raise TypeError(f"select predicate must be boolean, got {pred.str_short()}")
    same_shapes_and_dtypes("select", [on_true, on_false])
    if pred.shape not in ((), on_true.shape):
        raise TypeError(f"select predicate shape {pred.shape} must be () or match the "
                        f"operands' {on_true.shape}")
    return [on_true.update(weak_type=weak(on_true, on_false))]


select = Primitive("stablehlo.select", _select_rule, simple_emitter("stablehlo.select"))


def _clamp_rule(lo, x, hi):
    for bound in (lo, hi):
        if bound.dtype != x.dtype or bound.shape not in ((), x.shape):
            raise TypeError(f"clamp bounds must be scalars or match the operand; got "
                            f"{shape_str([lo, x, hi])}")
    return [x]


clamp = Primitive("stablehlo.clamp", _clamp_rule, simple_emitter("stablehlo.clamp"))


# -- conversions -----------------------------------------------------------------
def _convert_rule(x, *, new_dtype, weak_type=False):
    return [ShapedArray(x.shape, new_dtype, weak_type)]


convert = Primitive("stablehlo.convert", _convert_rule, simple_emitter("stablehlo.convert"))


def _bitcast_rule(x, *, new_dtype):
    old, new = x.dtype.itemsize, np.dtype(new_dtype).itemsize
    if old == new:
        shape = x.shape
    elif old > new:
        shape = x.shape + (old // new,)
    else:
        if not x.shape or x.shape[-1] != new // old:
            raise ValueError(f"bitcast_convert from {x.dtype} to {new_dtype} needs a last "
                             f"dimension of {new // old}, got shape {x.shape}")
        shape = x.shape[:-1]
    return [ShapedArray(shape, new_dtype)]


bitcast_convert = Primitive("stablehlo.bitcast_convert", _bitcast_rule,
                            simple_emitter("stablehlo.bitcast_convert"))


# -- shape ops ------------------------------------------------------------------
def _broadcast_in_dim_rule(x, *, shape, broadcast_dimensions):
    if len(broadcast_dimensions) != x.ndim:
        raise TypeError(f"broadcast_in_dim: broadcast_dimensions {broadcast_dimensions} must "
                        f"name one output dimension per operand dimension of {x.str_short()}")
    for i, d in enumerate(broadcast_dimensions):
        if not 0 <= d < len(shape) or x.shape[i] not in (1, shape[d]):
            raise TypeError(f"broadcast_in_dim: cannot broadcast operand shape {x.shape} to "
                            f"{tuple(shape)} with broadcast_dimensions {tuple(broadcast_dimensions)}")
    if list(broadcast_dimensions) != sorted(set(broadcast_dimensions)):
        raise TypeError(f"broadcast_in_dim: broadcast_dimensions {broadcast_dimensions} must "
                        "be strictly increasing")
    return [x.update(shape=shape)]


broadcast_in_dim = Primitive(
    "stablehlo.broadcast_in_dim", _broadcast_in_dim_rule,
    simple_emitter("stablehlo.broadcast_in_dim",
                   lambda shape, broadcast_dimensions: {
                       "broadcast_dimensions": i64_array(broadcast_dimensions)}))


def _reshape_rule(x, *, new_sizes):
    if int(np.prod(new_sizes, dtype=np.int64)) != x.size:
        raise TypeError(f"cannot reshape array of shape {x.shape} (size {x.size}) into shape "
                        f"{tuple(new_sizes)}")
    return [x.update(shape=new_sizes)]


reshape = Primitive("stablehlo.reshape", _reshape_rule, simple_emitter("stablehlo.reshape"))


def _transpose_rule(x, *, permutation):
    if sorted(permutation) != list(range(x.ndim)):
        raise ValueError(f"transpose permutation {tuple(permutation)} is not a permutation of "
                         f"the axes of {x.str_short()}")
    return [x.update(shape=[x.shape[p] for p in permutation])]


transpose = Primitive("stablehlo.transpose", _transpose_rule,
                      simple_emitter("stablehlo.transpose",
                                     lambda permutation: {"permutation": i64_array(permutation)}))


def _slice_rule(x, *, start_indices, limit_indices, strides):
    if not len(start_indices) == len(limit_indices) == len(strides) == x.ndim:
        raise TypeError(f"slice indices must have one entry per dimension of {x.str_short()}")
    shape = []
    for s, l, st, d in zip(start_indices, limit_indices, strides, x.shape):
        if not (0 <= s <= l <= d) or st < 1:
            raise ValueError(f"slice start {tuple(start_indices)}, limit {tuple(limit_indices)} "
                             f"and strides {tuple(strides)} are out of range for shape {x.shape}")
        shape.append(-(-(l - s) // st))
    return [x.update(shape=shape)]


slice_ = Primitive("stablehlo.slice", _slice_rule, simple_emitter(
    "stablehlo.slice", lambda start_indices, limit_indices, strides: {
        "start_indices": i64_array(start_indices), "limit_indices": i64_array(limit_indices),
        "strides": i64_array(strides)}))


def _dynamic_slice_rule(x, *starts, slice_sizes):
    if len(starts) != x.ndim or len(slice_sizes) != x.ndim:
        raise TypeError(f"dynamic_slice needs {x.ndim} start indices and slice sizes for "
                        f"{x.str_short()}, got {len(starts)} and {len(slice_sizes)}")
    for s in starts:
        if s.shape != () or not dtypes.is_integer(s.dtype):
            raise TypeError(f"dynamic_slice start indices must be integer scalars, got {s.str_short()}")
    if any(not 0 <= z <= d for z, d in zip(slice_sizes, x.shape)):
        raise TypeError(f"dynamic_slice sizes {tuple(slice_sizes)} exceed shape {x.shape}")
    return [x.update(shape=slice_sizes)]


dynamic_slice = Primitive("stablehlo.dynamic_slice", _dynamic_slice_rule, simple_emitter(
    "stablehlo.dynamic_slice", lambda slice_sizes: {"slice_sizes": i64_array(slice_sizes)}))


def _dynamic_update_slice_rule(x, update, *starts):
    if update.dtype != x.dtype or update.ndim != x.ndim or len(starts) != x.ndim:
        raise TypeError(f"dynamic_update_slice: update {update.str_short()} does not fit "
                        f"operand {x.str_short()} with {len(starts)} start indices")
    if any(u > d for u, d in zip(update.shape, x.shape)):
        raise TypeError(f"dynamic_update_slice: update shape {update.shape} exceeds operand "
                        f"shape {x.shape}")
    return [x]


dynamic_update_slice = Primitive("stablehlo.dynamic_update_slice", _dynamic_update_slice_rule,
                                 simple_emitter("stablehlo.dynamic_update_slice"))


def _concatenate_rule(*xs, dimension):
    if not xs:
        raise ValueError("concatenate needs at least one array")
    first = xs[0]
    for x in xs:
        if x.ndim != first.ndim or x.dtype != first.dtype or any(
                a != b for i, (a, b) in enumerate(zip(x.shape, first.shape)) if i != dimension):
            raise TypeError(f"concatenate along dimension {dimension} needs equal shapes "
                            f"elsewhere and one dtype, got {shape_str(xs)}")
    shape = list(first.shape)
    shape[dimension] = sum(x.shape[dimension] for x in xs)
    return [first.update(shape=shape, weak_type=weak(*xs))]


concatenate = Primitive("stablehlo.concatenate", _concatenate_rule, simple_emitter(
    "stablehlo.concatenate", lambda dimension: {"dimension": i64(dimension)}))


def _pad_rule(x, padding_value, *, low, high, interior):
    if padding_value.shape != () or padding_value.dtype != x.dtype:
        raise TypeError(f"pad value must be a scalar of dtype {x.dtype}, got "
                        f"{padding_value.str_short()}")
    shape = []
    for d, lo, hi, it in zip(x.shape, low, high, interior):
        if it < 0:
            raise ValueError(f"interior padding must be non-negative, got {interior}")
        n = lo + hi + d + max(d - 1, 0) * it
        if n < 0:
            raise ValueError(f"padding {low}, {high} makes a negative dimension from {x.shape}")
        shape.append(n)
    return [x.update(shape=shape)]


pad = Primitive("stablehlo.pad", _pad_rule, simple_emitter(
    "stablehlo.pad", lambda low, high, interior: {
        "edge_padding_low": i64_array(low), "edge_padding_high": i64_array(high),
        "interior_padding": i64_array(interior)}))


def _reverse_rule(x, *, dimensions):
    if any(not 0 <= d < x.ndim for d in dimensions):
        raise ValueError(f"reverse dimensions {dimensions} out of range for {x.str_short()}")
    return [x]


reverse = Primitive("stablehlo.reverse", _reverse_rule, simple_emitter(
    "stablehlo.reverse", lambda dimensions: {"dimensions": i64_array(dimensions)}))


def _iota_rule(*, dtype, shape, dimension):
    if not 0 <= dimension < len(shape):
        raise ValueError(f"iota dimension {dimension} out of range for shape {tuple(shape)}")
    return [ShapedArray(shape, dtype)]


iota = Primitive("stablehlo.iota", _iota_rule, simple_emitter(
    "stablehlo.iota", lambda dtype, shape, dimension: {"iota_dimension": i64(dimension)}))


# -- contractions --------------------------------------------------------------------
def _dot_general_rule(lhs, rhs, *, contracting, batch, preferred_element_type=None,
                      precision=None):
    (lc, rc), (lb, rb) = contracting, batch
    for a, b in zip(lc, rc):
        if lhs.shape[a] != rhs.shape[b]:
            raise TypeError(f"dot_general requires contracting dimensions to have the same "
                            f"size, got {lhs.shape} and {rhs.shape} contracting {tuple(lc)} "
                            f"with {tuple(rc)}")
    for a, b in zip(lb, rb):
        if lhs.shape[a] != rhs.shape[b]:
            raise TypeError(f"dot_general requires batch dimensions to have the same size, got "
                            f"{lhs.shape} and {rhs.shape} batching {tuple(lb)} with {tuple(rb)}")
    if len(lc) != len(rc) or len(lb) != len(rb):
        raise TypeError("dot_general needs as many lhs as rhs contracting/batch dimensions")
    if lhs.dtype != rhs.dtype:
        raise TypeError(f"dot_general requires operands of one dtype, got {shape_str([lhs, rhs])}")
    shape = ([lhs.shape[i] for i in lb]
             + [d for i, d in enumerate(lhs.shape) if i not in lb and i not in lc]
             + [d for i, d in enumerate(rhs.shape) if i not in rb and i not in rc])
    dtype = lhs.dtype if preferred_element_type is None else preferred_element_type
    return [ShapedArray(shape, dtype, weak(lhs, rhs) and preferred_element_type is None)]


def _dot_general_attrs(contracting, batch, preferred_element_type=None, precision=None):
    (lc, rc), (lb, rb) = contracting, batch
    attrs = {"dot_dimension_numbers": stablehlo.DotDimensionNumbers.get(
        lhs_batching_dimensions=list(lb), rhs_batching_dimensions=list(rb),
        lhs_contracting_dimensions=list(lc), rhs_contracting_dimensions=list(rc))}
    if precision is not None:
        attrs["precision_config"] = ir.ArrayAttr.get(
            [stablehlo.PrecisionAttr.get(precision)] * 2)
    return attrs


dot_general = Primitive("stablehlo.dot_general", _dot_general_rule,
                        simple_emitter("stablehlo.dot_general", _dot_general_attrs))


# -- reductions and sorting ------------------------------------------------------------
def _reduce_rule(*avals, dimensions, body):
    n = len(avals) // 2
    operands, inits = avals[:n], avals[n:]
    for x in operands:
        if x.shape != operands[0].shape:
            raise TypeError(f"reduce operands must share a shape, got {shape_str(operands)}")
    for x, init in zip(operands, inits):
        if init.shape != () or init.dtype != x.dtype:
            raise TypeError(f"reduce init values must be scalars of the operand dtypes, got "
                            f"{shape_str(inits)} for {shape_str(operands)}")
    if any(not 0 <= d < operands[0].ndim for d in dimensions):
        raise ValueError(f"reduce dimensions {dimensions} out of range for {operands[0].str_short()}")
    shape = [d for i, d in enumerate(operands[0].shape) if i not in dimensions]
    return [ShapedArray(shape, x.dtype, x.weak_type) for x in operands]


def _reduce_emit(trace, values, out_avals, *, dimensions, body):
    op = emit(trace, "stablehlo.reduce", values, out_avals,
              {"dimensions": i64_array(dimensions)}, regions=1)
    scalars = [ShapedArray((), a.dtype) for a in out_avals]
    build_region(trace, op.regions[0], scalars + scalars, body)
    return list(op.results)


reduce = Primitive("stablehlo.reduce", _reduce_rule, _reduce_emit, multiple_results=True)


def _sort_rule(*avals, dimension, is_stable, comparator):
    for x in avals:
        if x.shape != avals[0].shape:
            raise TypeError(f"sort operands must share a shape, got {shape_str(avals)}")
    return list(avals)


def _sort_emit(trace, values, out_avals, *, dimension, is_stable, comparator):
    op = emit(trace, "stablehlo.sort", values, out_avals,
              {"dimension": i64(dimension), "is_stable": bool_attr(is_stable)}, regions=1)
    scalars = [ShapedArray((), a.dtype) for a in out_avals for _ in (0, 1)]
    build_region(trace, op.regions[0], scalars, comparator)
    return list(op.results)


sort = Primitive("stablehlo.sort", _sort_rule, _sort_emit, multiple_results=True)


def _top_k_rule(x, *, k):
    """The k largest entries of the last axis, in descending order, and their int32 indices
    (ties: the lower index first)."""
    if x.ndim == 0 or dtypes.is_complex(x.dtype) or not 0 <= k <= x.shape[-1]:
        raise TypeError(f"top_k needs a real operand of rank >= 1 and 0 <= k <= its last "
                        f"dimension, got {x.str_short()} and k={k}")
    shape = x.shape[:-1] + (k,)
    return [x.update(shape=shape), ShapedArray(shape, dtypes.int32)]


top_k = Primitive("chlo.top_k", _top_k_rule, simple_emitter("chlo.top_k", lambda k: {"k": i64(k)}),
                  multiple_results=True)

def _rng_bit_generator_rule(state, *, shape, dtype, algorithm="DEFAULT"):
    return [state, ShapedArray(shape, dtype)]


rng_bit_generator = Primitive("stablehlo.rng_bit_generator", _rng_bit_generator_rule,
                              simple_emitter("stablehlo.rng_bit_generator", lambda shape, dtype, algorithm="DEFAULT": {
                                  "rng_algorithm": stablehlo.RngAlgorithmAttr.get(algorithm)}),
                              multiple_results=True)


def _optimization_barrier_rule(*avals):
    return list(avals)


optimization_barrier = Primitive("stablehlo.optimization_barrier", _optimization_barrier_rule,
                                 simple_emitter("stablehlo.optimization_barrier"),
                                 multiple_results=True)
