"""One primitive per StableHLO (and CHLO) op: its shape/dtype rule and emitter.

Shape and dtype checking happens here and only here; everything above
(`lax`, `numpy`) calls these primitives after arranging its operands.
"""
from __future__ import annotations

import numpy as np

from hlox.frontend import dtypes
from hlox.lowering.avals import ShapedArray
from hlox.frontend.core import Tracer
from hlox.frontend.primitives import Primitive, emit, simple_emitter
from hlox.lowering import mlir
from hlox.lowering.mlir import ir, stablehlo


def i64_array(values):
    return ir.DenseI64ArrayAttr.get([int(v) for v in values])


def i64(value):
    return ir.IntegerAttr.get(ir.IntegerType.get_signless(64), int(value))


def bool_attr(value):
    return ir.BoolAttr.get(bool(value))


def _weak(*avals):
    return all(a.weak_type for a in avals)


def _shape_str(avals):
    return ", ".join(a.str_short() for a in avals)


# -- elementwise ------------------------------------------------------------------
def _same_shapes_and_dtypes(name, avals):
    shapes = {a.shape for a in avals}
    if len(shapes) != 1:
        raise TypeError(f"{name} requires arguments of the same shape, got {_shape_str(avals)}")
    kinds = {a.dtype for a in avals}
    if len(kinds) != 1:
        raise TypeError(f"{name} requires arguments of the same dtype, got {_shape_str(avals)}")


_ACCEPTS = {
    "float": lambda d: dtypes.is_inexact(d),
    "real_float": lambda d: dtypes.is_float(d),
    "int_or_bool": lambda d: dtypes.is_integer(d) or dtypes.is_bool(d),
    "int": lambda d: dtypes.is_integer(d),
    "numeric": lambda d: not dtypes.is_bool(d),
    "signed": lambda d: dtypes.is_signed(d) or dtypes.is_inexact(d),
    "any": lambda d: True,
}


def elementwise_rule(name, accepts="any"):
    check = _ACCEPTS[accepts]

    def rule(*avals):
        _same_shapes_and_dtypes(name, avals)
        if not check(avals[0].dtype):
            raise TypeError(f"{name} does not accept dtype {avals[0].dtype.name} "
                            f"(accepts {accepts.replace('_', ' ')} types)")
        return [ShapedArray(avals[0].shape, avals[0].dtype, _weak(*avals))]
    return rule


def _elementwise(op_name, accepts="any"):
    short = op_name.split(".")[1]
    return Primitive(op_name, elementwise_rule(short, accepts), simple_emitter(op_name))


_UNARY = {
    # name: accepted dtypes
    "abs": "signed", "negate": "numeric", "sign": "signed", "sqrt": "float", "rsqrt": "float",
    "cbrt": "real_float", "exponential": "float", "exponential_minus_one": "float", "log": "float",
    "log_plus_one": "float", "sine": "float", "cosine": "float", "tan": "float", "tanh": "float",
    "logistic": "float", "floor": "real_float", "ceil": "real_float",
    "round_nearest_even": "real_float", "round_nearest_afz": "real_float", "not": "int_or_bool",
    "count_leading_zeros": "int", "popcnt": "int",
}
_BINARY = {
    "add": "numeric", "subtract": "numeric", "multiply": "numeric", "divide": "numeric",
    "remainder": "numeric", "power": "numeric", "maximum": "any", "minimum": "any",
    "atan2": "float", "and": "int_or_bool", "or": "int_or_bool", "xor": "int_or_bool",
    "shift_left": "int", "shift_right_arithmetic": "int", "shift_right_logical": "int",
}
_CHLO_UNARY = {
    "sinh": "float", "cosh": "float", "asin": "float", "acos": "float", "atan": "float",
    "asinh": "float", "acosh": "float", "atanh": "float", "erf": "real_float",
    "erfc": "real_float", "lgamma": "real_float", "digamma": "real_float",
    "erf_inv": "real_float", "bessel_i1e": "real_float",
}

_CHLO_BINARY = {"polygamma": "real_float", "zeta": "real_float", "next_after": "real_float"}

unary = {name: _elementwise(f"stablehlo.{name}", acc) for name, acc in _UNARY.items()}
chlo_binary = {name: _elementwise(f"chlo.{name}", acc) for name, acc in _CHLO_BINARY.items()}
binary = {name: _elementwise(f"stablehlo.{name}", acc) for name, acc in _BINARY.items()}
chlo_unary = {name: _elementwise(f"chlo.{name}", acc) for name, acc in _CHLO_UNARY.items()}


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
    _same_shapes_and_dtypes("complex", [re, im])
    if re.dtype not in (dtypes.float32, dtypes.float64):
        raise TypeError(f"complex requires float32 or float64 parts, got {re.str_short()}")
    out = dtypes.complex64 if re.dtype == dtypes.float32 else dtypes.complex128
    return [ShapedArray(re.shape, out, _weak(re, im))]


