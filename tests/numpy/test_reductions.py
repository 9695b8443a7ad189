"""hlox.numpy reductions against real JAX (values, shapes, dtypes, weak types, error types)
and numpy (values), eagerly and under hlox.jit."""
from __future__ import annotations

import jax
import jax.numpy as jnp
import numpy as np
import pytest
from hypothesis import given, settings, strategies as st
from hypothesis.extra import numpy as hnp_st

import hlox
import hlox.numpy as hnp
from hlox import lax as hlax
from conftest import assert_matches, enable_x64

DTYPES = [np.bool_, np.int8, np.uint8, np.int32, np.float16, np.float32, np.complex64]
SHAPES = hnp_st.array_shapes(min_dims=0, max_dims=3, min_side=0, max_side=4)


def _elements(dtype, nans=False):
    dtype = np.dtype(dtype)
    if dtype == np.bool_:
        return st.booleans()
    if dtype.kind in "iu":
        return st.integers(0 if dtype.kind == "u" else -3, 3)
    values = st.sampled_from([-2.5, -1.0, -0.5, 0.0, 0.25, 1.0, 1.5, 3.0])
    if nans:
        values = st.one_of(values, st.just(np.nan))
    if dtype.kind == "c":
        return st.builds(complex, values, values)
    return values


@st.composite
def arrays(draw, dtypes=DTYPES, nans=False, min_dims=0, min_side=0):
    dtype = np.dtype(draw(st.sampled_from(dtypes)))
    shape = draw(hnp_st.array_shapes(min_dims=min_dims, max_dims=3, min_side=min_side,
                                     max_side=4))
    return draw(hnp_st.arrays(dtype, shape, elements=_elements(dtype, nans)))


@st.composite
def axes(draw, ndim, allow_tuple=True):
    choices = [st.none()]
    if ndim:
        choices.append(st.integers(-ndim, ndim - 1))
        if allow_tuple:
            choices.append(st.lists(st.integers(0, ndim - 1), unique=True, max_size=ndim)
                           .map(lambda l: tuple(d - ndim if i % 2 else d for i, d in enumerate(l))))
    return draw(st.one_of(*choices))


def _tol(*dtypes_):
    return 2e-2 if any(np.dtype(d) in (np.float16, jnp.bfloat16) for d in dtypes_) else 2e-5


def check(name, x, jax_fn=None, np_fn=None, hlox_fn=None, jit=True, numpy=True, **kwargs):
    """Run `name(x, **kwargs)` in JAX, hlox (eager and jit) and numpy, and compare.

    Where JAX raises, hlox must raise the same kind of error."""
    jax_fn = jax_fn or getattr(jnp, name)
    hlox_fn = hlox_fn or getattr(hnp, name)
    arg = x if isinstance(x, (bool, int, float, complex)) else hnp.asarray(x)
    try:
        want = jax_fn(x, **kwargs)
    except (TypeError, ValueError) as e:
        kind = ValueError if isinstance(e, ValueError) else TypeError
        with pytest.raises(kind):
            hlox_fn(arg, **kwargs)
        return
    tol = _tol(np.asarray(x).dtype, want.dtype)
    got = hlox_fn(arg, **kwargs)
    assert_matches(got, want, rtol=tol, atol=tol, check_weak=True)
    if jit:
        jitted = hlox.jit(lambda v: hlox_fn(v, **kwargs))(arg)
        assert_matches(jitted, want, rtol=tol, atol=tol, check_weak=True)
    if numpy:
        _check_numpy(np_fn or getattr(np, name), x, kwargs, want, tol)


def _check_numpy(np_fn, x, kwargs, want, tol):
    """numpy computes in 64 bits; cast its answer to JAX's dtype (ints wrap the same way)."""
    host = x.astype(np.float64) if x.dtype == np.float16 else x
    with np.errstate(all="ignore"):
        try:
            expected = np_fn(host, **kwargs)
        except (TypeError, ValueError, ZeroDivisionError):
            return  # numpy refuses some inputs JAX accepts (bool ptp, empty average)
        expected = np.asarray(expected).astype(np.asarray(want).dtype)
    assert_matches(np.asarray(want), expected, rtol=tol, atol=tol)


