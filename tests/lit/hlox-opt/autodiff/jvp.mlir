// Forward mode adds @main_jvp(x, y, tx, ty) -> (out, t_out): the tangent of sin(x) * y is
// cos(x) * tx * y + sin(x) * ty.
// RUN: hlox-opt %s --hlox-jvp | FileCheck %s
// RUN: hlox-opt %s --hlox-jvp='wrt=1 name=dy' | FileCheck %s --check-prefix=WRT1

func.func @main(%x: tensor<4xf32>, %y: tensor<4xf32>) -> tensor<4xf32> {
  %0 = stablehlo.sine %x : tensor<4xf32>
  %1 = stablehlo.multiply %0, %y : tensor<4xf32>
  return %1 : tensor<4xf32>
}

// CHECK-LABEL: func.func @main_jvp(
// CHECK-SAME:    %[[X:.*]]: tensor<4xf32>, %[[Y:.*]]: tensor<4xf32>, %[[TX:.*]]: tensor<4xf32>, %[[TY:.*]]: tensor<4xf32>)
// CHECK-SAME:    -> (tensor<4xf32>, tensor<4xf32>)
// CHECK:         %[[SIN:.*]] = stablehlo.sine %[[X]]
// CHECK:         %[[COS:.*]] = stablehlo.cosine %[[X]]
// CHECK:         %[[DSIN:.*]] = stablehlo.multiply %[[TX]], %[[COS]]
// CHECK:         %[[OUT:.*]] = stablehlo.multiply %[[SIN]], %[[Y]]
// CHECK-DAG:     %[[A:.*]] = stablehlo.multiply %[[DSIN]], %[[Y]]
// CHECK-DAG:     %[[B:.*]] = stablehlo.multiply %[[SIN]], %[[TY]]
// CHECK:         %[[T:.*]] = stablehlo.add %[[A]], %[[B]]
// CHECK:         return %[[OUT]], %[[T]]

// Only y is differentiated: no cosine is needed.
// WRT1-LABEL: func.func @dy(
// WRT1-SAME:    tensor<4xf32>, %{{.*}}: tensor<4xf32>, %{{.*}}: tensor<4xf32>) -> (tensor<4xf32>, tensor<4xf32>)
// WRT1-NOT:     stablehlo.cosine
// WRT1:         return
