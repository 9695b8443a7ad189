"""hlox.nn and hlox.scipy.special against jax.nn / jax.scipy.special on the same inputs,
eager and under hlox.jit (values, shapes, dtypes, weak types)."""
from __future__ import annotations

import jax
import ml_dtypes
import numpy as np
import pytest
from hypothesis import given, settings, strategies as st

import hlox
import hlox.numpy as hnp
from conftest import assert_matches, enable_x64

SHAPES = [(), (3,), (2, 3)]
FLOATS = [np.float32, np.float16, ml_dtypes.bfloat16]
TOL = {np.dtype(np.float32): 2e-6, np.dtype(np.float16): 2e-3, np.dtype(ml_dtypes.bfloat16): 2e-2,
       np.dtype(np.float64): 1e-12}

# name: keyword arguments to pass (the same to both libraries)
ACTIVATIONS = {
    "relu": {}, "relu6": {}, "sigmoid": {}, "silu": {}, "swish": {}, "softplus": {},
    "soft_sign": {}, "log_sigmoid": {}, "elu": {}, "leaky_relu": {}, "celu": {}, "selu": {},
    "hard_tanh": {}, "hard_sigmoid": {}, "hard_silu": {}, "mish": {}, "squareplus": {},
    "sparse_plus": {}, "identity": {}, "gelu": {"approximate": True},
    "gelu_exact": {"approximate": False}, "elu_alpha": {"alpha": 0.5},
    "leaky_relu_slope": {"negative_slope": 0.2}, "celu_alpha": {"alpha": 2.0},
}


def _fn(lib, name):
    return getattr(lib.nn, name.split("_alpha")[0].split("_slope")[0].replace("gelu_exact", "gelu"))


def arrays(dtypes=FLOATS, shapes=SHAPES, lo=-6.0, hi=6.0):
    return st.tuples(st.sampled_from(dtypes), st.sampled_from(shapes), st.integers(0, 2**31 - 1)).map(
        lambda t: np.random.default_rng(t[2]).uniform(lo, hi, t[1]).astype(t[0]))


def check(name, hfn, jfn, *args, rtol=None, **kw):
    dtype = np.asarray(args[0]).dtype
    tol = rtol if rtol is not None else TOL.get(dtype, 2e-6)
    want = jfn(*args, **kw)
    for got in (hfn(*args, **kw), hlox.jit(lambda *a: hfn(*a, **kw))(*args)):
        assert_matches(got, want, rtol=tol, atol=tol, check_weak=True)


@pytest.mark.parametrize("name", sorted(ACTIVATIONS))
@settings(max_examples=8)
@given(x=arrays())
def test_activation_matches_jax(name, x):
    check(name, _fn(hlox, name), _fn(jax, name), x, **ACTIVATIONS[name])


@pytest.mark.parametrize("name", ["relu", "relu6", "softplus", "sigmoid", "gelu", "elu", "silu"])
def test_activation_of_python_scalar_and_int(name):
    for x in (2.0, -1.5):
        assert_matches(getattr(hlox.nn, name)(x), getattr(jax.nn, name)(x), check_weak=True)
    if name == "relu":
        x = np.array([-2, 3], np.int32)
        assert_matches(hlox.nn.relu(x), jax.nn.relu(x), check_weak=True)


def test_activations_are_stable_at_extremes():
    x = np.array([-1e4, -80.0, 0.0, 80.0, 1e4], np.float32)
    for name in ("softplus", "log_sigmoid", "sigmoid", "silu", "elu", "selu", "celu", "gelu"):
        got, want = _fn(hlox, name)(x), _fn(jax, name)(x)
        assert np.all(np.isfinite(np.asarray(got))), name
        assert_matches(got, want, rtol=1e-6, atol=1e-6)


