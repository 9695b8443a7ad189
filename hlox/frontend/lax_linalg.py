"""`hlox.lax.linalg`: cholesky and triangular_solve with JAX's signatures, and the small
matrix helpers (triangle masks, conjugate transpose) that their derivatives share."""
from __future__ import annotations

from hlox.frontend import dtypes, errors, lax, ops

__all__ = ["cholesky", "triangular_solve", "symmetrize", "tril", "triu", "matrix_transpose",
           "adjoint", "batch_matmul"]


def matrix_transpose(x):
    """Swap the last two axes."""
    perm = list(range(x.ndim - 2)) + [x.ndim - 1, x.ndim - 2]
    return lax.transpose(x, perm)


def adjoint(x):
    """The conjugate transpose of the last two axes."""
    return lax.conj(matrix_transpose(x))


def _triangle(x, k, lower):
    x = lax.asarray(x)
    rows = lax.broadcasted_iota(dtypes.int32, x.shape, x.ndim - 2)
    cols = lax.broadcasted_iota(dtypes.int32, x.shape, x.ndim - 1)
    keep = lax.ge(lax.add(rows, k), cols) if lower else lax.le(lax.add(rows, k), cols)
    return lax.select(keep, x, lax.full_like(x, 0))


def tril(x, k=0):
    """x with the elements above the k-th diagonal zeroed (last two axes)."""
    return _triangle(x, k, lower=True)


def triu(x, k=0):
    """x with the elements below the k-th diagonal zeroed (last two axes)."""
    return _triangle(x, k, lower=False)


def symmetrize(x):
    """(x + x^H) / 2."""
    x = lax.asarray(x)
    return lax.div(lax.add(x, adjoint(x)), 2)


def batch_matmul(a, b):
    """a @ b over the last two axes, the leading axes batched."""
    batch = tuple(range(a.ndim - 2))
    return lax.dot_general(a, b, (((a.ndim - 1,), (b.ndim - 2,)), (batch, batch)))


def _check_square(name, x):
    if not dtypes.is_inexact(x.dtype):
        raise errors.type_error(f"{name} requires a floating-point or complex operand, got "
                                f"{x.aval.str_short()}")
    if x.ndim < 2 or x.shape[-1] != x.shape[-2]:
        raise errors.value_error(f"{name} requires square matrices [..., n, n], got "
                                 f"{x.aval.str_short()}")


def cholesky(x, *, symmetrize_input=True):
    """The lower-triangular L with x = L L^H; NaNs where the decomposition fails."""
    x = lax.asarray(x)
    _check_square("cholesky", x)
    if symmetrize_input:
        x = symmetrize(x)
    return tril(ops.cholesky.bind(x, lower=True))


def triangular_solve(a, b, *, left_side=False, lower=False, transpose_a=False,
                     conjugate_a=False, unit_diagonal=False):
    """X with op(a) X = b (left_side) or X op(a) = b, op transposing and/or conjugating a."""
    a, b = lax.asarray(a), lax.asarray(b)
    _check_square("triangular_solve", a)
    conjugate_a = conjugate_a and dtypes.is_complex(a.dtype)
    singleton = b.ndim == a.ndim - 1
    if singleton:
        b = lax.expand_dims(b, (b.ndim if left_side else b.ndim - 1,))
    if conjugate_a and not transpose_a:
        a, conjugate_a = lax.conj(a), False
    kind = ("ADJOINT" if conjugate_a else "TRANSPOSE") if transpose_a else "NO_TRANSPOSE"
    out = ops.triangular_solve.bind(a, b, left_side=bool(left_side), lower=bool(lower),
                                    unit_diagonal=bool(unit_diagonal), transpose_a=kind)
    if singleton:
        out = lax.squeeze(out, (out.ndim - 1 if left_side else out.ndim - 2,))
    return out
