// The example pass plugin (examples/passes/op_stats.py) as documentation.
// RUN: hlox-opt %s --load-pass-plugin=%examples/passes/op_stats.py --fold-double-negate | FileCheck %s
// RUN: hlox-opt %s --load-pass-plugin=%examples/passes/op_stats.py --pass-pipeline='builtin.module(func.func(cse,fold-double-negate,canonicalize))' | FileCheck %s
// RUN: hlox-opt %s --load-pass-plugin=%examples/passes/op_stats.py --count-ops='top=2' --verify-diagnostics -o /dev/null
// RUN: hlox-opt %s --load-pass-plugin=%examples/passes/op_stats.py --count-ops --fold-double-negate --count-ops='top=1' -o /dev/null 2>&1 | FileCheck %s --check-prefix=REMARKS
// RUN: hlox-opt --load-pass-plugin=%examples/passes/op_stats.py --list-passes | FileCheck %s --check-prefix=LIST
// RUN: not hlox-opt %s --load-pass-plugin=%S/Inputs/no_such_plugin.py 2>&1 | FileCheck %s --check-prefix=NOPLUGIN
// RUN: not hlox-opt %s --load-pass-plugin=%examples/passes/op_stats.py --count-ops='top=x' 2>&1 | FileCheck %s --check-prefix=BADOPT

// CHECK-LABEL: func.func @main
// CHECK-NOT:   stablehlo.negate
// CHECK:       %[[S:.*]] = stablehlo.add %arg0, %arg0
// CHECK-NEXT:  return %[[S]]

// REMARKS: plugin.mlir:[[# @LINE + 7]]:1: remark: 4 ops: stablehlo.negate x2, stablehlo.add x1, func.return x1
// REMARKS: plugin.mlir:[[# @LINE + 6]]:1: remark: 2 ops: stablehlo.add x1

// LIST: count-ops {{.*}} Remark on each function with its number of ops of each kind [on func.func]
// LIST-NEXT: top: int (default: 3)  how many of the most frequent op names to show
// LIST: fold-double-negate {{.*}} Rewrite negate(negate(x)) to x [on func.func]

func.func @main(%a: tensor<2xf32>) -> tensor<2xf32> {
  // expected-remark@-1 {{4 ops: stablehlo.negate x2, stablehlo.add x1}}
  %0 = stablehlo.negate %a : tensor<2xf32>
  %1 = stablehlo.negate %0 : tensor<2xf32>
  %2 = stablehlo.add %1, %1 : tensor<2xf32>
  return %2 : tensor<2xf32>
}

// NOPLUGIN: hlox-opt: error: could not load pass plugin {{.*}}no_such_plugin.py: no such file
// BADOPT: hlox-opt: error: invalid pass pipeline: pass 'count-ops' option 'top': expected int, got 'x'
