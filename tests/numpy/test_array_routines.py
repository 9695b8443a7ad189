"""hlox.numpy index helpers, index tricks, insert/delete, vectorize, partition, host data and
dtype queries against real JAX (values, shapes, dtypes, weak types, error kinds) and numpy,
eagerly and under hlox.jit."""
from __future__ import annotations

import io

import jax.numpy as jnp
import ml_dtypes
import numpy as np
import pytest
from hypothesis import given, settings, strategies as st
from hypothesis.extra import numpy as hnp_st

import hlox
import hlox.numpy as hnp
from test_creation import compare, x64_mode  # noqa: F401  (fixture)

A34 = np.arange(12.).reshape(3, 4).astype(np.float32)
I234 = np.arange(24).reshape(2, 3, 4).astype(np.int32)


# -- a table of calls: (fn(module, *arrays), arrays[, options of compare]); arrays are traced
# under jit, which calls that need concrete values skip with {"jit": False} ---------------------
CASES = [
    (lambda m: m.tril_indices(3, 1, 4), ()),
    (lambda m: m.triu_indices(3, -1), ()),
    (lambda m: m.triu_indices(0), ()),
    (lambda m, a: m.tril_indices_from(a, 1), (A34,)),
    (lambda m, a: m.triu_indices_from(a), (A34,)),
    (lambda m, a: m.triu_indices_from(a), (I234,)),
    (lambda m: m.diag_indices_from(m.ones((3, 3, 3))), ()),
    (lambda m, a: m.diag_indices_from(a), (A34,)),
    (lambda m: m.mask_indices(3, m.triu, 1, size=4), ()),
    (lambda m, a, b: m.ix_(a, b), (np.array([0, 1]), np.array([2, 0, 1], np.int8))),
    (lambda m, b: m.ix_(m.array([], dtype=m.int8), b), (np.array([2, 0, 1]),)),
    (lambda m, a: m.ix_(a), (np.array([True, False]),)),
    (lambda m, a: m.unravel_index(a, (3, 4)), (np.array([0, 5, 11, 12, -1, -13, 40]),)),
    (lambda m, a: m.unravel_index(a, (3, 4)), (np.array([0, 5, 200], np.uint8),)),
    (lambda m: m.unravel_index(7, (3, 4)), ()),
    (lambda m, a: m.unravel_index(a, 5), (np.array([3, 7]),)),
    (lambda m, a, b: m.ravel_multi_index((a, b), (3, 4), mode="clip"),
     (np.array([0, 2, 5]), np.array([1, 3, -1]))),
    (lambda m, a, b: m.ravel_multi_index((a, b), (3, 4), mode="wrap", order="F"),
     (np.array([0, -2]), np.array([1, 5]))),
    (lambda m, a, b: m.ravel_multi_index((a, b), (3, 4), mode="clip"),
     (np.array([0, 2], np.int8), np.array([1, 3], np.int8))),
    (lambda m, a, b: m.ravel_multi_index((a, b), (30, 40), mode="clip"),
     (np.array([0, 2], np.int8), np.array([1, 3], np.int8))),
    (lambda m, a: m.ravel_multi_index((a,), (3,), mode="clip", dtype=m.float32),
     (np.array([1]),)),
    (lambda m, a: m.ravel_multi_index((a,), (3,), mode="nope"), (np.array([1]),)),
    (lambda m: m.ravel_multi_index((m.array([0, 2]), m.array([1, 3])), (3, 4)), (), {"jit": False}),
    (lambda m: m.ravel_multi_index((m.array([0, 2]), m.array([1, 4])), (3, 4)), ()),
    (lambda m: m.ravel_multi_index((m.array([0.]),), (3,)), ()),
    (lambda m: m.mgrid[0:3, 1:5:2], ()),
    (lambda m: m.mgrid[0:1:5j], ()),
    (lambda m: m.mgrid[0:1:3j, 0:3], ()),
    (lambda m: m.mgrid[-2:2], ()),
    (lambda m: m.ogrid[0:3, 1:5:2], ()),
    (lambda m: m.ogrid[0:2:0.5], ()),
    (lambda m, a: m.r_[-1:5:1, 0, 0, a], (np.array([1, 2, 3]),)),
    (lambda m: m.r_[0:1:6j, 0, m.array([1., 2.])], ()),
    (lambda m: m.r_['0,2', [1, 2, 3], [4, 5, 6]], ()),
    (lambda m: m.r_['0,2,0', [1, 2, 3], [4, 5, 6]], ()),
    (lambda m: m.r_['1,2,-2', [1, 2, 3], [4, 5, 6]], ()),
    (lambda m: m.r_['r', [1, 2, 3], [4, 5, 6]], ()),
    (lambda m: m.r_['c', [1, 2, 3], [4, 5, 6]], ()),
    (lambda m: m.r_['x', [1, 2, 3]], ()),
    (lambda m: m.r_[[1], '0,2'], ()),
    (lambda m, a: m.c_[a, a], (I234[0],)),
    (lambda m, a, b: m.c_[a, b], (np.array([1, 2, 3]), np.array([4., 5, 6], np.float32))),
    (lambda m: m.c_['r', [1, 2, 3], [4, 5, 6]], ()),
    (lambda m: m.c_['0,2,-1', [1, 2, 3], [4, 5, 6]], ()),
    (lambda m: m.fromfunction(lambda i, j: i * 10 + j, (2, 3)), ()),
    (lambda m: m.fromfunction(lambda i, j, k: i - j * k, (2, 3, 2), dtype=int), ()),
    (lambda m, a: m.apply_along_axis(lambda v: v.sum() * v[0], 1, a), (I234,)),
    (lambda m, a: m.apply_along_axis(lambda v: v[::-1], 0, a), (I234,)),
    (lambda m, a: m.apply_along_axis(lambda v, s: m.outer(v, v) * s, -1, a, 2), (A34,)),
    (lambda m, a: m.apply_over_axes(m.sum, a, [0, 2]), (I234,)),
    (lambda m, a: m.apply_over_axes(lambda x, ax: m.max(x, ax, keepdims=True), a, (1,)), (A34,)),
    (lambda m, a, b: m.matvec(a, b), (I234.astype(np.float32), np.arange(4.))),
    (lambda m, a, b: m.vecmat(a, b), (np.arange(3.) * 1j, A34)),
    (lambda m, a: m.matvec(a, a), (A34,)),
    (lambda m, a: m.copy(a), (I234,)),
    (lambda m: m.copy(2.), ()),
    (lambda m, a, b: m.block([[a, m.zeros((3, 1))], [b]]), (A34, np.arange(5.))),
    (lambda m: m.block([1, 2, 3.]), ()),
    (lambda m: m.block(2), ()),
    (lambda m, a: m.block([[[a]], [[a]]]), (A34,)),
    (lambda m: m.block([]), ()),
    (lambda m: m.block([[1], 2]), ()),
    (lambda m: m.block((1, 2)), ()),
    (lambda m, a: m.resize(a, (3, 4)), (np.arange(5, dtype=np.int8),)),
    (lambda m, a: m.resize(a, 7), (A34,)),
    (lambda m, a: m.resize(a, (2,)), (np.zeros(0, np.float32),)),
    (lambda m, a: m.delete(a, 1, axis=1), (I234,)),
    (lambda m, a: m.delete(a, -1), (A34,)),
    (lambda m, a: m.delete(a, 7, axis=0), (A34,)),
    (lambda m, a: m.delete(a, slice(0, 4, 2), axis=-1), (I234,)),
    (lambda m, a: m.delete(a, np.array([0, 2, 2]), axis=0), (A34,)),
    (lambda m, a: m.delete(a, np.array([True, False, True, False])), (np.arange(4),)),
    (lambda m, a: m.delete(a, np.array([True, False])), (np.arange(4),)),
    (lambda m, a: m.delete(a, np.array([1.5])), (np.arange(4),)),
    (lambda m, a, i: m.delete(a, i, axis=1, assume_unique_indices=True),
     (I234, np.array([3, -4], np.int32))),
    (lambda m, a: m.insert(a, 1, 9), (I234[0],)),
    (lambda m, a, v: m.insert(a, 1, v, axis=1), (I234[0], np.array([7, 8]))),
    (lambda m, a, i, v: m.insert(a, i, v, axis=1), (A34, np.array([0, 2, 2, -1, 9]),
                                                     np.array([7, 8, 9, 10, 11]))),
    (lambda m, a, v: m.insert(a, slice(0, 4, 2), v), (np.arange(5), np.array([7, 8]))),
    (lambda m, a: m.insert(a, 1, m.array([[7, 8]]), axis=1), (I234[0],)),
    (lambda m, a: m.insert(a, [], []), (np.arange(3.),)),
    (lambda m, a: m.insert(a, np.array([1.]), 5), (np.arange(3.),)),
    (lambda m, a: m.insert(a, np.array([[1]]), 5), (np.arange(3.),)),
    (lambda m, a, i: m.put_along_axis(a, i, 9., 1, inplace=False),
     (A34, np.array([[1], [0], [3]]))),
    (lambda m, a, i, v: m.put_along_axis(a, i, v, None, inplace=False),
     (A34, np.array([1, 11]), np.array([5., 6.], np.float32))),
    (lambda m, a, i: m.put_along_axis(a, i, 1., 0, inplace=False, mode="drop"),
     (A34, np.array([[7, 0, 1, 2]]))),
    (lambda m, a, i: m.put_along_axis(a, i, 1., 0), (A34, np.array([[0]]))),
    (lambda m, a, i: m.put_along_axis(a, i, 1., 0, inplace=False), (A34, np.array([0]))),
    (lambda m, a, i: m.put_along_axis(a, i, m.ones(3), 1, inplace=False),
     (A34, np.array([[0, 1]]))),
    (lambda m, a: m.rollaxis(a, 2, 1), (I234,)),
    (lambda m, a: m.rollaxis(a, 0, 3), (I234,)),
    (lambda m, a: m.rollaxis(a, -1, -3), (I234,)),
    (lambda m, a: m.rollaxis(a, 0, 5), (I234,)),
    (lambda m, a: m.unstack(a, axis=1), (I234,)),
    (lambda m, a: m.unstack(a), (np.float32(1),)),
    (lambda m, a: m.fill_diagonal(a, 5, inplace=False), (A34,)),
    (lambda m, a, v: m.fill_diagonal(a, v, inplace=False),
     (np.zeros((4, 3), np.int32), np.array([1.5, 2.5], np.float32))),
    (lambda m: m.fill_diagonal(m.zeros((3, 3, 3)), m.arange(5.), inplace=False), ()),
    (lambda m: m.fill_diagonal(m.zeros((3, 3, 2)), 1., inplace=False), ()),
    (lambda m: m.fill_diagonal(m.zeros(3), 1., inplace=False), ()),
    (lambda m: m.fill_diagonal(m.zeros((2, 2)), 1.), ()),
    (lambda m, a: m.diagflat(a, 1), (np.array([[1, 2], [3, 4]]),)),
    (lambda m, a: m.diagflat(a, -2), (np.array([1., 2.], np.float32),)),
    (lambda m: m.diagflat(3), ()),
    (lambda m, a, b: m.choose(a, [b, b * 10, b * 100], mode="wrap"),
     (np.array([0, 1, 2, 4]), np.arange(4))),
    (lambda m, a, b: m.choose(a, [b, b * 10.], mode="wrap"), (np.array([[0], [3]]), np.arange(4))),
    (lambda m, a, b: m.choose(a, [1, b * 10], mode="clip"),
     (np.array([-1, 5], np.int8), np.arange(2, dtype=np.int16))),
    (lambda m: m.choose(m.array([0, 1]), [m.arange(2), m.arange(2) * 10]), (), {"jit": False}),
    (lambda m: m.choose(m.array([-1, 5]), [1, m.arange(2) * 10]), ()),
    (lambda m: m.choose(m.array([0.]), [1, 2], mode="clip"), ()),
    (lambda m: m.choose(m.array([0]), [1, 2], mode="nope"), ()),
    (lambda m, c, a: m.extract(c, a, size=4, fill_value=-1), (np.arange(6) % 2 == 0, A34[:2])),
    (lambda m: m.extract(m.arange(6) % 2 == 0, m.arange(6.).reshape(2, 3)), (), {"jit": False}),
    (lambda m, a, c, v: m.place(a, c, v, inplace=False),
     (A34, A34 > 4, np.array([9., 8.], np.float32))),
    (lambda m, a, c: m.place(a, c, 1., inplace=False), (A34, A34 > 40)),
    (lambda m, a: m.place(a, a > 1, m.array([]), inplace=False), (A34,)),
    (lambda m, a: m.place(a, a > 1, 1.), (A34,)),
    (lambda m, a: m.place(a, m.ones(3, bool), 1., inplace=False), (A34,)),
    (lambda m: m.geomspace(1, 1000, 4), ()),
    (lambda m: m.geomspace(-1, -1000, 4, endpoint=False), ()),
    (lambda m, a: m.geomspace(a, 100., 3, axis=1), (np.array([1., 2.], np.float32),)),
    (lambda m: m.geomspace(1, 256, 9, dtype=m.int32), ()),
    (lambda m: m.geomspace(1j, 1000j, 4), ()),
    (lambda m, a: m.partition(a, 1), (np.array([1 + 1j, 2]),)),
    (lambda m, a: m.partition(a, 1), (np.array([True, False, True]),)),
    (lambda m, a: m.argpartition(a, 1), (np.array([1 + 1j, 2]),)),
    (lambda m, a: m.iscomplex(a), (np.array([1, 1j, 2 + 0j]),)),
    (lambda m, a: (m.isreal(a), m.iscomplex(a)), (A34,)),
    (lambda m: m.isreal(3), ()),
    (lambda m: m.frombuffer(b"\x01\x02\x03\x04", dtype=m.uint8), ()),
    (lambda m: m.frombuffer(np.arange(3.).tobytes()), ()),
    (lambda m: m.frombuffer(np.arange(4, dtype=np.int16).tobytes(), m.int16, 2, 2), ()),
    (lambda m: m.fromstring("1 2 3", sep=" "), ()),
    (lambda m: m.fromstring("1,2", dtype=int, sep=","), ()),
    (lambda m: m.fromiter(range(3), int), ()),
]


