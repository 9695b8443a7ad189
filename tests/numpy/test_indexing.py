"""Indexing (`x[idx]`, `x.at[idx]`, take, nonzero, ...) against numpy and real JAX.

Index expressions are drawn by hypothesis as neutral specs and materialized for
each library; under hlox.jit the index arrays (and some scalar ints) are traced
arguments, boolean masks stay concrete.
"""
from __future__ import annotations

import jax
import jax.numpy as jjnp
import numpy as np
import pytest
from conftest import assert_matches
from hypothesis import given, settings, strategies as st

import hlox
import hlox.lax as hlax
import hlox.numpy as hjnp
from hlox.numerics.numpy import indexing

SHAPES = [(5,), (3, 4), (2, 3, 4)]
rng = np.random.default_rng(0)
DATA = {s: rng.normal(size=s).astype(np.float32) for s in SHAPES}
IDATA = {s: np.arange(np.prod(s), dtype=np.int32).reshape(s) for s in SHAPES}


# -- index specs ----------------------------------------------------------------------------
# ("int", i, traced) ("slice", start, stop, step) ("none",) ("ellipsis",)
# ("array", values, form) with form in np/list/device ("bool", mask, form)
@st.composite
def int_entry(draw, n):
    return ("int", draw(st.integers(-n, n - 1)), draw(st.booleans()))


@st.composite
def slice_entry(draw, n):
    bound = st.one_of(st.none(), st.integers(-n - 2, n + 2))
    step = st.sampled_from([None, 1, 2, 3, -1, -2])
    return ("slice", draw(bound), draw(bound), draw(step))


@st.composite
def index_spec(draw, shape, arrays=True, masks=True):
    ndim = len(shape)
    used = draw(st.integers(0, ndim))
    ellipsis_at = draw(st.one_of(st.none(), st.integers(0, used)))
    axes = (list(range(used)) if ellipsis_at is None
            else list(range(ellipsis_at)) + list(range(ndim - used + ellipsis_at, ndim)))
    kinds = ["int", "slice"] + (["array"] if arrays else []) + (["bool"] if masks else [])
    adv_shape = draw(st.sampled_from([(2,), (3,), (2, 2), (1, 3)]))
    entries, has_mask, has_array = [], False, False
    for axis in axes:
        n = shape[axis]
        kind = draw(st.sampled_from(kinds))
        if kind == "bool" and (has_mask or has_array):
            kind = "slice"
        if kind == "array" and has_mask:
            kind = "int"
        if kind == "int":
            entries.append(draw(int_entry(n)))
        elif kind == "slice":
            entries.append(draw(slice_entry(n)))
        elif kind == "array":
            values = draw(st.lists(st.integers(-n, n - 1), min_size=int(np.prod(adv_shape)),
                                   max_size=int(np.prod(adv_shape))))
            form = draw(st.sampled_from(["np", "list", "device"]))
            entries.append(("array", np.array(values, np.int32).reshape(adv_shape), form))
            has_array = True
        else:
            mask = np.array(draw(st.lists(st.booleans(), min_size=n, max_size=n)))
            entries.append(("bool", mask, draw(st.sampled_from(["np", "device"]))))
            has_mask = True
        if draw(st.integers(0, 4)) == 0:
            entries.append(("none",))
    if ellipsis_at is not None:
        entries.insert(min(ellipsis_at, len(entries)), ("ellipsis",))
    single = len(entries) == 1 and entries[0][0] != "array" and draw(st.booleans())
    return entries, single


def materialize(spec, lib, dyn=None):
    """The index for `lib` ("np", "jax", "hlox"); `dyn` replaces traced entries in order."""
    entries, single = spec
    dyn = iter(dyn) if dyn is not None else None
    out = []
    for e in entries:
        kind = e[0]
        if kind == "int":
            out.append(next(dyn) if dyn is not None and e[2] else e[1])
        elif kind == "slice":
            out.append(slice(*e[1:]))
        elif kind == "none":
            out.append(None)
        elif kind == "ellipsis":
            out.append(Ellipsis)
        elif kind == "array" and dyn is not None:
            out.append(next(dyn))
        elif dyn is not None:  # a mask under jit: a concrete numpy constant
            out.append(e[1])
        else:
            out.append(_array_for(e[1], e[2], lib))
    return out[0] if single else tuple(out)


