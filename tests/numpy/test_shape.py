"""hlox.numpy shape manipulation against real JAX (values, shapes, dtypes, weak types, error
types) and numpy (values), eagerly and under hlox.jit; array methods dispatch to them."""
from __future__ import annotations

import jax
import jax.numpy as jnp
import numpy as np
import pytest
from hypothesis import given, settings, strategies as st
from hypothesis.extra import numpy as hnp_st

import hlox
import hlox.numpy as hnp
from test_creation import compare, same_error

DTYPES = [np.bool_, np.int8, np.uint8, np.int32, np.float16, np.float32, np.complex64]


@st.composite
def arrays(draw, min_dims=0, max_dims=3, min_side=0, max_side=3, dtypes=DTYPES, shape=None):
    dtype = np.dtype(draw(st.sampled_from(dtypes)))
    if shape is None:
        shape = draw(hnp_st.array_shapes(min_dims=min_dims, max_dims=max_dims,
                                         min_side=min_side, max_side=max_side))
    return np.arange(int(np.prod(shape))).reshape(shape).astype(dtype)


def axis_of(draw, ndim):
    return draw(st.integers(-ndim, ndim - 1))


# -- reshaping ---------------------------------------------------------------------------------
@given(st.data())
def test_reshape(data):
    x = data.draw(arrays(max_dims=4))
    new = list(data.draw(st.permutations(list(x.shape))))
    if new and data.draw(st.booleans()):
        new[data.draw(st.integers(0, len(new) - 1))] = -1 if x.size else new[0]
    if data.draw(st.booleans()):
        new = [x.size] if data.draw(st.booleans()) else [x.size, 1]
    order = data.draw(st.sampled_from(["C", "F"]))
    compare(lambda m, a: m.reshape(a, tuple(new), order=order), x, numpy=True)
    compare(lambda m, a: m.ravel(a, order), x, numpy=True)


@given(st.data())
def test_transpose_swapaxes_moveaxis(data):
    x = data.draw(arrays(max_dims=4))
    perm = tuple(data.draw(st.permutations(range(x.ndim))))
    perm = tuple(p - x.ndim if data.draw(st.booleans()) else p for p in perm)
    compare(lambda m, a: m.transpose(a, perm), x, numpy=True)
    compare(lambda m, a: m.transpose(a), x, numpy=True)
    if x.ndim:
        a1, a2 = axis_of(data.draw, x.ndim), axis_of(data.draw, x.ndim)
        compare(lambda m, a: m.swapaxes(a, a1, a2), x, numpy=True)
        k = data.draw(st.integers(1, x.ndim))
        src = data.draw(st.permutations(range(x.ndim)))[:k]
        dst = data.draw(st.permutations(range(x.ndim)))[:k]
        compare(lambda m, a: m.moveaxis(a, src, dst), x, numpy=True)
        compare(lambda m, a: m.moveaxis(a, src[0], dst[0] - x.ndim), x, numpy=True)


@given(st.data())
def test_expand_dims_squeeze(data):
    x = data.draw(arrays(max_dims=3, min_side=1, max_side=2))
    n = data.draw(st.integers(1, 2))
    axes = tuple(data.draw(st.lists(st.integers(-(x.ndim + n), x.ndim + n - 1), min_size=n,
                                    max_size=n, unique_by=lambda a: a % (x.ndim + n))))
    compare(lambda m, a: m.expand_dims(a, axes), x, numpy=True)
    compare(lambda m, a: m.expand_dims(a, axes[0]), x, numpy=True)
    ones = [i for i, d in enumerate(x.shape) if d == 1]
    squeeze_axes = tuple(data.draw(st.lists(st.sampled_from(ones), unique=True))) if ones else ()
    compare(lambda m, a: m.squeeze(a, squeeze_axes), x, numpy=True)
    compare(lambda m, a: m.squeeze(a), x, numpy=True)