@pytest.mark.parametrize("case", range(len(CASES)))
def test_table(case, x64_mode):
    fn, args, *opts = CASES[case]
    compare(fn, *args, **(opts[0] if opts else {}))


# -- against numpy as well -----------------------------------------------------------------------
NUMPY_CASES = [
    (lambda m: m.tril_indices(4, -1, 3), ()),
    (lambda m, a: m.triu_indices_from(a, 2), (A34,)),
    (lambda m: m.mask_indices(4, m.tril, -1), (), {"jit": False}),
    (lambda m, a, b: m.ix_(a, b), (np.array([0, 1]), np.array([2, 0, 1]))),
    (lambda m: m.mgrid[0:3, 0:1:4j], ()),
    (lambda m: m.ogrid[0:3, 0:4], ()),
    (lambda m: m.r_[1:4, [5, 6], 7], ()),
    (lambda m: m.c_[[1, 2], [3, 4]], ()),
    (lambda m: m.fromfunction(lambda i, j: i == j, (3, 3)), ()),
    (lambda m, a: m.apply_over_axes(m.sum, a, [1]), (A34,)),
    (lambda m, a, b: m.block([[a, a], [b, b]]), (A34, A34 * 2)),
    (lambda m, a: m.resize(a, (5, 3)), (A34,)),
    (lambda m, a: m.rollaxis(a, 2), (I234,)),
    (lambda m, a: m.diagflat(a, -1), (A34[:2, :2],)),
    (lambda m, a: m.unstack(a, axis=-1), (A34,)),
    (lambda m, a, b: m.matvec(a, b), (I234, np.arange(4))),
    (lambda m, a, b: m.vecmat(a, b), (np.arange(3), I234)),
    (lambda m, c, a: m.extract(c, a), (A34 > 3, A34), {"jit": False}),
    (lambda m: m.geomspace(2, 512, 5), ()),
    (lambda m: m.geomspace([1, 10], [100, 1000], 3, axis=-1), ()),
]