def _array_for(values, form, lib):
    if form == "list" or lib == "np":
        return values.tolist() if form == "list" else values
    if form == "device":
        return jjnp.asarray(values) if lib == "jax" else hjnp.asarray(values)
    return values


def traced_args(spec):
    """The arguments traced under hlox.jit: int entries marked traced, and index arrays."""
    args = []
    for e in spec[0]:
        if e[0] == "int" and e[2]:
            args.append(np.int32(e[1]))
        elif e[0] == "array":
            args.append(e[1])
    return args


def _jit_getitem(spec):
    return hlox.jit(lambda x, *dyn: x[materialize(spec, "hlox", dyn)])


def _check_getitem(x, spec):
    expected_np = x[materialize(spec, "np")]
    expected = jjnp.asarray(x)[materialize(spec, "jax")]
    actual = hjnp.asarray(x)[materialize(spec, "hlox")]
    assert_matches(actual, expected)
    assert_matches(actual, expected_np)
    traced = _jit_getitem(spec)(x, *traced_args(spec))
    assert_matches(traced, expected)


# -- getitem ------------------------------------------------------------------------------------
@given(st.sampled_from(SHAPES).flatmap(lambda s: st.tuples(st.just(s), index_spec(s))))
def test_getitem_matches_numpy_and_jax(case):
    shape, spec = case
    _check_getitem(DATA[shape], spec)


@settings(max_examples=10)
@given(st.sampled_from(SHAPES).flatmap(lambda s: st.tuples(st.just(s), index_spec(s, masks=False))))
def test_getitem_int_dtype_keeps_weak_and_dtype(case):
    shape, spec = case
    _check_getitem(IDATA[shape], spec)


def test_getitem_weak_type_preserved():
    x = hlox.jit(lambda: hjnp.zeros((3,)) + 1.0)()
    weak = hlax.add(hlax.full((3,), 2.0), 1.0)  # from Python scalars: weakly typed
    jweak = jax.lax.add(jax.lax.full((3,), 2.0), 1.0)
    for idx in [0, slice(1, None), np.array([0, 2])]:
        assert_matches(weak[idx], jweak[idx], check_weak=True)
    assert not x[0].weak_type


@pytest.mark.parametrize("index", [
    (slice(None, None, -1),), (slice(1, None, 2), 0), (Ellipsis, None, -1), (0, slice(3, 0, -2)),
    (None, 1, None), (slice(10, 20),), (slice(-20, -10, -1),), (True,), (False, 0), (1, True),
])
def test_static_index_lowers_to_slice_not_gather(index):
    x = DATA[(3, 4)]
    f = hlox.jit(lambda a: a[index])
    text = f.lower(x).as_text()
    assert "stablehlo.gather" not in text or any(isinstance(i, bool) for i in index)
    if not any(isinstance(i, bool) for i in index):
        assert "stablehlo.slice" in text or "stablehlo.reshape" in text or "stablehlo.reverse" in text
    assert_matches(f(x), jjnp.asarray(x)[index])
    assert_matches(hjnp.asarray(x)[index], np.asarray(x)[index])


