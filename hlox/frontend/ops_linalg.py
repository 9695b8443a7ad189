"""Linear algebra as StableHLO ops: cholesky and triangular_solve (LAPACK kernels are in
linalg_ops)."""
from __future__ import annotations

from hlox.frontend import dtypes
from hlox.frontend.op_builders import bool_attr, shape_str
from hlox.frontend.primitives import Primitive, simple_emitter
from hlox.lowering.mlir import stablehlo


# -- linear algebra ----------------------------------------------------------------------
def _check_square_batch(name, a):
    if a.ndim < 2 or a.shape[-1] != a.shape[-2]:
        raise ValueError(f"{name} needs square matrices [..., n, n], got {a.str_short()}")
    if not dtypes.is_inexact(a.dtype):
        raise TypeError(f"{name} needs a floating-point or complex operand, got {a.str_short()}")


def _cholesky_rule(a, *, lower=True):
    _check_square_batch("cholesky", a)
    return [a.update(weak_type=False)]


cholesky = Primitive("stablehlo.cholesky", _cholesky_rule, simple_emitter(
    "stablehlo.cholesky", lambda lower=True: {"lower": bool_attr(lower)}))

TRANSPOSE_KINDS = ("NO_TRANSPOSE", "TRANSPOSE", "ADJOINT")


def _triangular_solve_rule(a, b, *, left_side, lower, unit_diagonal, transpose_a):
    _check_square_batch("triangular_solve", a)
    if b.dtype != a.dtype or b.ndim != a.ndim:
        raise TypeError(f"triangular_solve needs a and b of one dtype and rank, got "
                        f"{shape_str([a, b])}")
    if a.shape[:-2] != b.shape[:-2]:
        raise ValueError(f"triangular_solve needs equal batch dimensions, got {shape_str([a, b])}")
    common = b.shape[-2] if left_side else b.shape[-1]
    if common != a.shape[-1]:
        side = "rows" if left_side else "columns"
        raise ValueError(f"triangular_solve: b {b.str_short()} must have {a.shape[-1]} {side} "
                         f"to match a {a.str_short()} (left_side={bool(left_side)})")
    if transpose_a not in TRANSPOSE_KINDS:
        raise ValueError(f"triangular_solve transpose_a must be one of {TRANSPOSE_KINDS}, got "
                         f"{transpose_a!r}")
    return [b.update(weak_type=False)]


triangular_solve = Primitive("stablehlo.triangular_solve", _triangular_solve_rule, simple_emitter(
    "stablehlo.triangular_solve", lambda left_side, lower, unit_diagonal, transpose_a: {
        "left_side": bool_attr(left_side), "lower": bool_attr(lower),
        "unit_diagonal": bool_attr(unit_diagonal),
        "transpose_a": stablehlo.TransposeAttr.get(transpose_a)}))
