// RUN: hlox-opt %s --split-input-file --verify-diagnostics
// RUN: hlox-opt %s --split-input-file --verify-diagnostics --cse -o /dev/null

// Parse errors are checked like any other diagnostic.
func.func @bad(%a: tensor<2xf32>) -> tensor<2xf32> {
  // expected-error@+1 {{custom op 'stablehlo.nope' is unknown}}
  %0 = stablehlo.nope %a : tensor<2xf32>
  return %0 : tensor<2xf32>
}

// -----

// The verifier's errors, with @below / @above offsets.
func.func @mismatch(%a: tensor<2xf32>) -> tensor<3xf32> {
  // expected-error@below {{type of return operand 0 ('tensor<2xf32>') doesn't match function result type ('tensor<3xf32>')}}
  return %a : tensor<2xf32>
}

