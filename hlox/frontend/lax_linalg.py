"""`hlox.lax.linalg`: JAX's lax.linalg (cholesky, triangular_solve, lu, qr, eigh, svd, eig,
lu_solve ...) and the small matrix helpers (triangle masks, conjugate transpose, diagonals)
that their derivatives share."""
from __future__ import annotations

from hlox.frontend import dtypes, errors, lax, linalg_ops, ops
from hlox.frontend import slicing
from hlox.frontend.shapes import broadcast_shapes

__all__ = ["cholesky", "triangular_solve", "symmetrize", "tril", "triu", "matrix_transpose",
           "adjoint", "batch_matmul", "lu", "lu_pivots_to_permutation", "lu_solve", "solve", "qr",
           "householder_product", "geqrf", "eigh", "svd", "eig", "diagonal", "diag_matrix",
           "lu_tangent", "eigh_tangent", "pivots_to_permutation", "unrolled_loop"]


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


# -- decompositions on LAPACK kernels (hlox.frontend.linalg_ops) --------------------------------
# Each decomposition is a custom_jvp function carrying JAX's JVP formula (the autodiff passes do
# not look inside a custom_call); reverse mode transposes that rule.
def _check_matrix(name, x, square=False):
    if not dtypes.is_inexact(x.dtype):
        raise errors.type_error(f"{name} requires a floating-point or complex operand, got "
                                f"{x.aval.str_short()}")
    if x.ndim < 2 or (square and x.shape[-1] != x.shape[-2]):
        shape = "[..., n, n]" if square else "[..., m, n]"
        raise errors.value_error(f"{name} requires matrices {shape}, got {x.aval.str_short()}")


def _custom_jvp(fun, rule):
    from hlox.frontend.custom_derivatives import custom_jvp
    wrapped = custom_jvp(fun)
    wrapped.defjvp(rule)
    return wrapped


def _nan_unless(ok, x):
    """x where the batch entry's `ok` holds, NaN elsewhere (LAPACK's failure convention)."""
    ok = lax.broadcast_in_dim(ok, x.shape, tuple(range(ok.ndim)))
    return lax.select(ok, x, lax.full_like(x, float("nan")))


def _eye(shape, dtype):
    """Identity matrices of shape [..., m, n]."""
    rows = lax.broadcasted_iota(dtypes.int32, shape, len(shape) - 2)
    cols = lax.broadcasted_iota(dtypes.int32, shape, len(shape) - 1)
    return lax.convert_element_type(lax.eq(rows, cols), dtype)


def diagonal(x):
    """The main diagonals of the last two axes, [..., min(m, n)]."""
    k = min(x.shape[-2:])
    x = lax.slice(x, (0,) * x.ndim, x.shape[:-2] + (k, k))
    kept = lax.select(lax.ne(_eye(x.shape, dtypes.int32), 0), x, lax.full_like(x, 0))
    return lax.reduce_sum(kept, (x.ndim - 1,))


def diag_matrix(s):
    """Matrices [..., k, k] with diagonals s [..., k]."""
    shape = s.shape + s.shape[-1:]
    full = lax.broadcast_in_dim(s, shape, tuple(range(s.ndim)))
    return lax.select(lax.ne(_eye(shape, dtypes.int32), 0), full, lax.full_like(full, 0))


def _spread(v, rows, axis):
    """v [..., k] broadcast to [..., rows, k] (axis=-2: m[i, j] = v[j]) or to
    [..., k, rows] (axis=-1: m[i, j] = v[i])."""
    batch = tuple(range(v.ndim - 1))
    if axis == -2:
        return lax.broadcast_in_dim(v, v.shape[:-1] + (rows, v.shape[-1]), batch + (v.ndim,))
    return lax.broadcast_in_dim(v, v.shape + (rows,), batch + (v.ndim - 1,))


def _real_as(x, dtype):
    return lax.convert_element_type(x, dtype)


def _int_zeros(x):
    return lax.full(x.shape, 0, x.dtype)


def _take_rows(x, index):
    """x[..., index[..., i], :] for every row i (batched gather)."""
    index = lax.expand_dims(index, (index.ndim,))
    out_shape = broadcast_shapes(index.shape, x.shape[:-2] + (1,) + x.shape[-1:])
    return slicing.take_along_axis(x, index, x.ndim - 2, out_shape, slicing.FILL, None, True)


