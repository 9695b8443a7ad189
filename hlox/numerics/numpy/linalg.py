"""numpy.linalg: norms, cholesky, det slogdet inv solve matrix_power, eigh eigvalsh eig
eigvals, svd svdvals matrix_rank cond, qr lstsq pinv, tensorinv tensorsolve multi_dot, and the
array-API forms diagonal trace outer; on hlox.lax.linalg (LAPACK on CPU), as jax.numpy.linalg."""
from __future__ import annotations

import collections
import math
import operator

import numpy as np

from hlox.frontend import dtypes, errors, lax, lax_linalg
from hlox.frontend.custom_derivatives import custom_jvp
from hlox.frontend.jit import eager_jit
from hlox.numerics.numpy import (array_constructors, creation, elementwise as ufuncs,
                                 indexing_routines, reductions, shape, tensor_contractions)
from hlox.numerics.numpy._util import (asarray, broadcast_shapes, broadcast_to, canonicalize_axis,
                                       check_arraylike, promote_dtypes_inexact)
from hlox.numerics.numpy.shape import expand_dims
from hlox.numerics.numpy.tensor_contractions import (_move_axes_to_end, _operands, cross, matmul,
                                                     tensordot, vecdot)

__all__ = ["norm", "vector_norm", "matrix_norm", "matmul", "tensordot", "vecdot", "cross",
           "cholesky", "diagonal", "trace", "outer", "EighResult", "EigResult", "SVDResult",
           "QRResult", "SlogdetResult", "slogdet", "det", "solve", "inv", "matrix_power", "eigh",
           "eigvalsh", "eig", "eigvals", "svd", "svdvals", "matrix_rank", "cond", "qr", "lstsq",
           "pinv", "matrix_transpose", "tensorinv", "tensorsolve", "multi_dot"]


# -- norms ----------------------------------------------------------------------------
def _abs_sum(x, axis, keepdims):
    return reductions.sum(ufuncs.abs(x), axis=axis, keepdims=keepdims)


def _vector_norm(x, ord, axis, keepdims):
    if ord is None or ord == 2:
        return ufuncs.sqrt(reductions.sum(ufuncs.real(ufuncs.multiply(x, ufuncs.conj(x))),
                                          axis=axis, keepdims=keepdims))
    if ord == np.inf:
        return reductions.max(ufuncs.abs(x), axis=axis, keepdims=keepdims, initial=0)
    if ord == -np.inf:
        return reductions.min(ufuncs.abs(x), axis=axis, keepdims=keepdims)
    if ord == 0:
        return reductions.sum(ufuncs.not_equal(x, 0), axis=axis, keepdims=keepdims,
                              dtype=dtypes.finfo(x.dtype).dtype)
    if ord == 1:
        return _abs_sum(x, axis, keepdims)
    if isinstance(ord, str):
        raise errors.value_error(f"Invalid order '{ord}' for vector norm.")
    abs_x = ufuncs.abs(x)
    with np.errstate(divide="ignore"):  # like JAX, the powers take abs_x's dtype
        ord_arr = np.array(ord).astype(abs_x.dtype)
        ord_inv = np.array(1.0 / ord_arr).astype(abs_x.dtype)
    total = reductions.sum(ufuncs.power(abs_x, ord_arr), axis=axis, keepdims=keepdims)
    return ufuncs.power(total, ord_inv)


def _matrix_norm(x, ord, axes, keepdims):
    row, col = axes
    if ord is None or ord in ("f", "fro"):
        return _vector_norm(x, None, axes, keepdims)
    rules = {1: (row, col, reductions.max), -1: (row, col, reductions.min),
             np.inf: (col, row, reductions.max), -np.inf: (col, row, reductions.min)}
    if ord in ("nuc", 2, -2):
        return _singular_value_norm(x, ord, axes, keepdims)
    if ord not in rules:
        raise errors.value_error(f"Invalid order '{ord}' for matrix norm.")
    inner_axis, outer_axis, outer = rules[ord]
    if not keepdims and outer_axis > inner_axis:
        outer_axis -= 1
    extra = {"initial": 0} if outer is reductions.max else {}
    return outer(_abs_sum(x, inner_axis, keepdims), axis=outer_axis, keepdims=keepdims, **extra)


