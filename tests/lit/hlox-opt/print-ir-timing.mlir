// IR printing and timing treat C++ and Python passes alike (one MLIR PassManager).
// RUN: hlox-opt %s --load-pass-plugin=%examples/passes/op_stats.py --mlir-print-ir-after-all --cse --fold-double-negate -o /dev/null 2>&1 | FileCheck %s --check-prefix=AFTER
// RUN: hlox-opt %s --load-pass-plugin=%examples/passes/op_stats.py --mlir-print-ir-before-all --pass-pipeline='builtin.module(func.func(fold-double-negate))' -o /dev/null 2>&1 | FileCheck %s --check-prefix=BEFORE
// RUN: hlox-opt %s --load-pass-plugin=%examples/passes/op_stats.py --mlir-timing --cse --fold-double-negate -o /dev/null 2>&1 | FileCheck %s --check-prefix=TIMING
// RUN: hlox-opt %s --mlir-print-debuginfo | FileCheck %s --check-prefix=DEBUG
// RUN: hlox-opt %s --mlir-print-op-generic | FileCheck %s --check-prefix=GENERIC

// AFTER: IR Dump After CSEPass: cse
// AFTER: IR Dump After FoldDoubleNegatePass: fold-double-negate
// AFTER-NOT: stablehlo.negate
// BEFORE: IR Dump Before FoldDoubleNegatePass: fold-double-negate
// BEFORE-COUNT-2: stablehlo.negate
// TIMING: Execution time report
// TIMING: CSEPass
// TIMING: FoldDoubleNegatePass
// DEBUG: stablehlo.negate %arg0 : tensor<2xf32> loc([[L:#loc[0-9]*]])
// DEBUG: [[L]] = loc("{{.*}}print-ir-timing.mlir":[[# @LINE + 4]]:8)
// GENERIC: "stablehlo.negate"(%arg0)

func.func @main(%a: tensor<2xf32>) -> tensor<2xf32> {
  %0 = stablehlo.negate %a : tensor<2xf32>
  %1 = stablehlo.negate %0 : tensor<2xf32>
  return %1 : tensor<2xf32>
}