# -- softmax family ----------------------------------------------------------------------------
@pytest.mark.parametrize("fn", ["softmax", "log_softmax"])
@settings(max_examples=10)
@given(x=arrays(shapes=[(4,), (2, 3), (2, 3, 2)], lo=-50, hi=50), axis=st.sampled_from([-1, 0, None]))
def test_softmax_matches_jax(fn, x, axis):
    check(fn, getattr(hlox.nn, fn), getattr(jax.nn, fn), x, axis=axis)


@pytest.mark.parametrize("fn", ["softmax", "log_softmax"])
def test_softmax_where_axes_and_large_inputs(fn):
    x = np.array([[1000.0, 1001.0, 999.0], [-1000.0, 0.0, 3.0]], np.float32)
    where = np.array([[True, True, False], [True, False, True]])
    hfn, jfn = getattr(hlox.nn, fn), getattr(jax.nn, fn)
    for kw in ({}, {"axis": 0}, {"axis": (0, 1)}, {"where": where}, {"axis": 0, "where": where}):
        got = hfn(x, **kw)
        assert_matches(got, jfn(x, **kw), rtol=1e-6, atol=1e-6)
        assert not np.any(np.isnan(np.asarray(got)))


@settings(max_examples=10)
@given(x=arrays(shapes=[(2, 3), (2, 3, 2)], lo=-30, hi=30), keepdims=st.booleans(),
       axis=st.sampled_from([None, 0, -1, (0, -1)]))
def test_logsumexp_matches_jax(x, keepdims, axis):
    check("logsumexp", hlox.nn.logsumexp, jax.nn.logsumexp, x, axis=axis, keepdims=keepdims)
    check("logsumexp", hlox.scipy.special.logsumexp, jax.scipy.special.logsumexp, x, axis=axis,
          keepdims=keepdims)


def test_logsumexp_with_b_sign_where_and_infinities():
    a = np.array([[1.0, 2.0, 3.0], [-np.inf, -np.inf, -np.inf]], np.float32)
    b = np.array([[1.0, -3.0, 0.0], [1.0, 1.0, 1.0]], np.float32)
    where = np.array([[True, False, True], [True, True, True]])
    for kw in ({}, {"axis": 1}, {"b": b, "axis": 1}, {"b": b, "axis": 1, "return_sign": True},
               {"where": where, "axis": 1}, {"axis": 0, "keepdims": True}):
        got, want = hlox.nn.logsumexp(a, **kw), jax.nn.logsumexp(a, **kw)
        for g, w in zip(got if isinstance(got, tuple) else [got], want if isinstance(want, tuple) else [want]):
            assert_matches(g, w, rtol=1e-6, atol=1e-6)
    big = np.array([1e4, 1e4], np.float32)
    assert_matches(hlox.nn.logsumexp(big), jax.nn.logsumexp(big))


def test_logsumexp_x64():
    with enable_x64():
        x = np.linspace(-3, 3, 6).reshape(2, 3)
        check("logsumexp", hlox.nn.logsumexp, jax.nn.logsumexp, x, axis=1)
        check("log_softmax", hlox.nn.log_softmax, jax.nn.log_softmax, x)


# -- one_hot, standardize -------------------------------------------------------------------------
@given(idx=st.lists(st.integers(-1, 5), min_size=1, max_size=5), num=st.integers(1, 5),
       axis=st.sampled_from([-1, 0, 1]), dtype=st.sampled_from([None, np.int32, np.bool_, np.float16]))
def test_one_hot_matches_jax(idx, num, axis, dtype):
    x = np.array(idx, np.int32).reshape(-1, 1) if axis == 1 else np.array(idx, np.int32)
    kw = {"axis": axis} if dtype is None else {"axis": axis, "dtype": dtype}
    check("one_hot", hlox.nn.one_hot, jax.nn.one_hot, x, num_classes=num, **kw)


def test_one_hot_needs_concrete_classes():
    with pytest.raises(TypeError):
        hlox.jit(lambda n: hlox.nn.one_hot(np.array([0, 1]), n))(3)


@given(x=arrays(dtypes=[np.float32], shapes=[(4,), (2, 5)], lo=-3, hi=3),
       algorithm=st.sampled_from(["fast", "stable"]))
