"""`hlox.numerics.scipy.linalg`: jax.scipy.linalg's cholesky, solve_triangular, cho_factor, cho_solve,
lu, lu_factor, lu_solve, solve, eigh, svd, qr, det and inv."""
from __future__ import annotations

from hlox.frontend import errors, lax, lax_linalg
from hlox.frontend.jit import eager_jit
from hlox.numerics.numpy import creation, linalg
from hlox.numerics.numpy import elementwise as ufuncs
from hlox.numerics.numpy._util import (asarray, broadcast_shapes, broadcast_to, check_arraylike,
                                       promote_dtypes_inexact)

__all__ = ["cholesky", "solve_triangular", "cho_factor", "cho_solve", "lu", "lu_factor",
           "lu_solve", "solve", "eigh", "svd", "qr", "det", "inv"]

# trans: (transpose_a, conjugate_a)
_TRANS = {0: (False, False), "N": (False, False), 1: (True, False), "T": (True, False),
          2: (True, True), "C": (True, True)}


def _inexact(name, *args):
    check_arraylike(f"hlox.numerics.scipy.linalg.{name}", *args)
    return promote_dtypes_inexact(*(asarray(a) for a in args))


def cholesky(a, lower=False, overwrite_a=False, check_finite=True):
    (a,) = _inexact("cholesky", a)
    factor = lax_linalg.cholesky(a if lower else lax_linalg.adjoint(a), symmetrize_input=False)
    return factor if lower else lax_linalg.adjoint(factor)


def solve_triangular(a, b, trans=0, lower=False, unit_diagonal=False, overwrite_b=False,
                     debug=None, check_finite=True):
    if trans not in _TRANS:
        raise errors.value_error(f"Invalid 'trans' value {trans}")
    transpose_a, conjugate_a = _TRANS[trans]
    a, b = _inexact("solve_triangular", a, b)
    vector = a.ndim == b.ndim + 1
    if vector:
        b = lax.expand_dims(b, (b.ndim,))
    out = lax_linalg.triangular_solve(a, b, left_side=True, lower=lower, transpose_a=transpose_a,
                                      conjugate_a=conjugate_a, unit_diagonal=unit_diagonal)
    return lax.squeeze(out, (out.ndim - 1,)) if vector else out


# -- Cholesky -------------------------------------------------------------------------------------
def cho_factor(a, lower=False, overwrite_a=False, check_finite=True):
    return cholesky(a, lower=lower), lower


def _with_matrix_rhs(c, b, solve_matrix):
    """solve_matrix on c [..., n, n] and b as [..., n, k] (b [n] is one vector), batches
    broadcast."""
    vector = b.ndim == 1 or (c.ndim == b.ndim + 1 and c.shape[-1] == b.shape[-1])
    if vector:
        b = b[..., None]
    batch = broadcast_shapes(c.shape[:-2], b.shape[:-2])
    x = solve_matrix(broadcast_to(c, batch + c.shape[-2:]), broadcast_to(b, batch + b.shape[-2:]))
    return x[..., 0] if vector else x


@eager_jit(static_argnames=("lower",))
def _cho_solve(c, b, lower):
    c, b = _inexact("cho_solve", c, b)

    def solve_matrix(c, b):
        b = lax_linalg.triangular_solve(c, b, left_side=True, lower=lower, transpose_a=not lower,
                                        conjugate_a=not lower)
        return lax_linalg.triangular_solve(c, b, left_side=True, lower=lower, transpose_a=lower,
                                           conjugate_a=lower)
    return _with_matrix_rhs(c, b, solve_matrix)


def cho_solve(c_and_lower, b, overwrite_b=False, check_finite=True):
    c, lower = c_and_lower
    return _cho_solve(c, b, bool(lower))