@pytest.mark.parametrize("i", [0, 2, -1, -3, 3, 7, -4, -100])
def test_traced_scalar_index_is_dynamic_slice_and_clamps(i):
    x = DATA[(3, 4)]
    cases = {"row": lambda a, k: a[k], "row_slice": lambda a, k: a[k, 1:3],
             "rev": lambda a, k: a[::-1, k], "col_none": lambda a, k: a[None, :, k],
             "strided": lambda a, k: a[k, None, ::2], "strided_rev": lambda a, k: a[::-2, k]}
    for name, fn in cases.items():
        f = hlox.jit(fn)
        text = f.lower(x, np.int32(i)).as_text()
        assert "stablehlo.dynamic_slice" in text and "stablehlo.gather" not in text, name
        assert_matches(f(x, np.int32(i)), jax.jit(fn)(x, np.int32(i)))
        assert_matches(fn(hjnp.asarray(x), hjnp.asarray(np.int32(i))), fn(jjnp.asarray(x), i))


@pytest.mark.parametrize("i", [3, 7, -4, -100, 100])
def test_out_of_bounds_static_int_clamps_like_jax(i):
    x = DATA[(3, 4)]
    assert_matches(hjnp.asarray(x)[i], jjnp.asarray(x)[i])
    assert_matches(hjnp.asarray(x)[1, i], jjnp.asarray(x)[1, i])


def test_index_dtypes_and_forms():
    x = DATA[(2, 3, 4)]
    for dtype in [np.int8, np.uint8, np.int16, np.uint32, np.int32]:
        idx = np.array([1, 0, 2], dtype)
        assert_matches(hjnp.asarray(x)[:, idx], jjnp.asarray(x)[:, idx])
        assert_matches(hjnp.asarray(x)[dtype(1)], jjnp.asarray(x)[dtype(1)])
    assert_matches(hjnp.asarray(x)[([1, 0], [2, 2])], jjnp.asarray(x)[([1, 0], [2, 2])])
    assert_matches(hjnp.asarray(x)[[[1, 0]], 1], jjnp.asarray(x)[[[1, 0]], 1])
    assert_matches(hjnp.asarray(x)[np.array(1), 1:], jjnp.asarray(x)[np.array(1), 1:])
    empty = np.zeros((0,), np.int32)
    assert_matches(hjnp.asarray(x)[:, empty], jjnp.asarray(x)[:, empty])


def test_index_arrays_in_x64(x64):
    x = np.arange(24, dtype=np.float64).reshape(2, 3, 4)
    idx = np.array([-1, 0, 2], np.int64)
    assert_matches(hjnp.asarray(x)[1, idx], jjnp.asarray(x)[1, idx])
    assert_matches(hlox.jit(lambda a, i: a[i, :, i])(x, idx[:2]),
                   jax.jit(lambda a, i: a[i, :, i])(x, idx[:2]))


def test_advanced_indices_separated_go_first():
    x = DATA[(2, 3, 4)]
    i, j = np.array([[0, 1]]), np.array([[2], [1]])
    for index in [(i, slice(None), j), (slice(None), 0, j), (0, slice(1, 3), j), (i, None, j),
                  (i, Ellipsis, j), (slice(None), i, j), (slice(None), i, None, j),
                  (slice(None), 1, None, j)]:
        assert_matches(hjnp.asarray(x)[index], jjnp.asarray(x)[index])
        assert_matches(hjnp.asarray(x)[index], x[index])
    x4 = np.arange(120, dtype=np.float32).reshape(2, 3, 4, 5)
    for index in [(slice(None), i, slice(None), j), (Ellipsis, i, 1, j[:, :1]),
                  (slice(None), i, slice(1, 3), 2)]:
        assert_matches(hjnp.asarray(x4)[index], x4[index])
        assert_matches(hlox.jit(lambda a, u, v: a[(slice(None), u, slice(None), v)])(x4, i, j),
                       x4[(slice(None), i, slice(None), j)])