def _singular_value_norm(x, ord, axes, keepdims):
    """The 2-norm (largest singular value), -2 (smallest) or nuclear norm (their sum)."""
    s = svdvals(_move_axes_to_end(x, list(axes)))
    reduce = {"nuc": reductions.sum, 2: reductions.max, -2: reductions.min}[ord]
    out = reduce(s, axis=-1)
    return expand_dims(out, sorted(axes)) if keepdims else out


def norm(x, ord=None, axis=None, keepdims=False):
    (x,) = _operands("hlox.numpy.linalg.norm", x)
    (x,) = promote_dtypes_inexact(x)
    if axis is None:
        if ord is None:
            return _vector_norm(x, None, None, keepdims)
        axis = tuple(range(x.ndim))
    elif isinstance(axis, (tuple, list)):
        axis = tuple(canonicalize_axis(a, x.ndim) for a in axis)
    else:
        axis = (canonicalize_axis(axis, x.ndim),)
    if len(axis) == 1:
        return _vector_norm(x, 2 if ord is None else ord, axis, keepdims)
    if len(axis) == 2:
        return _matrix_norm(x, ord, axis, keepdims)
    raise errors.value_error(f"Improper number of axes for norm: axis={axis}. Pass one axis to "
                             "compute a vector-norm, or two axes to compute a matrix-norm.")


def vector_norm(x, /, *, axis=None, keepdims=False, ord=2):
    (x,) = _operands("hlox.numpy.linalg.vector_norm", x)
    return _vector_norm(x, ord, axis, keepdims)


def matrix_norm(x, /, *, keepdims=False, ord="fro"):
    (x,) = _operands("hlox.numpy.linalg.matrix_norm", x)
    (x,) = promote_dtypes_inexact(x)
    return _matrix_norm(x, ord, (x.ndim - 2, x.ndim - 1), keepdims)


# -- decompositions (on hlox.lax.linalg) ---------------------------------------------------
def cholesky(a, *, upper=False, symmetrize_input=True):
    check_arraylike("hlox.numpy.linalg.cholesky", a)
    (a,) = promote_dtypes_inexact(asarray(a))
    factor = lax_linalg.cholesky(a, symmetrize_input=symmetrize_input)
    return lax_linalg.adjoint(factor) if upper else factor


# -- the array-API forms of hlox.numpy.linalg (over the last two axes; 1-D outer) ----------
def diagonal(x, /, *, offset=0):
    return tensor_contractions.diagonal(x, offset, -2, -1)


def trace(x, /, *, offset=0, dtype=None):
    return tensor_contractions.trace(x, offset, -2, -1, dtype)


def outer(x1, x2, /):
    x1, x2 = _operands("outer", x1, x2)
    if x1.ndim != 1 or x2.ndim != 1:
        raise errors.value_error(f"Input arrays must be one-dimensional, but they are "
                                 f"{x1.ndim=} {x2.ndim=}")
    return tensor_contractions.outer(x1, x2)


EighResult = collections.namedtuple("EighResult", ["eigenvalues", "eigenvectors"])


EigResult = collections.namedtuple("EigResult", ["eigenvalues", "eigenvectors"])


SVDResult = collections.namedtuple("SVDResult", ["U", "S", "Vh"])


QRResult = collections.namedtuple("QRResult", ["Q", "R"])


SlogdetResult = collections.namedtuple("SlogdetResult", ["sign", "logabsdet"])


def _inexact(name, *args):
    check_arraylike(f"hlox.numpy.linalg.{name}", *args)
    return promote_dtypes_inexact(*(asarray(a) for a in args))


