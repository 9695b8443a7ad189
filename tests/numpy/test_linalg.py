"""hlox.numpy contractions, diagonals and norms against real JAX (values, shapes, dtypes,
weak types, error types) and numpy (values), eagerly and under hlox.jit."""
from __future__ import annotations

import jax.numpy as jnp
import numpy as np
import pytest
from hypothesis import given, settings, strategies as st
from hypothesis.extra import numpy as hnp_st

import hlox
import hlox.numpy as hnp
from conftest import assert_matches, enable_x64

DTYPES = [np.bool_, np.int8, np.int32, np.float16, np.float32, np.complex64]
FLOAT_VALUES = [-2.0, -1.5, -0.5, 0.0, 0.25, 1.0, 2.0, 3.0]


def _elements(dtype):
    dtype = np.dtype(dtype)
    if dtype == np.bool_:
        return st.booleans()
    if dtype.kind in "iu":
        return st.integers(0 if dtype.kind == "u" else -3, 3)
    values = st.sampled_from(FLOAT_VALUES)
    return st.builds(complex, values, values) if dtype.kind == "c" else values


def array(data, shape, dtype):
    return data.draw(hnp_st.arrays(np.dtype(dtype), tuple(shape), elements=_elements(dtype)))


def _arg(x):
    return hnp.asarray(x) if isinstance(x, (np.ndarray, np.generic)) else x


def _jit_call(fn, args, kwargs):
    """fn under hlox.jit with the arrays as arguments and everything else closed over."""
    slots = [i for i, a in enumerate(args) if isinstance(a, (np.ndarray, np.generic, float, int))]

    def wrapped(*arrays):
        full = list(args)
        for i, a in zip(slots, arrays):
            full[i] = a
        return fn(*full, **kwargs)
    return hlox.jit(wrapped)(*[_arg(args[i]) for i in slots])


def _tol(*arrays):
    return 2e-2 if any(np.asarray(a).dtype == np.float16 for a in arrays) else 1e-5


def check(name, *args, jax_fn=None, hlox_fn=None, np_fn=None, numpy=True, jit=True, **kwargs):
    """`name(*args, **kwargs)` in JAX, hlox (eager and jit) and numpy must agree; where JAX
    raises, hlox raises the same kind of error."""
    jax_fn = jax_fn or _lookup(jnp, name)
    hlox_fn = hlox_fn or _lookup(hnp, name)
    hargs = [_arg(a) for a in args]
    try:
        want = jax_fn(*args, **kwargs)
    except (TypeError, ValueError) as e:
        with pytest.raises(ValueError if isinstance(e, ValueError) else TypeError):
            hlox_fn(*hargs, **kwargs)
        return
    tol = _tol(want, *args)
    assert_matches(hlox_fn(*hargs, **kwargs), want, rtol=tol, atol=tol, check_weak=True)
    if jit:
        jitted = _jit_call(hlox_fn, args, kwargs)
        assert_matches(jitted, want, rtol=tol, atol=tol, check_weak=True)
    if numpy:
        host = [a.astype(np.float64) if np.asarray(a).dtype == np.float16 else a for a in args]
        expected = np.asarray((np_fn or _lookup(np, name))(*host, **kwargs))
        assert_matches(np.asarray(want), expected.astype(np.asarray(want).dtype), rtol=tol,
                       atol=tol)


def _lookup(module, name):
    for part in name.split("."):
        module = getattr(module, part)
    return module


# -- dot, matmul, tensordot, inner, outer, vdot ------------------------------------------------
dims = st.integers(1, 4)


@given(st.data())
def test_dot(data):
    a_ndim, b_ndim = data.draw(st.integers(0, 3)), data.draw(st.integers(0, 3))
    a_shape = data.draw(st.lists(dims, min_size=a_ndim, max_size=a_ndim))
    b_shape = data.draw(st.lists(dims, min_size=b_ndim, max_size=b_ndim))
    if a_ndim and b_ndim:
        b_shape[0 if b_ndim == 1 else -2] = a_shape[-1]
    a = array(data, a_shape, data.draw(st.sampled_from(DTYPES)))
    b = array(data, b_shape, data.draw(st.sampled_from(DTYPES)))
    check("dot", a, b)