def test_boolean_masks():
    x = DATA[(2, 3, 4)]
    hx = hjnp.asarray(x)
    for mask in [x > 0, (x > 0)[:, 0, 0], (x > 0)[:, :, 0], np.zeros((2, 3), bool)]:
        assert_matches(hx[mask], x[mask])
        assert_matches(hx[hjnp.asarray(mask)], jjnp.asarray(x)[mask])
    m = np.array([True, False, True, True])
    assert_matches(hx[..., m], x[..., m])
    assert_matches(hx[1, :, m], jjnp.asarray(x)[1, :, m])
    assert_matches(hx[([True, False],)], jjnp.asarray(x)[([True, False],)])
    assert_matches(hlox.jit(lambda a: a[m[:3], 1:])(x[0]), x[0][m[:3], 1:])
    for b in [True, False]:
        assert_matches(hx[b], jjnp.asarray(x)[b])
        assert_matches(hx[1, b], jjnp.asarray(x)[1, b])


# -- errors -----------------------------------------------------------------------------------
ERRORS = {
    "too_many": (lambda a: a[0, 0, 0], IndexError),
    "too_many_mask": (lambda a: a[np.ones((3, 4), bool), 1], IndexError),
    "float": (lambda a: a[1.0], TypeError),
    "float_array": (lambda a: a[np.array([1.0])], TypeError),
    "float_list": (lambda a: a[[1.5, 2.0],], TypeError),
    "string": (lambda a: a["a"], TypeError),
    "two_ellipses": (lambda a: a[..., ...], IndexError),
    "bare_list": (lambda a: a[[0, 1]], TypeError),
    "mask_shape": (lambda a: a[np.array([True, False])], IndexError),
    "object": (lambda a: a[object()], IndexError),
    "broadcast": (lambda a: a[np.array([0, 1]), np.array([0, 1, 2])], ValueError),
}


@pytest.mark.parametrize("name", sorted(ERRORS))
def test_index_errors_match_jax(name):
    fn, exc = ERRORS[name]
    x = DATA[(3, 4)]
    with pytest.raises(exc):
        fn(jjnp.asarray(x))
    with pytest.raises(exc) as info:
        fn(hjnp.asarray(x))
    assert "test_indexing.py" in str(info.value)
    with pytest.raises(exc):
        hlox.jit(fn)(x)


def test_traced_boolean_mask_raises():
    x = DATA[(3, 4)]
    with pytest.raises(jax.errors.NonConcreteBooleanIndexError):
        jax.jit(lambda a: a[a > 0])(x)
    with pytest.raises(indexing.NonConcreteBooleanIndexError, match="must be concrete") as info:
        hlox.jit(lambda a: a[a > 0])(x)
    assert isinstance(info.value, IndexError)
    with pytest.raises(IndexError, match="must be concrete"):
        hlox.jit(lambda a: a.at[a > 0].set(0.0))(x)
    with pytest.raises(IndexError, match="Slice entries must be static"):
        hlox.jit(lambda a, i: a[i:])(x, 1)


# -- .at[...] updates --------------------------------------------------------------------------
UPDATE_OPS = ["set", "add", "subtract", "multiply", "min", "max"]


def _update_values(shape, spec, draw_scalar):
    target = np.asarray(DATA[shape][materialize(spec, "np")])
    if draw_scalar or target.ndim == 0:
        return np.float32(2.5)
    return rng.normal(size=target.shape).astype(np.float32)


@given(st.sampled_from(SHAPES).flatmap(lambda s: st.tuples(st.just(s), index_spec(s))),
       st.sampled_from(UPDATE_OPS), st.booleans())
def test_at_updates_match_jax(case, op, scalar):
    shape, spec = case
    x = DATA[shape]
    y = _update_values(shape, spec, scalar)
    expected = getattr(jjnp.asarray(x).at[materialize(spec, "jax")], op)(y)
    actual = getattr(hjnp.asarray(x).at[materialize(spec, "hlox")], op)(y)
    assert_matches(actual, expected)
    f = hlox.jit(lambda a, v, *dyn: getattr(a.at[materialize(spec, "hlox", dyn)], op)(v))
    assert_matches(f(x, y, *traced_args(spec)), expected)


