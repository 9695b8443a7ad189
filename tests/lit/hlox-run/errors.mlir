// Bad input is one line on stderr naming the problem, exit status 1, never a Python traceback.
// RUN: %python -c "import numpy as np; np.save('%t.x3.npy', np.zeros(3, np.float32)); np.save('%t.i2.npy', np.zeros(2, np.int32)); np.save('%t.x2.npy', np.zeros(2, np.float32))"
// RUN: not hlox-run %s %t.x3.npy 2>&1 | FileCheck %s --check-prefix=SHAPE
// RUN: not hlox-run %s %t.i2.npy 2>&1 | FileCheck %s --check-prefix=DTYPE
// RUN: not hlox-run %s %t.x2.npy %t.x2.npy 2>&1 | FileCheck %s --check-prefix=COUNT
// RUN: not hlox-run %s --func nope %t.x2.npy 2>&1 | FileCheck %s --check-prefix=FUNC
// RUN: not hlox-run %s %t.missing.npy 2>&1 | FileCheck %s --check-prefix=NPY
// RUN: not hlox-run %s.missing 2>&1 | FileCheck %s --check-prefix=MLIR
// RUN: not hlox-run %S/Inputs/parse_error.mlir 2>&1 | FileCheck %s --check-prefix=PARSE
// RUN: %python -c "import numpy as np; np.savez('%t.bad.npz', x=np.zeros(2, np.float32))"
// RUN: not hlox-run %s --inputs %t.bad.npz 2>&1 | FileCheck %s --check-prefix=NPZ

// SHAPE-NOT: Traceback
// SHAPE: hlox-run: error: input 0 is float32[3] but @main(tensor<2xf32>) -> tensor<2xf32> takes float32[2] there
// DTYPE: hlox-run: error: input 0 is int32[2] but @main(tensor<2xf32>) -> tensor<2xf32> takes float32[2] there
// COUNT: hlox-run: error: @main(tensor<2xf32>) -> tensor<2xf32> takes 1 input(s), got 2
// FUNC: hlox-run: error: no function @nope in the module (functions: @main, @helper)
// NPY: hlox-run: error: cannot read {{.*}}missing.npy: No such file or directory
// MLIR: errors.mlir.missing: error: could not open input file
// PARSE-NOT: Traceback
// PARSE: parse_error.mlir:3:8: error: custom op 'stablehlo.not_an_op' is unknown
// NPZ: hlox-run: error: {{.*}}bad.npz must hold arrays named arg0, arg1, ...; it holds x

func.func @main(%x: tensor<2xf32>) -> tensor<2xf32> {
  %0 = call @helper(%x) : (tensor<2xf32>) -> tensor<2xf32>
  return %0 : tensor<2xf32>
}

func.func private @helper(%x: tensor<2xf32>) -> tensor<2xf32> {
  %0 = stablehlo.negate %x : tensor<2xf32>
  return %0 : tensor<2xf32>
}