@st.composite
def matmul_shapes(draw):
    core = draw(st.lists(dims, min_size=3, max_size=3))
    a_batch = draw(st.lists(st.integers(1, 3), max_size=3))
    b_batch = draw(st.lists(st.integers(1, 3), max_size=3))
    n = min(len(a_batch), len(b_batch))
    for i in range(1, n + 1):  # make trailing batch dims broadcastable
        if a_batch[-i] != b_batch[-i] and draw(st.booleans()):
            a_batch[-i] = 1
        elif a_batch[-i] != b_batch[-i]:
            b_batch[-i] = a_batch[-i]
    a_shape = a_batch + core[:2] if draw(st.booleans()) or a_batch else core[1:2]
    b_shape = b_batch + core[1:] if draw(st.booleans()) or b_batch else core[1:2]
    return a_shape, b_shape


@given(st.data())
def test_matmul(data):
    a_shape, b_shape = data.draw(matmul_shapes())
    a = array(data, a_shape, data.draw(st.sampled_from(DTYPES)))
    b = array(data, b_shape, data.draw(st.sampled_from(DTYPES)))
    check("matmul", a, b)
    assert_matches(hnp.asarray(a) @ hnp.asarray(b), jnp.asarray(a) @ jnp.asarray(b),
                   rtol=_tol(a, b), atol=_tol(a, b))


@given(st.data())
def test_tensordot(data):
    a_shape = data.draw(st.lists(dims, min_size=1, max_size=3))
    k = data.draw(st.integers(0, len(a_shape)))
    pairs = data.draw(st.booleans())
    if pairs:
        a_axes = data.draw(st.permutations(range(len(a_shape))))[:k]
        b_rest = data.draw(st.lists(dims, max_size=2))
        b_shape = [a_shape[i] for i in a_axes] + b_rest
        perm = data.draw(st.permutations(range(len(b_shape))))
        b_shape = [b_shape[p] for p in perm]
        b_axes = [perm.index(i) - len(b_shape) * data.draw(st.booleans()) for i in range(k)]
        axes = (tuple(a_axes), tuple(b_axes))
    else:
        b_shape = a_shape[len(a_shape) - k:] + data.draw(st.lists(dims, max_size=2))
        axes = k
    dtype = data.draw(st.sampled_from(DTYPES))
    check("tensordot", array(data, a_shape, dtype), array(data, b_shape, dtype), axes=axes)


@given(st.data())
def test_inner_outer_vdot_vecdot_kron(data):
    name = data.draw(st.sampled_from(["inner", "outer", "vdot", "vecdot", "kron"]))
    last = data.draw(dims)
    a_shape = data.draw(st.lists(dims, max_size=2)) + [last]
    b_shape = data.draw(st.lists(dims, max_size=2)) + [last]
    if name in ("vdot", "vecdot"):
        b_shape = a_shape if name == "vdot" or data.draw(st.booleans()) else a_shape[-1:]
    a = array(data, a_shape, data.draw(st.sampled_from(DTYPES)))
    b = array(data, b_shape, data.draw(st.sampled_from(DTYPES)))
    np_fn = (lambda x, y: np.sum(np.conj(x) * y, axis=-1)) if name == "vecdot" else None
    check(name, a, b, np_fn=np_fn)


@given(st.data())
@settings(max_examples=10)
def test_cross(data):
    batch = data.draw(st.lists(st.integers(1, 3), max_size=2))
    a = array(data, batch + [data.draw(st.sampled_from([2, 3]))], np.float32)
    b = array(data, batch + [data.draw(st.sampled_from([2, 3]))], np.int32)
    axis = data.draw(st.sampled_from([-1, 0]))
    check("cross", a, b, axisc=axis if a.shape[-1] + b.shape[-1] > 4 else -1,
          numpy=a.shape[-1] + b.shape[-1] > 4)


def test_scalar_operands_and_weak_types():
    x = np.arange(6, dtype=np.float32).reshape(2, 3)
    check("dot", 2.0, 3.0)
    check("dot", x, 2)
    check("inner", 2, x)
    check("tensordot", x, x.T, axes=1)
    check("matmul", np.ones(3, np.int8), np.ones((3, 2), np.uint8))