# -- LU ------------------------------------------------------------------------------------------
def lu_pivots_to_permutation(pivots, permutation_size):
    """The permutation that LAPACK's row swaps (0-based `pivots`, [..., k]) apply to
    range(permutation_size)."""
    from hlox.frontend.control_flow import fori_loop
    pivots = lax.asarray(pivots)
    if not dtypes.is_integer(pivots.dtype) or pivots.ndim < 1:
        raise errors.type_error(f"lu_pivots_to_permutation needs integer pivots [..., k], got "
                                f"{pivots.aval.str_short()}")
    return pivots_to_permutation(pivots, permutation_size, fori_loop)


def unrolled_loop(lower, upper, body, init):
    """fori_loop as a Python loop (for IR passes, which emit no control flow of their own)."""
    for i in range(lower, upper):
        init = body(lax.full((), i, dtypes.int32), init)
    return init


def pivots_to_permutation(pivots, permutation_size, fori_loop=unrolled_loop):
    """lu_pivots_to_permutation with the loop `fori_loop(lower, upper, body, init)`."""
    pivots = lax.convert_element_type(pivots, dtypes.int32)
    batch = pivots.shape[:-1]
    shape = batch + (permutation_size,)
    iota = lax.broadcasted_iota(dtypes.int32, shape, len(shape) - 1)

    def spread(v):  # [...] -> [..., permutation_size]
        return lax.broadcast_in_dim(v, shape, tuple(range(v.ndim)))

    def pick(values, where):  # values[..., where[...]]
        hits = lax.eq(iota, spread(where))
        return lax.reduce_sum(lax.select(hits, values, lax.full_like(values, 0)), (len(shape) - 1,))

    def swap(step, perm):
        step = lax.convert_element_type(step, dtypes.int32)
        j = lax.squeeze(lax.dynamic_slice_in_dim(pivots, step, 1, pivots.ndim - 1),
                        (pivots.ndim - 1,))
        i = lax.broadcast_in_dim(step, batch, ())
        p_i, p_j = spread(pick(perm, i)), spread(pick(perm, j))
        perm = lax.select(lax.eq(iota, spread(j)), p_i, perm)
        return lax.select(lax.eq(iota, spread(i)), p_j, perm)
    return fori_loop(0, pivots.shape[-1], swap, iota)


def _lu_factor(x):
    lu_, ipiv, info = linalg_ops.getrf.bind(x)
    pivots = lax.sub(ipiv, lax.full_like(ipiv, 1))
    lu_ = _nan_unless(lax.ge(info, lax.full_like(info, 0)), lu_)
    return lu_, pivots, lu_pivots_to_permutation(pivots, x.shape[-2])


def _lu_jvp(primals, tangents):
    (a,), (a_dot,) = primals, tangents
    lu_, pivots, perm = _lu_factor(a)
    lu_dot = lu_tangent(lu_, perm, a_dot)
    return (lu_, pivots, perm), (lu_dot, _int_zeros(pivots), _int_zeros(perm))


def lu_tangent(lu_, perm, a_dot):
    """The tangent of the packed LU factors `lu_` of a, a[..., perm, :] = L U (JAX's LU JVP)."""
    m, n = lu_.shape[-2:]
    k = min(m, n)
    batch = lu_.shape[:-2]
    zero = lax.full((), 0, lu_.dtype)
    nb = len(batch)
    l = lax.pad(tril(lax.slice(lu_, (0,) * lu_.ndim, batch + (m, k)), -1), zero,
                [(0, 0, 0)] * (nb + 1) + [(0, m - k, 0)])
    l = lax.add(l, _eye(batch + (m, m), lu_.dtype))
    u = lax.pad(triu(lax.slice(lu_, (0,) * lu_.ndim, batch + (k, n))), zero,
                [(0, 0, 0)] * nb + [(0, n - k, 0), (0, 0, 0)])
    u_eye = lax.pad(_eye(batch + (n - k, n - k), lu_.dtype), zero,
                    [(0, 0, 0)] * nb + [(k, 0, 0), (k, 0, 0)])
    u = lax.add(u, u_eye)
    la = triangular_solve(l, _take_rows(a_dot, perm), left_side=True, lower=True,
                          unit_diagonal=True)
    lau = triangular_solve(u, la, left_side=False, lower=False)
    return lax.add(batch_matmul(l, tril(lau, -1)), batch_matmul(triu(lau), u))