@given(st.data())
def test_broadcasting(data):
    x = data.draw(arrays(max_dims=3, min_side=1))
    target = tuple(data.draw(st.lists(st.integers(1, 3), max_size=2))) + tuple(
        d if d != 1 or data.draw(st.booleans()) else data.draw(st.integers(0, 3))
        for d in x.shape)
    compare(lambda m, a: m.broadcast_to(a, target), x, numpy=True)
    y = data.draw(arrays(shape=tuple(1 if data.draw(st.booleans()) else d
                                     for d in target[-data.draw(st.integers(0, len(target))):]
                                     if len(target))))
    compare(lambda m, a, b: m.broadcast_arrays(a, b, 2.5), x, y)
    assert hnp.broadcast_shapes(x.shape, y.shape) == jnp.broadcast_shapes(x.shape, y.shape)


@given(st.data())
def test_atleast(data):
    xs = [data.draw(arrays(max_dims=3)) for _ in range(data.draw(st.integers(1, 3)))]
    name = data.draw(st.sampled_from(["atleast_1d", "atleast_2d", "atleast_3d"]))
    compare(lambda m, *a: getattr(m, name)(*a), *xs, numpy=True)
    compare(lambda m: getattr(m, name)(1.5))


# -- joining and splitting ------------------------------------------------------------------------
@st.composite
def joinable(draw, same_shape=False):
    base = list(draw(hnp_st.array_shapes(min_dims=1, max_dims=3, min_side=0, max_side=3)))
    axis = draw(st.integers(-len(base), len(base) - 1))
    out = []
    for _ in range(draw(st.integers(1, 3))):
        shape = list(base)
        if not same_shape:
            shape[axis] = draw(st.integers(0, 3))
        out.append(draw(arrays(shape=tuple(shape))))
    return out, axis


@settings(max_examples=10)
@given(st.data())
def test_concatenate_stack(data):
    xs, axis = data.draw(joinable())
    dtype = data.draw(st.sampled_from([None, np.float32, np.int32]))
    compare(lambda m, *a: m.concatenate(a, axis=axis, dtype=dtype), *xs, numpy=dtype is None)
    compare(lambda m, *a: m.concatenate(a, axis=None), *xs, numpy=True)
    compare(lambda m, *a: m.append(a[0], a[-1], axis=axis), *xs, numpy=True)
    same, axis = data.draw(joinable(same_shape=True))
    axis = data.draw(st.integers(-same[0].ndim - 1, same[0].ndim))
    compare(lambda m, *a: m.stack(a, axis), *same, numpy=True)
    compare(lambda m, a: m.stack(a, axis), same[0], numpy=True)
    compare(lambda m, a: m.concatenate(a, axis=axis % same[0].ndim - 1 if same[0].ndim > 1
                                       else None), same[0], numpy=True)


@given(st.data())
def test_hvd_column_stack(data):
    xs, _ = data.draw(joinable(same_shape=True))
    name = data.draw(st.sampled_from(["hstack", "vstack", "dstack", "column_stack"]))
    if name == "column_stack" and xs[0].ndim > 2:
        xs = [x.reshape(x.shape[0], int(np.prod(x.shape[1:]))) for x in xs]
    compare(lambda m, *a: getattr(m, name)(a), *xs, numpy=True)
    compare(lambda m: getattr(m, name)([1, 2.5]), numpy=True)


@settings(max_examples=10)
@given(st.data())
def test_split(data):
    x = data.draw(arrays(min_dims=1, max_dims=3, max_side=4))
    axis = axis_of(data.draw, x.ndim)
    n = x.shape[axis]
    sections = data.draw(st.one_of(
        st.integers(1, 4),
        st.lists(st.integers(0, n), max_size=3).map(sorted)))
    name = data.draw(st.sampled_from(["split", "array_split"]))
    compare(lambda m, a: getattr(m, name)(a, sections, axis), x, numpy=True)
    other = data.draw(st.sampled_from(["hsplit", "vsplit", "dsplit"][:x.ndim]))
    compare(lambda m, a: getattr(m, other)(a, [1]), x, numpy=True)


