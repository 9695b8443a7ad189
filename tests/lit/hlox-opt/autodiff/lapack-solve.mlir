// A triangular solve as JAX exports it (jax.scipy.linalg.solve_triangular: a custom_call to
// LAPACK's trsm, flags as characters in mhlo.backend_config: side L, uplo L, trans_x N, diag N).
// hlox-grad differentiates it with the rule of stablehlo.triangular_solve: b's cotangent solves
// with a transposed, a's is -(ct_b x^T) restricted to the lower triangle the kernel reads.
// RUN: hlox-opt %s --hlox-grad | FileCheck %s
// RUN: hlox-opt %s --hlox-jvp | FileCheck %s --check-prefix=JVP

module @jit__lambda attributes {mhlo.num_partitions = 1 : i32, mhlo.num_replicas = 1 : i32} {
  func.func public @main(%arg0: tensor<3x3xf32>, %arg1: tensor<3xf32>) -> (tensor<f32> {jax.result_info = "result"}) {
    %0 = call @_solve_triangular(%arg0, %arg1) : (tensor<3x3xf32>, tensor<3xf32>) -> tensor<3xf32>
    %1 = stablehlo.multiply %0, %0 : tensor<3xf32>
    %cst = stablehlo.constant dense<0.000000e+00> : tensor<f32>
    %2 = stablehlo.reduce(%1 init: %cst) applies stablehlo.add across dimensions = [0] : (tensor<3xf32>, tensor<f32>) -> tensor<f32>
    return %2 : tensor<f32>
  }
  func.func private @_solve_triangular(%arg0: tensor<3x3xf32>, %arg1: tensor<3xf32>) -> tensor<3xf32> {
    %0 = stablehlo.broadcast_in_dim %arg1, dims = [0] : (tensor<3xf32>) -> tensor<3x1xf32>
    %1 = stablehlo.custom_call @lapack_strsm_ffi(%arg0, %0) {backend_config = "", mhlo.backend_config = {diag = 78 : ui8, side = 76 : ui8, trans_x = 78 : ui8, uplo = 76 : ui8}, mhlo.frontend_attributes = {num_batch_dims = "0"}, operand_layouts = [dense<[0, 1]> : tensor<2xindex>, dense<[0, 1]> : tensor<2xindex>], output_operand_aliases = [#stablehlo.output_operand_alias<output_tuple_indices = [], operand_index = 1, operand_tuple_indices = []>], result_layouts = [dense<[0, 1]> : tensor<2xindex>], sdy.sharding_rule = #sdy.op_sharding_rule<([i, j], [k, l])->([m, n]) {i=3, j=3, k=3, l=1, m=3, n=1}, custom>} : (tensor<3x3xf32>, tensor<3x1xf32>) -> tensor<3x1xf32>
    %2 = stablehlo.reshape %1 : (tensor<3x1xf32>) -> tensor<3xf32>
    return %2 : tensor<3xf32>
  }
}

// CHECK-LABEL: func.func public @main_grad(
// CHECK:         call @[[VJP:_solve_triangular_vjp[_0-9]*]](
// CHECK:       func.func private @[[VJP]](
// CHECK-SAME:    %[[A:.*]]: tensor<3x3xf32>, %{{.*}}: tensor<3xf32>, %[[CT:.*]]: tensor<3xf32>)
// CHECK:         %[[X:.*]] = stablehlo.custom_call @lapack_strsm_ffi(%[[A]],
// CHECK:         %[[CT2:.*]] = stablehlo.reshape %[[CT]]
// CHECK:         %[[CT_B:.*]] = "stablehlo.triangular_solve"(%[[A]], %[[CT2]]) <{left_side = true, lower = true, transpose_a = #stablehlo<transpose TRANSPOSE>, unit_diagonal = false}>
// CHECK:         %[[XT:.*]] = stablehlo.transpose %[[X]]
// CHECK:         %[[OUTER:.*]] = stablehlo.dot_general %[[CT_B]], %[[XT]]
// CHECK:         %[[NEG:.*]] = stablehlo.negate %[[OUTER]]
// CHECK:         %[[LOWER:.*]] = stablehlo.compare GE
// CHECK:         %[[CT_A:.*]] = stablehlo.select %[[LOWER]], %[[NEG]],
// CHECK:         return %{{.*}}, %[[CT_A]], %{{.*}}

// The tangent re-solves with the same kernel call.
// JVP-LABEL: func.func private @_solve_triangular_jvp
// JVP:         stablehlo.custom_call @lapack_strsm_ffi
// JVP:         stablehlo.custom_call @lapack_strsm_ffi
