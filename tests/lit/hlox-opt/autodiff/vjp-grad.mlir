// Reverse mode: @main_vjp(x, w, ct) -> (y, ct_x, ct_w) and @main_grad(x, w) -> (g_x, g_w) of
// sum(tanh(x . w)). The adjoint of dot_general is two dot_generals; the forward ops that only
// produce the primal output are gone from @main_grad.
// RUN: hlox-opt %s --hlox-vjp | FileCheck %s --check-prefix=VJP
// RUN: hlox-opt %s --hlox-grad='wrt=1' | FileCheck %s --check-prefix=GRAD
// RUN: hlox-opt %s --pass-pipeline='builtin.module(hlox-grad,hlox-grad{name=g},canonicalize,cse)' | FileCheck %s --check-prefix=PIPE

func.func @main(%x: tensor<2x3xf32>, %w: tensor<3x4xf32>) -> tensor<f32> {
  %0 = stablehlo.dot_general %x, %w, contracting_dims = [1] x [0] : (tensor<2x3xf32>, tensor<3x4xf32>) -> tensor<2x4xf32>
  %1 = stablehlo.tanh %0 : tensor<2x4xf32>
  %z = stablehlo.constant dense<0.0> : tensor<f32>
  %2 = stablehlo.reduce(%1 init: %z) applies stablehlo.add across dimensions = [0, 1] : (tensor<2x4xf32>, tensor<f32>) -> tensor<f32>
  return %2 : tensor<f32>
}

// VJP-LABEL: func.func @main_vjp(
// VJP-SAME:    %{{.*}}: tensor<2x3xf32>, %{{.*}}: tensor<3x4xf32>, %[[CT:.*]]: tensor<f32>) -> (tensor<f32>, tensor<2x3xf32>, tensor<3x4xf32>)
// VJP:         stablehlo.broadcast_in_dim %[[CT]]
// VJP-COUNT-2: stablehlo.dot_general
// VJP:         return

// GRAD-LABEL: func.func @main_grad(
// GRAD-SAME:    -> tensor<3x4xf32>
// GRAD-NOT:     stablehlo.reduce
// GRAD:         stablehlo.tanh
// GRAD:         stablehlo.dot_general {{.*}} contracting_dims = [0] x [0] : (tensor<2x3xf32>, tensor<2x4xf32>) -> tensor<3x4xf32>
// GRAD-NOT:     stablehlo.transpose
// GRAD:         return

// PIPE-DAG: func.func @main_grad(
// PIPE-DAG: func.func @g(