def _square(name, a):
    if a.ndim < 2 or a.shape[-1] != a.shape[-2]:
        raise errors.value_error(f"Argument to {name}() must have shape [..., n, n], got "
                                 f"{a.shape}")


def _mT(x):
    return lax_linalg.matrix_transpose(x)


def _H(x):
    return ufuncs.conj(_mT(x))


# -- determinants -------------------------------------------------------------------------------
def _slogdet_lu(a):
    dtype = a.dtype
    lu, pivots, _ = lax_linalg.lu(a)
    diag = lax_linalg.diagonal(lu)
    is_zero = reductions.any(ufuncs.equal(diag, 0), axis=-1)
    parity = reductions.count_nonzero(
        ufuncs.not_equal(pivots, creation.arange(a.shape[-1], dtype=pivots.dtype)), axis=-1)
    if dtypes.is_complex(dtype):
        sign = reductions.prod(ufuncs.divide(diag, ufuncs.abs(diag).astype(dtype)), axis=-1)
    else:
        sign = array_constructors.array(1, dtype=dtype)
        parity = parity + reductions.count_nonzero(ufuncs.less(diag, 0), axis=-1)
    flip = (-2 * (parity % 2) + 1).astype(dtype)
    sign = ufuncs.where(is_zero, array_constructors.array(0, dtype=dtype), sign * flip)
    logdet = ufuncs.where(is_zero, array_constructors.array(-np.inf, dtype=dtype),
                          reductions.sum(ufuncs.log(ufuncs.abs(diag)).astype(dtype), axis=-1))
    return sign, ufuncs.real(logdet)


def _det_small(a):
    """The 1x1/2x2 determinant by its formula (JAX's small-matrix path)."""
    if a.shape[-1] == 1:
        return a[..., 0, 0]
    return a[..., 0, 0] * a[..., 1, 1] - a[..., 0, 1] * a[..., 1, 0]


@eager_jit(static_argnames=("method",))
def slogdet(a, *, method=None):
    (a,) = _inexact("slogdet", a)
    _square("slogdet", a)
    if method not in (None, "lu"):
        raise errors.value_error(f"Unknown slogdet method '{method}'. Supported methods are "
                                 "'lu' (`None`).")
    if a.shape[-1] in (1, 2):
        d = _det_small(a)
        return SlogdetResult(ufuncs.sign(d), ufuncs.real(ufuncs.log(ufuncs.abs(d))))
    return SlogdetResult(*_slogdet_lu(a))


def _det_3x3(a):
    return (a[..., 0, 0] * a[..., 1, 1] * a[..., 2, 2] + a[..., 0, 1] * a[..., 1, 2] * a[..., 2, 0]
            + a[..., 0, 2] * a[..., 1, 0] * a[..., 2, 1] - a[..., 0, 2] * a[..., 1, 1] * a[..., 2, 0]
            - a[..., 0, 0] * a[..., 1, 2] * a[..., 2, 1] - a[..., 0, 1] * a[..., 1, 0] * a[..., 2, 2])


@eager_jit
def det(a):
    (a,) = _inexact("det", a)
    _square("det", a)
    n = a.shape[-1]
    if n == 2:
        return _det_small(a)
    if n == 3:
        return _det_3x3(a)
    sign, logdet = _slogdet_lu(a)
    return sign * ufuncs.exp(logdet).astype(sign.dtype)


# -- solve and inverse -----------------------------------------------------------------------------
@eager_jit
def solve(a, b):
    a, b = _inexact("solve", a, b)
    if a.ndim < 2:
        raise errors.value_error(f"left hand array must be at least two dimensional; got "
                                 f"a.shape={a.shape}")
    if b.ndim > 1 and a.ndim == b.ndim + 1 and a.shape[-1] == b.shape[-1] != b.shape[-2]:
        raise errors.value_error(
            f"Invalid shapes for solve: {a.shape}, {b.shape}. Prior to JAX v0.5.0, this would "
            "have been treated as a batched 1-dimensional solve. To recover this behavior, use "
            "solve(a, b[..., None]).squeeze(-1).")
    _square("solve", a)
    vector = b.ndim == 1
    if vector:
        b = b[:, None]
    if b.shape[-2] != a.shape[-1]:
        raise errors.value_error(f"solve: a {a.shape} and b {b.shape} have incompatible shapes")
    batch = broadcast_shapes(a.shape[:-2], b.shape[:-2])
    x = lax_linalg.solve(broadcast_to(a, batch + a.shape[-2:]),
                         broadcast_to(b, batch + b.shape[-2:]))
    return x[..., 0] if vector else x


