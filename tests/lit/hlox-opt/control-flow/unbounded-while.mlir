// A while loop whose trip count depends on the data. Reverse mode needs a bound: without
// one, hlox-grad stops with a diagnostic naming the loop; with hlox.max_steps (what
// hlox.lax.while_loop(..., max_steps=N) sets) the forward loop counts its steps and stacks
// the carry into a max_steps-long buffer, the backward loop runs from the last step down to
// 0, and a loop that ran past the bound yields NaN. Batching with a batched predicate runs
// until every example is done (an `or` over the batch), freezing finished examples.
// RUN: not hlox-opt %s --split-input-file --hlox-grad 2>%t.err | FileCheck %s --check-prefix=GRAD
// RUN: FileCheck %s --check-prefix=ERR < %t.err
// RUN: hlox-opt %s --split-input-file --hlox-batch='in-axes=0 size=4' | FileCheck %s --check-prefix=BATCH

func.func @main(%x: tensor<f32>) -> tensor<f32> {
  %r = stablehlo.while(%c = %x) : tensor<f32>
  cond {
    %ten = stablehlo.constant dense<10.0> : tensor<f32>
    %p = stablehlo.compare LT, %c, %ten, FLOAT : (tensor<f32>, tensor<f32>) -> tensor<i1>
    stablehlo.return %p : tensor<i1>
  } do {
    %m = stablehlo.multiply %c, %c : tensor<f32>
    stablehlo.return %m : tensor<f32>
  }
  return %r : tensor<f32>
}

// ERR: unbounded-while.mlir:[[# @LINE - 12]]:8: error: hlox-grad: reverse-mode differentiation of a while loop whose trip count depends on the data needs a bound: pass max_steps=N
// ERR-NOT: Traceback

// -----

func.func @main(%x: tensor<f32>) -> tensor<f32> {
  %r = stablehlo.while(%c = %x) : tensor<f32> attributes {hlox.max_steps = 8 : i64}
  cond {
    %ten = stablehlo.constant dense<10.0> : tensor<f32>
    %p = stablehlo.compare LT, %c, %ten, FLOAT : (tensor<f32>, tensor<f32>) -> tensor<i1>
    stablehlo.return %p : tensor<i1>
  } do {
    %m = stablehlo.multiply %c, %c : tensor<f32>
    stablehlo.return %m : tensor<f32>
  }
  return %r : tensor<f32>
}

// GRAD-LABEL: func.func @main_grad(
// GRAD-SAME:    %[[X:.*]]: tensor<f32>) -> tensor<f32>
// The forward loop: the carry, a step counter and the stack of carries.
// GRAD:         %[[FWD:.*]]:3 = stablehlo.while(%[[C:.*]] = %[[X]], %[[N:.*]] = %{{.*}}, %[[STACK:.*]] = %{{.*}}) : tensor<f32>, tensor<i32>, tensor<8xf32> attributes {hlox.max_steps = 8 : i64}
// GRAD:         } do {
// GRAD:           stablehlo.dynamic_update_slice %[[STACK]], %{{.*}}, %[[N]] : (tensor<8xf32>, tensor<1xf32>, tensor<i32>) -> tensor<8xf32>
// GRAD:           stablehlo.add %[[N]]
// The backward loop: from step count - 1 down to 0, reading the stacked carry.
// GRAD:         %[[LAST:.*]] = stablehlo.subtract %[[FWD]]#1,
// GRAD:         %[[BWD:.*]]:4 = stablehlo.while(%[[T:.*]] = %[[LAST]], %{{.*}}, %{{.*}}, %[[S:.*]] = %[[FWD]]#2) : tensor<i32>, tensor<f32>, tensor<f32>, tensor<8xf32> attributes {hlox.max_steps = 8 : i64}
// GRAD:           stablehlo.compare GE, %[[T]],
// GRAD:         } do {
// GRAD:           stablehlo.dynamic_slice %[[S]], %[[T]], sizes = [1]
// GRAD:           func.call @main_grad_body_vjp(
// GRAD:           stablehlo.subtract %[[T]],
// Past the bound the gradient is NaN.
// GRAD:         %[[OVER:.*]] = stablehlo.compare GT, %[[FWD]]#1, %{{.*}}, SIGNED
// GRAD:         %[[NAN:.*]] = stablehlo.constant dense<0x7FC00000> : tensor<f32>
// GRAD:         %[[G:.*]] = stablehlo.select %[[OVER]], %[[NAN]], %[[BWD]]#1
// GRAD:         return %[[G]]

// BATCH-LABEL: func.func @main_batch(
// BATCH:         stablehlo.while(%[[C:.*]] = %{{.*}}) : tensor<4xf32>
// BATCH:           %[[P:.*]] = func.call @{{.*}}(%[[C]]) : (tensor<4xf32>) -> tensor<4xi1>
// BATCH:           stablehlo.reduce(%[[P]] init: %{{.*}}) applies stablehlo.or across dimensions = [0]
// BATCH:         } do {
// BATCH:           %[[NEW:.*]] = func.call @{{.*}}(%[[C]]) : (tensor<4xf32>) -> tensor<4xf32>
// BATCH:           %[[LIVE:.*]] = func.call @{{.*}}(%[[C]]) : (tensor<4xf32>) -> tensor<4xi1>
// BATCH:           stablehlo.select %[[LIVE]], %[[NEW]], %[[C]]
