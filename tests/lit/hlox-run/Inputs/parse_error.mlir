// Used by errors.mlir: a parse error on line 3.
func.func @main(%x: tensor<2xf32>) -> tensor<2xf32> {
  %0 = stablehlo.not_an_op %x : tensor<2xf32>
  return %0 : tensor<2xf32>
}
