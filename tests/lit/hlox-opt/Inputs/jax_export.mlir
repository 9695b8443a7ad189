// Exported by real JAX 0.10.2, once, and committed:
//   inner = jax.jit(lambda x: jnp.sin(x) * 2.0)
//   f = lambda x, y: inner(x) + inner(y) + jax.lax.erf_inv(x * 0.5)
//   jax.jit(f).lower(jnp.ones(3, jnp.float32), jnp.ones(3, jnp.float32)).as_text()
module @jit_f attributes {mhlo.num_partitions = 1 : i32, mhlo.num_replicas = 1 : i32} {
  func.func public @main(%arg0: tensor<3xf32>, %arg1: tensor<3xf32>) -> (tensor<3xf32> {jax.result_info = "result"}) {
    %0 = call @inner(%arg0) : (tensor<3xf32>) -> tensor<3xf32>
    %1 = call @inner(%arg1) : (tensor<3xf32>) -> tensor<3xf32>
    %2 = stablehlo.add %0, %1 : tensor<3xf32>
    %cst = stablehlo.constant dense<5.000000e-01> : tensor<f32>
    %3 = stablehlo.broadcast_in_dim %cst, dims = [] : (tensor<f32>) -> tensor<3xf32>
    %4 = stablehlo.multiply %arg0, %3 : tensor<3xf32>
    %5 = chlo.erf_inv %4 : tensor<3xf32> -> tensor<3xf32>
    %6 = stablehlo.add %2, %5 : tensor<3xf32>
    return %6 : tensor<3xf32>
  }
  func.func private @inner(%arg0: tensor<3xf32>) -> tensor<3xf32> {
    %0 = stablehlo.sine %arg0 : tensor<3xf32>
    %cst = stablehlo.constant dense<2.000000e+00> : tensor<f32>
    %1 = stablehlo.broadcast_in_dim %cst, dims = [] : (tensor<f32>) -> tensor<3xf32>
    %2 = stablehlo.multiply %0, %1 : tensor<3xf32>
    return %2 : tensor<3xf32>
  }
}
