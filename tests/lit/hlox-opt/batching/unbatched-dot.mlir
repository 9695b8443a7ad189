// Values that do not depend on a batched argument stay unbatched, and dot_general gains a
// batch dimension (both sides batched) or carries the batch as a free dimension (one side):
// never a loop, never a transpose before it.
// RUN: hlox-opt %s --pass-pipeline='builtin.module(hlox-batch{in-axes=0,none size=5})' | FileCheck %s --check-prefix=LHS
// RUN: hlox-opt %s --pass-pipeline='builtin.module(hlox-batch{in-axes=0,0 size=5 name=both})' | FileCheck %s --check-prefix=BOTH
// RUN: hlox-opt %s --pass-pipeline='builtin.module(hlox-batch{in-axes=none,-1 size=5 name=rhs})' | FileCheck %s --check-prefix=RHS

func.func @main(%x: tensor<3x4xf32>, %w: tensor<4x2xf32>) -> tensor<3x2xf32> {
  %s = stablehlo.sine %w : tensor<4x2xf32>
  %0 = stablehlo.dot_general %x, %s, contracting_dims = [1] x [0] : (tensor<3x4xf32>, tensor<4x2xf32>) -> tensor<3x2xf32>
  %1 = stablehlo.tanh %0 : tensor<3x2xf32>
  return %1 : tensor<3x2xf32>
}

// LHS-LABEL: func.func @main_batch(
// LHS-SAME:    %[[X:.*]]: tensor<5x3x4xf32>, %[[W:.*]]: tensor<4x2xf32>) -> tensor<5x3x2xf32>
// LHS-NOT:     stablehlo.while
// LHS-NOT:     stablehlo.transpose
// LHS-NOT:     stablehlo.broadcast_in_dim
// LHS:         %[[S:.*]] = stablehlo.sine %[[W]] : tensor<4x2xf32>
// LHS:         %[[D:.*]] = stablehlo.dot_general %[[X]], %[[S]], contracting_dims = [2] x [0] : (tensor<5x3x4xf32>, tensor<4x2xf32>) -> tensor<5x3x2xf32>
// LHS:         %[[T:.*]] = stablehlo.tanh %[[D]] : tensor<5x3x2xf32>
// LHS:         return %[[T]]

// BOTH-LABEL: func.func @both(
// BOTH-SAME:    %[[X:.*]]: tensor<5x3x4xf32>, %[[W:.*]]: tensor<5x4x2xf32>) -> tensor<5x3x2xf32>
// BOTH-NOT:     stablehlo.transpose
// BOTH:         %[[S:.*]] = stablehlo.sine %[[W]] : tensor<5x4x2xf32>
// BOTH:         stablehlo.dot_general %[[X]], %[[S]], batching_dims = [0] x [0], contracting_dims = [2] x [1] : (tensor<5x3x4xf32>, tensor<5x4x2xf32>) -> tensor<5x3x2xf32>
// BOTH-NOT:     stablehlo.while

// The batch is the last axis of w: it stays a free dimension of the rhs, and only the result
// moves to axis 0, where the batched function returns it.
// RHS-LABEL: func.func @rhs(
// RHS-SAME:    %[[X:.*]]: tensor<3x4xf32>, %[[W:.*]]: tensor<4x2x5xf32>) -> tensor<5x3x2xf32>
// RHS:         %[[S:.*]] = stablehlo.sine %[[W]] : tensor<4x2x5xf32>
// RHS-NEXT:    %[[D:.*]] = stablehlo.dot_general %[[X]], %[[S]], contracting_dims = [1] x [0] : (tensor<3x4xf32>, tensor<4x2x5xf32>) -> tensor<3x2x5xf32>
// RHS-NOT:     stablehlo.while
// RHS:         return
