"""hlox.numpy array creation against real JAX (values, shapes, dtypes, weak types, error
types) and numpy (values), eagerly and under hlox.jit, with x64 off and on."""
from __future__ import annotations

import jax
import jax.numpy as jnp
import numpy as np
import pytest
from hypothesis import given, strategies as st

import hlox
import hlox.numpy as hnp
from conftest import assert_matches, enable_x64


def _outputs(x):
    return list(x) if isinstance(x, (list, tuple)) else [x]


def _tol(arrays):
    return 2e-3 if any(np.dtype(a.dtype) in (np.float16, jnp.bfloat16) for a in arrays) else 1e-6


def compare(fn, *args, jit=True, numpy=False, rtol=None):
    """`fn(module, *arrays)` with module = hlox.numpy (eager, and under hlox.jit with the arrays
    as arguments) matches module = jax.numpy in values, shapes, dtypes and weak types, and
    numpy's values when `numpy` is set. Where JAX raises, hlox raises the same kind of error."""
    try:
        want = _outputs(fn(jnp, *[jnp.asarray(a) for a in args]))
    except Exception as e:  # noqa: BLE001  (any JAX error: hlox must raise its builtin kind)
        kind = next(c for c in type(e).__mro__ if c.__module__ == "builtins")
        with pytest.raises(kind):
            fn(hnp, *[hnp.asarray(a) for a in args])
        return
    tol = rtol if rtol is not None else _tol(want)
    runs = [fn(hnp, *[hnp.asarray(a) for a in args])]
    if jit:
        runs.append(hlox.jit(lambda *xs: fn(hnp, *xs))(*[hnp.asarray(a) for a in args]))
    for got in runs:
        got = _outputs(got)
        assert len(got) == len(want)
        for g, w in zip(got, want):
            assert_matches(g, w, rtol=tol, atol=tol, check_weak=True)
    if numpy:
        try:
            expected = _outputs(fn(np, *args))
        except OverflowError:
            return  # numpy refuses out-of-range fills that JAX wraps
        for g, w in zip(want, expected):
            assert_matches(g, w, rtol=tol, atol=tol, check_dtype=False)


def same_error(fn, kind):
    """JAX raises `kind` for `fn(jax.numpy)`; hlox raises it too."""
    with pytest.raises(kind):
        fn(jnp)
    with pytest.raises(kind):
        fn(hnp)


@pytest.fixture(params=[False, True], ids=["x32", "x64"])
def x64_mode(request):
    with enable_x64(request.param):
        yield request.param


