// hlox's transformation passes are registered with their typed options and report problems as
// diagnostics (exit 1, no traceback).
// RUN: hlox-opt %s --hlox-jvp='func=main wrt=0' --hlox-grad='func=main name=df' --hlox-batch='func=main size=4' | FileCheck %s --check-prefix=NAMES
// RUN: hlox-opt %s --pass-pipeline='builtin.module(hlox-vjp{func=main},func.func(cse))' | FileCheck %s --check-prefix=VJP
// RUN: not hlox-opt %s --hlox-batch='func=nope size=2' 2>&1 | FileCheck %s --check-prefix=NOFUNC
// RUN: not hlox-opt %s --hlox-jvp='wrt=a' 2>&1 | FileCheck %s --check-prefix=BADWRT
// RUN: not hlox-opt %s --hlox-batch='axes=0' 2>&1 | FileCheck %s --check-prefix=BADKEY
// RUN: hlox-opt --list-passes | FileCheck %s --check-prefix=LIST

func.func @main(%x: tensor<3xf32>) -> tensor<f32> {
  %z = stablehlo.constant dense<0.0> : tensor<f32>
  %0 = stablehlo.reduce(%x init: %z) applies stablehlo.add across dimensions = [0] : (tensor<3xf32>, tensor<f32>) -> tensor<f32>
  return %0 : tensor<f32>
}

// NAMES-DAG: func.func @main_jvp(%arg0: tensor<3xf32>, %arg1: tensor<3xf32>) -> (tensor<f32>, tensor<f32>)
// NAMES-DAG: func.func @df(%arg0: tensor<3xf32>) -> tensor<3xf32>
// NAMES-DAG: func.func @main_batch(%arg0: tensor<4x3xf32>) -> tensor<4xf32>
// VJP: func.func @main_vjp(%arg0: tensor<3xf32>, %arg1: tensor<f32>) -> (tensor<f32>, tensor<3xf32>)
// NOFUNC: error: hlox-batch: no function @nope in the module
// NOFUNC-NOT: Traceback
// BADWRT: hlox-opt: error: invalid pass pipeline: pass 'hlox-jvp' option 'wrt': expected int, got 'a'
// BADKEY: hlox-opt: error: invalid pass pipeline: pass 'hlox-batch' has no option 'axes' (options: func, in-axes, size, axis-name, name)

// LIST:      hlox-batch
// LIST-NEXT:   func: string (default: main)
// LIST-NEXT:   in-axes: list of int or none
// LIST-NEXT:   size: int
// LIST-NEXT:   name: string
// LIST:      hlox-grad
// LIST:      hlox-jvp
// LIST-NEXT:   func: string (default: main)
// LIST-NEXT:   wrt: list of int
// LIST-NEXT:   name: string
// LIST:      hlox-vjp
// LIST:      MLIR passes:
// LIST:      canonicalize
// LIST:      chlo-legalize-to-stablehlo {{.*}}[on func.func]
// LIST:      cse
// LIST:      inline
// LIST:      symbol-dce