complex_ = Primitive("stablehlo.complex", _complex_rule, simple_emitter("stablehlo.complex"))


# -- compare / select / clamp ---------------------------------------------------------
def _compare_rule(x, y, *, direction, compare_type=None):
    _same_shapes_and_dtypes("compare", [x, y])
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
    _same_shapes_and_dtypes("select", [on_true, on_false])
    if pred.shape not in ((), on_true.shape):
        raise TypeError(f"select predicate shape {pred.shape} must be () or match the "
                        f"operands' {on_true.shape}")
    return [on_true.update(weak_type=_weak(on_true, on_false))]


select = Primitive("stablehlo.select", _select_rule, simple_emitter("stablehlo.select"))


def _clamp_rule(lo, x, hi):
    for bound in (lo, hi):
        if bound.dtype != x.dtype or bound.shape not in ((), x.shape):
            raise TypeError(f"clamp bounds must be scalars or match the operand; got "
                            f"{_shape_str([lo, x, hi])}")
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
                            f"elsewhere and one dtype, got {_shape_str(xs)}")
    shape = list(first.shape)
    shape[dimension] = sum(x.shape[dimension] for x in xs)
    return [first.update(shape=shape, weak_type=_weak(*xs))]


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
        raise TypeError(f"dot_general requires operands of one dtype, got {_shape_str([lhs, rhs])}")
    shape = ([lhs.shape[i] for i in lb]
             + [d for i, d in enumerate(lhs.shape) if i not in lb and i not in lc]
             + [d for i, d in enumerate(rhs.shape) if i not in rb and i not in rc])
    dtype = lhs.dtype if preferred_element_type is None else preferred_element_type
    return [ShapedArray(shape, dtype, _weak(lhs, rhs) and preferred_element_type is None)]


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


# -- regions: reduce, sort, scatter ---------------------------------------------------
def build_region(trace, region, arg_avals, body):
    """Trace `body(*scalar tracers) -> list` into the single block of `region`."""
    types = [mlir.tensor_type(a.shape, a.dtype) for a in arg_avals]
    block = region.blocks.append(*types)
    saved = trace.ip
    trace.ip = ir.InsertionPoint(block)
    try:
        args = [Tracer(trace, aval, block.arguments[i]) for i, aval in enumerate(arg_avals)]
        outs = body(*args)
        values = [trace.value_of(o) for o in outs]
        emit(trace, "stablehlo.return", values, [])
    finally:
        trace.ip = saved


def _reduce_rule(*avals, dimensions, body):
    n = len(avals) // 2
    operands, inits = avals[:n], avals[n:]
    for x in operands:
        if x.shape != operands[0].shape:
            raise TypeError(f"reduce operands must share a shape, got {_shape_str(operands)}")
    for x, init in zip(operands, inits):
        if init.shape != () or init.dtype != x.dtype:
            raise TypeError(f"reduce init values must be scalars of the operand dtypes, got "
                            f"{_shape_str(inits)} for {_shape_str(operands)}")
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


def _sort_rule(*avals, dimension, is_stable, comparator):
    for x in avals:
        if x.shape != avals[0].shape:
            raise TypeError(f"sort operands must share a shape, got {_shape_str(avals)}")
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


def _gather_rule(operand, indices, *, offset_dims, collapsed_slice_dims, start_index_map,
                 index_vector_dim, slice_sizes, operand_batching_dims=(),
                 start_indices_batching_dims=(), indices_are_sorted=False):
    batch_shape = [d for i, d in enumerate(indices.shape) if i != index_vector_dim]
    offset_sizes = [s for i, s in enumerate(slice_sizes)
                    if i not in collapsed_slice_dims and i not in operand_batching_dims]
    rank = len(batch_shape) + len(offset_sizes)
    shape, bi, oi = [], 0, 0
    for i in range(rank):
        if i in offset_dims:
            shape.append(offset_sizes[oi])
            oi += 1
        else:
            shape.append(batch_shape[bi])
            bi += 1
    if not dtypes.is_integer(indices.dtype):
        raise TypeError(f"gather indices must be integers, got {indices.str_short()}")
    return [operand.update(shape=shape)]