@pytest.mark.parametrize("case", range(len(NUMPY_CASES)))
def test_against_numpy(case):
    fn, args, *opts = NUMPY_CASES[case]
    compare(fn, *args, numpy=True, rtol=1e-5, **(opts[0] if opts else {}))


def test_index_exp_and_s_():
    assert hnp.s_[1:2, ::3] == np.s_[1:2, ::3] == jnp.s_[1:2, ::3]
    assert hnp.index_exp[1:2] == jnp.index_exp[1:2] == (slice(1, 2),)
    assert len(hnp.r_) == len(jnp.r_) == 0


# -- hypothesis over arguments -------------------------------------------------------------------
DTYPES = [np.int8, np.uint8, np.int32, np.float16, np.float32]


@st.composite
def arrays(draw, min_dims=0, max_dims=3, min_side=0, max_side=4, dtypes=DTYPES):
    dtype = np.dtype(draw(st.sampled_from(dtypes)))
    shape = draw(hnp_st.array_shapes(min_dims=min_dims, max_dims=max_dims, min_side=min_side,
                                     max_side=max_side))
    values = draw(hnp_st.arrays(np.int8, shape, elements=st.integers(0, 20)))
    return values.astype(dtype)


@settings(max_examples=10)
@given(st.data())
def test_unravel_ravel_round_trip(data):
    dims = tuple(data.draw(st.lists(st.integers(1, 4), min_size=1, max_size=3)))
    size = int(np.prod(dims))
    flat = np.array(data.draw(st.lists(st.integers(-size - 2, size + 2), max_size=5)), np.int32)
    compare(lambda m, f: m.unravel_index(f, dims), flat)
    inside = np.clip(flat, 0, size - 1)
    compare(lambda m, f: m.unravel_index(f, dims), inside, numpy=True)
    coords = np.unravel_index(inside, dims)
    order = data.draw(st.sampled_from(["C", "F"]))
    mode = data.draw(st.sampled_from(["clip", "wrap"]))
    compare(lambda m, *c: m.ravel_multi_index(c, dims, mode=mode, order=order),
            *[c.astype(np.int32) + 5 * data.draw(st.integers(-1, 1)) for c in coords])
    compare(lambda m, *c: m.ravel_multi_index(c, dims, order=order), *coords, jit=False,
            numpy=True)