@eager_jit
def inv(a):
    check_arraylike("hlox.numpy.linalg.inv", a)
    a = asarray(a)
    if a.ndim < 2 or a.shape[-1] != a.shape[-2]:
        raise errors.value_error(f"Argument to inv must have shape [..., n, n], got {a.shape}.")
    eye = creation.eye(a.shape[-1], dtype=a.dtype)
    return solve(a, lax.broadcast(eye, a.shape[:-2]))


@eager_jit(static_argnames=("n",))
def matrix_power(a, n):
    check_arraylike("hlox.numpy.linalg.matrix_power", a)
    a = asarray(a)
    if a.ndim < 2:
        raise errors.type_error(f"{a.ndim}-dimensional array given. Array must be at least "
                                "two-dimensional")
    if a.shape[-2] != a.shape[-1]:
        raise errors.type_error("Last 2 dimensions of the array must be square")
    try:
        n = operator.index(n)
    except TypeError:
        raise errors.type_error(f"exponent must be an integer, got {n}") from None
    if n == 0:
        return broadcast_to(creation.eye(a.shape[-2], dtype=a.dtype), a.shape)
    if n < 0:
        a, n = inv(a), -n
    result, z = None, None
    while n > 0:  # square-and-multiply, as JAX (n <= 3 reduce to the plain products)
        z = a if z is None else tensor_contractions.matmul(z, z)
        n, bit = divmod(n, 2)
        if bit:
            result = z if result is None else tensor_contractions.matmul(result, z)
    return result


# -- eigendecompositions --------------------------------------------------------------------------
def _lower(uplo):
    if uplo in (None, "L"):
        return True
    if uplo == "U":
        return False
    raise errors.value_error(f"UPLO must be one of None, 'L', or 'U', got {uplo}")


@eager_jit(static_argnames=("UPLO", "symmetrize_input"))
def eigh(a, UPLO=None, symmetrize_input=True):
    lower = _lower(UPLO)
    (a,) = _inexact("eigh", a)
    v, w = lax_linalg.eigh(a, lower=lower, symmetrize_input=symmetrize_input)
    return EighResult(w, v)


@eager_jit(static_argnames=("UPLO", "symmetrize_input"))
def eigvalsh(a, UPLO="L", *, symmetrize_input=True):
    return eigh(a, UPLO, symmetrize_input=symmetrize_input).eigenvalues


@eager_jit
def eig(a):
    (a,) = _inexact("eig", a)
    w, v = lax_linalg.eig(a, compute_left_eigenvectors=False)
    return EigResult(w, v)


@eager_jit
def eigvals(a):
    (a,) = _inexact("eigvals", a)
    return lax_linalg.eig(a, compute_left_eigenvectors=False, compute_right_eigenvectors=False)[0]


# -- singular values ----------------------------------------------------------------------------
def _hermitian_svd(a, compute_uv):
    v, w = lax_linalg.eigh(a)
    s = ufuncs.abs(w)
    if not compute_uv:
        return shape.flip(lax.sort(s, dimension=s.ndim - 1), -1)
    sign = ufuncs.sign(w)
    idxs = lax.broadcasted_iota(dtypes.int32, s.shape, s.ndim - 1)
    s, idxs, sign = lax.sort((s, idxs, sign), dimension=s.ndim - 1, num_keys=1)
    s, idxs, sign = (shape.flip(x, -1) for x in (s, idxs, sign))
    u = indexing_routines.take_along_axis(v, idxs[..., None, :], axis=-1)
    return SVDResult(u, s, _H(u * sign[..., None, :].astype(u.dtype)))