# -- monoid reductions --------------------------------------------------------------------
@given(st.data())
def test_monoid_reductions(data):
    name = data.draw(st.sampled_from(["sum", "prod", "max", "min", "any", "all", "amax", "amin"]))
    x = data.draw(arrays())
    axis = data.draw(axes(x.ndim))
    keepdims = data.draw(st.booleans())
    # numpy orders complex numbers and truth-tests them like JAX does not; JAX is the spec
    check(name, x, axis=axis, keepdims=keepdims, numpy=x.dtype.kind != "c")


@given(st.data())
def test_sum_prod_dtype_argument(data):
    name = data.draw(st.sampled_from(["sum", "prod"]))
    x = data.draw(arrays(dtypes=[np.bool_, np.int8, np.uint8, np.int32, np.float16, np.float32]))
    dtype = data.draw(st.sampled_from([None, np.int8, np.int32, np.float16, np.float32, np.bool_]))
    promote = data.draw(st.booleans())
    check(name, x, axis=data.draw(axes(x.ndim)), dtype=dtype, promote_integers=promote,
          numpy=False)


@given(st.data())
def test_where_and_initial(data):
    name = data.draw(st.sampled_from(["sum", "prod", "max", "min"]))
    x = data.draw(arrays(dtypes=[np.int32, np.float32, np.bool_]))
    where = data.draw(hnp_st.arrays(np.bool_, x.shape))
    initial = data.draw(st.sampled_from([None, 2, -1]))
    kwargs = dict(axis=data.draw(axes(x.ndim)), keepdims=data.draw(st.booleans()),
                  where=where, initial=initial)
    check(name, x, **kwargs)


@given(st.data())
def test_any_all_where(data):
    name = data.draw(st.sampled_from(["any", "all"]))
    x = data.draw(arrays(dtypes=[np.int8, np.float32, np.bool_, np.complex64]))
    where = data.draw(hnp_st.arrays(np.bool_, x.shape))
    check(name, x, axis=data.draw(axes(x.ndim)), where=where, numpy=x.dtype.kind != "c")


# -- statistics -------------------------------------------------------------------------------
@given(st.data())
def test_statistics(data):
    name = data.draw(st.sampled_from(["mean", "var", "std", "ptp", "count_nonzero", "average"]))
    x = data.draw(arrays(min_dims=1))
    kwargs = dict(axis=data.draw(axes(x.ndim)))
    if name != "average":
        kwargs["keepdims"] = data.draw(st.booleans())
    if name in ("var", "std"):
        kwargs["ddof"] = data.draw(st.sampled_from([0, 1]))
    check(name, x, **kwargs)


@given(st.data())
def test_statistics_where_and_dtype(data):
    name = data.draw(st.sampled_from(["mean", "var", "std"]))
    x = data.draw(arrays(dtypes=[np.int8, np.int32, np.float16, np.float32], min_dims=1))
    where = data.draw(st.none() | hnp_st.arrays(np.bool_, x.shape))
    dtype = data.draw(st.sampled_from([None, np.float32, np.float16]))
    check(name, x, axis=data.draw(axes(x.ndim)), where=where, dtype=dtype, numpy=False)


def test_var_correction_and_mean_arguments():
    x = np.arange(12, dtype=np.float32).reshape(3, 4) ** 1.5
    check("var", x, axis=1, correction=1.5, numpy=False)
    check("std", x, axis=0, correction=1)
    m = np.mean(x, axis=1, keepdims=True)
    check("var", x, axis=1, keepdims=True, mean=m, numpy=False)
    with pytest.raises(ValueError, match="simultaneously"):
        hnp.var(x, ddof=1, correction=1)
    with pytest.raises(ValueError, match="inexact"):
        hnp.std(x, dtype=np.int32)


@given(st.data())
def test_nan_reductions(data):
    name = data.draw(st.sampled_from(["nansum", "nanprod", "nanmax", "nanmin", "nanmean",
                                      "nanvar", "nanstd"]))
    x = data.draw(arrays(dtypes=[np.int32, np.float32, np.float16], nans=True, min_side=1))
    check(name, x, axis=data.draw(axes(x.ndim)), keepdims=data.draw(st.booleans()))