# -- a table of calls: dtype and weak-type rules ----------------------------------------------
CREATION_CASES = [
    lambda m: m.arange(5),
    lambda m: m.arange(0., 1., .1),
    lambda m: m.arange(np.int16(5)),
    lambda m: m.arange(2, 8, dtype=float),
    lambda m: m.arange(2, 9, 3),
    lambda m: m.arange(8, 2, -2),
    lambda m: m.arange(1, 5.),
    lambda m: m.arange(0, 5, 0.5, dtype=m.float16),
    lambda m: m.arange(0, 5, 1.5, dtype=int),
    lambda m: m.arange(-3),
    lambda m: m.arange(np.int64(4)),
    lambda m: m.full((2,), 1.0),
    lambda m: m.full((2,), 1),
    lambda m: m.full((2,), True),
    lambda m: m.full((2, 3), m.asarray([1, 2, 3])),
    lambda m: m.full((2,), 1.5, int),
    lambda m: m.full(3, np.float64(1)),
    lambda m: m.full((), 2j),
    lambda m: m.array(1),
    lambda m: m.array(1.),
    lambda m: m.array(True),
    lambda m: m.array(1.5, dtype=m.int8),
    lambda m: m.array([1, 2]),
    lambda m: m.array([1, 2.]),
    lambda m: m.array([1, True]),
    lambda m: m.array([1j, 2]),
    lambda m: m.array((np.float16(1), 2.)),
    lambda m: m.array([m.ones((), m.float16), 2.]),
    lambda m: m.array([m.ones((), m.int8), 2]),
    lambda m: m.array([np.int8(1), 2]),
    lambda m: m.array([np.int64(1), 2]),
    lambda m: m.array(np.arange(3)),
    lambda m: m.array(np.ones(3)),
    lambda m: m.array([]),
    lambda m: m.array(m.asarray(2.0) * 1.),
    lambda m: m.array(1, ndmin=3),
    lambda m: m.array([1, 2], ndmin=2),
    lambda m: m.array([1, 2], dtype=m.int64),
    lambda m: m.array([[1, 2], [3, 4]], dtype=m.float16),
    lambda m: m.array([m.arange(3), m.arange(3) * 2]),
    lambda m: m.array([[m.float32(1), 2], [3, 4]]),
    lambda m: m.array([m.arange(2.), [3, 4]], dtype=m.int32),
    lambda m: m.asarray(3),
    lambda m: m.asarray([1., 2.], dtype=m.int32),
    lambda m: m.asarray(m.arange(3.), dtype=m.uint8),
    lambda m: m.zeros(3),
    lambda m: m.zeros((2, 3), int),
    lambda m: m.zeros((2, 3), m.bfloat16),
    lambda m: m.ones((2,), bool),
    lambda m: m.ones(np.int64(2), m.complex64),
    lambda m: m.empty((2, 2)),
    lambda m: m.zeros_like(1.),
    lambda m: m.zeros_like(m.float32(1) * 2),
    lambda m: m.zeros_like(m.asarray(1.) * 2),
    lambda m: m.ones_like(m.arange(3), dtype=bool),
    lambda m: m.full_like(1, 2.),
    lambda m: m.full_like(m.arange(3), 2.5),
    lambda m: m.full_like(m.arange(3), 2.5, float),
    lambda m: m.ones_like(m.arange(3.), shape=(4, 1)),
    lambda m: m.full_like(m.ones((2, 3)), m.arange(3.)),
    lambda m: m.empty_like(m.ones((2, 3), m.int8)),
    lambda m: m.linspace(0, 1, 5),
    lambda m: m.linspace(0, 10, 5, dtype=int),
    lambda m: m.linspace(0, 1, 5, endpoint=False),
    lambda m: m.linspace(0, 1, 0),
    lambda m: m.linspace(0, 1, 1),
    lambda m: m.linspace(0, 1, 5, retstep=True),
    lambda m: m.linspace(0, 1, 1, retstep=True),
    lambda m: m.linspace(0, 1, 1, endpoint=False, retstep=True),
    lambda m: m.linspace(m.zeros(2), m.ones(2), 4, axis=1),
    lambda m: m.linspace(m.zeros(2), 3, 4, axis=-1),
    lambda m: m.linspace(0, 1, 7, dtype=m.float16),
    lambda m: m.linspace(np.int8(0), np.int8(4), 3),
    lambda m: m.logspace(0, 2, 3),
    lambda m: m.logspace(0, 2, 7, base=2),
    lambda m: m.logspace(0, 2, 5, endpoint=False),
    lambda m: m.eye(3),
    lambda m: m.eye(3, 4, k=1),
    lambda m: m.eye(3, 4, k=-2, dtype=int),
    lambda m: m.identity(3, int),
    lambda m: m.tri(3),
    lambda m: m.tri(3, 5, 2, dtype=bool),
    lambda m: m.tril(m.ones((3, 3), int)),
    lambda m: m.tril(m.arange(24).reshape(2, 3, 4), -1),
    lambda m: m.triu(m.arange(24.).reshape(2, 3, 4), 1),
    lambda m: m.triu(m.asarray(2.) * m.ones((3, 2))),
    lambda m: m.meshgrid(m.arange(3), m.arange(2.)),
    lambda m: m.meshgrid(m.arange(3), m.arange(2.), m.arange(4), indexing="ij"),
    lambda m: m.meshgrid(m.arange(3), m.arange(2.), sparse=True),
    lambda m: m.meshgrid(m.arange(3)),
    lambda m: m.indices((2, 3)),
    lambda m: m.indices((2, 3), sparse=True),
    lambda m: m.diag_indices(3),
]