def test_preferred_element_type_and_precision():
    a = np.arange(6, dtype=np.int8).reshape(2, 3)
    b = np.arange(12, dtype=np.int8).reshape(3, 4) * 7
    for name in ("dot", "matmul"):
        check(name, a, b, preferred_element_type=np.int32, numpy=False)
        check(name, a, b, preferred_element_type=np.float32, numpy=False)
    f = a.astype(np.float32)
    check("matmul", f, b.astype(np.float32), precision="highest",
          np_fn=lambda x, y, precision: np.matmul(x, y))
    check("einsum", "ij,jk->ik", a, b, preferred_element_type=np.int32, numpy=False)


@pytest.mark.parametrize("x64", [False, True])
def test_contraction_dtypes_follow_jax(x64):
    with enable_x64(x64):
        for da, db in [(np.int32, np.int32), (np.int8, np.uint8), (np.bool_, np.bool_),
                       (np.int32, np.float32), (np.float16, np.float32),
                       (np.float32, np.complex64)]:
            a, b = np.ones((2, 3), da), np.ones((3, 2), db)
            check("dot", a, b, jit=False)
            check("einsum", "ij,jk", a, b, jit=False)


# -- einsum --------------------------------------------------------------------------------
SIZES = {"a": 2, "b": 3, "c": 4, "d": 1, "e": 2}


@st.composite
def einsum_specs(draw):
    """Random operands over labels a-e (repeats allowed), explicit or implicit output."""
    n_ops = draw(st.integers(1, 3))
    terms = [draw(st.lists(st.sampled_from("abcde"), max_size=3)) for _ in range(n_ops)]
    used = sorted(set("".join("".join(t) for t in terms)))
    spec = ",".join("".join(t) for t in terms)
    if draw(st.booleans()):
        out = draw(st.permutations(used))[:draw(st.integers(0, len(used)))]
        spec += "->" + "".join(out)
    return spec, terms


@given(st.data())
def test_einsum_random_specs(data):
    spec, terms = data.draw(einsum_specs())
    dtype = data.draw(st.sampled_from([np.int32, np.float32, np.bool_]))
    operands = [array(data, [SIZES[c] for c in t], dtype) for t in terms]
    check("einsum", spec, *operands)


@pytest.mark.parametrize("spec, shapes", [
    ("ij,jk->ik", [(2, 3), (3, 4)]),
    ("bij,bjk->bik", [(2, 2, 3), (2, 3, 4)]),
    ("ii->i", [(3, 3)]),
    ("ii", [(3, 3)]),
    ("iji->j", [(2, 3, 2)]),
    ("i,i->i", [(3,), (3,)]),
    ("i,j->ij", [(2,), (3,)]),
    ("...ij,...jk->...ik", [(2, 1, 2, 3), (4, 3, 2)]),
    ("...i,...i", [(2, 3), (3,)]),
    ("i...->...", [(2, 3, 4)]),
    ("ij...,jk...->ik...", [(2, 3, 4), (3, 2, 4)]),
    ("ab,bc,cd,de->ae", [(2, 3), (3, 4), (4, 2), (2, 3)]),
    ("abc,cd,db->a", [(2, 3, 4), (4, 2), (2, 3)]),
    (" ij , jk -> ki ", [(2, 3), (3, 4)]),
    ("Ab,bC->CA", [(2, 3), (3, 4)]),
    ("", [()]),
    (",->", [(), ()]),
])
def test_einsum_specs(spec, shapes):
    rng = np.random.default_rng(0)
    operands = [rng.standard_normal(s).astype(np.float32) for s in shapes]
    check("einsum", spec, *operands)


def test_einsum_like_jax_where_numpy_refuses():
    """Size-1 labels broadcast, and ellipsis dimensions missing from the output are summed."""
    check("einsum", "...ij->ij", np.ones((2, 3, 4), np.float32), numpy=False)
    check("einsum", "ij,j->i", np.ones((3, 1), np.float32), np.arange(4, dtype=np.float32),
          numpy=False)
    check("einsum", "ij,ij->ij", np.ones((3, 1), np.float32), np.ones((1, 4), np.float32),
          numpy=False)


