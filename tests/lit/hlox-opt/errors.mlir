// Bad input: mlir-opt-style `file:line:col: error:` lines, exit status 1, never a Python traceback.
// RUN: not hlox-opt %s 2>&1 | FileCheck %s
// RUN: not hlox-opt %s.missing 2>&1 | FileCheck %s --check-prefix=MISSING
// RUN: not hlox-opt %s --no-such-pass 2>&1 | FileCheck %s --check-prefix=BADFLAG
// RUN: not hlox-opt %s --pass-pipeline='builtin.module(nosuch)' 2>&1 | FileCheck %s --check-prefix=UNKNOWN
// RUN: not hlox-opt %s --pass-pipeline='builtin.module(cse' 2>&1 | FileCheck %s --check-prefix=SYNTAX
// RUN: not hlox-opt %s --pass-pipeline='builtin.module(canonicalize{bogus=1})' 2>&1 | FileCheck %s --check-prefix=CXXOPT
// RUN: not hlox-opt %s --pass-pipeline=cse --canonicalize 2>&1 | FileCheck %s --check-prefix=BOTH
// RUN: not hlox-opt < %S/Inputs/unknown_op.mlir 2>&1 | FileCheck %s --check-prefix=STDIN
// RUN: not hlox-opt < %S/Inputs/garbage.mlirbc 2>&1 | FileCheck %s --check-prefix=BYTECODE

// CHECK-NOT: Traceback
// CHECK: errors.mlir:[[# @LINE + 6]]:8: error: custom op 'stablehlo.no_such_op' is unknown
// CHECK-NEXT: %0 = stablehlo.no_such_op %a
// CHECK-NEXT: {{^       \^$}}
// CHECK-NOT: Traceback

func.func @main(%a: tensor<2xf32>) -> tensor<2xf32> {
  %0 = stablehlo.no_such_op %a : tensor<2xf32>
  return %0 : tensor<2xf32>
}

// MISSING: errors.mlir.missing: error: could not open input file: No such file or directory
// BADFLAG: hlox-opt: error: unrecognized arguments: --no-such-pass
// UNKNOWN: hlox-opt: error: invalid pass pipeline: 'nosuch' does not refer to a registered pass
// SYNTAX: hlox-opt: error: invalid pass pipeline: expected ',' or ')'
// CXXOPT: hlox-opt: error: invalid pass pipeline: {{.*}}no such option bogus
// BOTH: hlox-opt: error: --pass-pipeline cannot be combined with pass flags such as --canonicalize
// STDIN: <stdin>:2:8: error: custom op 'foo' is unknown
// BYTECODE: <stdin>{{.*}}: error: {{.*}}bytecode
// STDIN-NOT: Traceback