# -- LU -------------------------------------------------------------------------------------------
@eager_jit(static_argnames=("permute_l",))
def _lu(a, permute_l):
    (a,) = _inexact("lu", a)
    lu_, _, perm = lax_linalg.lu(a)
    m, n = a.shape[-2:]
    k = min(m, n)
    rows = creation.arange(m, dtype=perm.dtype)[:, None]
    p = ufuncs.equal(perm[..., None, :], rows).astype(ufuncs.real(a).dtype)
    l = lax_linalg.tril(lu_, -1)[..., :, :k] + creation.eye(m, k, dtype=a.dtype)
    u = lax_linalg.triu(lu_)[..., :k, :]
    if permute_l:
        return linalg.matmul(p, l, precision="highest"), u
    return p, l, u


def lu(a, permute_l=False, overwrite_a=False, check_finite=True):
    return _lu(a, bool(permute_l))


@eager_jit
def lu_factor(a, overwrite_a=False, check_finite=True):
    (a,) = _inexact("lu_factor", a)
    lu_, pivots, _ = lax_linalg.lu(a)
    return lu_, pivots


@eager_jit(static_argnames=("trans",))
def _lu_solve(lu_, pivots, b, trans):
    lu_, b = _inexact("lu_solve", lu_, b)
    perm = lax_linalg.lu_pivots_to_permutation(pivots, lu_.shape[-2])
    return _with_matrix_rhs(lu_, b, lambda f, rhs: lax_linalg.lu_solve(f, perm, rhs, trans))


def lu_solve(lu_and_piv, b, trans=0, overwrite_b=False, check_finite=True):
    lu_, pivots = lu_and_piv
    return _lu_solve(lu_, pivots, b, trans)


# -- solve, eigh, svd, qr, det, inv ----------------------------------------------------------------
_ASSUME_A = ("gen", "sym", "her", "pos")


def solve(a, b, lower=False, overwrite_a=False, overwrite_b=False, debug=False,
          check_finite=True, assume_a="gen"):
    if assume_a not in _ASSUME_A:
        raise errors.value_error(f"Expected assume_a to be one of {list(_ASSUME_A)}; got "
                                 f"{assume_a!r}")
    if assume_a != "pos":
        return linalg.solve(a, b)
    return cho_solve(cho_factor(a, lower=lower), b)


@eager_jit(static_argnames=("lower", "eigvals_only"))
def _eigh(a, lower, eigvals_only):
    (a,) = _inexact("eigh", a)
    v, w = lax_linalg.eigh(a, lower=lower)
    return w if eigvals_only else (w, v)


def eigh(a, b=None, lower=True, eigvals_only=False, overwrite_a=False, overwrite_b=False,
         turbo=True, eigvals=None, type=1, check_finite=True):
    if b is not None:
        raise NotImplementedError("Only the b=None case of eigh is implemented.")
    if type != 1:
        raise NotImplementedError("Only the type=1 case of eigh is implemented.")
    if eigvals is not None:
        raise NotImplementedError("Only the eigvals=None case of eigh is implemented.")
    return _eigh(a, bool(lower), bool(eigvals_only))


@eager_jit(static_argnames=("full_matrices", "compute_uv"))
def _svd(a, full_matrices, compute_uv):
    (a,) = _inexact("svd", a)
    return lax_linalg.svd(a, full_matrices=full_matrices, compute_uv=compute_uv)


def svd(a, full_matrices=True, compute_uv=True, overwrite_a=False, check_finite=True,
        lapack_driver="gesdd"):
    return _svd(a, bool(full_matrices), bool(compute_uv))


_QR_MODES = {"full": True, "r": True, "economic": False}


@eager_jit(static_argnames=("mode",))
def _qr(a, mode):
    (a,) = _inexact("qr", a)
    q, r = lax_linalg.qr(a, full_matrices=_QR_MODES[mode])
    return (r,) if mode == "r" else (q, r)


def qr(a, overwrite_a=False, lwork=None, mode="full", pivoting=False, check_finite=True):
    if mode not in _QR_MODES:
        raise errors.value_error(f"Unsupported QR decomposition mode '{mode}'")
    if pivoting:
        raise NotImplementedError("qr with pivoting=True is not implemented in hlox")
    return _qr(a, mode)


def det(a, overwrite_a=False, check_finite=True):
    return linalg.det(a)


def inv(a, overwrite_a=False, check_finite=True):
    return linalg.inv(a)