@eager_jit(static_argnames=("full_matrices", "compute_uv", "hermitian", "subset_by_index"))
def svd(a, full_matrices=True, compute_uv=True, hermitian=False, subset_by_index=None):
    (a,) = _inexact("svd", a)
    if hermitian:
        return _hermitian_svd(a, compute_uv)
    out = lax_linalg.svd(a, full_matrices=full_matrices, compute_uv=compute_uv,
                         subset_by_index=subset_by_index)
    return SVDResult(*out) if compute_uv else out


def svdvals(x, /):
    return svd(x, compute_uv=False, hermitian=False)


@eager_jit(static_argnames=("hermitian",))
def matrix_rank(M, rtol=None, *, hermitian=False, tol=None):
    if tol is not None:
        if rtol is not None:
            raise errors.value_error("matrix_rank: only one of tol or rtol may be specified.")
        rtol = tol
    (M,) = _inexact("matrix_rank", M)
    if M.ndim < 2:
        return reductions.any(ufuncs.not_equal(M, 0)).astype(np.int32)
    s = svd(M, full_matrices=False, compute_uv=False, hermitian=hermitian)
    if rtol is None:
        rtol = reductions.max(s, axis=-1) * np.asarray(
            max(M.shape[-2:]) * dtypes.finfo(s.dtype).eps, s.dtype)
    rtol = asarray(rtol)
    return reductions.sum(ufuncs.greater(s, shape.expand_dims(rtol, rtol.ndim)), axis=-1)


@eager_jit(static_argnames=("p",))
def cond(x, p=None):
    check_arraylike("cond", x)
    x = asarray(x)
    if x.ndim < 2:
        raise errors.value_error(f"hlox.numpy.linalg.cond: input array must be at least 2D; "
                                 f"got arr.shape={x.shape}")
    if x.shape[-1] == 0 or x.shape[-2] == 0:
        raise errors.value_error(f"hlox.numpy.linalg.cond: input array must not be empty; got "
                                 f"arr.shape={x.shape}")
    if p is None or p == 2:
        s = svdvals(x)
        return s[..., 0] / s[..., -1]
    if p == -2:
        s = svdvals(x)
        r = s[..., -1] / s[..., 0]
    else:
        if x.shape[-2] != x.shape[-1]:
            raise errors.value_error(f"hlox.numpy.linalg.cond: for p={p}, array must be "
                                     f"square; got arr.shape={x.shape}")
        r = (norm(x, ord=p, axis=(-2, -1))
             * norm(inv(x), ord=p, axis=(-2, -1)))
    nan_free = ufuncs.logical_not(reductions.any(ufuncs.isnan(x), axis=(-2, -1)))
    return ufuncs.where(ufuncs.logical_and(ufuncs.isnan(r), nan_free), np.inf, r)


# -- QR, least squares, pseudo-inverse --------------------------------------------------------------
_QR_FULL = {"reduced": False, "r": False, "full": False, "complete": True}


@eager_jit(static_argnames=("mode",))
def qr(a, mode="reduced"):
    (a,) = _inexact("qr", a)
    if mode == "raw":
        a, taus = lax_linalg.geqrf(a)
        return QRResult(_mT(a), taus)
    if mode not in _QR_FULL:
        raise errors.value_error(f"Unsupported QR decomposition mode '{mode}'")
    q, r = lax_linalg.qr(a, full_matrices=_QR_FULL[mode])
    return r if mode == "r" else QRResult(q, r)


