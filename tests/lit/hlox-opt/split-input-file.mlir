// RUN: hlox-opt %s --split-input-file --cse | FileCheck %s
// RUN: not hlox-opt %s --split-input-file --hlox-grad='func=second' 2>&1 | FileCheck %s --check-prefix=ERR

// CHECK-LABEL: func.func @first
// CHECK-COUNT-1: stablehlo.add
// CHECK: // -----
// CHECK-LABEL: func.func @second
// CHECK-COUNT-1: stablehlo.multiply
// CHECK-NOT: // -----

// Each chunk is its own module; diagnostics keep the line numbers of the whole file.
// ERR: split-input-file.mlir:[[# @LINE + 2]]:1: error: hlox-grad: no function @second in the module
// ERR: split-input-file.mlir:[[# @LINE + 10]]:1: error: hlox-grad:
func.func @first(%a: tensor<2xf32>) -> tensor<2xf32> {
  %0 = stablehlo.add %a, %a : tensor<2xf32>
  %1 = stablehlo.add %a, %a : tensor<2xf32>
  %2 = stablehlo.subtract %0, %1 : tensor<2xf32>
  return %2 : tensor<2xf32>
}

// -----

func.func @second(%a: tensor<2xf32>) -> tensor<2xf32> {
  %0 = stablehlo.multiply %a, %a : tensor<2xf32>
  %1 = stablehlo.multiply %a, %a : tensor<2xf32>
  %2 = stablehlo.subtract %0, %1 : tensor<2xf32>
  return %2 : tensor<2xf32>
}
