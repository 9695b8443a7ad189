// RUN: hlox-opt %s --cse | FileCheck %s --check-prefix=CSE
// RUN: hlox-opt %s --pass-pipeline='builtin.module(func.func(cse),canonicalize)' | FileCheck %s --check-prefix=CSE
// RUN: hlox-opt %s --pass-pipeline='cse,canonicalize' | FileCheck %s --check-prefix=CSE
// RUN: hlox-opt %s --canonicalize | FileCheck %s --check-prefix=CANON
// RUN: hlox-opt %s | FileCheck %s --check-prefix=NONE
// RUN: cat %s | hlox-opt - --cse -o %t && FileCheck %s --check-prefix=CSE --input-file=%t

// CSE-LABEL: func.func @main(%arg0: tensor<2xf32>) -> tensor<2xf32> {
// CSE-NEXT:    %[[A:.*]] = stablehlo.add %arg0, %arg0 : tensor<2xf32>
// CSE-NEXT:    %[[M:.*]] = stablehlo.multiply %[[A]], %[[A]] : tensor<2xf32>
// CSE-NEXT:    return %[[M]] : tensor<2xf32>

// CANON-LABEL: func.func @main
// CANON-COUNT-2: stablehlo.add
// CANON-NOT:     stablehlo.negate

// NONE: module {
// NONE-COUNT-2: stablehlo.add
// NONE: stablehlo.negate
func.func @main(%a: tensor<2xf32>) -> tensor<2xf32> {
  %0 = stablehlo.add %a, %a : tensor<2xf32>
  %1 = stablehlo.add %a, %a : tensor<2xf32>
  %2 = stablehlo.multiply %0, %1 : tensor<2xf32>
  %unused = stablehlo.negate %a : tensor<2xf32>
  return %2 : tensor<2xf32>
}
