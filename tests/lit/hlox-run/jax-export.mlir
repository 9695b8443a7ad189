// A module exported by real JAX (jax.jit(f).lower(x, y).as_text() with jax 0.10.2): private
// helpers, func.call, jax.result_info and mhlo.* attributes; bfloat16 results.
// RUN: %python -c "import numpy as np; np.save('%t.x.npy', np.float32([0, 1, 2])); np.save('%t.y.npy', np.float32([1, 1, 0.5]))"
// RUN: hlox-run %s %t.x.npy %t.y.npy --print | FileCheck %s
// Any function can be the entry, a private one too.
// RUN: hlox-run %s --func helper %t.x.npy | FileCheck %s --check-prefix=HELPER
// bfloat16 goes to .npz as raw 2-byte values that ml_dtypes reads back.
// RUN: hlox-run %s %t.x.npy %t.y.npy -o %t.out.npz
// RUN: %python -c "import numpy as np, ml_dtypes; z = np.load('%t.out.npz'); print(z['out1'].dtype, z['out1'].view(ml_dtypes.bfloat16))" | FileCheck %s --check-prefix=RAW

// CHECK:      out0 = array([1.      , 2.682942, 2.318595], dtype=float32)
// CHECK-NEXT: out1 = array([0, 1, 1], dtype=bfloat16)
// HELPER:     out0 = array([0.       , 1.6829419, 1.8185948], dtype=float32)
// HELPER-NOT: out1
// RAW: |V2 [0 1 1]

module @jit_f attributes {mhlo.num_partitions = 1 : i32, mhlo.num_replicas = 1 : i32} {
  func.func public @main(%arg0: tensor<3xf32>, %arg1: tensor<3xf32>) -> (tensor<3xf32> {jax.result_info = "result[0]"}, tensor<3xbf16> {jax.result_info = "result[1]"}) {
    %0 = call @helper(%arg0) : (tensor<3xf32>) -> tensor<3xf32>
    %1 = stablehlo.add %0, %arg1 : tensor<3xf32>
    %2 = stablehlo.multiply %arg0, %arg1 : tensor<3xf32>
    %3 = stablehlo.convert %2 : (tensor<3xf32>) -> tensor<3xbf16>
    return %1, %3 : tensor<3xf32>, tensor<3xbf16>
  }
  func.func private @helper(%arg0: tensor<3xf32>) -> tensor<3xf32> {
    %0 = stablehlo.sine %arg0 : tensor<3xf32>
    %cst = stablehlo.constant dense<2.000000e+00> : tensor<f32>
    %1 = stablehlo.broadcast_in_dim %cst, dims = [] : (tensor<f32>) -> tensor<3xf32>
    %2 = stablehlo.multiply %0, %1 : tensor<3xf32>
    return %2 : tensor<3xf32>
  }
}