@given(st.data())
@settings(max_examples=10)
def test_median(data):
    x = data.draw(arrays(dtypes=[np.int32, np.float32], nans=True, min_dims=1, min_side=1))
    check("median", x, axis=data.draw(axes(x.ndim)), keepdims=data.draw(st.booleans()))


def test_average_weights():
    x = np.arange(24, dtype=np.float32).reshape(2, 3, 4)
    w = np.array([1.0, 2.0, 0.5, 3.0], np.float32)
    check("average", x, axis=2, weights=w)
    check("average", x, axis=(0, 2), weights=np.ones((2, 4), np.float32) * w, numpy=False)
    check("average", x, weights=x)
    got, total = hnp.average(x, axis=2, weights=w, returned=True)
    want, want_total = jnp.average(x, axis=2, weights=w, returned=True)
    assert_matches(got, want)
    assert_matches(total, want_total)
    with pytest.raises(ValueError):
        hnp.average(x, weights=w)


# -- arg reductions --------------------------------------------------------------------------
@given(st.data())
def test_arg_reductions(data):
    name = data.draw(st.sampled_from(["argmax", "argmin", "nanargmax", "nanargmin"]))
    x = data.draw(arrays(dtypes=[np.bool_, np.int8, np.uint8, np.float32, np.float16],
                         nans=True, min_side=1))
    axis = data.draw(axes(x.ndim, allow_tuple=False))
    keepdims = data.draw(st.booleans())
    numpy_ok = not name.startswith("nan")  # numpy raises on all-NaN slices, JAX returns -1
    check(name, x, axis=axis, keepdims=keepdims, numpy=numpy_ok)


def test_argmax_of_empty_raises():
    with pytest.raises(ValueError, match="empty"):
        hnp.argmax(np.zeros((0, 3), np.float32))
    with pytest.raises(ValueError, match="empty"):
        hnp.argmin(np.zeros((2, 0), np.float32), axis=1)


# -- cumulative reductions ----------------------------------------------------------------------
@given(st.data())
def test_cumulative(data):
    name = data.draw(st.sampled_from(["cumsum", "cumprod", "nancumsum", "nancumprod"]))
    x = data.draw(arrays(dtypes=[np.bool_, np.int8, np.uint8, np.int32, np.float16, np.float32],
                         nans=name.startswith("nan")))
    axis = data.draw(axes(x.ndim, allow_tuple=False)) if x.ndim else None
    dtype = data.draw(st.sampled_from([None, None, np.int32, np.float32, np.bool_]))
    check(name, x, axis=axis, dtype=dtype, numpy=dtype is None)


@given(st.data())
def test_array_api_cumulative(data):
    name = data.draw(st.sampled_from(["cumulative_sum", "cumulative_prod"]))
    x = data.draw(arrays(dtypes=[np.bool_, np.int8, np.float32], min_dims=1))
    axis = data.draw(st.integers(-x.ndim, x.ndim - 1)) if x.ndim > 1 else None
    check(name, x, axis=axis, include_initial=data.draw(st.booleans()), numpy=False)


@given(st.data())
def test_lax_cumulative(data):
    name = data.draw(st.sampled_from(["cumsum", "cumprod", "cummax", "cummin"]))
    x = data.draw(arrays(dtypes=[np.int8, np.int32, np.uint8, np.float32, np.bool_],
                         min_dims=1, nans=True))
    axis = data.draw(st.integers(-1, x.ndim - 1))
    reverse = data.draw(st.booleans())
    check(name, x, jax_fn=getattr(jax.lax, name), hlox_fn=getattr(hlax, name), numpy=False,
          axis=axis, reverse=reverse)