@pytest.mark.parametrize("op", ["add", "multiply", "min", "max", "subtract"])
def test_at_repeated_indices_accumulate(op):
    x = IDATA[(3, 4)]
    idx = np.array([0, 2, 0, 0, -1, 2])
    y = np.arange(6 * 4, dtype=np.int32).reshape(6, 4) - 7
    expected = getattr(jjnp.asarray(x).at[idx], op)(y)
    assert_matches(getattr(hjnp.asarray(x).at[idx], op)(y), expected)
    ufunc = {"add": np.add, "multiply": np.multiply, "min": np.minimum, "max": np.maximum,
             "subtract": np.subtract}[op]
    ref = x.copy()
    ufunc.at(ref, idx, y)
    assert_matches(expected, ref)
    f = hlox.jit(lambda a, i, v: getattr(a.at[i, 1:], op)(v[:, 1:], indices_are_sorted=False))
    assert_matches(f(x, idx, y), jax.jit(lambda a, i, v: getattr(a.at[i, 1:], op)(v[:, 1:]))(x, idx, y))


@pytest.mark.parametrize("mode", [None, "drop", "clip", "promise_in_bounds", "fill"])
def test_at_out_of_bounds_updates(mode):
    x = DATA[(3, 4)]
    for idx in [np.array([5, -1, -4, 1, -9]), 7, (1, np.array([9, 0, -5])), (slice(None), -7)]:
        for op in ["set", "add"]:
            expected = getattr(jjnp.asarray(x).at[idx], op)(1.5, mode=mode)
            assert_matches(getattr(hjnp.asarray(x).at[idx], op)(1.5, mode=mode), expected)
    assert_matches(hjnp.asarray(x).at[-1].set(9.0, wrap_negative_indices=False, mode="drop"),
                   jjnp.asarray(x).at[-1].set(9.0, wrap_negative_indices=False, mode="drop"))


@pytest.mark.parametrize("mode,fill", [(None, None), ("clip", None), ("fill", None),
                                       ("fill", -1.0), ("promise_in_bounds", None)])
def test_at_get_out_of_bounds(mode, fill):
    x = DATA[(3, 4)]
    for idx in [np.array([5, -1, -4, 1, -9]), 7, -5, (1, np.array([9, 0, -5])), (slice(None), -7),
                (np.array([[0], [3]]), np.array([1, 4]))]:
        expected = jjnp.asarray(x).at[idx].get(mode=mode, fill_value=fill)
        assert_matches(hjnp.asarray(x).at[idx].get(mode=mode, fill_value=fill), expected)
    for dtype in [np.int32, np.uint8, np.bool_]:
        xi = IDATA[(3, 4)].astype(dtype)
        assert_matches(hjnp.asarray(xi).at[np.array([0, 9])].get(mode=mode, fill_value=fill),
                       jjnp.asarray(xi).at[np.array([0, 9])].get(mode=mode, fill_value=fill))


def test_at_get_in_jit_with_traced_indices():
    x = DATA[(3, 4)]
    idx = np.array([3, -1, 0])
    for mode in ["fill", "clip", None]:
        f = lambda a, i: a.at[i, 1].get(mode=mode, fill_value=7.0)  # noqa: E731
        assert_matches(hlox.jit(f)(x, idx), jax.jit(f)(x, idx))
        assert_matches(hlox.jit(f)(x, np.int32(5)), jax.jit(f)(x, np.int32(5)))


@pytest.mark.filterwarnings("ignore:scatter inputs have incompatible types:FutureWarning")
def test_at_divide_power_apply_and_dtypes():
    xi, xf = IDATA[(3, 4)], DATA[(3, 4)]
    idx = (np.array([0, 0, 2]), slice(1, 3))
    for x in [xi, xf]:
        for op, arg in [("divide", 2), ("power", 2), ("set", 7), ("add", 1.7), ("mul", 3)]:
            expected = getattr(jjnp.asarray(x).at[idx], op)(arg)
            assert_matches(getattr(hjnp.asarray(x).at[idx], op)(arg), expected)
        expected = jjnp.asarray(x).at[idx].apply(jjnp.negative)
        assert_matches(hjnp.asarray(x).at[idx].apply(hjnp.negative), expected)
        assert_matches(hlox.jit(lambda a: a.at[idx].apply(hjnp.negative))(x), expected)
    weak = hlax.add(hlax.full((3,), 2.0), 1.0)
    jweak = jax.lax.add(jax.lax.full((3,), 2.0), 1.0)
    assert_matches(weak.at[1].set(5), jweak.at[1].set(5), check_weak=True)
    assert_matches(hjnp.asarray(xi).at[0].set(np.float32(2.7)),
                   jjnp.asarray(xi).at[0].set(np.float32(2.7)))


