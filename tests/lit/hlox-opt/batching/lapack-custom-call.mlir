// jaxlib's LAPACK kernels loop over leading batch dimensions themselves: batching one adds
// the batch as one more leading dimension (num_batch_dims, column-major layouts with the
// batch major), as JAX does; no per-example loop.
// RUN: hlox-opt %s --hlox-batch='in-axes=0 size=5' | FileCheck %s

func.func @main(%a: tensor<3x3xf32>) -> (tensor<3x3xf32>, tensor<3xf32>) {
  %0:3 = stablehlo.custom_call @lapack_ssyevd_ffi(%a) {backend_config = "", mhlo.backend_config = {mode = 86 : ui8, uplo = 76 : ui8}, mhlo.frontend_attributes = {num_batch_dims = "0"}, operand_layouts = [dense<[0, 1]> : tensor<2xindex>], output_operand_aliases = [#stablehlo.output_operand_alias<output_tuple_indices = [0], operand_index = 0, operand_tuple_indices = []>], result_layouts = [dense<[0, 1]> : tensor<2xindex>, dense<0> : tensor<1xindex>, dense<> : tensor<0xindex>]} : (tensor<3x3xf32>) -> (tensor<3x3xf32>, tensor<3xf32>, tensor<i32>)
  return %0#0, %0#1 : tensor<3x3xf32>, tensor<3xf32>
}

// CHECK-LABEL: func.func @main_batch(
// CHECK-SAME:    %[[A:.*]]: tensor<5x3x3xf32>) -> (tensor<5x3x3xf32>, tensor<5x3xf32>)
// CHECK-NOT:     stablehlo.while
// CHECK:         %[[R:.*]]:3 = stablehlo.custom_call @lapack_ssyevd_ffi(%[[A]])
// CHECK-SAME:      num_batch_dims = "1"
// CHECK-SAME:      operand_layouts = [dense<[1, 2, 0]> : tensor<3xindex>]
// CHECK-SAME:      result_layouts = [dense<[1, 2, 0]> : tensor<3xindex>, dense<[1, 0]> : tensor<2xindex>, dense<0> : tensor<1xindex>]
// CHECK-SAME:      (tensor<5x3x3xf32>) -> (tensor<5x3x3xf32>, tensor<5x3xf32>, tensor<5xi32>)
// CHECK:         return %[[R]]#0, %[[R]]#1
