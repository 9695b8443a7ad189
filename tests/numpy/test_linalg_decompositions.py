"""hlox.numpy.linalg / hlox.scipy.linalg / hlox.lax.linalg decompositions and solvers (LAPACK
custom calls) against numpy and real JAX: values (reconstructions and invariants where a
factor is only unique up to signs or phases), shapes, dtypes, eager and under jit; JVPs and
gradients against jax; vmap (native batching of the kernels) and grad through vmap."""
from __future__ import annotations

import jax
import jax.numpy as jjnp
import jax.scipy.linalg as jsl
import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import hlox
import hlox.lax.linalg as hll
import hlox.numpy as jnp
import hlox.scipy.linalg as hsl
from conftest import assert_matches, enable_x64

TOL = {np.float32: 2e-4, np.complex64: 2e-4, np.float64: 1e-10, np.complex128: 1e-10}
DTYPES = [np.float32, np.float64, np.complex64]


def _matrix(shape, dtype, seed=0):
    rs = np.random.RandomState(seed)
    x = rs.randn(*shape)
    if np.issubdtype(dtype, np.complexfloating):
        x = x + 1j * rs.randn(*shape)
    return x.astype(dtype)


def _well_conditioned(shape, dtype, seed=0):
    x = _matrix(shape, dtype, seed)
    return (x + 3 * np.eye(shape[-1], dtype=dtype)).astype(dtype)


def _hermitian(shape, dtype, seed=0):
    x = _matrix(shape, dtype, seed)
    return ((x + np.conj(np.swapaxes(x, -1, -2))) / 2).astype(dtype)


def _x64(dtype):
    return enable_x64(dtype in (np.float64, np.complex128))


def _H(x):
    return np.conj(np.swapaxes(x, -1, -2))


def _close(actual, expected, dtype, scale=1.0):
    tol = TOL[dtype] * scale
    actual = np.asarray(actual)
    expected = np.broadcast_to(np.asarray(expected), actual.shape)
    np.testing.assert_allclose(actual, expected, rtol=tol, atol=tol)


def _both(fn, *args):
    """fn eagerly and under hlox.jit, both results."""
    return fn(*args), hlox.jit(fn)(*args)


# -- decompositions: invariants, and the same values as JAX ------------------------------------
@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("shape", [(2, 3, 3), (4, 3), (3, 4)])
def test_lu(dtype, shape):
    with _x64(dtype):
        a = _matrix(shape, dtype)
        for lu_, piv, perm in _both(hll.lu, a):
            elu, epiv, eperm = jax.lax.linalg.lu(a)
            assert_matches(piv, epiv)
            assert_matches(perm, eperm)
            assert_matches(lu_, elu, rtol=TOL[dtype], atol=TOL[dtype])
        p, l, u = hsl.lu(a[0] if a.ndim == 3 else a)
        _close(np.asarray(p) @ np.asarray(l) @ np.asarray(u), a[0] if a.ndim == 3 else a, dtype)


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("shape,mode", [((2, 3, 3), "reduced"), ((5, 3), "complete"),
                                        ((5, 3), "reduced"), ((3, 5), "reduced")])
def test_qr(dtype, shape, mode):
    with _x64(dtype):
        a = _matrix(shape, dtype)
        for q, r in _both(lambda x: jnp.linalg.qr(x, mode=mode), a):
            eq, er = jjnp.linalg.qr(a, mode=mode)
            assert q.shape == eq.shape and r.shape == er.shape and q.dtype == eq.dtype
            _close(np.asarray(q) @ np.asarray(r), a, dtype)
            _close(_H(np.asarray(q)) @ np.asarray(q), np.eye(q.shape[-1]), dtype)
            _close(np.tril(np.asarray(r), -1), 0, dtype)
            _close(np.abs(np.asarray(r)), np.abs(np.asarray(er)), dtype)