def test_cumsum_is_exact_for_ints_and_fast_on_long_axes():
    """One compiled call on a 200k-long axis: a quadratic lowering would not finish quickly."""
    rng = np.random.default_rng(0)
    x = rng.integers(-1000, 1000, size=200_000).astype(np.int32)
    got = hlox.jit(hnp.cumsum)(hnp.asarray(x))
    np.testing.assert_array_equal(np.asarray(got), np.cumsum(x).astype(np.int32))
    got = hlox.jit(lambda v: hlax.cummax(v, reverse=True))(hnp.asarray(x))
    np.testing.assert_array_equal(np.asarray(got), np.maximum.accumulate(x[::-1])[::-1])


# -- dtypes and weak types ----------------------------------------------------------------
@pytest.mark.parametrize("x64", [False, True])
def test_result_dtypes_follow_jax(x64):
    cases = [("sum", np.int8), ("sum", np.uint8), ("sum", np.bool_), ("sum", np.float16),
             ("prod", np.int16), ("mean", np.int32), ("mean", np.float16), ("var", np.uint8),
             ("std", np.complex64), ("cumsum", np.int8), ("cumsum", np.bool_),
             ("count_nonzero", np.float32), ("argmax", np.float32), ("max", np.int16),
             ("median", np.int8), ("nanmean", np.int32), ("average", np.int32)]
    with enable_x64(x64):
        for name, dtype in cases:
            x = np.arange(6).astype(dtype).reshape(2, 3)
            check(name, x, jit=False, numpy=False)


@pytest.mark.parametrize("name", ["sum", "prod", "max", "mean", "var", "std", "argmax", "any",
                                  "cumsum", "ptp", "nansum", "nanmax"])
def test_python_scalars_give_strong_results(name):
    check(name, 2.0, numpy=False)
    check(name, 3, numpy=False)


# -- errors -----------------------------------------------------------------------------
@pytest.mark.parametrize("call, kind", [
    (lambda m, x: m.max(x[:, :0], axis=1), ValueError),           # zero-size, no identity
    (lambda m, x: m.min(x, where=x > 0), ValueError),             # where without initial
    (lambda m, x: m.sum(x, axis=(0, 0)), ValueError),             # duplicate axis
    (lambda m, x: m.sum(x, axis=2), ValueError),                  # out of bounds
    (lambda m, x: m.sum(x, where=x), ValueError),                 # non-boolean where
    (lambda m, x: m.sum(x, initial=np.ones(2)), ValueError),      # non-scalar initial
    (lambda m, x: m.cumulative_sum(x), ValueError),               # axis needed for 2-D
])
def test_errors_match_jax(call, kind):
    x = np.arange(6, dtype=np.float32).reshape(2, 3)
    with pytest.raises(kind):
        call(jnp, x)
    with pytest.raises(kind):
        call(hnp, x)


def test_lax_cumulative_errors_match_jax():
    for mod in (jax.lax, hlax):
        with pytest.raises(TypeError, match="bool"):
            mod.cumsum(np.ones(3, np.bool_))
        with pytest.raises(ValueError):
            mod.cummax(np.ones((2, 3), np.float32), axis=2)


def test_error_names_the_user_line():
    with pytest.raises(ValueError) as info:
        hnp.max(np.zeros((0,), np.float32))
    assert "test_reductions.py" in str(info.value)


# -- array methods ---------------------------------------------------------------------------
@pytest.mark.parametrize("method, kwargs", [
    ("sum", dict(axis=0)), ("prod", dict(axis=1, keepdims=True)), ("max", {}),
    ("min", dict(axis=-1)),
    ("mean", dict(axis=(0, 1))), ("var", dict(ddof=1)), ("std", dict(axis=0)),
    ("argmax", dict(axis=1)), ("argmin", {}), ("any", {}), ("all", dict(axis=0)),
    ("cumsum", dict(axis=1)), ("cumprod", {}), ("ptp", dict(axis=0)),
])
def test_array_methods(method, kwargs):
    x = np.array([[1.5, -2.0, 3.0], [0.5, 4.0, -1.0]], np.float32)
    want = getattr(jnp.asarray(x), method)(**kwargs)
    assert_matches(getattr(hnp.asarray(x), method)(**kwargs), want, check_weak=True)
    traced = hlox.jit(lambda v: getattr(v, method)(**kwargs))(hnp.asarray(x))
    assert_matches(traced, want, check_weak=True)
