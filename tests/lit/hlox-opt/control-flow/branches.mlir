// Derivatives and batching of stablehlo.if / stablehlo.case. Each branch is outlined into a
// private function that the passes transform; forward mode is one `if` returning (value,
// tangent); reverse mode keeps the forward branches and adds a second `case`/`if` on the same
// selector whose branches run the matching branch's adjoint (the last op's first). Batching
// with a batched predicate runs both branches and selects; an unbatched selector stays a real
// branch over the batched branch functions.
// RUN: hlox-opt %s --hlox-jvp | FileCheck %s --check-prefix=JVP
// RUN: hlox-opt %s --hlox-vjp | FileCheck %s --check-prefix=VJP
// RUN: hlox-opt %s --hlox-batch='in-axes=0,none,0 size=4' | FileCheck %s --check-prefix=SELECT
// RUN: hlox-opt %s --hlox-batch='in-axes=none,none,0 size=4' | FileCheck %s --check-prefix=KEEP

func.func @main(%p: tensor<i1>, %i: tensor<i32>, %x: tensor<3xf32>) -> tensor<3xf32> {
  %a = "stablehlo.if"(%p) ({
    %s = stablehlo.sine %x : tensor<3xf32>
    stablehlo.return %s : tensor<3xf32>
  }, {
    %m = stablehlo.multiply %x, %x : tensor<3xf32>
    stablehlo.return %m : tensor<3xf32>
  }) : (tensor<i1>) -> tensor<3xf32>
  %b = "stablehlo.case"(%i) ({
    %e = stablehlo.exponential %a : tensor<3xf32>
    stablehlo.return %e : tensor<3xf32>
  }, {
    stablehlo.return %a : tensor<3xf32>
  }) : (tensor<i32>) -> tensor<3xf32>
  return %b : tensor<3xf32>
}

// JVP-LABEL: func.func @main_jvp(
// JVP-SAME:    %[[P:.*]]: tensor<i1>, %[[I:.*]]: tensor<i32>, %[[X:.*]]: tensor<3xf32>, %[[T:.*]]: tensor<3xf32>) -> (tensor<3xf32>, tensor<3xf32>)
// JVP:         %[[IF:.*]]:2 = "stablehlo.if"(%[[P]]) ({
// JVP-NEXT:      func.call @[[B0:.*]](%[[X]], %[[T]])
// JVP:         }, {
// JVP-NEXT:      func.call @[[B1:.*]](%[[X]], %[[T]])
// JVP:         }) : (tensor<i1>) -> (tensor<3xf32>, tensor<3xf32>)
// JVP:         %[[CASE:.*]]:2 = "stablehlo.case"(%[[I]]) ({
// JVP-NEXT:      func.call @{{.*}}(%[[IF]]#0, %[[IF]]#1)
// JVP:         return %[[CASE]]#0, %[[CASE]]#1
// JVP:       func.func private @[[B1]](
// JVP:         stablehlo.multiply
// JVP:         stablehlo.add
// JVP:       func.func private @[[B0]](
// JVP:         stablehlo.sine
// JVP:         stablehlo.cosine

// VJP-LABEL: func.func @main_vjp(
// VJP-SAME:    %[[P:.*]]: tensor<i1>, %[[I:.*]]: tensor<i32>, %[[X:.*]]: tensor<3xf32>, %[[CT:.*]]: tensor<3xf32>)
// VJP:         %[[A:.*]] = "stablehlo.if"(%[[P]])
// VJP:         %[[B:.*]] = "stablehlo.case"(%[[I]])
// VJP:         %[[CT_A:.*]] = "stablehlo.case"(%[[I]]) ({
// VJP-NEXT:      func.call @{{.*}}_vjp(%[[A]], %[[CT]])
// VJP:         }, {
// VJP-NEXT:      func.call @{{.*}}_vjp(%[[A]], %[[CT]])
// VJP:         %[[CT_X:.*]] = "stablehlo.if"(%[[P]]) ({
// VJP-NEXT:      func.call @{{.*}}_vjp(%[[X]], %[[CT_A]])
// VJP:         return %[[B]], %[[CT_X]]

// SELECT-LABEL: func.func @main_batch(
// SELECT-SAME:    %[[P:.*]]: tensor<4xi1>, %[[I:.*]]: tensor<i32>, %[[X:.*]]: tensor<4x3xf32>) -> tensor<4x3xf32>
// SELECT-NOT:     stablehlo.if
// SELECT-DAG:     %[[T:.*]] = call @{{.*}}(%[[X]]) : (tensor<4x3xf32>) -> tensor<4x3xf32>
// SELECT-DAG:     %[[F:.*]] = call @{{.*}}(%[[X]]) : (tensor<4x3xf32>) -> tensor<4x3xf32>
// SELECT:         %[[PB:.*]] = stablehlo.broadcast_in_dim %[[P]], dims = [0] : (tensor<4xi1>) -> tensor<4x3xi1>
// SELECT:         %[[S:.*]] = stablehlo.select %[[PB]], %[[T]], %[[F]]
// SELECT:         "stablehlo.case"(%[[I]])
// SELECT:         func.call @{{.*}}(%[[S]]) : (tensor<4x3xf32>) -> tensor<4x3xf32>

// KEEP-LABEL: func.func @main_batch(
// KEEP-SAME:    %[[P:.*]]: tensor<i1>, %[[I:.*]]: tensor<i32>, %{{.*}}: tensor<4x3xf32>)
// KEEP:         "stablehlo.if"(%[[P]])
// KEEP:         }) : (tensor<i1>) -> tensor<4x3xf32>
// KEEP:         "stablehlo.case"(%[[I]])
// KEEP:         }) : (tensor<i32>) -> tensor<4x3xf32>
// KEEP-NOT:     stablehlo.select
