// Bad batching options stop hlox-batch with a diagnostic naming the problem, never a
// traceback.
// RUN: not hlox-opt %s --pass-pipeline='builtin.module(hlox-batch{in-axes=0,2 size=4})' 2>&1 | FileCheck %s --check-prefix=RANGE
// RUN: not hlox-opt %s --pass-pipeline='builtin.module(hlox-batch{in-axes=0,0,0 size=4})' 2>&1 | FileCheck %s --check-prefix=COUNT
// RUN: not hlox-opt %s --pass-pipeline='builtin.module(hlox-batch{in-axes=0,none})' 2>&1 | FileCheck %s --check-prefix=SIZE
// RUN: not hlox-opt %s --pass-pipeline='builtin.module(hlox-batch{in-axes=0,x size=4})' 2>&1 | FileCheck %s --check-prefix=TOKEN
// RUN: not hlox-opt %s --hlox-batch='size=-2' 2>&1 | FileCheck %s --check-prefix=NEGATIVE
// RUN: hlox-opt %s --hlox-batch='in-axes=-1,none size=4' | FileCheck %s --check-prefix=NEGAXIS

func.func @main(%x: tensor<3xf32>, %y: tensor<3xf32>) -> tensor<3xf32> {
  %0 = stablehlo.add %x, %y : tensor<3xf32>
  return %0 : tensor<3xf32>
}

// RANGE: diagnostics.mlir:[[# @LINE - 5]]:1: error: hlox-batch: in-axes entry 2 for argument 1 of @main is out of range for a batched rank of 2
// RANGE-NOT: Traceback
// COUNT: error: hlox-batch: in-axes has 3 entries but @main has 2 arguments
// COUNT-NOT: Traceback
// SIZE: error: hlox-batch: the batch size is required (option size=B)
// SIZE-NOT: Traceback
// TOKEN: hlox-opt: error: invalid pass pipeline: pass 'hlox-batch' option 'in-axes': expected int or none, got 'x'
// NEGATIVE: error: hlox-batch: batch size must be non-negative, got -2
// A negative axis counts from the end of the batched shape: the batch is the last axis of x.
// NEGAXIS: func.func @main_batch(%{{.*}}: tensor<3x4xf32>, %{{.*}}: tensor<3xf32>) -> tensor<4x3xf32>
// NEGAXIS: stablehlo.transpose
