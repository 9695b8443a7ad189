// Reverse mode through shard_map: @main_grad holds a second manual computation over the same
// mesh whose body calls the derived per-shard function; the body's psum over "model"
// transposes to a psum over "model", with its device groups, a fresh channel and global ids;
// the output replicated over "model" has its cotangent divided by the axis size (2).
// RUN: hlox-opt %s --hlox-grad | FileCheck %s
// CHECK-LABEL: func.func @main_grad
// CHECK: sdy.manual_computation({{.*}}) in_shardings=[<@mesh, [{"data"}, {"model"}]>, <@mesh, [{"data"}, {}]>] out_shardings=[<@mesh, [{"data"}, {}]>, <@mesh, [{"data"}, {"model"}]>] manual_axes={"data", "model"}
// CHECK: stablehlo.constant dense<2.000000e+00>
// CHECK: stablehlo.divide
// CHECK: func.call @_lambda__vjp_1
// CHECK-LABEL: func.func private @_lambda__vjp_1
// CHECK: "stablehlo.all_reduce"{{.*}}replica_groups = dense<{{\[\[}}0, 1], [2, 3], [4, 5], [6, 7]]>
// CHECK-SAME: use_global_device_ids
// CHECK: stablehlo.cosine

module attributes {mhlo.num_partitions = 8 : i32, mhlo.num_replicas = 1 : i32} {
  sdy.mesh @mesh = <["data"=4, "model"=2]> {hlox.device_ids = array<i64: 0, 1, 2, 3, 4, 5, 6, 7>}
  func.func @main(%arg0: tensor<8x4xf32>) -> tensor<f32> {
    %0 = sdy.manual_computation(%arg0) in_shardings=[<@mesh, [{"data"}, {"model"}]>] out_shardings=[<@mesh, [{"data"}, {}]>] manual_axes={"data", "model"} (%arg1: tensor<2x2xf32>) {
      %2 = func.call @_lambda_(%arg1) : (tensor<2x2xf32>) -> tensor<2x2xf32>
      sdy.return %2 : tensor<2x2xf32>
    } : (tensor<8x4xf32>) -> tensor<8x2xf32>
    %cst = stablehlo.constant dense<0.000000e+00> : tensor<f32>
    %1 = stablehlo.reduce(%0 init: %cst) applies stablehlo.add across dimensions = [0, 1] : (tensor<8x2xf32>, tensor<f32>) -> tensor<f32>
    return %1 : tensor<f32>
  }
  func.func private @_lambda_(%arg0: tensor<2x2xf32>) -> tensor<2x2xf32> {
    %0 = stablehlo.sine %arg0 : tensor<2x2xf32>
    %1 = "stablehlo.all_reduce"(%0) <{channel_handle = #stablehlo.channel_handle<handle = 1, type = 1>, replica_groups = dense<[[0, 1], [2, 3], [4, 5], [6, 7]]> : tensor<4x2xi64>, use_global_device_ids}> ({
    ^bb0(%arg1: tensor<f32>, %arg2: tensor<f32>):
      %2 = stablehlo.add %arg1, %arg2 : tensor<f32>
      stablehlo.return %2 : tensor<f32>
    }) {hlox.axis_names = ["model"], hlox.reduction = "add"} : (tensor<2x2xf32>) -> tensor<2x2xf32>
    return %1 : tensor<2x2xf32>
  }
}