def test_standardize_matches_jax(x, algorithm):
    check("standardize", hlox.nn.standardize, jax.nn.standardize, x, algorithm=algorithm,
          rtol=2e-4)


def test_standardize_where_and_given_moments():
    x = np.arange(6, dtype=np.float32).reshape(2, 3)
    where = np.array([[True, False, True], [True, True, True]])
    assert_matches(hlox.nn.standardize(x, where=where), jax.nn.standardize(x, where=where), rtol=1e-5)
    assert_matches(hlox.nn.standardize(x, axis=0, mean=1.0, variance=4.0),
                   jax.nn.standardize(x, axis=0, mean=1.0, variance=4.0))
    with pytest.raises(ValueError):
        hlox.nn.standardize(x, algorithm="slow")


# -- scipy.special elementwise ----------------------------------------------------------------------
SPECIAL = {"expit": (-8, 8), "logit": (0.01, 0.99), "erf": (-3, 3), "erfc": (-3, 3),
           "erfinv": (-0.99, 0.99), "gammaln": (0.1, 6), "digamma": (0.1, 6)}


@pytest.mark.parametrize("name", sorted(SPECIAL))
@given(data=st.data())
def test_special_matches_jax(name, data):
    x = data.draw(arrays(dtypes=[np.float32], lo=SPECIAL[name][0], hi=SPECIAL[name][1]))
    check(name, getattr(hlox.scipy.special, name), getattr(jax.scipy.special, name), x, rtol=2e-5)


def test_special_promotes_integers():
    for name in ("expit", "erf"):
        assert_matches(getattr(hlox.scipy.special, name)(np.int32(1)),
                       getattr(jax.scipy.special, name)(np.int32(1)), check_weak=True)


# -- functions added for user programs: tanh, glu, log1mexp, logmeanexp, initializers,
# dot_product_attention --------------------------------------------------------------------
def _both(fn):
    """Run `fn(lib)` with hlox (eagerly and under jit) and with jax; compare every leaf."""
    want = jax.tree_util.tree_leaves(fn(jax))
    for got in (fn(hlox), hlox.jit(lambda: fn(hlox))()):
        got = jax.tree_util.tree_leaves(got)
        assert len(got) == len(want)
        for g, w in zip(got, want):
            assert_matches(g, w, rtol=2e-5, atol=2e-5, check_weak=True)


_X = np.random.default_rng(7).normal(size=(3, 4)).astype(np.float32)


@pytest.mark.parametrize("call", [
    lambda lib: lib.nn.tanh(_X),
    lambda lib: lib.nn.glu(_X),
    lambda lib: lib.nn.glu(_X[:2], axis=0),
    lambda lib: lib.nn.log1mexp(np.abs(_X) + 1e-3),
    lambda lib: lib.grad(lambda x: lib.nn.log1mexp(x).sum())(np.abs(_X) + 0.1),
    lambda lib: lib.nn.logmeanexp(_X),
    lambda lib: lib.nn.logmeanexp(_X, axis=1, keepdims=True),
    lambda lib: lib.nn.logmeanexp(_X, axis=0, where=_X > -0.5),
], ids=["tanh", "glu", "glu_axis0", "log1mexp", "log1mexp_grad", "logmeanexp",
        "logmeanexp_axis", "logmeanexp_where"])
def test_more_nn_functions_match_jax(call):
    _both(call)