def test_einsum_interleaved_operands():
    a = np.arange(6, dtype=np.float32).reshape(2, 3)
    b = np.arange(12, dtype=np.float32).reshape(3, 4)
    check("einsum", a, [0, 1], b, [1, 2], [2, 0])
    check("einsum", a, [0, 1], b, [1, 2])
    check("einsum", a, [Ellipsis, 1], [Ellipsis])


@pytest.mark.parametrize("spec, shapes", [
    ("ij,jk->ik", [(2, 3), (4, 2)]),     # label size mismatch
    ("ij,jk", [(2, 3)]),                  # too few operands
    ("ijk", [(2, 3)]),                    # too many subscripts
    ("ij->ik", [(2, 3)]),                 # output label not in inputs
    ("ij->ii", [(2, 3)]),                 # repeated output label
])
def test_einsum_errors(spec, shapes):
    operands = [np.ones(s, np.float32) for s in shapes]
    with pytest.raises(ValueError):
        jnp.einsum(spec, *operands)
    with pytest.raises(ValueError):
        hnp.einsum(spec, *operands)


# -- diagonal, trace, diag ----------------------------------------------------------------
@given(st.data())
def test_diagonal_and_trace(data):
    shape = data.draw(st.lists(st.integers(0, 4), min_size=2, max_size=4))
    x = array(data, shape, data.draw(st.sampled_from(DTYPES)))
    nd = len(shape)
    axis1 = data.draw(st.integers(-nd, nd - 1))
    axis2 = data.draw(st.integers(-nd, nd - 1).filter(lambda a: a % nd != axis1 % nd))
    offset = data.draw(st.integers(-5, 5))
    check("diagonal", x, offset=offset, axis1=axis1, axis2=axis2)
    check("trace", x, offset=offset, axis1=axis1, axis2=axis2,
          dtype=data.draw(st.sampled_from([None, np.float32, np.int32])))


@given(st.data())
def test_diag(data):
    shape = data.draw(st.lists(st.integers(0, 4), min_size=1, max_size=2))
    x = array(data, shape, data.draw(st.sampled_from(DTYPES)))
    check("diag", x, k=data.draw(st.integers(-4, 4)))


def test_diagonal_and_trace_errors():
    for module in (jnp, hnp):
        with pytest.raises(ValueError):
            module.diagonal(np.ones(3))
        with pytest.raises(ValueError):
            module.trace(np.ones((2, 2)), axis1=1, axis2=-1)
        with pytest.raises(ValueError):
            module.diag(np.ones((2, 2, 2)))


# -- norms ---------------------------------------------------------------------------------
@given(st.data())
@settings(max_examples=12)
def test_vector_norms(data):
    x = array(data, data.draw(st.lists(dims, min_size=1, max_size=3)),
              data.draw(st.sampled_from([np.float32, np.int32, np.complex64])))
    ord_ = data.draw(st.sampled_from([None, 1, 2, 3, 0, -1, np.inf, -np.inf, 0.5]))
    axis = data.draw(st.integers(-x.ndim, x.ndim - 1))
    keepdims = data.draw(st.booleans())
    with np.errstate(divide="ignore"):
        check("linalg.norm", x, ord=ord_, axis=axis, keepdims=keepdims)
    if x.dtype.kind in "fc" or ord_ in (None, 1, 2, 3, 0, np.inf, -np.inf):
        # vector_norm keeps integer dtypes (as JAX's does): ord=0 raises, ord=3 computes x**3
        # summed to the power int(1/3) = 0; negative and fractional orders on ints are left out
        check("linalg.vector_norm", x, ord=2 if ord_ is None else ord_, axis=axis,
              numpy=False)


@given(st.data())
@settings(max_examples=12)
def test_matrix_norms(data):
    x = array(data, data.draw(st.lists(dims, min_size=2, max_size=3)),
              data.draw(st.sampled_from([np.float32, np.int8, np.complex64])))
    ord_ = data.draw(st.sampled_from([None, "fro", 1, -1, np.inf, -np.inf]))
    nd = x.ndim
    axis = data.draw(st.permutations(range(nd)))[:2]
    keepdims = data.draw(st.booleans())
    check("linalg.norm", x, ord=ord_, axis=tuple(axis), keepdims=keepdims)
    if ord_ is not None:
        check("linalg.matrix_norm", x, ord=ord_, keepdims=keepdims, numpy=False)