def _gather_emit(trace, values, out_avals, *, offset_dims, collapsed_slice_dims, start_index_map,
                 index_vector_dim, slice_sizes, operand_batching_dims=(),
                 start_indices_batching_dims=(), indices_are_sorted=False):
    dnums = stablehlo.GatherDimensionNumbers.get(
        offset_dims=list(offset_dims), collapsed_slice_dims=list(collapsed_slice_dims),
        operand_batching_dims=list(operand_batching_dims),
        start_indices_batching_dims=list(start_indices_batching_dims),
        start_index_map=list(start_index_map), index_vector_dim=index_vector_dim)
    return list(emit(trace, "stablehlo.gather", values, out_avals, {
        "dimension_numbers": dnums, "slice_sizes": i64_array(slice_sizes),
        "indices_are_sorted": bool_attr(indices_are_sorted)}).results)


gather = Primitive("stablehlo.gather", _gather_rule, _gather_emit)


def _scatter_rule(operand, indices, updates, *, update_window_dims, inserted_window_dims,
                  scatter_dims_to_operand_dims, index_vector_dim, combiner,
                  input_batching_dims=(), scatter_indices_batching_dims=(),
                  indices_are_sorted=False, unique_indices=False):
    if updates.dtype != operand.dtype:
        raise TypeError(f"scatter updates {updates.str_short()} must have the operand's dtype "
                        f"{operand.dtype}")
    return [operand]


def _scatter_emit(trace, values, out_avals, *, update_window_dims, inserted_window_dims,
                  scatter_dims_to_operand_dims, index_vector_dim, combiner,
                  input_batching_dims=(), scatter_indices_batching_dims=(),
                  indices_are_sorted=False, unique_indices=False):
    dnums = stablehlo.ScatterDimensionNumbers.get(
        update_window_dims=list(update_window_dims),
        inserted_window_dims=list(inserted_window_dims),
        input_batching_dims=list(input_batching_dims),
        scatter_indices_batching_dims=list(scatter_indices_batching_dims),
        scattered_dims_to_operand_dims=list(scatter_dims_to_operand_dims),
        index_vector_dim=index_vector_dim)
    op = emit(trace, "stablehlo.scatter", values, out_avals, {
        "scatter_dimension_numbers": dnums,
        "indices_are_sorted": bool_attr(indices_are_sorted),
        "unique_indices": bool_attr(unique_indices)}, regions=1)
    scalar = ShapedArray((), out_avals[0].dtype)
    build_region(trace, op.regions[0], [scalar, scalar], combiner)
    return list(op.results)


scatter = Primitive("stablehlo.scatter", _scatter_rule, _scatter_emit)


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
                        f"{_shape_str([lhs, rhs])}")
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
        raise TypeError(f"convolution requires operands of one dtype, got {_shape_str([lhs, rhs])}")
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
    return [ShapedArray(shape, dtype, _weak(lhs, rhs) and preferred_element_type is None)]


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
                        f"operand's dtype, got {_shape_str([operand, source, init])}")
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


# -- linear algebra ----------------------------------------------------------------------
def _check_square_batch(name, a):
    if a.ndim < 2 or a.shape[-1] != a.shape[-2]:
        raise ValueError(f"{name} needs square matrices [..., n, n], got {a.str_short()}")
    if not dtypes.is_inexact(a.dtype):
        raise TypeError(f"{name} needs a floating-point or complex operand, got {a.str_short()}")


def _cholesky_rule(a, *, lower=True):
    _check_square_batch("cholesky", a)
    return [a.update(weak_type=False)]


cholesky = Primitive("stablehlo.cholesky", _cholesky_rule, simple_emitter(
    "stablehlo.cholesky", lambda lower=True: {"lower": bool_attr(lower)}))

TRANSPOSE_KINDS = ("NO_TRANSPOSE", "TRANSPOSE", "ADJOINT")


def _triangular_solve_rule(a, b, *, left_side, lower, unit_diagonal, transpose_a):
    _check_square_batch("triangular_solve", a)
    if b.dtype != a.dtype or b.ndim != a.ndim:
        raise TypeError(f"triangular_solve needs a and b of one dtype and rank, got "
                        f"{_shape_str([a, b])}")
    if a.shape[:-2] != b.shape[:-2]:
        raise ValueError(f"triangular_solve needs equal batch dimensions, got {_shape_str([a, b])}")
    common = b.shape[-2] if left_side else b.shape[-1]
    if common != a.shape[-1]:
        side = "rows" if left_side else "columns"
        raise ValueError(f"triangular_solve: b {b.str_short()} must have {a.shape[-1]} {side} "
                         f"to match a {a.str_short()} (left_side={bool(left_side)})")
    if transpose_a not in TRANSPOSE_KINDS:
        raise ValueError(f"triangular_solve transpose_a must be one of {TRANSPOSE_KINDS}, got "
                         f"{transpose_a!r}")
    return [b.update(weak_type=False)]