@pytest.mark.parametrize("name, args, shape", [
    ("glorot_uniform", (), (3, 5)), ("glorot_normal", (), (3, 3, 2, 4)),
    ("xavier_normal", (), (4, 2)), ("lecun_uniform", (), (6, 2)), ("lecun_normal", (), (6, 2)),
    ("he_uniform", (), (5, 3)), ("he_normal", (), (3, 3, 1, 8)), ("kaiming_normal", (), (2, 2)),
    ("normal", (0.02,), (7,)), ("uniform", (0.5,), (2, 3)), ("truncated_normal", (0.1,), (4,)),
    ("constant", (3.5,), (2,)), ("orthogonal", (), (4, 3)), ("orthogonal", (2.0,), (3, 5)),
    ("delta_orthogonal", (), (3, 3, 2, 4)),
    ("variance_scaling", (2.0, "fan_out", "normal"), (4, 6)),
    ("variance_scaling", (1.0, "fan_geo_avg", "uniform"), (4, 6)),
])
def test_initializers_draw_jax_weights(name, args, shape):
    _both(lambda lib: getattr(lib.nn.initializers, name)(*args)(lib.random.PRNGKey(3), shape))


@pytest.mark.parametrize("name", ["zeros", "ones"])
def test_constant_initializers(name):
    _both(lambda lib: getattr(lib.nn.initializers, name)(lib.random.PRNGKey(0), (2, 3)))
    _both(lambda lib: getattr(lib.nn.initializers, name)(lib.random.PRNGKey(0), (2,),
                                                          np.float16))


def test_initializer_dtypes_and_fans(x64):
    _both(lambda lib: lib.nn.initializers.glorot_normal(in_axis=0, out_axis=1, batch_axis=2)(
        lib.random.PRNGKey(1), (3, 4, 2), np.float64))
    _both(lambda lib: lib.nn.initializers.he_uniform(dtype=np.float16)(lib.random.PRNGKey(1),
                                                                         (3, 4)))
    with pytest.raises(ValueError, match="default in_axis"):
        hlox.nn.initializers.lecun_normal()(hlox.random.PRNGKey(0), (3,))


_Q = np.random.default_rng(8).normal(size=(2, 5, 4, 3)).astype(np.float32)
_K = np.random.default_rng(9).normal(size=(2, 6, 2, 3)).astype(np.float32)
_V = np.random.default_rng(10).normal(size=(2, 6, 2, 3)).astype(np.float32)


@pytest.mark.parametrize("kw", [
    {}, {"is_causal": True}, {"scale": 0.3}, {"local_window_size": 1},
    {"local_window_size": (2, 0)},
    {"query_seq_lengths": np.array([3, 5], np.int32), "key_value_seq_lengths": np.array([6, 2], np.int32)},
    {"bias": np.random.default_rng(11).normal(size=(1, 4, 5, 6)).astype(np.float32)},
    {"mask": np.random.default_rng(12).uniform(size=(2, 1, 5, 6)) > 0.3},
    {"mask": np.tril(np.ones((5, 6), bool)), "is_causal": True, "return_residual": True},
], ids=["plain", "causal", "scale", "window", "window_pair", "seq_lengths", "bias", "mask",
        "residual"])
def test_dot_product_attention_matches_jax(kw):
    _both(lambda lib: lib.nn.dot_product_attention(_Q, _K, _V, **kw))


def test_dot_product_attention_unbatched_and_grad():
    _both(lambda lib: lib.nn.dot_product_attention(_Q[0], _K[0, :, :1], _V[0, :, :1],
                                                   is_causal=True))
    _both(lambda lib: lib.grad(lambda q: lib.nn.dot_product_attention(q, _K, _V).sum())(_Q))
    with pytest.raises(ValueError, match="multiple of key/value heads"):
        hlox.nn.dot_product_attention(_Q[:, :, :3], _K, _V)


def test_dot_product_attention_gradients_through_bias_mask_and_lengths():
    bias = np.random.default_rng(13).normal(size=(2, 4, 5, 6)).astype(np.float32)
    mask = np.random.default_rng(14).uniform(size=(2, 1, 5, 6)) > 0.2
    lengths = np.array([4, 6], np.int32)

    def loss(lib):
        def f(q, k, v, b):
            out = lib.nn.dot_product_attention(q, k, v, b, mask, is_causal=True, scale=0.7,
                                               key_value_seq_lengths=lengths)
            return (out * out).sum()
        return lib.grad(f, argnums=(0, 1, 2, 3))(_Q, _K, _V, bias)
    _both(loss)
