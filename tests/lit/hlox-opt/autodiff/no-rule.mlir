// An op the passes cannot differentiate stops them with a diagnostic at the op: never a wrong
// answer, never a traceback.
// RUN: hlox-opt %s --split-input-file --hlox-grad --verify-diagnostics -o /dev/null
// RUN: not hlox-opt %s --split-input-file --hlox-jvp 2>&1 | FileCheck %s

func.func @main(%x: tensor<3xf32>) -> tensor<f32> {
  // expected-error@+1 {{no differentiation rule for 'stablehlo.custom_call' to 'my_kernel'}}
  %0 = stablehlo.custom_call @my_kernel(%x) : (tensor<3xf32>) -> tensor<3xf32>
  %z = stablehlo.constant dense<0.0> : tensor<f32>
  %1 = stablehlo.reduce(%0 init: %z) applies stablehlo.add across dimensions = [0] : (tensor<3xf32>, tensor<f32>) -> tensor<f32>
  return %1 : tensor<f32>
}

// -----

// expected-error@+1 {{hlox-grad needs a function with exactly one floating-point scalar result}}
func.func @main(%x: tensor<3xf32>) -> tensor<3xf32> {
  return %x : tensor<3xf32>
}

// CHECK: no-rule.mlir:8:{{[0-9]+}}: error: hlox-jvp: no differentiation rule for 'stablehlo.custom_call' to 'my_kernel'
// CHECK-NOT: Traceback