@pytest.mark.parametrize("case", range(len(CREATION_CASES)))
def test_creation_table(case, x64_mode):
    compare(CREATION_CASES[case])


# -- hypothesis over arguments ------------------------------------------------------------------
SCALAR_DTYPES = [None, np.int8, np.uint8, np.int32, np.float16, np.float32, np.bool_,
                 np.complex64]
FILL_VALUES = st.one_of(st.integers(-3, 3), st.sampled_from([-1.5, 0.0, 2.25]), st.booleans(),
                        st.sampled_from([np.int8(3), np.float16(1.5), np.float32(-2.0)]))
SMALL_SHAPES = st.lists(st.integers(0, 3), max_size=3).map(tuple)


@given(shape=SMALL_SHAPES, fill=FILL_VALUES, dtype=st.sampled_from(SCALAR_DTYPES),
       name=st.sampled_from(["full", "full_like"]))
def test_full(shape, fill, dtype, name):
    numpy = not (dtype == np.uint8 and fill < 0)  # float -> uint8 of a negative: no numpy rule
    if name == "full":
        compare(lambda m: m.full(shape, fill, dtype), numpy=numpy)
    else:
        like = np.zeros(shape, np.int16)
        compare(lambda m, a: m.full_like(a, fill, dtype), like, numpy=numpy)


@given(shape=SMALL_SHAPES, dtype=st.sampled_from(SCALAR_DTYPES),
       name=st.sampled_from(["zeros", "ones", "empty", "zeros_like", "ones_like"]))
def test_zeros_ones(shape, dtype, name):
    if name.endswith("_like"):
        compare(lambda m, a: getattr(m, name)(a, dtype), np.ones(shape, np.float16))
    elif name == "empty":
        compare(lambda m: m.zeros_like(m.empty(shape, dtype)))
    else:
        compare(lambda m: getattr(m, name)(shape, dtype), numpy=True)


BOUNDS = st.one_of(st.integers(-6, 6), st.sampled_from([-2.5, 0.0, 0.5, 3.75]),
                   st.sampled_from([np.int8(4), np.float32(2.5), np.uint8(3)]))


@given(start=BOUNDS, stop=st.one_of(st.none(), BOUNDS),
       step=st.one_of(st.none(), st.sampled_from([1, 2, -1, -3, 0.5, -0.75])),
       dtype=st.sampled_from([None, np.int32, np.float32, np.int16, np.float16]))
def test_arange(start, stop, step, dtype):
    if stop is None and step is not None:
        stop, start = start, 0
    args = (start,) if stop is None else (start, stop) if step is None else (start, stop, step)
    compare(lambda m: m.arange(*args, dtype=dtype))
    if dtype in (None, np.float32) and not any(isinstance(v, np.uint8) for v in args):
        want = np.arange(*args, dtype=dtype)
        got = hnp.arange(*args, dtype=dtype)
        assert_matches(got, want.astype(got.dtype), rtol=1e-5, atol=1e-5, check_dtype=False)


def test_arange_is_an_iota_not_a_constant():
    text = hlox.jit(lambda: hnp.arange(1000)).lower().as_text()
    assert "stablehlo.iota" in text and "dense<[" not in text
    text = hlox.jit(lambda: hnp.arange(2., 40., 0.5)).lower().as_text()
    assert "stablehlo.iota" in text and "dense<[" not in text


