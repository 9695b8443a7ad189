"""Derivatives of cholesky and triangular_solve (JAX's formulas)."""
from __future__ import annotations

from hlox.frontend import lax, ops
from hlox.frontend import lax_linalg as linalg
from hlox.lowering.mlir import ir, stablehlo
from hlox.passes.autodiff.common import add_maybe, jvp_rule, vjp_rule
from hlox.passes.autodiff.rules.structural import reemit

__all__ = ["cholesky_jvp", "cholesky_vjp", "triangular_solve_jvp", "triangular_solve_vjp"]


# -- cholesky ----------------------------------------------------------------------------------
def _phi(x):
    """The lower triangle of x with its diagonal halved."""
    low = linalg.tril(x)
    return lax.sub(low, lax.mul(lax.sub(low, linalg.tril(x, -1)), 0.5))


def _hermitian_from_lower(t):
    return lax.add(linalg.tril(t), linalg.adjoint(linalg.tril(t, -1)))


def cholesky_lower_jvp(L, t):
    """dL = L phi(L^-1 dA L^-H), dA the Hermitian matrix of t's lower triangle."""
    return cholesky_jvp(L, _hermitian_from_lower(t))


def cholesky_jvp(L, s):
    """dL = L phi(L^-1 s L^-H) for the tangent s of the whole matrix (JAX's rule)."""
    s_linv_h = linalg.triangular_solve(L, s, left_side=False, lower=True, transpose_a=True,
                                       conjugate_a=True)
    x = linalg.triangular_solve(L, s_linv_h, left_side=True, lower=True)
    return linalg.batch_matmul(L, _phi(x))


def cholesky_lower_vjp(L, ct):
    """The transpose of cholesky_lower_jvp(L, .)."""
    s_bar = cholesky_vjp(L, ct)
    return lax.add(linalg.tril(s_bar), linalg.tril(linalg.adjoint(s_bar), -1))


def cholesky_vjp(L, ct):
    """The transpose of cholesky_jvp(L, .)."""
    x_bar = _phi(linalg.batch_matmul(linalg.matrix_transpose(L), ct))
    tmp = linalg.triangular_solve(L, x_bar, left_side=True, lower=True, transpose_a=True)
    return linalg.triangular_solve(L, tmp, left_side=False, lower=True, conjugate_a=True)


def _is_lower(site):
    return ir.BoolAttr(site.attr("lower")).value if site.has("lower") else False


@jvp_rule("stablehlo.cholesky")
def _cholesky_jvp(site, tangents):
    (t,), (y,) = tangents, site.outputs
    if _is_lower(site):
        return [cholesky_lower_jvp(linalg.tril(y), t)]
    # an upper factor U of A is L^H for the lower factor L of A^H
    L = linalg.adjoint(linalg.triu(y))
    return [linalg.adjoint(cholesky_lower_jvp(L, linalg.adjoint(t)))]


@vjp_rule("stablehlo.cholesky")
def _cholesky_vjp(site, cts):
    (ct,), (y,) = cts, site.outputs
    if _is_lower(site):
        return [cholesky_lower_vjp(linalg.tril(y), ct)]
    L = linalg.adjoint(linalg.triu(y))
    return [linalg.adjoint(cholesky_lower_vjp(L, linalg.adjoint(ct)))]


# -- triangular_solve --------------------------------------------------------------------------
# op(a) for each transpose_a, and the (operand, transpose_a) that solves with op(a)^T instead.
_OP_OF_A = {"NO_TRANSPOSE": lambda a: a, "TRANSPOSE": linalg.matrix_transpose,
            "ADJOINT": linalg.adjoint}
_TRANSPOSED_SOLVE = {"NO_TRANSPOSE": (lambda a: a, "TRANSPOSE"),
                     "TRANSPOSE": (lambda a: a, "NO_TRANSPOSE"),
                     "ADJOINT": (lax.conj, "NO_TRANSPOSE")}


def _solve_attrs(site):
    flag = lambda name: ir.BoolAttr(site.attr(name)).value  # noqa: E731
    return dict(left_side=flag("left_side"), lower=flag("lower"),
                unit_diagonal=flag("unit_diagonal"),
                transpose_a=stablehlo.TransposeAttr(site.attr("transpose_a")).value)


def _read_triangle(t, attrs):
    """The part of `a` the solve reads: its triangle, without the diagonal if unit."""
    k = 1 if attrs["unit_diagonal"] else 0
    return linalg.tril(t, -k) if attrs["lower"] else linalg.triu(t, k)


@jvp_rule("stablehlo.triangular_solve")
def _triangular_solve_jvp(site, tangents):
    return triangular_solve_jvp(site, tangents, _solve_attrs(site))


def triangular_solve_jvp(site, tangents, attrs):
    """The JVP of a triangular solve op (this op or LAPACK's trsm) with lax's `attrs`."""
    t_a, t_b = tangents
    a, _ = site.inputs
    (x,) = site.outputs
    from_b = reemit(site, [a, t_b])[0] if t_b is not None else None
    from_a = None
    if t_a is not None:
        dm = _OP_OF_A[attrs["transpose_a"]](_read_triangle(t_a, attrs))
        rhs = linalg.batch_matmul(dm, x) if attrs["left_side"] else linalg.batch_matmul(x, dm)
        from_a = reemit(site, [a, lax.neg(rhs)])[0]
    return [add_maybe(from_a, from_b)]


@vjp_rule("stablehlo.triangular_solve")
def _triangular_solve_vjp(site, cts):
    return triangular_solve_vjp(site, cts, _solve_attrs(site))


def triangular_solve_vjp(site, cts, attrs):
    """The VJP of a triangular solve op (this op or LAPACK's trsm) with lax's `attrs`."""
    (ct,) = cts
    a, _ = site.inputs
    (x,) = site.outputs
    operand, kind = _TRANSPOSED_SOLVE[attrs["transpose_a"]]
    ct_b = ops.triangular_solve.bind(operand(a), ct, **{**attrs, "transpose_a": kind})
    ct_a = None
    if site.active[0]:
        left = attrs["left_side"]
        dm = (linalg.batch_matmul(ct_b, linalg.matrix_transpose(x)) if left
              else linalg.batch_matmul(linalg.matrix_transpose(x), ct_b))
        ct_a = _read_triangle(_OP_OF_A[attrs["transpose_a"]](lax.neg(dm)), attrs)
    return [ct_a, ct_b if site.active[1] else None]