@settings(max_examples=6)
@given(st.data())
def test_delete_insert(data):
    x = data.draw(arrays(min_dims=1, min_side=1))
    axis = data.draw(st.one_of(st.none(), st.integers(-x.ndim, x.ndim - 1)))
    n = x.size if axis is None else x.shape[axis]
    obj = data.draw(st.one_of(
        st.integers(-n, n - 1),
        st.lists(st.integers(-n, n - 1), max_size=3).map(lambda v: np.array(v, np.int32)),
        st.builds(slice, st.integers(0, 3), st.integers(0, 5), st.integers(1, 2))))
    compare(lambda m, a: m.delete(a, obj, axis), x, numpy=True)
    if isinstance(obj, np.ndarray):
        unique = np.array(sorted({int(i) % n for i in obj}), np.int32)
        compare(lambda m, a, i: m.delete(a, i, axis, assume_unique_indices=True), x, unique)
    where = data.draw(st.one_of(st.integers(-n, n),
                                st.lists(st.integers(-n, n), min_size=1, max_size=3)
                                .map(lambda v: np.array(v, np.int32))))
    values = data.draw(st.integers(-3, 3))
    compare(lambda m, a: m.insert(a, where, values, axis), x, numpy=True)
    if isinstance(where, np.ndarray):
        compare(lambda m, a, i: m.insert(a, i, values, axis), x, where)