@pytest.mark.parametrize("dtype", DTYPES)
def test_eigh(dtype):
    with _x64(dtype):
        a = _hermitian((2, 4, 4), dtype)
        for w, v in _both(jnp.linalg.eigh, a):
            assert w.dtype == np.finfo(dtype).dtype and v.dtype == dtype
            _close(w, np.linalg.eigvalsh(a), dtype)
            _close(np.asarray(v) * np.asarray(w)[..., None, :] @ _H(np.asarray(v)), a, dtype)
        assert_matches(jnp.linalg.eigvalsh(a), jjnp.linalg.eigvalsh(a), rtol=TOL[dtype],
                       atol=TOL[dtype])


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("shape", [(2, 3, 3), (5, 3), (3, 5)])
def test_svd(dtype, shape):
    with _x64(dtype):
        a = _matrix(shape, dtype)
        for u, s, vh in _both(lambda x: jnp.linalg.svd(x, full_matrices=False), a):
            assert s.dtype == np.finfo(dtype).dtype
            _close(s, np.linalg.svd(a, compute_uv=False), dtype)
            _close((np.asarray(u) * np.asarray(s)[..., None, :]) @ np.asarray(vh), a, dtype)
        u, s, vh = jnp.linalg.svd(a)  # full matrices: square unitary factors
        assert u.shape == np.linalg.svd(a)[0].shape and vh.shape == np.linalg.svd(a)[2].shape
        _close(_H(np.asarray(u)) @ np.asarray(u), np.eye(u.shape[-1]), dtype)
        assert_matches(jnp.linalg.svdvals(a), jjnp.linalg.svdvals(a), rtol=TOL[dtype],
                       atol=TOL[dtype])


@pytest.mark.parametrize("dtype", DTYPES)
def test_eig(dtype):
    with _x64(dtype):
        a = _matrix((2, 4, 4), dtype)
        w, v = jnp.linalg.eig(a)
        ew = jjnp.linalg.eigvals(a)
        assert w.dtype == ew.dtype and v.dtype == ew.dtype
        _close(np.asarray(a, v.dtype) @ np.asarray(v), np.asarray(v) * np.asarray(w)[..., None, :],
               dtype, 10)
        _close(np.sort_complex(np.asarray(hlox.jit(jnp.linalg.eigvals)(a))),
               np.sort_complex(np.linalg.eigvals(a)), dtype, 10)


# -- solvers and the functions built on them ------------------------------------------------------
CASES = {
    "det": lambda m, a, b: m.linalg.det(a),
    "det3": lambda m, a, b: m.linalg.det(a[..., :3, :3]),
    "slogdet": lambda m, a, b: m.linalg.slogdet(a),
    "inv": lambda m, a, b: m.linalg.inv(a),
    "solve": lambda m, a, b: m.linalg.solve(a, b),
    "solve_vector": lambda m, a, b: m.linalg.solve(a[0], b[0, :, 0]),
    "solve_broadcast": lambda m, a, b: m.linalg.solve(a, b[0]),
    "pinv": lambda m, a, b: m.linalg.pinv(b),
    "pinv_hermitian": lambda m, a, b: m.linalg.pinv(a + m.swapaxes(m.conj(a), -1, -2),
                                                    hermitian=True),
    "lstsq": lambda m, a, b: m.linalg.lstsq(a[0, :, :2], b[0])[:3],
    "matrix_rank": lambda m, a, b: m.linalg.matrix_rank(m.matmul(b, m.swapaxes(b, -1, -2))),
    "matrix_power": lambda m, a, b: m.linalg.matrix_power(a, 5),
    "matrix_power_neg": lambda m, a, b: m.linalg.matrix_power(a, -2),
    "cond": lambda m, a, b: m.linalg.cond(a),
    "cond_fro": lambda m, a, b: m.linalg.cond(a, "fro"),
    "multi_dot": lambda m, a, b: m.linalg.multi_dot([b[0, :, 0], a[0], a[1], b[1]]),
    "tensorinv": lambda m, a, b: m.linalg.tensorinv(m.reshape(a[0], (2, 2, 2, 2))),
    "tensorsolve": lambda m, a, b: m.linalg.tensorsolve(m.reshape(a[0], (2, 2, 2, 2)),
                                                        m.reshape(b[0, :, 0], (2, 2))),
    "matrix_transpose": lambda m, a, b: m.linalg.matrix_transpose(b),
    "norm2": lambda m, a, b: m.linalg.norm(a, 2, axis=(-2, -1)),
    "norm_nuc": lambda m, a, b: m.linalg.norm(b, "nuc", axis=(1, 2), keepdims=True),
}


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("name", sorted(CASES))
def test_against_jax(name, dtype):
    with _x64(dtype):
        a, b = _well_conditioned((2, 4, 4), dtype), _matrix((2, 4, 3), dtype, 1)
        expected = jax.tree_util.tree_leaves(CASES[name](jjnp, a, b))
        for got in _both(lambda a, b: CASES[name](jnp, a, b), a, b):
            got = jax.tree_util.tree_leaves(got)
            assert len(got) == len(expected)
            for x, e in zip(got, expected):
                assert_matches(x, e, rtol=TOL[dtype] * 10, atol=TOL[dtype] * 10)