def test_at_update_errors():
    x = hjnp.asarray(DATA[(3, 4)])
    with pytest.raises(ValueError):
        x.at[0].set(np.ones((5,), np.float32))
    with pytest.raises(IndexError):
        x.at[0, 0, 0].set(1.0)
    with pytest.raises(ValueError, match="Unknown gather mode"):
        x.at[0].get(mode="bogus")
    with pytest.raises(ValueError):
        x.at[0].get(mode="fill", fill_value=np.ones(2))


# -- lax.gather / lax.scatter ------------------------------------------------------------------
def test_lax_gather_and_scatter_modes():
    x = DATA[(3, 4)]
    idx = np.array([[0, 1], [2, 3], [5, 0], [-1, 2]], np.int32)
    gd = dict(offset_dims=(), collapsed_slice_dims=(0, 1), start_index_map=(0, 1))
    sd = dict(update_window_dims=(), inserted_window_dims=(0, 1), scatter_dims_to_operand_dims=(0, 1))
    upd = np.arange(4, dtype=np.float32)
    for mode in [None, "clip", "fill", "promise_in_bounds"]:
        exp = jax.lax.gather(x, idx, jax.lax.GatherDimensionNumbers(**gd), (1, 1), mode=mode)
        act = hlax.gather(x, idx, hlax.GatherDimensionNumbers(**gd), (1, 1), mode=mode)
        assert_matches(act, exp)
        for name in ["scatter", "scatter_add", "scatter_mul", "scatter_min", "scatter_max"]:
            exp = getattr(jax.lax, name)(x, idx, upd, jax.lax.ScatterDimensionNumbers(**sd), mode=mode)
            act = getattr(hlax, name)(x, idx, upd, hlax.ScatterDimensionNumbers(**sd), mode=mode)
            assert_matches(act, exp)
    wd = dict(offset_dims=(1,), collapsed_slice_dims=(0,), start_index_map=(0,))
    widx = np.array([[2], [0], [1]], np.int32)
    for mode in [None, "fill", "clip"]:
        exp = jax.lax.gather(x, widx, jax.lax.GatherDimensionNumbers(**wd), (1, 3), mode=mode,
                             fill_value=-2.0)
        act = hlax.gather(x, widx, hlax.GatherDimensionNumbers(**wd), (1, 3), mode=mode,
                          fill_value=-2.0)
        assert_matches(act, exp)


# -- take / take_along_axis ------------------------------------------------------------------
@given(st.sampled_from(SHAPES), st.data())
def test_take_matches_jax(shape, data):
    x = DATA[shape]
    axis = data.draw(st.sampled_from([None] + list(range(-len(shape), len(shape)))))
    n = x.size if axis is None else shape[axis]
    ishape = data.draw(st.sampled_from([(), (3,), (2, 2)]))
    idx = np.array(data.draw(st.lists(st.integers(-n - 3, n + 3), min_size=int(np.prod(ishape)),
                                      max_size=int(np.prod(ishape)))), np.int32).reshape(ishape)
    mode = data.draw(st.sampled_from([None, "fill", "clip", "wrap"]))
    expected = jjnp.take(x, idx, axis=axis, mode=mode)
    assert_matches(hjnp.take(x, idx, axis=axis, mode=mode), expected)
    assert_matches(hlox.jit(lambda a, i: hjnp.take(a, i, axis=axis, mode=mode))(x, idx), expected)
    assert_matches(hjnp.asarray(x).take(idx, axis=axis, mode=mode), expected)
    if mode in ("clip", "wrap"):
        assert_matches(expected, np.take(x, idx, axis=axis, mode=mode))