# -- repetition, flips, rotations -----------------------------------------------------------------
@given(st.data())
def test_tile(data):
    x = data.draw(arrays(max_dims=3))
    reps = data.draw(st.one_of(st.integers(0, 3), st.lists(st.integers(0, 3), max_size=4)
                               .map(tuple)))
    compare(lambda m, a: m.tile(a, reps), x, numpy=True)


@given(st.data())
def test_repeat(data):
    x = data.draw(arrays(max_dims=3))
    axis = data.draw(st.one_of(st.none(), st.integers(-x.ndim, x.ndim - 1))) if x.ndim else None
    n = x.size if axis is None else x.shape[axis]
    repeats = data.draw(st.one_of(
        st.integers(0, 3), st.lists(st.integers(0, 3), min_size=n, max_size=n).map(
            lambda r: np.array(r, np.int32))))
    compare(lambda m, a: m.repeat(a, repeats, axis), x, jit=False, numpy=True)
    compare(lambda m, a: m.repeat(a, repeats, axis), x, numpy=True)  # repeats closed over
    total = data.draw(st.one_of(st.none(), st.integers(1, 6)))
    if n and total:
        compare(lambda m, a: m.repeat(a, repeats, axis, total_repeat_length=total), x)


@given(st.data())
def test_flip_roll_rot90(data):
    x = data.draw(arrays(max_dims=3))
    axes = data.draw(st.one_of(st.none(), st.lists(st.integers(0, x.ndim - 1), unique=True)
                               .map(tuple))) if x.ndim else None
    compare(lambda m, a: m.flip(a, axes), x, numpy=True)
    shift = data.draw(st.integers(-7, 7))
    roll_axes = axes if axes else None
    shifts = shift if roll_axes is None else tuple(
        data.draw(st.integers(-7, 7)) for _ in roll_axes)
    compare(lambda m, a: m.roll(a, shifts, roll_axes), x, numpy=True)
    if roll_axes is None:
        compare(lambda m, a, s: m.roll(a, s), x, np.int32(shift))  # traced shift under jit
    else:
        compare(lambda m, a, s: m.roll(a, s, roll_axes), x, np.array(shifts, np.int32))
    if x.ndim >= 2:
        k = data.draw(st.integers(-5, 5))
        pair = tuple(data.draw(st.permutations(range(x.ndim)))[:2])
        compare(lambda m, a: m.rot90(a, k, pair), x, numpy=True)
        compare(lambda m, a: (m.fliplr(a), m.flipud(a)), x, numpy=True)


# -- padding ---------------------------------------------------------------------------------------
@given(st.data())
def test_pad(data):
    x = data.draw(arrays(max_dims=3, min_side=1, dtypes=[np.int32, np.float32, np.uint8]))
    mode = data.draw(st.sampled_from(["constant", "edge", "wrap", "reflect", "symmetric"]))
    pair = st.tuples(st.integers(0, 5), st.integers(0, 5))
    width = data.draw(st.one_of(st.integers(0, 5), pair, st.lists(pair, min_size=x.ndim,
                                                                   max_size=x.ndim).map(tuple)))
    kwargs = {}
    if mode == "constant" and data.draw(st.booleans()):
        kwargs["constant_values"] = data.draw(st.one_of(
            st.integers(0, 9), st.tuples(st.integers(0, 9), st.integers(0, 9)),
            st.lists(st.tuples(st.integers(0, 9), st.integers(0, 9)), min_size=x.ndim,
                     max_size=x.ndim).map(tuple)))
    if mode in ("reflect", "symmetric"):
        kwargs["reflect_type"] = data.draw(st.sampled_from(["even", "odd"]))
    numpy = not (x.dtype == np.uint8 and kwargs.get("reflect_type") == "odd")
    compare(lambda m, a: m.pad(a, width, mode, **kwargs), x, numpy=numpy)