@given(start=st.sampled_from([-2, 0, 1.5, np.float16(3)]),
       stop=st.sampled_from([4, -1.0, 10, np.int8(7)]), num=st.integers(0, 6),
       endpoint=st.booleans(), retstep=st.booleans(),
       dtype=st.sampled_from([None, np.float32, np.int32, np.float16, np.complex64]))
def test_linspace(start, stop, num, endpoint, retstep, dtype):
    compare(lambda m: m.linspace(start, stop, num, endpoint, retstep, dtype), rtol=1e-2)
    want = np.linspace(float(start), float(stop), num, endpoint)
    got = hnp.linspace(start, stop, num, endpoint, dtype=np.float32)
    assert_matches(got, want.astype(np.float32), rtol=1e-5, atol=1e-5)


@given(n=st.integers(0, 4), m_=st.one_of(st.none(), st.integers(0, 4)), k=st.integers(-4, 4),
       dtype=st.sampled_from([None, np.int32, bool, np.float16]),
       name=st.sampled_from(["eye", "tri"]))
def test_eye_tri(n, m_, k, dtype, name):
    compare(lambda m: getattr(m, name)(n, m_, k, dtype=dtype), numpy=True)


@given(shape=st.lists(st.integers(1, 3), min_size=2, max_size=3).map(tuple), k=st.integers(-3, 3),
       dtype=st.sampled_from([np.int32, np.float32, np.bool_]), name=st.sampled_from(["tril", "triu"]))
def test_tril_triu(shape, k, dtype, name):
    x = np.arange(np.prod(shape)).reshape(shape).astype(dtype)
    compare(lambda m, a: getattr(m, name)(a, k), x, numpy=True)


def test_tril_traced_k():
    x = np.arange(9.).reshape(3, 3)
    got = hlox.jit(lambda a, k: hnp.eye(3, k=k) * a)(hnp.asarray(x), 1)
    assert_matches(got, jnp.eye(3, k=1) * x)


@given(sizes=st.lists(st.integers(0, 3), max_size=3), sparse=st.booleans(),
       indexing=st.sampled_from(["xy", "ij"]))
def test_meshgrid(sizes, sparse, indexing):
    vecs = [np.arange(n, dtype=np.float32) + i for i, n in enumerate(sizes)]
    compare(lambda m, *v: m.meshgrid(*v, sparse=sparse, indexing=indexing), *vecs, numpy=True)




@given(obj=st.lists(st.lists(st.one_of(st.integers(-5, 5), st.sampled_from([0.5, True])),
                             min_size=2, max_size=2), min_size=1, max_size=3),
       dtype=st.sampled_from([None, np.int32, np.float16, np.bool_]), ndmin=st.integers(0, 3))
def test_array_of_lists(obj, dtype, ndmin):
    compare(lambda m: m.array(obj, dtype=dtype, ndmin=ndmin), numpy=dtype is not None)


@given(value=st.one_of(st.integers(-5, 5), st.floats(-3, 3, width=32), st.booleans(),
                       st.complex_numbers(max_magnitude=2, width=64)),
       dtype=st.sampled_from(SCALAR_DTYPES))
def test_array_of_scalars(value, dtype):
    compare(lambda m: m.array(value, dtype=dtype))
    compare(lambda m: m.asarray(value, dtype=dtype))


@given(parts=st.lists(st.sampled_from(["i8", "f16", "py_int", "py_float", "f32"]), min_size=1,
                      max_size=4))
def test_array_of_mixed_arrays_and_scalars(parts):
    def build(m):
        make = {"i8": lambda: m.ones((), m.int8), "f16": lambda: m.full((), 2, m.float16),
                "f32": lambda: m.asarray(np.float32(3)), "py_int": lambda: 4,
                "py_float": lambda: 0.5}
        return m.array([make[p]() for p in parts])
    compare(build)


