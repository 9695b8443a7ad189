// A module exported by real JAX, with a private function, func.call and a CHLO op.
// RUN: hlox-opt %S/Inputs/jax_export.mlir | FileCheck %s --check-prefix=ROUNDTRIP
// RUN: hlox-opt %S/Inputs/jax_export.mlir --inline --symbol-dce | FileCheck %s --check-prefix=INLINE
// RUN: hlox-opt %S/Inputs/jax_export.mlir --pass-pipeline='builtin.module(inline,symbol-dce,func.func(cse))' | FileCheck %s --check-prefix=INLINE
// RUN: hlox-opt %S/Inputs/jax_export.mlir --chlo-legalize-to-stablehlo | FileCheck %s --check-prefix=CHLO
// RUN: hlox-opt %S/Inputs/jax_export.mlir --pass-pipeline='builtin.module(func.func(chlo-legalize-to-stablehlo))' | FileCheck %s --check-prefix=CHLO
// RUN: hlox-opt %S/Inputs/jax_export.mlir --emit-bytecode -o %t.mlirbc
// RUN: hlox-opt %t.mlirbc | FileCheck %s --check-prefix=ROUNDTRIP
// RUN: hlox-opt < %t.mlirbc | FileCheck %s --check-prefix=ROUNDTRIP
// RUN: hlox-opt %S/Inputs/jax_export.mlir --mlir-print-debuginfo | FileCheck %s --check-prefix=DEBUG

// ROUNDTRIP:      module @jit_f attributes {mhlo.num_partitions = 1 : i32, mhlo.num_replicas = 1 : i32} {
// ROUNDTRIP:        func.func public @main
// ROUNDTRIP:          call @inner(%arg0)
// ROUNDTRIP:          chlo.erf_inv
// ROUNDTRIP:        func.func private @inner
// ROUNDTRIP-NEXT:     stablehlo.sine

// INLINE:     func.func public @main
// INLINE-NOT: call
// INLINE:     stablehlo.sine
// INLINE:     stablehlo.sine
// INLINE-NOT: func.func private @inner

// CHLO:     func.func public @main
// CHLO-NOT: chlo.
// CHLO:     func.func private @inner

// DEBUG: call @inner(%arg0) : (tensor<3xf32>) -> tensor<3xf32> loc([[CALL:#loc[0-9]+]])
// DEBUG: [[CALL]] = loc("{{.*}}Inputs/jax_export.mlir":7:10)