@st.composite
def gufunc_shapes(draw, core_a, core_b):
    loop = draw(hnp_st.mutually_broadcastable_shapes(num_shapes=2, max_dims=2, max_side=3))
    return loop.input_shapes[0] + core_a, loop.input_shapes[1] + core_b


@settings(max_examples=6)
@given(st.data())
def test_vectorize(data):
    shape_a, shape_b = data.draw(gufunc_shapes((), ()))
    a = np.arange(np.prod(shape_a), dtype=np.float32).reshape(shape_a)
    b = np.arange(np.prod(shape_b), dtype=np.int32).reshape(shape_b)
    compare(lambda m, x, y: m.vectorize(lambda p, q: p * 2 + q)(x, y), a, b)
    compare(lambda m, x, y: m.vectorize(lambda p, q, r: p * r + q, excluded={2})(x, y, 3), a, b)
    shape_a, shape_b = data.draw(gufunc_shapes((2, 3), (3,)))
    a = np.arange(np.prod(shape_a), dtype=np.float32).reshape(shape_a)
    b = np.ones(shape_b, np.float32)
    compare(lambda m, x, y: m.vectorize(lambda p, q: (p @ q, q.sum()),
                                        signature="(n,m),(m)->(n),()")(x, y), a, b)
    compare(lambda m, x, y: m.matvec(x, y), a, b, numpy=True)