def test_pad_traced_constant():
    x = np.arange(6.).reshape(2, 3)
    compare(lambda m, a, c: m.pad(a, 1, constant_values=c), x, np.float32(-2))
    compare(lambda m, a, c: m.pad(a, ((1, 0), (2, 1)), constant_values=c), x,
            np.array([[1., 2.], [3., 4.]], np.float32))
    compare(lambda m, a: m.pad(a, 2, mode="empty") * 0, x)


# -- dtypes, queries, weak types -----------------------------------------------------------------
@given(x=arrays(), dtype=st.sampled_from([np.bool_, np.int8, np.uint8, np.int32, np.float16,
                                          np.float32, np.complex64, jnp.bfloat16]))
def test_astype(x, dtype):
    compare(lambda m, a: m.astype(a, dtype), x)
    compare(lambda m, a: a.astype(dtype), x)


def test_queries():
    x = np.ones((2, 3, 4), np.float32)
    for fn in (lambda m: m.shape(x), lambda m: m.ndim(x), lambda m: m.size(x),
               lambda m: m.size(x, -2), lambda m: m.shape([[1, 2, 3]]), lambda m: m.ndim(3.0)):
        assert fn(hnp) == fn(jnp)
    assert hnp.shape(hnp.asarray(x)) == (2, 3, 4) and hnp.size(hnp.asarray(x), 0) == 2


SHAPE_OPS_ON_WEAK = [
    lambda m, w: m.reshape(w, (2, 3)), lambda m, w: m.transpose(w), lambda m, w: m.flip(w),
    lambda m, w: m.concatenate([w, w]), lambda m, w: m.stack([w, 1.0]),
    lambda m, w: m.pad(w, 1), lambda m, w: m.tile(w, 2), lambda m, w: m.repeat(w, 2),
    lambda m, w: m.roll(w, 1), lambda m, w: m.broadcast_to(w, (3, 6)),
    lambda m, w: m.expand_dims(w, 0), lambda m, w: m.split(w, 2)[0],
    lambda m, w: m.concatenate([w, m.ones(2, m.float16)]), lambda m, w: m.hstack([w, 2]),
]


@pytest.mark.parametrize("case", range(len(SHAPE_OPS_ON_WEAK)))
def test_weak_types_flow_through(case):
    fn = SHAPE_OPS_ON_WEAK[case]
    compare(lambda m: fn(m, m.full((6,), 1.5)))


# -- array methods dispatch to these functions ----------------------------------------------------
METHOD_CASES = [
    lambda a: a.reshape(4, 6), lambda a: a.reshape((-1, 3)), lambda a: a.reshape(24, order="F"),
    lambda a: a.T, lambda a: a.transpose(), lambda a: a.transpose(2, 0, 1),
    lambda a: a.transpose((1, 0, 2)), lambda a: a.astype(jnp.int8), lambda a: a.ravel(),
    lambda a: a.flatten(), lambda a: a[None].squeeze(), lambda a: a[:, :1].squeeze(1),
    lambda a: a.swapaxes(0, 2), lambda a: a.repeat(2, axis=1), lambda a: a.repeat(2),
    lambda a: a.mT,
]


@pytest.mark.parametrize("case", range(len(METHOD_CASES)))
def test_array_methods(case):
    fn = METHOD_CASES[case]
    x = np.arange(24.).reshape(2, 3, 4)
    compare(lambda m, a: fn(a), x)


# -- errors: the same exception types as JAX ---------------------------------------------------------
def X(m):
    return m.ones((2, 3))


