"""LAPACK kernels as primitives: each emits one `stablehlo.custom_call` to the typed-FFI
target that jaxlib registers for the CPU client (hlox.lowering.lapack), laid out as JAX
emits it: column-major matrices with the batch dimensions major (the kernels loop over
them natively, `num_batch_dims`), row-major vectors, the backend config in
`mhlo.backend_config` (api_version 1), and the input matrix aliased to the first result.

Each primitive returns LAPACK's raw outputs (1-based pivots, `info` codes); the functions
of hlox.frontend.lax_linalg turn them into JAX's results.
"""
from __future__ import annotations

import numpy as np

from hlox.frontend import dtypes
from hlox.lowering.avals import ShapedArray
from hlox.frontend.primitives import Primitive, emit
from hlox.lowering import lapack, mlir
from hlox.lowering.mlir import ir, stablehlo

__all__ = ["getrf", "geqrf", "orgqr", "syevd", "gesdd", "geev", "potrf", "trsm", "KERNELS"]


def _u8(char):
    return ir.IntegerAttr.get(ir.IntegerType.get_unsigned(8), ord(char))


def _layout(ndim, matrix_rank):
    """Minor-to-major: a matrix operand column-major within its batch, others row-major."""
    if ndim == matrix_rank and ndim >= 2:
        return [ndim - 2, ndim - 1] + list(range(ndim - 3, -1, -1))
    return list(range(ndim - 1, -1, -1))


def layouts_attr(avals, matrix_rank):
    return ir.ArrayAttr.get([
        ir.DenseElementsAttr.get(np.asarray(_layout(a.ndim, matrix_rank), np.int64),
                                 type=ir.RankedTensorType.get([a.ndim], ir.IndexType.get()))
        for a in avals])


def _aliases_attr(aliases, n_results):
    return ir.ArrayAttr.get([
        stablehlo.OutputOperandAlias.get(
            output_tuple_indices=[out] if n_results > 1 else [], operand_index=operand,
            operand_tuple_indices=[])
        for operand, out in aliases])


def _emitter(kernel, config, aliases):
    def rule(trace, values, out_avals, **params):
        in_avals = [ShapedArray(*mlir.shape_and_dtype(v.type)) for v in values]
        rank = max(a.ndim for a in in_avals)
        attrs = {
            "call_target_name": ir.StringAttr.get(lapack.target(kernel, in_avals[0].dtype)),
            "has_side_effect": ir.BoolAttr.get(False),
            "backend_config": ir.StringAttr.get(""),
            "api_version": ir.IntegerAttr.get(ir.IntegerType.get_signless(32), 1),
            "called_computations": ir.ArrayAttr.get([]),
            "operand_layouts": layouts_attr(in_avals, rank),
            "result_layouts": layouts_attr(out_avals, rank),
            "mhlo.backend_config": ir.DictAttr.get(
                {k: _u8(v) for k, v in config(**params).items()}),
            "mhlo.frontend_attributes": ir.DictAttr.get(
                {"num_batch_dims": ir.StringAttr.get(str(rank - 2))}),
        }
        if aliases:
            attrs["output_operand_aliases"] = _aliases_attr(aliases, len(out_avals))
        return list(emit(trace, "stablehlo.custom_call", values, out_avals, attrs).results)
    return rule


# -- shape rules ----------------------------------------------------------------------------
def _matrix(name, a, square=False):
    if a.ndim < 2:
        raise ValueError(f"{name} needs matrices [..., m, n], got {a.str_short()}")
    if square and a.shape[-1] != a.shape[-2]:
        raise ValueError(f"{name} needs square matrices [..., n, n], got {a.str_short()}")
    if a.dtype not in lapack.PREFIXES:
        raise TypeError(f"{name} needs a float32, float64, complex64 or complex128 operand, "
                        f"got {a.str_short()}")
    return a.shape[:-2], a.shape[-2], a.shape[-1]


def _plain(a):
    return ShapedArray(a.shape, a.dtype)


def _info(batch):
    return ShapedArray(batch, dtypes.int32)


def _getrf_rule(a):
    batch, m, n = _matrix("getrf", a)
    return [_plain(a), ShapedArray(batch + (min(m, n),), dtypes.int32), _info(batch)]


def _geqrf_rule(a):
    batch, m, n = _matrix("geqrf", a)
    return [_plain(a), ShapedArray(batch + (min(m, n),), a.dtype)]