VECTORIZE_ERRORS = [
    (ValueError, lambda m: m.vectorize(lambda p: p, signature="(n->(n)")(m.ones(2))),
    (ValueError, lambda m: m.vectorize(lambda p: p, signature="(n,m)->(n)")(m.ones(2))),
    (ValueError, lambda m: m.vectorize(lambda p, q: p, signature="(n),(n)->(n)")(m.ones(2),
                                                                                m.ones(3))),
    (ValueError, lambda m: m.vectorize(lambda p: p, signature="(n)->()")(m.ones(2))),
    (TypeError, lambda m: m.vectorize(lambda p: (p, p), signature="(n)->(n)")(m.ones(2))),
    (TypeError, lambda m: m.vectorize(lambda p: p, signature="(n)->(n),(n)")(m.ones(2))),
    (TypeError, lambda m: m.vectorize(lambda p: p, signature="(n)->(n)")(m.ones(2), m.ones(2))),
    (TypeError, lambda m: m.vectorize(lambda p: p, excluded={1.5})),
    (ValueError, lambda m: m.vectorize(lambda p: p, excluded={-1})),
    (ValueError, lambda m: m.vectorize(lambda p, q: p, signature="(n),(n)->(n)")(m.ones(2), None)),
]


@pytest.mark.parametrize("case", range(len(VECTORIZE_ERRORS)))
def test_vectorize_errors(case):
    kind, fn = VECTORIZE_ERRORS[case]
    with pytest.raises(kind):
        fn(jnp)
    with pytest.raises(kind):
        fn(hnp)


def test_vectorize_none_and_keyword_arguments():
    f = lambda m: m.vectorize(lambda p, q, scale=1.: p * scale if q is None else p + q,  # noqa: E731
                              excluded={"scale"})
    compare(lambda m, x: f(m)(x, None, scale=3.), A34)
    compare(lambda m, x: f(m)(x, x[0]), A34)