@settings(max_examples=5)
@given(st.integers(0, 2 ** 31 - 1))
def test_solve_det_inv_against_numpy(seed):
    with enable_x64():
        a, b = _well_conditioned((3, 4, 4), np.float64, seed), _matrix((3, 4, 2), np.float64, seed)
        _close(jnp.linalg.solve(a, b), np.linalg.solve(a, b), np.float64, 1e3)
        _close(jnp.linalg.det(a), np.linalg.det(a), np.float64, 1e3)
        _close(jnp.linalg.inv(a), np.linalg.inv(a), np.float64, 1e3)
        sign, logdet = jnp.linalg.slogdet(a)
        esign, elogdet = np.linalg.slogdet(a)
        _close(sign, esign, np.float64)
        _close(logdet, elogdet, np.float64, 1e3)


def test_integer_inputs_promote_like_jax():
    a = np.array([[2, 1], [1, 3]], np.int32)
    for fn in (jnp.linalg.det, jnp.linalg.inv, jnp.linalg.eigvalsh, jnp.linalg.svdvals):
        name = fn.__name__
        assert_matches(fn(a), getattr(jjnp.linalg, name)(a), rtol=1e-5, atol=1e-5)


def test_errors():
    with pytest.raises(ValueError, match="must have shape"):
        jnp.linalg.det(np.ones((2, 3), np.float32))
    with pytest.raises(ValueError, match="Unsupported QR decomposition mode"):
        jnp.linalg.qr(np.ones((2, 2), np.float32), mode="bogus")
    with pytest.raises(ValueError, match="UPLO"):
        jnp.linalg.eigh(np.eye(2, dtype=np.float32), UPLO="X")
    with pytest.raises(ValueError, match="at least two-dimensional"):
        jnp.linalg.matrix_transpose(np.ones(3, np.float32))
    with pytest.raises(TypeError, match="exponent must be an integer"):
        jnp.linalg.matrix_power(np.eye(2, dtype=np.float32), 1.5)
    with pytest.raises(TypeError, match="floating-point"):
        hll.lu(np.eye(2, dtype=np.int32))


def test_singular_lu_and_failed_eigh_follow_lapack_conventions():
    lu_, piv, perm = hll.lu(np.zeros((3, 3), np.float32))  # info > 0: still a factorization
    assert_matches(lu_, jax.lax.linalg.lu(np.zeros((3, 3), np.float32))[0])
    assert_matches(jnp.linalg.det(np.zeros((4, 4), np.float32)), np.float32(0))
    w = jnp.linalg.eigvalsh(np.full((3, 3), np.nan, np.float32))
    assert np.isnan(np.asarray(w)).all()