def _orgqr_rule(a, tau):
    batch, m, n = _matrix("orgqr", a)
    if tau.dtype != a.dtype or tau.shape[:-1] != batch or tau.shape[-1] > n:
        raise TypeError(f"orgqr needs reflector scales [..., k<=n] of the matrix dtype, got "
                        f"{a.str_short()} and {tau.str_short()}")
    return [_plain(a)]


def _syevd_rule(a, *, lower=True, compute_v=True):
    batch, _, n = _matrix("syevd", a, square=True)
    return [_plain(a), ShapedArray(batch + (n,), dtypes.real_dtype(a.dtype)), _info(batch)]


def _gesdd_shapes(m, n, mode):
    k = min(m, n)
    if mode == "S":
        return (m, k), (k, n)
    return (m, m), (n, n)  # "A", and "N" (which leaves them untouched, as JAX allocates)


def _gesdd_rule(a, *, mode):
    batch, m, n = _matrix("gesdd", a)
    u, vt = _gesdd_shapes(m, n, mode)
    return [_plain(a), ShapedArray(batch + (min(m, n),), dtypes.real_dtype(a.dtype)),
            ShapedArray(batch + u, a.dtype), ShapedArray(batch + vt, a.dtype), _info(batch)]


def _complex_of(dtype):
    return dtypes.complex64 if dtypes.real_dtype(dtype) == dtypes.float32 else dtypes.complex128


def _geev_rule(a, *, left, right):
    batch, _, n = _matrix("geev", a, square=True)
    c = _complex_of(a.dtype)
    vectors = [ShapedArray(a.shape, c), ShapedArray(a.shape, c), _info(batch)]
    if dtypes.is_complex(a.dtype):
        return [ShapedArray(batch + (n,), c)] + vectors
    real = ShapedArray(batch + (n,), a.dtype)
    return [real, real] + vectors


def _potrf_rule(a, *, lower=True):
    batch, _, _ = _matrix("potrf", a, square=True)
    return [_plain(a), _info(batch)]


def _trsm_rule(a, b, **flags):
    batch, _, _ = _matrix("trsm", a, square=True)
    if b.dtype != a.dtype or b.shape[:-2] != batch:
        raise TypeError(f"trsm needs right-hand sides of the matrix dtype and batch, got "
                        f"{a.str_short()} and {b.str_short()}")
    return [_plain(b)]


def _trsm_config(left_side=True, lower=True, transpose_a="N", unit_diagonal=False):
    """transpose_a: LAPACK's letter, N (no), T (transpose) or C (conjugate transpose)."""
    return {"side": "L" if left_side else "R", "uplo": "L" if lower else "U",
            "trans_x": transpose_a, "diag": "U" if unit_diagonal else "N"}


def _vectors(flag):
    return "V" if flag else "N"


# kernel: (shape rule, backend config of the params, (operand, result) aliases)
KERNELS = {
    "getrf": (_getrf_rule, lambda: {}, [(0, 0)]),
    "geqrf": (_geqrf_rule, lambda: {}, [(0, 0)]),
    "orgqr": (_orgqr_rule, lambda: {}, [(0, 0)]),
    "syevd": (_syevd_rule, lambda lower=True, compute_v=True: {
        "mode": _vectors(compute_v), "uplo": "L" if lower else "U"}, [(0, 0)]),
    "gesdd": (_gesdd_rule, lambda mode: {"mode": mode}, [(0, 0)]),
    "geev": (_geev_rule, lambda left, right: {
        "compute_left": _vectors(left), "compute_right": _vectors(right)}, []),
    # Cholesky and triangular solves are stablehlo ops in hlox's programs; these two emit the
    # kernels that JAX's exports call instead (for the passes' tests)
    "potrf": (_potrf_rule, lambda lower=True: {"uplo": "L" if lower else "U"}, [(0, 0)]),
    "trsm": (_trsm_rule, _trsm_config, [(1, 0)]),
}


# LAPACK's names of the Hermitian kernels
_COMPLEX_NAMES = {"orgqr": "ungqr", "syevd": "heevd"}


def _primitive(kernel):
    shape_rule, config, aliases = KERNELS[kernel]
    real, complex_ = (_emitter(k, config, aliases)
                      for k in (kernel, _COMPLEX_NAMES.get(kernel, kernel)))

    def emit_rule(trace, values, out_avals, **params):
        dtype = mlir.shape_and_dtype(values[0].type)[1]
        rule = complex_ if dtypes.is_complex(dtype) else real
        return rule(trace, values, out_avals, **params)
    return Primitive(f"lapack.{kernel}", shape_rule, emit_rule, multiple_results=True)


getrf, geqrf, orgqr, syevd, gesdd, geev, potrf, trsm = (_primitive(k) for k in KERNELS)
