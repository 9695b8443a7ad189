// .npz cannot name bfloat16 or float8: inputs are read as the signature says (raw 2-byte or
// 1-byte values, or uint16/uint8 bit patterns), --print shows the real values.
// RUN: %python -c "import numpy as np, ml_dtypes; np.savez('%t.in.npz', arg0=np.array([1.5, -2, 3], ml_dtypes.bfloat16), arg1=np.array([0.5, 1, 2], ml_dtypes.bfloat16).view(np.uint16), arg2=np.array([1, 2, 448], ml_dtypes.float8_e4m3fn))"
// RUN: hlox-run %s --inputs %t.in.npz --print | FileCheck %s
// RUN: %python -c "import numpy as np, ml_dtypes; np.savez('%t.exp.npz', out0=np.array([2, -1, 5], ml_dtypes.bfloat16), out1=np.array([2, 4, 448], ml_dtypes.float8_e4m3fn))"
// RUN: not hlox-run %s --inputs %t.in.npz --check %t.exp.npz 2>&1 | FileCheck %s --check-prefix=F8
// A float32 array is no bfloat16 input.
// RUN: %python -c "import numpy as np; np.savez('%t.f32.npz', arg0=np.zeros(3, np.float32), arg1=np.zeros(3, np.float32), arg2=np.zeros(3, np.uint8))"
// RUN: not hlox-run %s --inputs %t.f32.npz 2>&1 | FileCheck %s --check-prefix=DTYPE

// CHECK:      out0 = array([2, -1, 5], dtype=bfloat16)
// CHECK-NEXT: out1 = array([2, 4, nan], dtype='float8_e4m3fn')
// F8: hlox-run: error: results differ from {{.*}}exp.npz: out1[2] is nan, expected 448 (1 of 3 elements differ
// DTYPE: hlox-run: error: input 0 is float32[3] but @main(tensor<3xbf16>, tensor<3xbf16>, tensor<3xf8E4M3FN>) -> (tensor<3xbf16>, tensor<3xf8E4M3FN>) takes bfloat16[3] there

func.func @main(%a: tensor<3xbf16>, %b: tensor<3xbf16>, %c: tensor<3xf8E4M3FN>) -> (tensor<3xbf16>, tensor<3xf8E4M3FN>) {
  %0 = stablehlo.add %a, %b : tensor<3xbf16>
  %1 = stablehlo.add %c, %c : tensor<3xf8E4M3FN>
  return %0, %1 : tensor<3xbf16>, tensor<3xf8E4M3FN>
}