_lu = None


def lu(x):
    """(lu, pivots, permutation) with x[..., permutation, :] = L U (LAPACK getrf)."""
    global _lu
    x = lax.asarray(x)
    _check_matrix("lu", x)
    if _lu is None:
        _lu = _custom_jvp(_lu_factor, _lu_jvp)
    return tuple(_lu(x))


def _lu_solve_core(lu_, perm, b, trans):
    if trans == 0:
        x = _take_rows(b, perm)
        x = triangular_solve(lu_, x, left_side=True, lower=True, unit_diagonal=True)
        return triangular_solve(lu_, x, left_side=True, lower=False)
    if trans not in (1, 2):
        raise errors.value_error(f"'trans' value must be 0, 1, or 2, got {trans}")
    conj = trans == 2
    x = triangular_solve(lu_, b, left_side=True, lower=False, transpose_a=True, conjugate_a=conj)
    x = triangular_solve(lu_, x, left_side=True, lower=True, unit_diagonal=True,
                         transpose_a=True, conjugate_a=conj)
    iota = lax.broadcasted_iota(dtypes.int32, perm.shape, perm.ndim - 1)
    _, inverse = lax.sort_key_val(perm, iota)
    return _take_rows(x, inverse)


def lu_solve(lu_, permutation, b, trans=0):
    """Solve A x = b (trans 0), A^T x = b (1) or A^H x = b (2) from A's LU factors; b is
    [..., m] (a vector when it has one axis fewer than lu) or [..., m, k], batches broadcast."""
    lu_, permutation, b = lax.asarray(lu_), lax.asarray(permutation), lax.asarray(b)
    _check_matrix("lu_solve", lu_, square=True)
    vector = lu_.ndim == b.ndim + 1
    if vector:
        b = lax.expand_dims(b, (b.ndim,))
    if b.ndim < 2 or b.shape[-2] != lu_.shape[-1]:
        raise errors.value_error(f"lu_solve: b {b.aval.str_short()} does not match the LU "
                                 f"factors {lu_.aval.str_short()}")
    batch = broadcast_shapes(lu_.shape[:-2], permutation.shape[:-1], b.shape[:-2])
    lu_, permutation, b = (_broadcast_batch(v, batch, k) for v, k in
                           ((lu_, 2), (permutation, 1), (b, 2)))
    x = _lu_solve_core(lu_, lax.convert_element_type(permutation, dtypes.int32), b, trans)
    return lax.squeeze(x, (x.ndim - 1,)) if vector else x


def _broadcast_batch(x, batch, core_rank):
    shape = tuple(batch) + x.shape[x.ndim - core_rank:]
    return lax.broadcast_in_dim(x, shape, tuple(range(len(shape) - x.ndim, len(shape))))


# -- solve: one LU for the value and the derivative ---------------------------------------------
def _solve_value(a, b):
    lu_, _, perm = _lu_factor(a)
    return lu_, perm, _lu_solve_core(lu_, perm, b, 0)


def _solve_jvp(primals, tangents):
    (a, b), (a_dot, b_dot) = primals, tangents
    lu_, perm, x = _solve_value(a, b)
    rhs = lax.sub(b_dot, batch_matmul(a_dot, x))
    return x, _lu_solve_core(lu_, perm, rhs, 0)


_solve = None


def solve(a, b):
    """x with a x = b for a [..., m, m] and b [..., m, k] of the same batch shape."""
    global _solve
    if _solve is None:
        _solve = _custom_jvp(lambda a, b: _solve_value(a, b)[2], _solve_jvp)
    return _solve(a, b)


# -- QR ------------------------------------------------------------------------------------------
def _qr_value(x, full_matrices):
    *batch, m, n = x.shape
    batch = tuple(batch)
    r, taus = linalg_ops.geqrf.bind(x)
    if m < n:
        q = linalg_ops.orgqr.bind(lax.slice(r, (0,) * x.ndim, batch + (m, m)), taus)[0]
    elif full_matrices:
        padded = lax.pad(r, lax.full((), 0, x.dtype), [(0, 0, 0)] * (len(batch) + 1)
                         + [(0, m - n, 0)])
        q = linalg_ops.orgqr.bind(padded, taus)[0]
    else:
        q = linalg_ops.orgqr.bind(r, taus)[0]
        r = lax.slice(r, (0,) * x.ndim, batch + (n, n))
    return q, triu(r)