def test_x64_narrowing():
    with enable_x64(False):
        for fn in (lambda m: m.array(np.arange(3, dtype=np.int64)),
                   lambda m: m.asarray(np.ones(2, np.float64)), lambda m: m.array(np.uint64(3)),
                   lambda m: m.zeros(2, np.float64), lambda m: m.arange(3, dtype=np.int64)):
            compare(fn)
            assert fn(hnp).dtype.itemsize == 4
    with enable_x64(True):
        compare(lambda m: m.array(np.arange(3, dtype=np.int64)))
        assert hnp.array(np.ones(2, np.float64)).dtype == np.float64
        assert hnp.arange(3).dtype == np.int64 and hnp.array(1.0).dtype == np.float64


# -- errors: the same exception types as JAX ---------------------------------------------------
CREATION_ERRORS = [
    (lambda m: m.arange(1j), ValueError),
    (lambda m: m.arange(0, 5, 0), ZeroDivisionError),
    (lambda m: m.arange(m.ones(2)), ValueError),
    (lambda m: (jax if m is jnp else hlox).jit(lambda n: m.arange(n))(3), TypeError),
    (lambda m: (jax if m is jnp else hlox).jit(lambda n: m.arange(n))(3),
     (jax.errors.ConcretizationTypeError, hlox.ConcretizationTypeError)),
    (lambda m: m.zeros((-1,)), TypeError),
    (lambda m: m.zeros((2.,)), TypeError),
    (lambda m: m.full((2,), m.ones(3)), ValueError),
    (lambda m: m.array([None]), ValueError),
    (lambda m: m.array([[1], [1, 2]]), ValueError),
    (lambda m: m.array([m.ones(2), m.ones(3)]), TypeError),
    (lambda m: m.array([1], dtype="foo"), TypeError),
    (lambda m: m.linspace(0, 1, -1), ValueError),
    (lambda m: m.eye(-1), ValueError),
    (lambda m: m.tril(m.ones(3)), ValueError),
    (lambda m: m.meshgrid(m.ones(2), indexing="foo"), ValueError),
    (lambda m: m.meshgrid(m.ones((2, 2))), ValueError),
    (lambda m: m.array(1, order="F"), NotImplementedError),
]


@pytest.mark.parametrize("case", range(len(CREATION_ERRORS)))
def test_creation_errors(case):
    fn, kind = CREATION_ERRORS[case]
    if isinstance(kind, tuple):
        with pytest.raises(kind[0]):
            fn(jnp)
        with pytest.raises(kind[1]):
            fn(hnp)
    else:
        same_error(fn, kind)


# -- scalar types: dtypes everywhere, and callables that make arrays (also of tracers) ---------
@pytest.mark.parametrize("name", ["float32", "float16", "bfloat16", "int8", "uint8", "int32",
                                  "bool_", "complex64", "float64", "int_", "float_"])
def test_scalar_types_are_dtypes_and_array_constructors(name):
    h, j = getattr(hnp, name), getattr(jnp, name)
    assert np.dtype(h) == np.dtype(j)
    assert hnp.zeros(2, h).dtype == jnp.zeros(2, j).dtype
    assert h == np.dtype(j).type and hash(h) == hash(np.dtype(j).type)
    assert isinstance(np.zeros((), np.dtype(j))[()], h)
    assert hnp.issubdtype(h, hnp.generic) and hnp.dtype(h) == jnp.dtype(j)
    for x in (3, 2.5, [1, 0]):
        assert_matches(h(x), j(x), check_weak=True)
    assert_matches(hlox.jit(lambda v: h(v) * 2)(np.int32(3)), jax.jit(lambda v: j(v) * 2)(np.int32(3)),
                   check_weak=True)


def test_scalar_type_arithmetic_is_on_arrays():
    assert_matches(hnp.float32(1) + 1, jnp.float32(1) + 1, check_weak=True)
    assert_matches(1 + hnp.int8(3), 1 + jnp.int8(3), check_weak=True)
    assert isinstance(hnp.float16(2) * 3, hlox.Array)
