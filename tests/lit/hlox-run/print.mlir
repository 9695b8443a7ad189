// hlox-run prints its results as numpy does, one `outN = ...` per result.
// RUN: %python -c "import numpy as np; np.save('%t.x.npy', np.arange(6, dtype=np.float32).reshape(2, 3)); np.save('%t.n.npy', np.int32(10))"
// RUN: hlox-run %s %t.x.npy %t.n.npy --print | FileCheck %s
// Inputs may also come as one .npz of arg0 arg1 ..., and -o writes out0 out1 ....
// RUN: %python -c "import numpy as np; np.savez('%t.in.npz', arg0=np.ones((2, 3), np.float32), arg1=np.int32(-1))"
// RUN: hlox-run %s --inputs %t.in.npz -o %t.out.npz
// RUN: %python -c "import numpy as np; z = np.load('%t.out.npz'); print(sorted(z.files), z['out0'].tolist(), z['out1'])" | FileCheck %s --check-prefix=NPZ

// CHECK:      out0 = array({{\[}}[ 0.,  2.,  4.],
// CHECK-NEXT:        [ 6.,  8., 10.]], dtype=float32)
// CHECK-NEXT: out1 = array(31, dtype=int32)
// NPZ: ['out0', 'out1'] {{\[}}[2.0, 2.0, 2.0], [2.0, 2.0, 2.0]] 20

func.func @main(%x: tensor<2x3xf32>, %n: tensor<i32>) -> (tensor<2x3xf32>, tensor<i32>) {
  %0 = stablehlo.add %x, %x : tensor<2x3xf32>
  %1 = stablehlo.constant dense<[[1, 2, 3], [4, 5, 6]]> : tensor<2x3xi32>
  %2 = stablehlo.constant dense<0> : tensor<i32>
  %3 = stablehlo.reduce(%1 init: %2) applies stablehlo.add across dimensions = [0, 1] : (tensor<2x3xi32>, tensor<i32>) -> tensor<i32>
  %4 = stablehlo.add %3, %n : tensor<i32>
  return %0, %4 : tensor<2x3xf32>, tensor<i32>
}
