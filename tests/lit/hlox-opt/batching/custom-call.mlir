// An op without a batching rule of its own (custom_call: opaque to the pass) runs once per
// example in a stablehlo.while over the batch; the ops around it are batched as usual, and
// the unbatched operand is not broadcast into the loop.
// RUN: hlox-opt %s --hlox-batch='in-axes=0,none size=4' | FileCheck %s

func.func @main(%x: tensor<3xf32>, %k: tensor<3xf32>) -> tensor<3xf32> {
  %0 = stablehlo.custom_call @my_kernel(%x, %k) : (tensor<3xf32>, tensor<3xf32>) -> tensor<3xf32>
  %1 = stablehlo.multiply %0, %0 : tensor<3xf32>
  return %1 : tensor<3xf32>
}

// CHECK-LABEL: func.func @main_batch(
// CHECK-SAME:    %[[X:.*]]: tensor<4x3xf32>, %[[K:.*]]: tensor<3xf32>) -> tensor<4x3xf32>
// CHECK:         %[[LOOP:.*]]:4 = stablehlo.while({{.*}} = %{{.*}}, %[[XI:.*]] = %[[X]], %[[KI:.*]] = %[[K]], {{.*}}) : tensor<i32>, tensor<4x3xf32>, tensor<3xf32>, tensor<4x3xf32>
// CHECK:         cond {
// CHECK:           stablehlo.compare LT
// CHECK:         } do {
// CHECK:           %[[ROW:.*]] = stablehlo.dynamic_slice %[[XI]]
// CHECK:           %[[EX:.*]] = stablehlo.reshape %[[ROW]] : (tensor<1x3xf32>) -> tensor<3xf32>
// CHECK:           stablehlo.custom_call @my_kernel(%[[EX]], %[[KI]]) : (tensor<3xf32>, tensor<3xf32>) -> tensor<3xf32>
// CHECK:           stablehlo.dynamic_update_slice
// CHECK:         }
// CHECK:         %[[Y:.*]] = stablehlo.multiply %[[LOOP]]#3, %[[LOOP]]#3 : tensor<4x3xf32>
// CHECK:         return %[[Y]]