def test_take_fill_value_and_errors():
    x = IDATA[(3, 4)]
    idx = np.array([0, 7, -1])
    assert_matches(hjnp.take(x, idx, axis=1, fill_value=-3),
                   jjnp.take(x, idx, axis=1, fill_value=-3))
    with pytest.raises(ValueError):
        hjnp.take(x, idx, mode="bogus")
    with pytest.raises(NotImplementedError):
        hjnp.take(x, idx, mode="raise")
    with pytest.raises(TypeError):
        hjnp.take(x, np.array([1.0]))


@given(st.sampled_from([(3, 4), (2, 3, 4)]), st.data())
def test_take_along_axis_matches_jax(shape, data):
    x = DATA[shape]
    axis = data.draw(st.integers(-len(shape), len(shape) - 1))
    n = shape[axis]
    ishape = [data.draw(st.sampled_from([1, d])) for d in shape]
    ishape[axis] = data.draw(st.integers(1, 4))
    idx = np.array(data.draw(st.lists(st.integers(-n - 1, n), min_size=int(np.prod(ishape)),
                                      max_size=int(np.prod(ishape)))), np.int32).reshape(ishape)
    mode = data.draw(st.sampled_from([None, "clip", "fill"]))
    expected = jjnp.take_along_axis(x, idx, axis=axis, mode=mode)
    assert_matches(hjnp.take_along_axis(x, idx, axis=axis, mode=mode), expected)
    assert_matches(hlox.jit(lambda a, i: hjnp.take_along_axis(a, i, axis, mode=mode))(x, idx),
                   expected)


def test_take_along_axis_argsort_and_flat():
    x = DATA[(3, 4)]
    order = np.argsort(x, axis=1)
    assert_matches(hjnp.take_along_axis(x, order, axis=1), np.take_along_axis(x, order, axis=1))
    flat = np.array([0, 11, 5])
    assert_matches(hjnp.take_along_axis(x, flat, axis=None), jjnp.take_along_axis(x, flat, axis=None))
    with pytest.raises(ValueError):
        hjnp.take_along_axis(x, np.array([0]), axis=0)


# -- nonzero and friends -----------------------------------------------------------------------
MASKS = st.sampled_from(SHAPES).flatmap(
    lambda s: st.lists(st.integers(-1, 1), min_size=int(np.prod(s)), max_size=int(np.prod(s)))
    .map(lambda v: np.array(v, np.int32).reshape(s)))


@settings(max_examples=8)
@given(MASKS, st.sampled_from([None, 0, 3, 30]), st.sampled_from([None, -1]))
def test_nonzero_family_matches_jax(a, size, fill):
    kw = dict(size=size, fill_value=fill)
    for name in ["nonzero", "argwhere", "flatnonzero"]:
        expected = getattr(jjnp, name)(a, **kw)
        actual = getattr(hjnp, name)(a, **kw)
        jax.tree_util.tree_map(assert_matches, tuple(actual) if name == "nonzero" else actual,
                               tuple(expected) if name == "nonzero" else expected)
        if size is not None:
            traced = hlox.jit(lambda v: getattr(hjnp, name)(v, **kw))(a)
            jax.tree_util.tree_map(assert_matches, tuple(traced) if name == "nonzero" else traced,
                                   tuple(expected) if name == "nonzero" else expected)
    if size is None:
        jax.tree_util.tree_map(assert_matches, tuple(hjnp.nonzero(a)),
                               tuple(np.asarray(i, np.int32) for i in np.nonzero(a)))
        assert_matches(hjnp.where(a > 0)[0], jjnp.where(a > 0)[0])