# -- scipy.linalg ----------------------------------------------------------------------------------
SCIPY = {
    "lu": lambda m, a, s, b: m.lu(a[0]),
    "lu_permute_l": lambda m, a, s, b: m.lu(a[0, :, :3], permute_l=True),
    "lu_factor": lambda m, a, s, b: m.lu_factor(a),
    "lu_solve": lambda m, a, s, b: m.lu_solve(m.lu_factor(a), b),
    "lu_solve_trans": lambda m, a, s, b: m.lu_solve(m.lu_factor(a[0]), b[0, :, 0], trans=2),
    "cho_factor": lambda m, a, s, b: m.cho_factor(s)[0],
    "cho_solve": lambda m, a, s, b: m.cho_solve(m.cho_factor(s, lower=True), b),
    "solve": lambda m, a, s, b: m.solve(a, b),
    "solve_pos": lambda m, a, s, b: m.solve(s, b, assume_a="pos"),
    "eigh": lambda m, a, s, b: m.eigh(s)[0],
    "eigvals_only": lambda m, a, s, b: m.eigh(s, eigvals_only=True),
    "svd": lambda m, a, s, b: m.svd(b, compute_uv=False),
    "qr_r": lambda m, a, s, b: m.qr(b[0], mode="r"),
    "det": lambda m, a, s, b: m.det(a),
    "inv": lambda m, a, s, b: m.inv(a),
}


@pytest.mark.parametrize("dtype", [np.float32, np.complex64])
@pytest.mark.parametrize("name", sorted(SCIPY))
def test_scipy_linalg(name, dtype):
    a, b = _well_conditioned((2, 4, 4), dtype), _matrix((2, 4, 3), dtype, 1)
    x = _matrix((2, 4, 4), dtype, 2)
    spd = (x @ _H(x) + 4 * np.eye(4)).astype(dtype)
    expected = jax.tree_util.tree_leaves(SCIPY[name](jsl, a, spd, b))
    for got in _both(lambda a, s, b: SCIPY[name](hsl, a, s, b), a, spd, b):
        got = jax.tree_util.tree_leaves(got)
        assert len(got) == len(expected)
        for g, e in zip(got, expected):
            assert_matches(g, e, rtol=2e-3, atol=2e-3)


# -- derivatives ------------------------------------------------------------------------------------
def _weights(shape, dtype, seed=5):
    return _matrix(shape, dtype, seed)


GRADS = {  # scalar functions of a square (or [2, 4, 3] for "rect") matrix, invariant to the
    # sign/phase freedom of the factors
    "det": lambda m, a, w: m.linalg.det(a).sum(),
    "slogdet": lambda m, a, w: m.linalg.slogdet(a)[1].sum(),
    "inv": lambda m, a, w: (m.linalg.inv(a) * w).sum(),
    "solve": lambda m, a, w: (m.linalg.solve(a, w) ** 2).sum(),
    "eigh": lambda m, a, w: (m.linalg.eigvalsh(a) * w[..., 0]).sum()
    + (m.abs(m.linalg.eigh(a)[1]) ** 2 * w).sum(),
    "svd": lambda m, a, w: (m.linalg.svd(a)[1] * w[..., 0]).sum()
    + (m.abs(m.linalg.svd(a)[0]) ** 2 * w).sum(),
    "svdvals_rect": lambda m, a, w: (m.linalg.svdvals(a) * w[..., 0, :3]).sum(),
    "svd_rect": lambda m, a, w: (m.abs(m.linalg.svd(a, full_matrices=False)[0]) ** 2
                                 * w[..., :3]).sum(),
    "qr": lambda m, a, w: (m.linalg.qr(a)[0] * w).sum() + (m.linalg.qr(a)[1] * w).sum(),
    "qr_complete_rect": lambda m, a, w: (m.linalg.qr(a, mode="complete")[0] * w).sum(),
    "lu": lambda m, a, w: ((jax.lax.linalg.lu(a)[0] if m is jjnp else hll.lu(a)[0]) * w).sum(),
    "pinv_rect": lambda m, a, w: (m.linalg.pinv(a) * w[..., :3, :]).sum(),
    "eigvals": lambda m, a, w: m.real((m.linalg.eigvals(a) ** 2).sum()),
    "scipy_lu_solve": lambda m, a, w: ((jsl if m is jjnp else hsl).lu_solve(
        (jsl if m is jjnp else hsl).lu_factor(a), w) ** 2).sum(),
}


