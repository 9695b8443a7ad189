// A counted while loop (i = 0; while i < 4; i += 1) that hlox-vjp differentiates without any
// bound attribute: the forward loop stacks the carries (the counter and h) before each step,
// the backward loop runs the body's adjoint from step 3 down to 0 and accumulates the
// cotangent of the captured %w. The primal result comes from the stacking loop (the forward
// computation runs once). Forward mode is one loop carrying the tangents; batching keeps the
// counter unbatched and the loop single.
// RUN: hlox-opt %s --hlox-vjp | FileCheck %s --check-prefix=VJP
// RUN: hlox-opt %s --hlox-jvp | FileCheck %s --check-prefix=JVP
// RUN: hlox-opt %s --hlox-batch='in-axes=0,none size=2' | FileCheck %s --check-prefix=BATCH

func.func @main(%x: tensor<3xf32>, %w: tensor<3xf32>) -> tensor<3xf32> {
  %c0 = stablehlo.constant dense<0> : tensor<i32>
  %r:2 = stablehlo.while(%i = %c0, %h = %x) : tensor<i32>, tensor<3xf32>
  cond {
    %n = stablehlo.constant dense<4> : tensor<i32>
    %p = stablehlo.compare LT, %i, %n, SIGNED : (tensor<i32>, tensor<i32>) -> tensor<i1>
    stablehlo.return %p : tensor<i1>
  } do {
    %one = stablehlo.constant dense<1> : tensor<i32>
    %j = stablehlo.add %i, %one : tensor<i32>
    %s = stablehlo.sine %h : tensor<3xf32>
    %m = stablehlo.multiply %s, %w : tensor<3xf32>
    stablehlo.return %j, %m : tensor<i32>, tensor<3xf32>
  }
  return %r#1 : tensor<3xf32>
}

// VJP-LABEL: func.func @main_vjp(
// VJP-SAME:    %[[X:.*]]: tensor<3xf32>, %[[W:.*]]: tensor<3xf32>, %[[CT:.*]]: tensor<3xf32>) -> (tensor<3xf32>, tensor<3xf32>, tensor<3xf32>)
// VJP:         %[[FWD:.*]]:6 = stablehlo.while(%[[I:.*]] = %{{.*}}, %[[H:.*]] = %[[X]], %[[N:.*]] = %{{.*}}, %[[IS:.*]] = %{{.*}}, %[[HS:.*]] = %{{.*}}, %{{.*}} = %[[W]]) : tensor<i32>, tensor<3xf32>, tensor<i32>, tensor<4xi32>, tensor<4x3xf32>, tensor<3xf32>
// VJP:         } do {
// VJP:           stablehlo.dynamic_update_slice %[[IS]], %{{.*}}, %[[N]]
// VJP:           stablehlo.dynamic_update_slice %[[HS]], %{{.*}}, %[[N]], %{{.*}} : (tensor<4x3xf32>
// VJP:           func.call @main_vjp_body(%[[I]], %[[H]], %{{.*}})
// VJP-NOT:     stablehlo.while(%{{.*}} = %{{.*}}, %{{.*}} = %[[X]]) : tensor<i32>, tensor<3xf32>
// VJP:         %[[BWD:.*]]:8 = stablehlo.while(%[[T:.*]] = %{{.*}}, %{{.*}} = %[[CT]], %{{.*}}) : {{.*}}, tensor<4xi32>, tensor<4x3xf32> attributes {hlox.trip_count = 4 : i64}
// VJP:           stablehlo.compare GE, %[[T]]
// VJP:         } do {
// VJP:           stablehlo.dynamic_slice %{{.*}}, %[[T]], sizes = [1]
// VJP:           stablehlo.dynamic_slice %{{.*}}, %[[T]], %{{.*}}, sizes = [1, 3]
// VJP:           func.call @main_vjp_body_vjp(
// VJP:           stablehlo.add
// VJP:         return %[[FWD]]#1, %[[BWD]]#1, %[[BWD]]#2

// JVP-LABEL: func.func @main_jvp(
// JVP-SAME:    %[[X:.*]]: tensor<3xf32>, %[[W:.*]]: tensor<3xf32>, %[[TX:.*]]: tensor<3xf32>, %[[TW:.*]]: tensor<3xf32>)
// JVP:         %[[L:.*]]:5 = stablehlo.while(%{{.*}}, %{{.*}} = %[[X]], %{{.*}} = %[[TX]], %{{.*}} = %[[W]], %{{.*}} = %[[TW]])
// JVP:           func.call @main_jvp_body_jvp(
// JVP-NOT:     stablehlo.while
// JVP:         return %[[L]]#1, %[[L]]#2

// BATCH-LABEL: func.func @main_batch(
// BATCH:         stablehlo.while(%{{.*}}) : tensor<i32>, tensor<2x3xf32>, tensor<3xf32>
// BATCH-NOT:     stablehlo.while
// BATCH:         return %{{.*}} : tensor<2x3xf32>