def test_nonzero_edge_cases():
    assert_matches(hjnp.argwhere(3), jjnp.argwhere(3))
    assert_matches(hjnp.argwhere(0), jjnp.argwhere(0))
    assert_matches(hjnp.nonzero(np.zeros((2, 0)))[1], jjnp.nonzero(np.zeros((2, 0)))[1])
    assert_matches(hjnp.nonzero(np.array([0.0, 2.0, -0.0]), size=2, fill_value=(5,))[0],
                   jjnp.nonzero(np.array([0.0, 2.0, -0.0]), size=2, fill_value=(5,))[0])
    with pytest.raises(ValueError):
        hjnp.nonzero(np.array(1))
    with pytest.raises(hlox.ConcretizationTypeError, match="size"):
        hlox.jit(hjnp.nonzero)(np.arange(3))


def test_nonzero_in_x64(x64):
    a = np.array([[0, 1], [2, 0]])
    jax.tree_util.tree_map(assert_matches, tuple(hjnp.nonzero(a, size=3)),
                           tuple(jjnp.nonzero(a, size=3)))


@pytest.mark.parametrize("axis,size", [(None, None), (0, None), (1, None), (1, 1), (-1, 2), (0, 0)])
def test_compress_matches_jax(axis, size):
    x = IDATA[(3, 4)]
    cond = np.array([True, False, True])
    expected = jjnp.compress(cond, x, axis=axis, size=size, fill_value=-1)
    assert_matches(hjnp.compress(cond, x, axis=axis, size=size, fill_value=-1), expected)


@pytest.mark.parametrize("mode", [None, "clip", "wrap"])
def test_put_matches_jax(mode):
    x = IDATA[(3, 4)]
    ind, v = np.array([0, 13, -2, 5]), np.array([100, 200])
    expected = jjnp.put(x, ind, v, mode=mode, inplace=False)
    assert_matches(hjnp.put(x, ind, v, mode=mode, inplace=False), expected)
    with pytest.raises(ValueError):
        hjnp.put(x, ind, v)


# -- jax.ops segment reductions (scatters of .at[]) ---------------------------------------------
_SEG_DATA = np.arange(12.0, dtype=np.float32).reshape(6, 2) - 5
_SEG_IDS = np.array([0, 0, 2, 1, 2, 7])  # 7 is out of range for num_segments < 8: dropped


@pytest.mark.parametrize("name", ["segment_sum", "segment_prod", "segment_max", "segment_min"])
@pytest.mark.parametrize("kw", [{"num_segments": 4}, {}, {"num_segments": 3, "bucket_size": 2},
                                {"num_segments": 3, "indices_are_sorted": False, "mode": "drop"}],
                         ids=["num_segments", "inferred", "buckets", "mode"])
@pytest.mark.parametrize("dtype", [np.float32, np.int32])
def test_segment_reductions_match_jax(name, kw, dtype):
    data = _SEG_DATA.astype(dtype)
    want = getattr(jax.ops, name)(data, _SEG_IDS, **kw)
    got = getattr(hlox.ops, name)(data, _SEG_IDS, **kw)
    assert_matches(got, want, check_weak=True)
    if "num_segments" in kw:
        jitted = hlox.jit(lambda d, i: getattr(hlox.ops, name)(d, i, **kw))(data, _SEG_IDS)
        assert_matches(jitted, want, check_weak=True)


def test_segment_sum_grad_and_vmap():
    def loss(ops):
        return lambda d: (ops.segment_sum(d, _SEG_IDS, num_segments=3) ** 2).sum()
    assert_matches(hlox.grad(loss(hlox.ops))(_SEG_DATA), jax.grad(loss(jax.ops))(_SEG_DATA))
    batched = np.stack([_SEG_DATA, 2 * _SEG_DATA])
    assert_matches(hlox.vmap(lambda d: hlox.ops.segment_max(d, _SEG_IDS, 3))(batched),
                   jax.vmap(lambda d: jax.ops.segment_max(d, _SEG_IDS, 3))(batched))