def _cols(x, start, stop):
    return lax.slice(x, (0,) * (x.ndim - 1) + (start,), x.shape[:-1] + (stop,))


def _rows(x, start, stop):
    return lax.slice(x, (0,) * (x.ndim - 2) + (start, 0), x.shape[:-2] + (stop, x.shape[-1]))


def _thin_qr_jvp(q, r, dx):
    dx_rinv = triangular_solve(r, dx)
    qt_dx_rinv = batch_matmul(adjoint(q), dx_rinv)
    lower = tril(qt_dx_rinv, -1)
    do = lax.sub(lower, adjoint(lower))
    if dtypes.is_complex(q.dtype):
        imag_diag = lax.sub(qt_dx_rinv, _real_as(lax.real(qt_dx_rinv), q.dtype))
        do = lax.add(do, lax.mul(_eye(do.shape, do.dtype), imag_diag))
    dq = lax.add(batch_matmul(q, lax.sub(do, qt_dx_rinv)), dx_rinv)
    dr = batch_matmul(lax.sub(qt_dx_rinv, do), r)
    return dq, dr


def _qr_jvp(full_matrices, primals, tangents):
    (x,), (dx,) = primals, tangents
    q, r = _qr_value(x, full_matrices)
    m, n = x.shape[-2:]
    if m < n:
        dq, dr1 = _thin_qr_jvp(q, _cols(r, 0, m), _cols(dx, 0, m))
        dr2 = lax.add(batch_matmul(adjoint(dq), _cols(x, m, n)),
                      batch_matmul(adjoint(q), _cols(dx, m, n)))
        return (q, r), (dq, lax.concatenate([dr1, dr2], x.ndim - 1))
    full = full_matrices and m > n
    q_mn = _cols(q, 0, n) if full else q
    r_nn = _rows(r, 0, n) if full else r
    dq, dr = _thin_qr_jvp(q_mn, r_nn, dx)
    if full:
        dq, dr = _qr_full_jvp(q, q_mn, dq, dr, m, n)
    return (q, r), (dq, dr)


def _qr_full_jvp(q, q_mn, dq_mn, dr_nn, m, n):
    """The complete-Q columns' tangent (arXiv:2409.13374, eqs. 32-33)."""
    q_nn, q_pn, q_mp = _rows(q_mn, 0, n), _rows(q_mn, n, m), _cols(q, n, m)
    dq_nn, dq_pn = _rows(dq_mn, 0, n), _rows(dq_mn, n, m)
    lu_, _, perm = lu(lax.sub(q_nn, _eye(q_nn.shape, q.dtype)))
    z_pn_h = lu_solve(lu_, perm, adjoint(q_pn), trans=2)
    z_pn = adjoint(z_pn_h)
    dq_mp = lax.sub(batch_matmul(dq_mn, z_pn_h),
                    batch_matmul(lax.add(q_mn, batch_matmul(q_mp, z_pn)),
                                 adjoint(lax.sub(dq_pn, batch_matmul(z_pn, dq_nn)))))
    dq = lax.concatenate([dq_mn, dq_mp], q.ndim - 1)
    zeros = lax.full(dr_nn.shape[:-2] + (m - n, n), 0, dr_nn.dtype)
    return dq, lax.concatenate([dr_nn, zeros], q.ndim - 2)


_decompositions = {}


def _cached(key, make):
    fn = _decompositions.get(key)
    if fn is None:
        fn = _decompositions[key] = make()
    return fn


def qr(x, *, pivoting=False, full_matrices=True, use_magma=None):
    """(q, r) with x = q r, q with orthonormal columns and r upper triangular."""
    x = lax.asarray(x)
    _check_matrix("qr", x)
    if pivoting:
        raise NotImplementedError("qr with pivoting=True is not implemented in hlox")
    full = bool(full_matrices)
    fn = _cached(("qr", full), lambda: _custom_jvp(
        lambda a: _qr_value(a, full), lambda p, t: _qr_jvp(full, p, t)))
    return tuple(fn(x))


def householder_product(a, taus):
    """The unitary matrix of the Householder reflectors below a's diagonal (LAPACK orgqr)."""
    a, taus = lax.asarray(a), lax.asarray(taus)
    return linalg_ops.orgqr.bind(a, taus)[0]


