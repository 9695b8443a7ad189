// The transpose of RFFT pads the cotangent back to the full spectrum, transforms it with FFT and
// keeps the real part; IRFFT's transpose is a weighted RFFT, conjugated (JAX's convention).
// (conj is written as complex(real, -imag).)
// RUN: hlox-opt %s --hlox-vjp | FileCheck %s
// RUN: hlox-opt %s --hlox-vjp='func=inverse' | FileCheck %s --check-prefix=INV

func.func @main(%x: tensor<2x8xf32>) -> tensor<2x5xcomplex<f32>> {
  %0 = stablehlo.fft %x, type = RFFT, length = [8] : (tensor<2x8xf32>) -> tensor<2x5xcomplex<f32>>
  return %0 : tensor<2x5xcomplex<f32>>
}

func.func @inverse(%x: tensor<2x5xcomplex<f32>>) -> tensor<2x8xf32> {
  %0 = stablehlo.fft %x, type = IRFFT, length = [8] : (tensor<2x5xcomplex<f32>>) -> tensor<2x8xf32>
  return %0 : tensor<2x8xf32>
}

// CHECK-LABEL: func.func @main_vjp(
// CHECK-SAME:    %{{.*}}: tensor<2x8xf32>, %[[CT:.*]]: tensor<2x5xcomplex<f32>>)
// CHECK:         %[[FULL:.*]] = stablehlo.pad %[[CT]], %{{.*}}, low = [0, 0], high = [0, 3], interior = [0, 0]
// CHECK:         %[[SPECTRUM:.*]] = stablehlo.fft %[[FULL]], type = FFT, length = [8]
// CHECK:         %[[GRAD:.*]] = stablehlo.real %[[SPECTRUM]]
// CHECK:         return %{{.*}}, %[[GRAD]]

// INV-LABEL: func.func @inverse_vjp(
// INV-SAME:    %{{.*}}: tensor<2x5xcomplex<f32>>, %[[CT:.*]]: tensor<2x8xf32>)
// INV:         %[[HALF:.*]] = stablehlo.fft %[[CT]], type = RFFT, length = [8]
// INV:         %[[WEIGHTED:.*]] = stablehlo.multiply %[[HALF]], %{{.*}}
// INV:         %[[IM:.*]] = stablehlo.imag %[[WEIGHTED]]
// INV:         %[[NEG:.*]] = stablehlo.negate %[[IM]]
// INV:         %[[GRAD:.*]] = stablehlo.complex %{{.*}}, %[[NEG]]
// INV:         return %{{.*}}, %[[GRAD]]