@settings(max_examples=10)
@given(st.data())
def test_partition(data):
    x = data.draw(arrays(min_dims=1, min_side=1, dtypes=[np.int8, np.uint8, np.int32,
                                                          np.float32]))
    axis = data.draw(st.integers(-x.ndim, x.ndim - 1))
    kth = data.draw(st.integers(-x.shape[axis], x.shape[axis] - 1))
    compare(lambda m, a: m.partition(a, kth, axis), x)
    compare(lambda m, a: m.argpartition(a, kth, axis), x)
    got = np.asarray(hnp.partition(x, kth, axis))
    want = np.partition(x, kth, axis)
    np.testing.assert_array_equal(np.take(got, [kth], axis), np.take(want, [kth], axis))
    picked = np.take_along_axis(x, np.asarray(hnp.argpartition(x, kth, axis)), axis)
    np.testing.assert_array_equal(np.take(picked, [kth], axis), np.take(want, [kth], axis))


@settings(max_examples=8)
@given(st.data())
def test_resize_choose_put_along_axis(data):
    x = data.draw(arrays(min_dims=1))
    new = tuple(data.draw(st.lists(st.integers(0, 4), max_size=3)))
    compare(lambda m, a: m.resize(a, new), x, numpy=x.size > 0)
    n = data.draw(st.integers(1, 3))
    pick = data.draw(hnp_st.arrays(np.int32, x.shape, elements=st.integers(0, n - 1)))
    choices = [x * (k + 1) for k in range(n)]
    compare(lambda m, p, *c: m.choose(p, c, mode="clip"), pick, *choices, numpy=True)
    axis = data.draw(st.integers(-x.ndim, x.ndim - 1))
    idx_shape = list(x.shape)
    idx_shape[axis] = data.draw(st.integers(0, 2))
    side = x.shape[axis]
    if side:
        idx = data.draw(hnp_st.arrays(np.int32, tuple(idx_shape),
                                      elements=st.integers(-side, side - 1)))
        compare(lambda m, a, i: m.put_along_axis(a, i, 7, axis, inplace=False), x, idx)
        expected = x.copy()
        np.put_along_axis(expected, idx, 7, axis)
        np.testing.assert_array_equal(hnp.put_along_axis(x, idx, 7, axis, inplace=False),
                                      expected)


@settings(max_examples=8)
@given(st.data())
def test_fill_diagonal_place(data):
    rows, cols = data.draw(st.integers(1, 4)), data.draw(st.integers(1, 4))
    x = np.arange(rows * cols, dtype=np.float32).reshape(rows, cols)
    v = np.arange(data.draw(st.integers(1, 5)), dtype=np.float32) + 100
    compare(lambda m, a, b: m.fill_diagonal(a, b, inplace=False), x, v)
    expected = x.copy()
    np.fill_diagonal(expected, v)
    np.testing.assert_array_equal(hnp.fill_diagonal(x, v, inplace=False), expected)
    mask = data.draw(hnp_st.arrays(np.bool_, x.shape))
    compare(lambda m, a, c, b: m.place(a, c, b, inplace=False), x, mask, v)
    expected = x.copy()
    np.place(expected, mask, v)
    np.testing.assert_array_equal(hnp.place(x, mask, v, inplace=False), expected)


# -- concrete-only arguments fail under jit --------------------------------------------------------
def test_concrete_arguments_under_jit():
    with pytest.raises(hlox.ConcretizationTypeError):
        hlox.jit(lambda n: hnp.tril_indices(n))(3)
    with pytest.raises(hlox.ConcretizationTypeError):
        hlox.jit(lambda a: hnp.ravel_multi_index((a,), (3,)))(hnp.arange(2))
    with pytest.raises(hlox.ConcretizationTypeError):
        hlox.jit(lambda a: hnp.choose(a, [1, 2]))(hnp.arange(2))
    with pytest.raises(hlox.ConcretizationTypeError):
        hlox.jit(lambda a, i: hnp.delete(a, i))(hnp.arange(3), hnp.array([1]))


# -- type queries ----------------------------------------------------------------------------------
QUERY_VALUES = [1, 1.5, 1j, True, "s", None, [1, 2], [1j], (1.,), np.float32(2), np.complex64(1),
                np.arange(3), np.ones((), np.complex64), np.array(1)]