def geqrf(a):
    """LAPACK's QR in compact form: (reflectors and r in one matrix, scales taus)."""
    a = lax.asarray(a)
    _check_matrix("geqrf", a)
    return tuple(linalg_ops.geqrf.bind(a))


# -- symmetric eigendecomposition ----------------------------------------------------------------
def _eigh_value(x, lower):
    v, w, info = linalg_ops.syevd.bind(x, lower=lower, compute_v=True)
    ok = lax.eq(info, lax.full_like(info, 0))
    return _nan_unless(ok, v), _nan_unless(ok, w)


def _eigh_jvp(lower, primals, tangents):
    (a,), (a_dot,) = primals, tangents
    v, w_real = _eigh_value(symmetrize(a), lower)
    return (v, w_real), eigh_tangent(v, w_real, a_dot)


def eigh_tangent(v, w_real, a_dot):
    """(dv, dw) of the eigendecomposition v, w_real of a Hermitian a (JAX's eigh JVP)."""
    w = lax.convert_element_type(w_real, v.dtype)
    eye = _eye(v.shape, v.dtype)
    n = w.shape[-1]
    gaps = lax.sub(lax.add(eye, _spread(w, n, -2)), _spread(w, n, -1))
    f = lax.sub(lax.div(lax.full_like(gaps, 1), gaps), eye)
    vdag_adot_v = batch_matmul(batch_matmul(adjoint(v), a_dot), v)
    dv = batch_matmul(v, lax.mul(f, vdag_adot_v))
    real = lax.real(vdag_adot_v) if dtypes.is_complex(v.dtype) else vdag_adot_v
    return dv, diagonal(real)


def eigh(x, *, lower=True, symmetrize_input=True, sort_eigenvalues=True, subset_by_index=None,
         implementation=None):
    """(v, w): eigenvectors v[..., :, i] and ascending eigenvalues w of a Hermitian x."""
    x = lax.asarray(x)
    _check_matrix("eigh", x, square=True)
    if subset_by_index is not None and tuple(subset_by_index) != (0, x.shape[-1]):
        raise NotImplementedError("eigh with subset_by_index is not implemented on CPU")
    if symmetrize_input:
        x = symmetrize(x)
    lower = bool(lower)
    fn = _cached(("eigh", lower), lambda: _custom_jvp(
        lambda a: _eigh_value(a, lower), lambda p, t: _eigh_jvp(lower, p, t)))
    return tuple(fn(x))


# -- singular value decomposition ----------------------------------------------------------------
def _svd_value(x, full_matrices, compute_uv):
    mode = "N" if not compute_uv else ("A" if full_matrices else "S")
    _, s, u, vt, info = linalg_ops.gesdd.bind(x, mode=mode)
    ok = lax.eq(info, lax.full_like(info, 0))
    s = _nan_unless(ok, s)
    return (_nan_unless(ok, u), s, _nan_unless(ok, vt)) if compute_uv else s


def _svd_jvp(compute_uv, primals, tangents):
    (a,), (da,) = primals, tangents
    u, s, vt = _svd_value(a, False, True)
    ut, v = adjoint(u), adjoint(vt)
    ds_mat = batch_matmul(batch_matmul(ut, da), v)
    ds = diagonal(lax.real(ds_mat) if dtypes.is_complex(a.dtype) else ds_mat)
    if not compute_uv:
        return s, ds
    k = s.shape[-1]
    row, col = _spread(s, k, -2), _spread(s, k, -1)
    s_diffs = lax.mul(lax.add(row, col), lax.sub(row, col))
    eye = _eye(s_diffs.shape, s.dtype)
    f = lax.convert_element_type(
        lax.sub(lax.div(lax.full_like(s_diffs, 1), lax.add(s_diffs, eye)), eye), a.dtype)
    s_row, s_col = (lax.convert_element_type(t, a.dtype) for t in (row, col))
    dss, sds = lax.mul(s_row, ds_mat), lax.mul(s_col, ds_mat)
    m, n = a.shape[-2:]
    s_zeros = lax.convert_element_type(lax.eq(s, lax.full_like(s, 0)), s.dtype)
    s_inv = lax.sub(lax.div(lax.full_like(s, 1), lax.add(s, s_zeros)), s_zeros)
    du_dv_diag = lax.mul(lax.mul(lax.sub(ds_mat, adjoint(ds_mat)), 0.5),
                         lax.convert_element_type(diag_matrix(s_inv), a.dtype))
    du = batch_matmul(u, lax.add(lax.mul(f, lax.add(dss, adjoint(dss))), du_dv_diag))
    dv = batch_matmul(v, lax.mul(f, lax.add(sds, adjoint(sds))))
    if m > n:
        dav = batch_matmul(da, v)
        s_rows = lax.convert_element_type(_spread(s, m, -2), a.dtype)
        du = lax.add(du, lax.div(lax.sub(dav, batch_matmul(u, batch_matmul(ut, dav))), s_rows))
    if n > m:
        dahu = batch_matmul(adjoint(da), u)
        s_rows = lax.convert_element_type(_spread(s, n, -2), a.dtype)
        dv = lax.add(dv, lax.div(lax.sub(dahu, batch_matmul(v, batch_matmul(vt, dahu))), s_rows))
    return (u, s, vt), (du, ds, adjoint(dv))


