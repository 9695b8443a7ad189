// A module exported by real JAX (jax.jit(f).lower(...).as_text(), jax 0.10.2) from
//   def f(x, w):
//       h, ys = jax.lax.scan(lambda h, a: (jnp.tanh(h * w + a), jnp.tanh(h * w + a) * 2.0), x[0], x)
//       return jnp.sum(ys) + jnp.sum(jax.lax.fori_loop(0, 3, lambda i, c: jnp.sin(c) * w, h))
// JAX's loops carry no hlox attributes and call private helpers from their bodies: hlox-grad
// recognises both as counted loops (i = 0; while i < N; i += 1, N = 5 and 3), replaces each by
// a forward loop that stacks the carries its adjoint needs, and runs a backward loop of
// exactly N steps over them (the fori loop's adjoint first). hlox-jvp keeps one loop each.
// RUN: hlox-opt %s --hlox-grad='wrt=1' | FileCheck %s --check-prefix=GRAD
// RUN: hlox-opt %s --hlox-jvp | FileCheck %s --check-prefix=JVP

module @jit_f attributes {mhlo.num_partitions = 1 : i32, mhlo.num_replicas = 1 : i32} {
  func.func public @main(%arg0: tensor<5x3xf32>, %arg1: tensor<3xf32>) -> (tensor<f32> {jax.result_info = "result"}) {
    %0 = stablehlo.slice %arg0 [0:1, 0:3] : (tensor<5x3xf32>) -> tensor<1x3xf32>
    %1 = stablehlo.reshape %0 : (tensor<1x3xf32>) -> tensor<3xf32>
    %cst = stablehlo.constant dense<0.000000e+00> : tensor<f32>
    %2 = stablehlo.broadcast_in_dim %cst, dims = [] : (tensor<f32>) -> tensor<5x3xf32>
    %c = stablehlo.constant dense<0> : tensor<i32>
    %3:5 = stablehlo.while(%iterArg = %arg0, %iterArg_3 = %arg1, %iterArg_4 = %c, %iterArg_5 = %1, %iterArg_6 = %2) : tensor<5x3xf32>, tensor<3xf32>, tensor<i32>, tensor<3xf32>, tensor<5x3xf32>
    cond {
      %c_7 = stablehlo.constant dense<5> : tensor<i32>
      %8 = stablehlo.compare LT, %iterArg_4, %c_7, SIGNED : (tensor<i32>, tensor<i32>) -> tensor<i1>
      stablehlo.return %8 : tensor<i1>
    } do {
      %8 = func.call @dynamic_index_in_dim(%iterArg, %iterArg_4) : (tensor<5x3xf32>, tensor<i32>) -> tensor<3xf32>
      %9:2 = func.call @closed_call(%iterArg_3, %iterArg_5, %8) : (tensor<3xf32>, tensor<3xf32>, tensor<3xf32>) -> (tensor<3xf32>, tensor<3xf32>)
      %10 = func.call @dynamic_update_index_in_dim(%iterArg_6, %9#1, %iterArg_4) : (tensor<5x3xf32>, tensor<3xf32>, tensor<i32>) -> tensor<5x3xf32>
      %c_7 = stablehlo.constant dense<1> : tensor<i32>
      %11 = stablehlo.add %iterArg_4, %c_7 : tensor<i32>
      stablehlo.return %iterArg, %iterArg_3, %11, %9#0, %10 : tensor<5x3xf32>, tensor<3xf32>, tensor<i32>, tensor<3xf32>, tensor<5x3xf32>
    }
    %cst_0 = stablehlo.constant dense<0.000000e+00> : tensor<f32>
    %4 = stablehlo.reduce(%3#4 init: %cst_0) applies stablehlo.add across dimensions = [0, 1] : (tensor<5x3xf32>, tensor<f32>) -> tensor<f32>
    %c_1 = stablehlo.constant dense<0> : tensor<i32>
    %5:3 = stablehlo.while(%iterArg = %arg1, %iterArg_3 = %c_1, %iterArg_4 = %3#3) : tensor<3xf32>, tensor<i32>, tensor<3xf32>
    cond {
      %c_5 = stablehlo.constant dense<3> : tensor<i32>
      %8 = stablehlo.compare LT, %iterArg_3, %c_5, SIGNED : (tensor<i32>, tensor<i32>) -> tensor<i1>
      stablehlo.return %8 : tensor<i1>
    } do {
      %8 = func.call @closed_call_0(%iterArg, %iterArg_4) : (tensor<3xf32>, tensor<3xf32>) -> tensor<3xf32>
      %c_5 = stablehlo.constant dense<1> : tensor<i32>
      %9 = stablehlo.add %iterArg_3, %c_5 : tensor<i32>
      stablehlo.return %iterArg, %9, %8 : tensor<3xf32>, tensor<i32>, tensor<3xf32>
    }
    %cst_2 = stablehlo.constant dense<0.000000e+00> : tensor<f32>
    %6 = stablehlo.reduce(%5#2 init: %cst_2) applies stablehlo.add across dimensions = [0] : (tensor<3xf32>, tensor<f32>) -> tensor<f32>
    %7 = stablehlo.add %4, %6 : tensor<f32>
    return %7 : tensor<f32>
  }
  func.func private @dynamic_index_in_dim(%arg0: tensor<5x3xf32>, %arg1: tensor<i32>) -> tensor<3xf32> {
    %c = stablehlo.constant dense<0> : tensor<i32>
    %0 = stablehlo.dynamic_slice %arg0, %arg1, %c, sizes = [1, 3] : (tensor<5x3xf32>, tensor<i32>, tensor<i32>) -> tensor<1x3xf32>
    %1 = stablehlo.reshape %0 : (tensor<1x3xf32>) -> tensor<3xf32>
    return %1 : tensor<3xf32>
  }
  func.func private @closed_call(%arg0: tensor<3xf32>, %arg1: tensor<3xf32>, %arg2: tensor<3xf32>) -> (tensor<3xf32>, tensor<3xf32>) {
    %0 = stablehlo.multiply %arg1, %arg0 : tensor<3xf32>
    %1 = stablehlo.add %0, %arg2 : tensor<3xf32>
    %2 = stablehlo.tanh %1 : tensor<3xf32>
    %cst = stablehlo.constant dense<2.000000e+00> : tensor<f32>
    %3 = stablehlo.broadcast_in_dim %cst, dims = [] : (tensor<f32>) -> tensor<3xf32>
    %4 = stablehlo.multiply %2, %3 : tensor<3xf32>
    return %2, %4 : tensor<3xf32>, tensor<3xf32>
  }
  func.func private @dynamic_update_index_in_dim(%arg0: tensor<5x3xf32>, %arg1: tensor<3xf32>, %arg2: tensor<i32>) -> tensor<5x3xf32> {
    %0 = stablehlo.broadcast_in_dim %arg1, dims = [1] : (tensor<3xf32>) -> tensor<1x3xf32>
    %c = stablehlo.constant dense<0> : tensor<i32>
    %1 = stablehlo.dynamic_update_slice %arg0, %0, %arg2, %c : (tensor<5x3xf32>, tensor<1x3xf32>, tensor<i32>, tensor<i32>) -> tensor<5x3xf32>
    return %1 : tensor<5x3xf32>
  }
  func.func private @closed_call_0(%arg0: tensor<3xf32>, %arg1: tensor<3xf32>) -> tensor<3xf32> {
    %0 = stablehlo.sine %arg1 : tensor<3xf32>
    %1 = stablehlo.multiply %0, %arg0 : tensor<3xf32>
    return %1 : tensor<3xf32>
  }
}


// GRAD-LABEL: func.func public @main_grad(
// GRAD-SAME:    %[[XS:.*]]: tensor<5x3xf32>, %[[W:.*]]: tensor<3xf32>) -> (tensor<3xf32>
// The scan's forward loop: its carries, a step counter, and one stack per carry it needs.
// GRAD:         %[[SCAN:.*]]:9 = stablehlo.while(%{{.*}} = %[[XS]], %{{.*}} = %[[W]], {{.*}}) : tensor<5x3xf32>, tensor<3xf32>, tensor<i32>, tensor<3xf32>, tensor<5x3xf32>, tensor<i32>, tensor<5xi32>, tensor<5x3xf32>
// GRAD-NOT:     attributes
// GRAD:         } do {
// GRAD:           stablehlo.dynamic_update_slice
// GRAD:           func.call @{{.*}}body{{.*}}(
// The fori loop's forward loop: the carry c is stacked 3 deep.
// GRAD:         %[[FORI:.*]]:6 = stablehlo.while(%{{.*}} = %[[W]], {{.*}}) : tensor<3xf32>, tensor<i32>, tensor<3xf32>, tensor<i32>, tensor<3xi32>, tensor<3x3xf32>
// The backward loops, last loop first, each with its exact trip count.
// GRAD:         stablehlo.while({{.*}}%[[FORI]]#4, %{{.*}} = %[[FORI]]#5) : {{.*}} attributes {hlox.trip_count = 3 : i64}
// GRAD:           stablehlo.dynamic_slice %{{.*}}, sizes = [1, 3] : (tensor<3x3xf32>
// GRAD:           func.call @{{.*}}_vjp(
// GRAD:         stablehlo.while({{.*}}%[[SCAN]]#6, %{{.*}} = %[[SCAN]]#7, {{.*}}) : {{.*}} attributes {hlox.trip_count = 5 : i64}
// GRAD:           stablehlo.dynamic_slice %{{.*}}, sizes = [1, 3] : (tensor<5x3xf32>
// GRAD:           func.call @{{.*}}_vjp(
// GRAD:         return

// JVP-LABEL: func.func public @main_jvp(
// JVP-COUNT-2: stablehlo.while
// JVP-NOT:     stablehlo.while
// JVP:         return