def _lstsq(a, b, rcond, numpy_resid):
    a, b = _inexact("lstsq", a, b)
    if a.shape[0] != b.shape[0]:
        raise errors.value_error("Leading dimensions of input arrays must match")
    vector = b.ndim == 1
    if vector:
        b = b[:, None]
    if a.ndim != 2:
        raise errors.type_error(f"{a.ndim}-dimensional array given. Array must be "
                                "two-dimensional")
    if b.ndim != 2:
        raise errors.type_error(f"{b.ndim}-dimensional array given. Array must be one or "
                                "two-dimensional")
    m, n = a.shape
    eps = dtypes.finfo(a.dtype).eps
    if a.size == 0:
        s = creation.empty(0, dtype=a.dtype)
        rank = array_constructors.array(0, dtype=dtypes.default_int())
        x = creation.zeros((n,) + b.shape[1:], dtype=a.dtype)
    else:
        rcond = float(eps) * max(n, m) if rcond is None else \
            ufuncs.where(ufuncs.less(rcond, 0), eps, rcond)
        u, s, vt = svd(a, full_matrices=False)
        mask = ufuncs.logical_and(ufuncs.greater(s, 0),
                                  ufuncs.greater_equal(s, asarray(rcond).astype(s.dtype) * s[0]))
        rank = reductions.sum(mask)
        safe_s = ufuncs.where(mask, s, 1).astype(a.dtype)
        s_inv = ufuncs.where(mask, 1 / safe_s, 0)[:, None]
        utb = tensor_contractions.matmul(_H(u), b, precision="highest")
        x = tensor_contractions.matmul(_H(vt), s_inv * utb, precision="highest")
    if numpy_resid and (rank < n or m <= n):
        resid = array_constructors.asarray([])
    else:
        residual = ufuncs.subtract(b, tensor_contractions.matmul(a, x, precision="highest"))
        resid = norm(residual, axis=0) ** 2
    if vector:
        x = shape.ravel(x)
    return x, resid, rank, s


_jit_lstsq = eager_jit(lambda a, b, rcond: _lstsq(a, b, rcond, False))


def lstsq(a, b, rcond=None, *, numpy_resid=False):
    if numpy_resid:
        return _lstsq(a, b, rcond, True)
    return _jit_lstsq(a, b, rcond)


def _pinv_value(a, rtol, hermitian):
    m, n = a.shape[-2:]
    if m == 0 or n == 0:
        return creation.empty(a.shape[:-2] + (n, m), a.dtype)
    a = ufuncs.conj(a)
    if rtol is None:
        rtol = 10. * max(m, n) * np.asarray(dtypes.finfo(a.dtype).eps)
    rtol = asarray(rtol)
    u, s, vh = svd(a, full_matrices=False, hermitian=hermitian)
    rtol = lax.expand_dims(rtol[..., None], tuple(range(s.ndim - rtol.ndim - 1)))
    cutoff = rtol * s[..., 0:1]
    s = ufuncs.where(ufuncs.greater(s, cutoff), s, np.inf).astype(u.dtype)
    res = tensor_contractions.matmul(_mT(vh), ufuncs.divide(_mT(u), s[..., None]), precision="highest")
    return res.astype(a.dtype)


def _pinv_jvp(hermitian, primals, tangents):
    (a, rtol), (a_dot, _) = primals, tangents
    p = _pinv_value(a, rtol, hermitian)
    if hermitian:
        a, a_dot = lax_linalg.symmetrize(a), lax_linalg.symmetrize(a_dot)
    mm = tensor_contractions.matmul
    m, n = a.shape[-2:]
    if m >= n:
        s = mm(mm(p, _H(p)), _H(a_dot))
        t = mm(mm(_H(a_dot), _H(p)), p)
        p_dot = -mm(mm(p, a_dot), p) + s - mm(mm(s, a), p) + t - mm(mm(p, a), t)
    else:
        s = mm(p, mm(_H(p), _H(a_dot)))
        t = mm(_H(a_dot), mm(_H(p), p))
        p_dot = -mm(p, mm(a_dot, p)) + s - mm(s, mm(a, p)) + t - mm(p, mm(a, t))
    return p, p_dot


_pinv_rules = {}