SHAPE_ERRORS = [
    (lambda m: m.reshape(X(m), (4,)), TypeError),
    (lambda m: m.reshape(X(m), (-1, -1)), TypeError),
    (lambda m: m.reshape(X(m), (-1, 4)), TypeError),
    (lambda m: m.reshape(X(m), (-2, 3)), TypeError),
    (lambda m: m.reshape(X(m), (6,), order="A"), NotImplementedError),
    (lambda m: m.reshape([1, 2, 3, 4], (2, 2)), TypeError),
    (lambda m: m.transpose(X(m), (0, 0)), TypeError),
    (lambda m: m.transpose(X(m), (0,)), TypeError),
    (lambda m: m.transpose(X(m), (0, 2)), ValueError),
    (lambda m: m.swapaxes(X(m), 0, 2), IndexError),
    (lambda m: m.moveaxis(X(m), (0, 1), (0,)), ValueError),
    (lambda m: m.moveaxis(X(m), (0, 0), (0, 1)), TypeError),
    (lambda m: m.moveaxis(X(m), 2, 0), ValueError),
    (lambda m: m.expand_dims(X(m), (0, 0)), ValueError),
    (lambda m: m.expand_dims(X(m), 4), ValueError),
    (lambda m: m.squeeze(X(m), 0), ValueError),
    (lambda m: m.squeeze(X(m), 3), ValueError),
    (lambda m: m.broadcast_to(X(m), (3, 3)), ValueError),
    (lambda m: m.broadcast_to(X(m), (3,)), ValueError),
    (lambda m: m.broadcast_shapes((2, 3), (3, 2)), ValueError),
    (lambda m: m.broadcast_arrays(X(m), m.ones(4)), ValueError),
    (lambda m: m.atleast_1d([1, 2]), TypeError),
    (lambda m: m.concatenate([X(m), m.ones((3, 2))]), TypeError),
    (lambda m: m.concatenate([X(m), m.ones((3,))]), TypeError),
    (lambda m: m.concatenate([m.ones(()), m.ones(())]), ValueError),
    (lambda m: m.concatenate([]), ValueError),
    (lambda m: m.concatenate([X(m), X(m)], axis=2), ValueError),
    (lambda m: m.stack([X(m), m.ones((3, 2))]), ValueError),
    (lambda m: m.stack([]), ValueError),
    (lambda m: m.stack([X(m), X(m)], axis=3), ValueError),
    (lambda m: m.hstack([[1, 2], [3]]), TypeError),
    (lambda m: m.split(X(m), 2, axis=1), ValueError),
    (lambda m: m.split(X(m), [2, 1], axis=1), ValueError),
    (lambda m: m.repeat(X(m), m.array([1, 2]), axis=1), ValueError),
    (lambda m: m.repeat(X(m), [1, 2], axis=0), TypeError),
    (lambda m: (jax if m is jnp else hlox).jit(lambda r: m.repeat(X(m), r, axis=0))(
        m.array([1, 2])), TypeError),
    (lambda m: m.flip(X(m), 2), ValueError),
    (lambda m: m.fliplr(m.ones(3)), ValueError),
    (lambda m: m.flipud(m.ones(())), ValueError),
    (lambda m: m.rot90(X(m), axes=(0, 0)), ValueError),
    (lambda m: m.rot90(m.ones(3)), ValueError),
    (lambda m: m.roll(X(m), 1, axis=2), ValueError),
    (lambda m: m.pad(X(m), -1), ValueError),
    (lambda m: m.pad(X(m), 1, mode="foo"), NotImplementedError),
    (lambda m: m.pad(X(m), ((1, 1), (1, 1), (1, 1))), ValueError),
    (lambda m: m.pad(X(m), 1.5), TypeError),
    (lambda m: m.pad(m.ones((0,)), 1, mode="edge"), ValueError),
    (lambda m: m.pad(m.ones((0,)), 1, mode="wrap"), ValueError),
    (lambda m: m.pad(m.ones((0,)), 1, mode="reflect"), ValueError),
    (lambda m: m.pad(X(m), 1, mode="edge", constant_values=3), ValueError),
    (lambda m: m.astype(X(m), "foo"), TypeError),
    (lambda m: m.astype([1, 2], float), TypeError),
    (lambda m: m.size(X(m), 2), ValueError),
]


@pytest.mark.parametrize("case", range(len(SHAPE_ERRORS)))
def test_shape_errors(case):
    fn, kind = SHAPE_ERRORS[case]
    same_error(fn, kind)


def test_errors_name_the_user_line():
    with pytest.raises(ValueError, match="test_shape.py"):
        hnp.squeeze(hnp.ones((2, 3)), 0)