@pytest.mark.parametrize("name", sorted(GRADS))
def test_grad_against_jax(name):
    with enable_x64():
        shape = (2, 4, 3) if name.endswith("_rect") else (2, 4, 4)
        a, w = _well_conditioned(shape, np.float64) if shape[-1] == shape[-2] else \
            _matrix(shape, np.float64), _weights((2, 4, 4), np.float64)
        fn = GRADS[name]
        tangent = _weights(shape, np.float64, 7)

        def both(tr, m):  # the gradient and one directional derivative, in one compile
            return tr.jit(lambda x, t: (tr.grad(lambda y: fn(m, y, w))(x),
                                        tr.jvp(lambda y: fn(m, y, w), (x,), (t,))[1]))(a, tangent)
        for got, expected in zip(both(hlox, jnp), both(jax, jjnp)):
            assert_matches(got, expected, rtol=1e-8, atol=1e-8)


@pytest.mark.parametrize("name", ["det", "slogdet", "inv", "eigh", "svd", "qr"])
def test_grad_complex_against_jax(name):
    a, w = _well_conditioned((4, 4), np.complex64), _weights((4, 4), np.complex64)
    fn = GRADS[name]
    expected = jax.grad(lambda x: jjnp.real(fn(jjnp, x, w)))(a)
    got = hlox.grad(lambda x: jnp.real(fn(jnp, x, w)))(a)
    assert_matches(got, expected, rtol=2e-3, atol=2e-3)


# -- vmap --------------------------------------------------------------------------------------------
VMAPPED = {
    "det": lambda m: m.linalg.det,
    "eigvalsh": lambda m: m.linalg.eigvalsh,
    "svdvals": lambda m: m.linalg.svdvals,
    "inv": lambda m: m.linalg.inv,
    "qr_r": lambda m: (lambda x: m.linalg.qr(x, mode="r")),
}


@pytest.mark.parametrize("name", sorted(VMAPPED))
def test_vmap_and_grad_of_vmap(name):
    a = _well_conditioned((3, 2, 4, 4), np.float32)
    ours, theirs = VMAPPED[name](jnp), VMAPPED[name](jjnp)
    assert_matches(hlox.vmap(ours, in_axes=1)(a), jax.vmap(theirs, in_axes=1)(a),
                   rtol=1e-4, atol=1e-4)
    loss = lambda tr, f: lambda x: tr.vmap(f)(x).sum()  # noqa: E731
    assert_matches(hlox.grad(loss(hlox, ours))(a[0]), jax.grad(loss(jax, theirs))(a[0]),
                   rtol=1e-3, atol=1e-3)
    assert_matches(hlox.vmap(hlox.grad(lambda x: ours(x).sum()))(a[0]),
                   jax.vmap(jax.grad(lambda x: theirs(x).sum()))(a[0]), rtol=1e-3, atol=1e-3)


def test_vmap_uses_the_kernels_batching():
    """vmap of a decomposition adds a batch dimension to the LAPACK call: no per-example loop."""
    a = _hermitian((5, 3, 3), np.float32)
    text = hlox.jit(hlox.vmap(jnp.linalg.eigh)).lower(a).as_text()
    assert "lapack_ssyevd_ffi" in text and "stablehlo.while" not in text
    assert 'num_batch_dims = "1"' in text
    w, v = hlox.vmap(jnp.linalg.eigh)(a)
    _close(w, np.linalg.eigvalsh(a), np.float32)


def test_jacobians_of_decompositions():
    a = _well_conditioned((3, 3), np.float32)
    assert_matches(hlox.jacfwd(jnp.linalg.inv)(a), jax.jacfwd(jjnp.linalg.inv)(a),
                   rtol=1e-3, atol=1e-3)
    assert_matches(hlox.jacrev(jnp.linalg.eigvalsh)(a + a.T),
                   jax.jacrev(jjnp.linalg.eigvalsh)(a + a.T), rtol=1e-3, atol=1e-3)
