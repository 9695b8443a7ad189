// A shard_map module exported by JAX 0.10.2 (8 devices, mesh data=4 x model=2): its
// collectives carry only device groups. The passes outline the region into @shmap_body and
// name the collectives from their groups: the all_reduce over [[0,1],[2,3],...] is over
// "model", the collective_permute is a cyclic shift along "data" (axis-local pairs kept).
// Reverse mode transposes the shift to its inverse and psums the cotangent of the input
// replicated over "data"; batching keeps the batch dimension unsharded in front.
// RUN: hlox-opt %s --hlox-grad | FileCheck %s --check-prefix=GRAD
// RUN: hlox-opt %s --hlox-batch='size=2 in-axes=0,none' | FileCheck %s --check-prefix=BATCH
// GRAD-LABEL: func.func public @main_grad
// GRAD: sdy.manual_computation({{.*}}) in_shardings=[<@mesh, [{"data"}, {"model"}]>, <@mesh, [{"model"}, {}]>, <@mesh, [{"data"}, {}]>] out_shardings=[<@mesh, [{"data"}, {}]>, <@mesh, [{"data"}, {"model"}]>, <@mesh, [{"model"}, {}]>]
// GRAD: stablehlo.divide
// GRAD: replica_groups = dense<{{\[\[}}0, 2, 4, 6], [1, 3, 5, 7]]>
// GRAD-SAME: use_global_device_ids
// GRAD: hlox.axis_names = ["data"], hlox.reduction = "add"
// GRAD-LABEL: func.func private @shmap_body(
// GRAD: hlox.axis_names = ["model"], hlox.reduction = "add"
// GRAD: hlox.axis_names = ["data"], hlox.local_pairs = dense<{{\[\[}}0, 1], [1, 2], [2, 3], [3, 0]]>
// GRAD-LABEL: func.func private @shmap_body_vjp
// GRAD: "stablehlo.collective_permute"(%arg2)
// GRAD-SAME: source_target_pairs = dense<{{\[\[}}2, 0], [4, 2], [6, 4], [0, 6], [3, 1], [5, 3], [7, 5], [1, 7]]>
// GRAD-SAME: hlox.local_pairs = dense<{{\[\[}}1, 0], [2, 1], [3, 2], [0, 3]]>
// BATCH-LABEL: func.func private @shmap_body_batch2_0_n(%arg0: tensor<2x2x2xf32>, %arg1: tensor<2x3xf32>) -> tensor<2x2x3xf32>
// BATCH: "stablehlo.all_reduce"
// BATCH-SAME: replica_groups = dense<{{\[\[}}0, 1], [2, 3], [4, 5], [6, 7]]>
// BATCH: "stablehlo.collective_permute"
// BATCH-SAME: (tensor<2x2x3xf32>) -> tensor<2x2x3xf32>
// BATCH-LABEL: func.func public @main_batch(%arg0: tensor<2x8x4xf32>, %arg1: tensor<4x3xf32>) -> tensor<2xf32>
// BATCH: sdy.manual_computation(%arg0, %arg1) in_shardings=[<@mesh, [{}, {"data"}, {"model"}]>, <@mesh, [{"model"}, {}]>] out_shardings=[<@mesh, [{}, {"data"}, {}]>]
// BATCH-SAME: (%arg2: tensor<2x2x2xf32>, %arg3: tensor<2x3xf32>)
// BATCH: func.call @shmap_body_batch2_0_n

module @jit__lambda attributes {mhlo.num_partitions = 8 : i32, mhlo.num_replicas = 1 : i32} {
  sdy.mesh @mesh = <["data"=4, "model"=2]> {stablehlo.mesh = {axes = [{name = "data", size = 4 : i64}, {name = "model", size = 2 : i64}]}}
  func.func public @main(%arg0: tensor<8x4xf32>, %arg1: tensor<4x3xf32>) -> (tensor<f32> {jax.result_info = "result"}) {
    %0 = sdy.manual_computation(%arg0, %arg1) in_shardings=[<@mesh, [{"data"}, {"model"}]>, <@mesh, [{"model"}, {}]>] out_shardings=[<@mesh, [{"data"}, {}]>] manual_axes={"data", "model"} (%arg2: tensor<2x2xf32>, %arg3: tensor<2x3xf32>) {
      %3 = stablehlo.dot_general %arg2, %arg3, contracting_dims = [1] x [0], precision = [DEFAULT, DEFAULT] : (tensor<2x2xf32>, tensor<2x3xf32>) -> tensor<2x3xf32>
      %4 = stablehlo.tanh %3 : tensor<2x3xf32>
      %5 = "stablehlo.all_reduce"(%4) <{channel_handle = #stablehlo.channel_handle<handle = 1, type = 1>, replica_groups = dense<[[0, 1], [2, 3], [4, 5], [6, 7]]> : tensor<4x2xi64>, use_global_device_ids}> ({
      ^bb0(%arg4: tensor<f32>, %arg5: tensor<f32>):
        %7 = stablehlo.add %arg4, %arg5 : tensor<f32>
        stablehlo.return %7 : tensor<f32>
      }) : (tensor<2x3xf32>) -> tensor<2x3xf32>
      %6 = "stablehlo.collective_permute"(%5) <{channel_handle = #stablehlo.channel_handle<handle = 1, type = 1>, source_target_pairs = dense<[[0, 2], [2, 4], [4, 6], [6, 0], [1, 3], [3, 5], [5, 7], [7, 1]]> : tensor<8x2xi64>}> : (tensor<2x3xf32>) -> tensor<2x3xf32>
      sdy.return %6 : tensor<2x3xf32>
    } : (tensor<8x4xf32>, tensor<4x3xf32>) -> tensor<8x3xf32>
    %1 = stablehlo.multiply %0, %0 : tensor<8x3xf32>
    %cst = stablehlo.constant dense<0.000000e+00> : tensor<f32>
    %2 = stablehlo.reduce(%1 init: %cst) applies stablehlo.add across dimensions = [0, 1] : (tensor<8x3xf32>, tensor<f32>) -> tensor<f32>
    return %2 : tensor<f32>
  }
}

