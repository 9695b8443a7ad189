// A dynamic_slice with a batched start index becomes one gather (the operand's batch, when it
// has one, is a batching dimension of the gather); a convolution folds a batched lhs into its
// batch dimension and a batched kernel, with a batched lhs, into feature groups. No loops.
// RUN: hlox-opt %s --hlox-batch='in-axes=none,0,none,0 size=6' | FileCheck %s --check-prefix=LHS
// RUN: hlox-opt %s --hlox-batch='in-axes=0,0,0,0 size=6' | FileCheck %s --check-prefix=ALL

func.func @main(%x: tensor<5x3xf32>, %i: tensor<i32>, %k: tensor<2x3x3x4xf32>, %img: tensor<1x8x8x3xf32>) -> (tensor<2x3xf32>, tensor<1x8x8x4xf32>) {
  %c0 = stablehlo.constant dense<0> : tensor<i32>
  %0 = stablehlo.dynamic_slice %x, %i, %c0, sizes = [2, 3] : (tensor<5x3xf32>, tensor<i32>, tensor<i32>) -> tensor<2x3xf32>
  %1 = stablehlo.convolution(%img, %k) dim_numbers = [b, 0, 1, f]x[0, 1, i, o]->[b, 0, 1, f], window = {stride = [1, 1], pad = [[0, 1], [1, 1]]} {batch_group_count = 1 : i64, feature_group_count = 1 : i64} : (tensor<1x8x8x3xf32>, tensor<2x3x3x4xf32>) -> tensor<1x8x8x4xf32>
  return %0, %1 : tensor<2x3xf32>, tensor<1x8x8x4xf32>
}

// LHS-LABEL: func.func @main_batch(
// LHS-SAME:    %[[X:.*]]: tensor<5x3xf32>, %[[I:.*]]: tensor<6xi32>, %[[K:.*]]: tensor<2x3x3x4xf32>, %[[IMG:.*]]: tensor<6x1x8x8x3xf32>)
// LHS-NOT:     stablehlo.while
// LHS:         %[[IDX:.*]] = stablehlo.concatenate {{.*}} -> tensor<6x2xi32>
// LHS:         "stablehlo.gather"(%[[X]], %[[IDX]]) <{dimension_numbers = #stablehlo.gather<offset_dims = [1, 2], start_index_map = [0, 1], index_vector_dim = 1>, {{.*}}slice_sizes = array<i64: 2, 3>}> : (tensor<5x3xf32>, tensor<6x2xi32>) -> tensor<6x2x3xf32>
// LHS:         %[[N:.*]] = stablehlo.reshape %[[IMG]] : (tensor<6x1x8x8x3xf32>) -> tensor<6x8x8x3xf32>
// LHS:         %[[C:.*]] = stablehlo.convolution(%[[N]], %[[K]]) {{.*}} feature_group_count = 1 : i64} : (tensor<6x8x8x3xf32>, tensor<2x3x3x4xf32>) -> tensor<6x8x8x4xf32>
// LHS:         stablehlo.reshape %[[C]] : (tensor<6x8x8x4xf32>) -> tensor<6x1x8x8x4xf32>
// LHS-NOT:     stablehlo.while

// ALL-LABEL: func.func @main_batch(
// ALL-NOT:     stablehlo.while
// ALL:         "stablehlo.gather"({{.*}}) <{dimension_numbers = #stablehlo.gather<offset_dims = [1, 2], operand_batching_dims = [0], start_indices_batching_dims = [0], start_index_map = [1, 2], index_vector_dim = 1>, {{.*}}slice_sizes = array<i64: 1, 2, 3>}> : (tensor<6x5x3xf32>, tensor<6x2xi32>) -> tensor<6x2x3xf32>
// ALL:         stablehlo.convolution({{.*}}) {{.*}} {batch_group_count = 1 : i64, feature_group_count = 6 : i64} : (tensor<1x8x8x18xf32>, tensor<2x3x3x24xf32>) -> tensor<1x8x8x24xf32>
// ALL-NOT:     stablehlo.while
