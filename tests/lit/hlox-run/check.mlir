// --check compares the results with an .npz of out0 out1 ... and names the worst mismatch.
// RUN: %python -c "import numpy as np; np.save('%t.x.npy', np.float32([1, 2, 3])); np.savez('%t.good.npz', out0=np.float32([2, 4, 6]), out1=np.int32(6)); np.savez('%t.near.npz', out0=np.float32([2, 4.001, 6]), out1=np.int32(6)); np.savez('%t.bad.npz', out0=np.float32([2, 4.5, 7]), out1=np.int32(6)); np.savez('%t.int.npz', out0=np.float32([2, 4, 6]), out1=np.int32(5))"
// RUN: hlox-run %s %t.x.npy --check %t.good.npz | FileCheck %s --check-prefix=GOOD
// RUN: not hlox-run %s %t.x.npy --check %t.near.npz 2>&1 | FileCheck %s --check-prefix=NEAR
// RUN: hlox-run %s %t.x.npy --check %t.near.npz --atol 0.01 | FileCheck %s --check-prefix=GOOD
// RUN: hlox-run %s %t.x.npy --check %t.near.npz --rtol 0.001 | FileCheck %s --check-prefix=GOOD
// RUN: not hlox-run %s %t.x.npy --check %t.bad.npz 2>&1 | FileCheck %s --check-prefix=BAD
// RUN: not hlox-run %s %t.x.npy --check %t.int.npz --atol 10 2>&1 | FileCheck %s --check-prefix=INT

// GOOD: hlox-run: 2 output(s) match {{.*}}.npz
// NEAR: hlox-run: error: results differ from {{.*}}near.npz: out0[1] is 4., expected 4.001 (1 of 3 elements differ beyond rtol=1e-05, atol=1e-08)
// BAD: hlox-run: error: results differ from {{.*}}bad.npz: out0[2] is 6., expected 7. (2 of 3 elements differ beyond rtol=1e-05, atol=1e-08)
// INT: hlox-run: error: results differ from {{.*}}int.npz: out1 is 6, expected 5 (1 of 1 elements differ beyond rtol=1e-05, atol=10.0)

func.func @main(%x: tensor<3xf32>) -> (tensor<3xf32>, tensor<i32>) {
  %0 = stablehlo.add %x, %x : tensor<3xf32>
  %1 = stablehlo.convert %x : (tensor<3xf32>) -> tensor<3xi32>
  %2 = stablehlo.constant dense<0> : tensor<i32>
  %3 = stablehlo.reduce(%1 init: %2) applies stablehlo.add across dimensions = [0] : (tensor<3xi32>, tensor<i32>) -> tensor<i32>
  return %0, %3 : tensor<3xf32>, tensor<i32>
}