@pytest.mark.parametrize("name", ["isscalar", "iscomplexobj", "isrealobj", "iterable"])
def test_queries(name):
    for v in QUERY_VALUES + [jnp.ones(2), jnp.array(1j)]:
        h = hnp.asarray(v) if isinstance(v, jnp.ndarray) else v
        assert getattr(hnp, name)(h) == getattr(jnp, name)(v), (name, v)


DTYPE_KINDS = ["bool", "signed integer", "unsigned integer", "integral", "real floating",
               "complex floating", "numeric"]
DTYPE_NAMES = ["bool_", "int4", "int2", "uint4", "uint2", "int8", "uint32", "int64", "bfloat16",
               "float16", "float32", "float64", "complex64", "complex128", "float8_e4m3fn",
               "float8_e5m2", "float8_e3m4", "float4_e2m1fn", "float6_e2m3fn", "float8_e8m0fnu"]


@pytest.mark.parametrize("name", DTYPE_NAMES)
def test_isdtype_can_cast(name):
    h, j = getattr(hnp, name), getattr(jnp, name)
    assert np.dtype(h) == np.dtype(j)
    for kind in DTYPE_KINDS + [("bool", "complex floating"), h, (hnp.float32, "integral")]:
        jkind = j if kind is h else kind
        assert hnp.isdtype(h, kind) == jnp.isdtype(j, jkind), (name, kind)
    for other in ["int8", "int32", "float32", "complex64"]:
        for casting in ["safe", "same_kind", "unsafe"]:
            assert (hnp.can_cast(h, getattr(hnp, other), casting)
                    == jnp.can_cast(j, getattr(jnp, other), casting))


def test_isdtype_errors():
    for kind, err in [("floating", ValueError), (object(), TypeError)]:
        with pytest.raises(err):
            jnp.isdtype(jnp.int32, kind)
        with pytest.raises(err):
            hnp.isdtype(hnp.int32, kind)


ALIASES = ["single", "double", "csingle", "cdouble", "character", "flexible", "object_", "int1",
           "uint1", "float8_e4m3", "float8_e4m3fnuz", "float8_e5m2fnuz", "float8_e4m3b11fnuz",
           "float6_e3m2fn"]


@pytest.mark.parametrize("name", ALIASES + DTYPE_NAMES)
def test_dtype_aliases(name):
    h, j = getattr(hnp, name), getattr(jnp, name)
    assert h is j or np.dtype(h) == np.dtype(j)


@pytest.mark.parametrize("name", ["int4", "uint2", "float8_e3m4", "float4_e2m1fn", "object_",
                                  "character"])
def test_unsupported_dtypes_raise_type_error(name):
    dtype = getattr(hnp, name)
    for make in [lambda: hnp.zeros(3, dtype), lambda: hnp.asarray([1, 2], dtype=dtype),
                 lambda: hnp.arange(3.).astype(dtype)]:
        with pytest.raises(TypeError, match="not a valid hlox array type|not allowed"):
            make()


def test_printoptions_and_warning():
    assert hnp.get_printoptions() == np.get_printoptions()
    with hnp.printoptions(precision=2):
        assert np.get_printoptions()["precision"] == 2
        assert "1.23" in repr(hnp.asarray([1.23456]))
    old = hnp.get_printoptions()["precision"]
    hnp.set_printoptions(precision=3)
    try:
        assert np.get_printoptions()["precision"] == 3
    finally:
        hnp.set_printoptions(precision=old)
    assert hnp.ComplexWarning is jnp.ComplexWarning


def test_save_load_round_trip():
    for x in [np.arange(6, dtype=np.int16).reshape(2, 3), np.arange(3, dtype=ml_dtypes.bfloat16)]:
        buf = io.BytesIO()
        hnp.save(buf, hnp.asarray(x))
        buf.seek(0)
        got = hnp.load(buf)
        buf.seek(0)
        want = jnp.load(buf)
        assert isinstance(got, hlox.Array)
        assert got.dtype == want.dtype == x.dtype
        np.testing.assert_array_equal(np.asarray(got, np.float32), np.asarray(want, np.float32))