def test_norm_of_whole_array_and_errors():
    x = np.arange(24, dtype=np.float32).reshape(2, 3, 4) - 10
    check("linalg.norm", x)
    check("linalg.norm", x, keepdims=True)
    check("linalg.norm", x[0], ord=1)
    check("linalg.norm", 3.0)
    with pytest.raises(ValueError):
        hnp.linalg.norm(x, ord="bad", axis=0)
    with pytest.raises(ValueError):
        hnp.linalg.norm(x[0], ord=3)  # no such matrix norm
    with pytest.raises(ValueError):
        hnp.linalg.norm(x, ord=1)  # three axes


@pytest.mark.parametrize("ord_", ["nuc", 2, -2])
def test_singular_value_norms(ord_):
    x = np.arange(24, dtype=np.float32).reshape(2, 3, 4) ** 1.5 - 10
    for axis, keepdims in [((1, 2), False), ((2, 0), True)]:
        want = jnp.linalg.norm(x, ord=ord_, axis=axis, keepdims=keepdims)
        got = hnp.linalg.norm(x, ord=ord_, axis=axis, keepdims=keepdims)
        assert_matches(got, want, rtol=1e-4, atol=1e-4)
        assert_matches(got, np.linalg.norm(x.astype(np.float64), ord_, axis, keepdims)
                       .astype(np.float32), rtol=1e-4, atol=1e-4)


# -- errors --------------------------------------------------------------------------------
@pytest.mark.parametrize("call, kind", [
    (lambda m: m.dot(np.ones((3, 2)), np.ones(4)), TypeError),
    (lambda m: m.matmul(np.ones((3, 2)), np.ones(4)), TypeError),
    (lambda m: m.matmul(np.ones((2, 3, 2)), np.ones((4, 2, 2))), ValueError),
    (lambda m: m.matmul(np.ones(3), 2.0), ValueError),
    (lambda m: m.tensordot(np.ones((2, 3)), np.ones((3, 2)), axes=3), TypeError),
    (lambda m: m.tensordot(np.ones((2, 3)), np.ones((2, 3)), axes=1), TypeError),
    (lambda m: m.tensordot(np.ones((2, 3)), np.ones((3, 2)), axes=([0], [0, 1])), TypeError),
    (lambda m: m.tensordot(np.ones((2, 3)), np.ones((3, 2)), axes="x"), TypeError),
    (lambda m: m.vecdot(np.ones((2, 3)), np.ones((2, 4))), ValueError),
    (lambda m: m.cross(np.ones(4), np.ones(3)), ValueError),
])
def test_errors_match_jax(call, kind):
    with pytest.raises(kind):
        call(jnp)
    with pytest.raises(kind) as info:
        call(hnp)
    assert "test_linalg.py" in str(info.value)


def test_matmul_operator_under_jit():
    a = np.arange(24, dtype=np.float32).reshape(2, 3, 4)
    b = np.arange(8, dtype=np.float32).reshape(4, 2)
    got = hlox.jit(lambda x, y: (x @ y, x.dot(y), x.trace(), x.diagonal(1, 1, 2)))(
        hnp.asarray(a), hnp.asarray(b))
    want = (jnp.asarray(a) @ b, jnp.asarray(a).dot(b), jnp.asarray(a).trace(),
            jnp.asarray(a).diagonal(1, 1, 2))
    for g, w in zip(got, want):
        assert_matches(g, w)


def test_linalg_namespace_array_api_forms():
    """jnp.linalg.diagonal/trace work on the last two axes, and linalg.outer takes vectors."""
    stack = np.arange(24, dtype=np.float32).reshape(2, 3, 4)
    for offset in (-1, 0, 2):
        check("linalg.diagonal", stack, offset=offset, numpy=False)
        check("linalg.trace", stack, offset=offset, numpy=False)
    check("linalg.trace", stack.astype(np.int32), dtype=np.float32, numpy=False)
    check("linalg.outer", stack[0, 0], stack[1, :, 0], numpy=False)
    check("linalg.outer", stack[0], stack[1, 0], numpy=False)