def _pinv(hermitian):
    """pinv(a, rtol) with JAX's JVP (rtol, possibly None, gets no derivative)."""
    fn = _pinv_rules.get(hermitian)
    if fn is None:
        fn = _pinv_rules[hermitian] = custom_jvp(lambda a, rtol: _pinv_value(a, rtol, hermitian))
        fn.defjvp(lambda p, t: _pinv_jvp(hermitian, p, t))
    return fn


def pinv(a, rtol=None, hermitian=False, *, rcond=None):
    if rcond is not None:
        if rtol is not None:
            raise errors.value_error("pinv: only one of rtol and rcond may be specified.")
        rtol = rcond
    (a,) = _inexact("pinv", a)
    return _pinv(bool(hermitian))(a, rtol)


# -- tensors and products -------------------------------------------------------------------------
def matrix_transpose(x, /):
    check_arraylike("hlox.numpy.linalg.matrix_transpose", x)
    x = asarray(x)
    if x.ndim < 2:
        raise errors.value_error(f"x must be at least two-dimensional for matrix_transpose; got "
                                 f"ndim={x.ndim}")
    return _mT(x)


def tensorinv(a, ind=2):
    check_arraylike("tensorinv", a)
    a = asarray(a)
    ind = operator.index(ind)
    if ind <= 0:
        raise errors.value_error(f"ind must be a positive integer; got ind={ind}")
    contracting, batch = a.shape[:ind], a.shape[ind:]
    flat = (math.prod(contracting), math.prod(batch))
    if flat[0] != flat[1]:
        raise errors.value_error(
            "tensorinv is only possible when the product of the first `ind` dimensions equals "
            f"that of the remaining dimensions. got arr.shape={a.shape} with ind={ind}.")
    return shape.reshape(inv(shape.reshape(a, flat)), batch + contracting)


def tensorsolve(a, b, axes=None):
    check_arraylike("tensorsolve", a, b)
    a, b = asarray(a), asarray(b)
    if axes is not None:
        a = shape.moveaxis(a, axes, len(axes) * (a.ndim - 1,))
    out_shape = a.shape[b.ndim:]
    if a.shape[:b.ndim] != b.shape:
        raise errors.value_error("After moving axes to end, leading shape of a must match shape "
                                 f"of b. got a.shape={a.shape}, b.shape={b.shape}")
    if b.size != math.prod(out_shape):
        raise errors.value_error("Input arrays must have prod(a.shape[:b.ndim]) == "
                                 f"prod(a.shape[b.ndim:]); got a.shape={a.shape}, b.ndim={b.ndim}.")
    a = shape.reshape(a, (b.size, math.prod(out_shape)))
    return shape.reshape(solve(a, shape.ravel(b)), out_shape)


def multi_dot(arrays, *, precision=None):
    check_arraylike("hlox.numpy.linalg.multi_dot", *arrays)
    arrs = [asarray(a) for a in arrays]
    if len(arrs) < 2:
        raise errors.value_error(f"multi_dot requires at least two arrays; got "
                                 f"len(arrays)={len(arrs)}")
    if not (arrs[0].ndim in (1, 2) and arrs[-1].ndim in (1, 2)
            and all(a.ndim == 2 for a in arrs[1:-1])):
        raise errors.value_error(
            "multi_dot: input arrays must all be two-dimensional, except for the first and last "
            f"array which may be 1 or 2 dimensional. Got array shapes {[a.shape for a in arrs]}")
    if any(a.shape[-1] != b.shape[0] for a, b in zip(arrs[:-1], arrs[1:])):
        raise errors.value_error(
            "multi_dot: last dimension of each array must match first dimension of following "
            f"array. Got array shapes {[a.shape for a in arrs]}")
    axes = [(i, i + 1) for i in range(len(arrs))]
    if arrs[0].ndim == 1:
        axes[0] = axes[0][1:]
    if arrs[-1].ndim == 1:
        axes[-1] = axes[-1][:1]
    operands = [x for pair in zip(arrs, axes) for x in pair]
    return tensor_contractions.einsum(*operands, precision=precision)
