"""`hlox.scipy.linalg`: cholesky and solve_triangular of jax.scipy.linalg."""
from __future__ import annotations

from hlox.frontend import errors, lax, lax_linalg
from hlox.frontend.numpy._util import asarray, check_arraylike, promote_dtypes_inexact

__all__ = ["cholesky", "solve_triangular"]

# trans: (transpose_a, conjugate_a)
_TRANS = {0: (False, False), "N": (False, False), 1: (True, False), "T": (True, False),
          2: (True, True), "C": (True, True)}


def cholesky(a, lower=False, overwrite_a=False, check_finite=True):
    check_arraylike("hlox.scipy.linalg.cholesky", a)
    (a,) = promote_dtypes_inexact(asarray(a))
    factor = lax_linalg.cholesky(a if lower else lax_linalg.adjoint(a), symmetrize_input=False)
    return factor if lower else lax_linalg.adjoint(factor)


def solve_triangular(a, b, trans=0, lower=False, unit_diagonal=False, overwrite_b=False,
                     debug=None, check_finite=True):
    check_arraylike("hlox.scipy.linalg.solve_triangular", a, b)
    if trans not in _TRANS:
        raise errors.value_error(f"Invalid 'trans' value {trans}")
    transpose_a, conjugate_a = _TRANS[trans]
    a, b = promote_dtypes_inexact(asarray(a), asarray(b))
    vector = a.ndim == b.ndim + 1
    if vector:
        b = lax.expand_dims(b, (b.ndim,))
    out = lax_linalg.triangular_solve(a, b, left_side=True, lower=lower, transpose_a=transpose_a,
                                      conjugate_a=conjugate_a, unit_diagonal=unit_diagonal)
    return lax.squeeze(out, (out.ndim - 1,)) if vector else out