triangular_solve = Primitive("stablehlo.triangular_solve", _triangular_solve_rule, simple_emitter(
    "stablehlo.triangular_solve", lambda left_side, lower, unit_diagonal, transpose_a: {
        "left_side": bool_attr(left_side), "lower": bool_attr(lower),
        "unit_diagonal": bool_attr(unit_diagonal),
        "transpose_a": stablehlo.TransposeAttr.get(transpose_a)}))


def _while_rule(*avals, cond, body, attributes=None):
    return list(avals)


def _while_emit(trace, values, out_avals, *, cond, body, attributes=None):
    op = emit(trace, "stablehlo.while", values, out_avals, attributes, regions=2)
    carried = [ShapedArray(a.shape, a.dtype) for a in out_avals]
    build_region(trace, op.regions[0], carried, cond)
    build_region(trace, op.regions[1], carried, body)
    return list(op.results)


# `cond(*carry) -> [pred]` and `body(*carry) -> [carry...]` are traced into the two regions;
# `attributes` (e.g. hlox.trip_count, hlox.max_steps) are set on the op for the passes to read.
while_loop = Primitive("stablehlo.while", _while_rule, _while_emit, multiple_results=True)


def _branches_primitive(op_name, selector_ok, selector_kind):
    """`stablehlo.if` / `stablehlo.case`: `branches` are nullary callables traced into the
    regions (for `if`, the false branch is the second region; for `case`, branch i runs for
    index i and the last one when the index is out of range)."""
    def rule(selector, *, branches, result_avals):
        if selector.shape != () or not selector_ok(selector.dtype):
            raise TypeError(f"{op_name} needs a scalar {selector_kind} selector, got "
                            f"{selector.str_short()}")
        return list(result_avals)

    def emit_rule(trace, values, out_avals, *, branches, result_avals):
        op = emit(trace, op_name, values, out_avals, regions=len(branches))
        for region, branch in zip(op.regions, branches):
            build_region(trace, region, [], branch)
        return list(op.results)
    return Primitive(op_name, rule, emit_rule, multiple_results=True)


if_ = _branches_primitive("stablehlo.if", lambda d: d == dtypes.bool_, "boolean")
case = _branches_primitive("stablehlo.case", lambda d: d == dtypes.int32, "int32")


# -- fft --------------------------------------------------------------------------------
_FFT_TYPES = ("FFT", "IFFT", "RFFT", "IRFFT")
_COMPLEX_OF = {dtypes.float32: dtypes.complex64, dtypes.float64: dtypes.complex128}


def _fft_rule(x, *, fft_type, fft_length):
    """FFT/IFFT: complex -> complex; RFFT: real -> complex with n//2+1 last entries;
    IRFFT: complex -> real with `fft_length` last entries. Over the trailing len(fft_length)
    dimensions (at most 3)."""
    k = len(fft_length)
    if fft_type not in _FFT_TYPES or not 1 <= k <= 3 or k > x.ndim:
        raise TypeError(f"fft needs fft_type in {_FFT_TYPES} and 1 to 3 trailing dimensions of "
                        f"{x.str_short()}, got {fft_type} with fft_length={tuple(fft_length)}")
    real_in = fft_type == "RFFT"
    if real_in != (x.dtype in _COMPLEX_OF) or (not real_in and x.dtype not in _COMPLEX_OF.values()):
        raise TypeError(f"fft {fft_type} does not accept dtype {x.dtype.name}")
    expected = list(fft_length)
    if fft_type == "IRFFT":
        expected[-1] = fft_length[-1] // 2 + 1
    if list(x.shape[-k:]) != expected:
        raise TypeError(f"fft {fft_type} of {x.str_short()} needs trailing dimensions {expected}")
    shape = list(x.shape)
    if fft_type == "RFFT":
        shape[-1] = fft_length[-1] // 2 + 1
        dtype = _COMPLEX_OF[x.dtype]
    elif fft_type == "IRFFT":
        shape[-1] = fft_length[-1]
        dtype = dtypes.real_dtype(x.dtype)
    else:
        dtype = x.dtype
    return [ShapedArray(tuple(shape), dtype)]


fft = Primitive("stablehlo.fft", _fft_rule, simple_emitter(
    "stablehlo.fft", lambda fft_type, fft_length: {
        "fft_type": stablehlo.FftTypeAttr.get(fft_type), "fft_length": i64_array(fft_length)}))