def svd(x, *, full_matrices=True, compute_uv=True, subset_by_index=None, algorithm=None):
    """(u, s, vh) with x = u diag(s) vh, s descending; s alone without compute_uv."""
    x = lax.asarray(x)
    _check_matrix("svd", x)
    m, n = x.shape[-2:]
    if subset_by_index is not None and tuple(subset_by_index) != (0, min(m, n)):
        raise NotImplementedError("svd with subset_by_index is not implemented on CPU")
    if m == 0 or n == 0:
        return _empty_svd(x, full_matrices, compute_uv)
    full, uv = bool(full_matrices), bool(compute_uv)
    if uv and full and m != n:  # JAX has no derivative here either
        return tuple(_svd_value(x, True, True))
    fn = _cached(("svd", uv), lambda: _custom_jvp(
        lambda a: _svd_value(a, False, uv), lambda p, t: _svd_jvp(uv, p, t)))
    out = fn(x)
    return tuple(out) if uv else out


def _empty_svd(x, full_matrices, compute_uv):
    batch, (m, n) = x.shape[:-2], x.shape[-2:]
    s = lax.full(batch + (0,), 0, dtypes.real_dtype(x.dtype))
    if not compute_uv:
        return s
    if full_matrices:
        size = max(m, n)
        u = _eye(batch + (size, size), x.dtype)
    else:
        u = lax.full(batch + (max(m, n), 0), 0, x.dtype)
    v = lax.full(batch + (0, 0), 0, x.dtype)
    if m < n:
        u, v = v, u if full_matrices else adjoint(u)
    return u, s, v


# -- general eigendecomposition ------------------------------------------------------------------
def _eig_value(x, left, right):
    outs = linalg_ops.geev.bind(x, left=left, right=right)
    if dtypes.is_complex(x.dtype):
        w, vl, vr, info = outs
    else:
        wr, wi, vl, vr, info = outs
        w = lax.complex(wr, wi)
    ok = lax.eq(info, lax.full_like(info, 0))
    return [_nan_unless(ok, w)] + [_nan_unless(ok, v) for v, keep in ((vl, left), (vr, right))
                                   if keep]


def _eigvals_jvp(primals, tangents):
    (a,), (da,) = primals, tangents
    w, vr = _eig_value(a, False, True)
    da = lax.convert_element_type(da, vr.dtype)
    p = lax.mul(solve(vr, batch_matmul(da, vr)), _eye(vr.shape, vr.dtype))
    return [w], [lax.reduce_sum(p, (p.ndim - 1,))]


def eig(x, *, compute_left_eigenvectors=True, compute_right_eigenvectors=True,
        use_magma=None, implementation=None, enable_eigvec_derivs=False):
    """[w, vl?, vr?]: the eigenvalues and the requested eigenvectors of a square x."""
    x = lax.asarray(x)
    _check_matrix("eig", x, square=True)
    left, right = bool(compute_left_eigenvectors), bool(compute_right_eigenvectors)
    if left or right:  # eigenvector derivatives: not implemented (JAX needs an opt-in flag)
        return _eig_value(x, left, right)
    fn = _cached(("eig",), lambda: _custom_jvp(lambda a: _eig_value(a, False, False),
                                               _eigvals_jvp))
    return list(fn(x))
