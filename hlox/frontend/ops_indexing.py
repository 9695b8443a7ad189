"""gather and scatter: the primitives of indexing with an array of start indices."""
from __future__ import annotations

from hlox.frontend import dtypes
from hlox.frontend.op_builders import bool_attr, build_region, i64_array
from hlox.frontend.primitives import Primitive, emit
from hlox.lowering.avals import ShapedArray
from hlox.lowering.mlir import stablehlo


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
