"""hlox.scipy.special (and the lax special functions under it) against jax.scipy.special on the
same inputs: values, dtypes and weak types eagerly and under hlox.jit, and gradients against
jax.grad. scipy, when installed, is a second oracle for the values."""
from __future__ import annotations

import functools

import jax
import jax.scipy.special as jss
import numpy as np
import pytest
from hypothesis import given, settings, strategies as st

import hlox
import hlox.scipy.special as hss
from conftest import assert_matches, enable_x64

try:
    import scipy.special as scipy_special
except ImportError:  # scipy is optional: jax stays the oracle
    scipy_special = None


def _uniform(lo, hi):
    return lambda rng, shape, dtype: rng.uniform(lo, hi, shape).astype(dtype)


def _ints(lo, hi):
    return lambda rng, shape, dtype: rng.integers(lo, hi, shape).astype(np.int32)


POS, REAL, UNIT = _uniform(0.1, 6.0), _uniform(-5.0, 5.0), _uniform(0.01, 0.99)

# name: (argument generators, differentiable argument positions)
FUNCTIONS = {
    "xlogy": ([REAL, POS], (0, 1)), "xlog1py": ([REAL, POS], (0, 1)), "entr": ([REAL], (0,)),
    "kl_div": ([POS, POS], (0, 1)), "rel_entr": ([POS, POS], (0, 1)), "ndtr": ([REAL], (0,)),
    "ndtri": ([UNIT], (0,)), "log_ndtr": ([_uniform(-30.0, 10.0)], (0,)),
    "softmax": ([REAL], (0,)), "log_softmax": ([REAL], (0,)), "beta": ([POS, POS], (0, 1)),
    "betaln": ([POS, _uniform(0.5, 20.0)], (0, 1)), "betainc": ([POS, POS, UNIT], (2,)),
    "gammainc": ([POS, POS], (0, 1)), "gammaincc": ([POS, POS], (0, 1)),
    "gamma": ([REAL], (0,)), "gammasgn": ([REAL], ()), "loggamma": ([POS], (0,)),
    "factorial": ([POS], (0,)), "comb": ([_uniform(3.0, 9.0), POS], (0, 1)),
    "poch": ([POS, POS], (0, 1)), "i0": ([REAL], (0,)), "i0e": ([REAL], (0,)),
    "i1": ([REAL], (0,)), "i1e": ([REAL], (0,)), "erfcx": ([_uniform(-3.0, 12.0)], (0,)),
    "polygamma": ([_ints(0, 4), POS], (1,)), "zeta": ([_uniform(1.5, 6.0), POS], (0, 1)),
    "spence": ([POS], ()), "dawsn": ([_uniform(-9.0, 9.0)], (0,)),
    "boxcox": ([POS, REAL], (0, 1)), "boxcox1p": ([POS, REAL], (0, 1)),
    "logit": ([UNIT], (0,)), "expit": ([REAL], (0,)), "expi": ([_uniform(-8.0, 40.0)], (0,)),
    "exp1": ([_uniform(0.05, 40.0)], (0,)), "expn": ([_ints(0, 6), _uniform(0.05, 9.0)], (1,)),
    "hyp1f1": ([POS, POS, _uniform(-5.0, 20.0)], (0, 1, 2)), "sici": ([_uniform(-30.0, 30.0)], ()),
}
# ulp-level differences from a different evaluation order of the same formula
RTOL = {np.dtype(np.float32): 2e-5, np.dtype(np.float64): 1e-12}
GRAD_RTOL = {np.dtype(np.float32): 1e-4, np.dtype(np.float64): 1e-10}


@functools.lru_cache(maxsize=None)
def _jitted(name):
    return hlox.jit(getattr(hss, name))


@functools.lru_cache(maxsize=None)
def _grad(name, argnum):
    return hlox.jit(hlox.grad(lambda *a: getattr(hss, name)(*a).sum(), argnums=argnum))


def _inputs(name, seed, dtype, shape=(6,)):
    rng = np.random.default_rng(seed)
    return [gen(rng, shape, dtype) for gen in FUNCTIONS[name][0]]


@pytest.mark.parametrize("name", sorted(FUNCTIONS))
@settings(max_examples=2)
@given(seed=st.integers(0, 2**31 - 1))
def test_matches_jax_eager_and_jit(name, seed):
    args = _inputs(name, seed, np.float32)
    want = getattr(jss, name)(*args)
    rtol = RTOL[np.dtype(np.float32)]
    for got in (getattr(hss, name)(*args), _jitted(name)(*args)):
        assert_matches(got, want, rtol=rtol, atol=1e-6, check_weak=True)


@pytest.mark.parametrize("name", sorted(n for n, (_, wrt) in FUNCTIONS.items() if wrt))
def test_gradient_matches_jax(name):
    args = _inputs(name, 7, np.float32)
    for argnum in FUNCTIONS[name][1]:
        want = jax.grad(lambda *a: getattr(jss, name)(*a).sum(), argnums=argnum)(*args)
        assert_matches(_grad(name, argnum)(*args), want, rtol=GRAD_RTOL[np.dtype(np.float32)],
                       atol=1e-5)


@pytest.mark.parametrize("name", ["gammainc", "gammaincc", "betainc", "ndtri", "log_ndtr",
                                  "i0e", "erfcx", "dawsn", "zeta", "expi", "xlogy", "entr",
                                  "hyp1f1"])
def test_float64_matches_jax_and_scipy(name):
    """In float64 against JAX, and against scipy (the reference JAX itself is tested on) when it
    is installed."""
    with enable_x64():
        args = _inputs(name, 3, np.float64)
        got = np.asarray(hlox.jit(getattr(hss, name))(*args))
        assert_matches(got, getattr(jss, name)(*args), rtol=RTOL[np.dtype(np.float64)],
                       atol=1e-13)
    if scipy_special is not None:
        np.testing.assert_allclose(got, getattr(scipy_special, name)(*args), rtol=1e-9,
                                   atol=1e-14)


def test_half_precision_computes_in_float32_like_jax():
    x = np.linspace(-3, 3, 7).astype(np.float16)
    a = np.linspace(0.5, 3, 7).astype(np.float16)
    for got, want in [(hss.i0e(x), jss.i0e(x)), (hss.gammainc(a, a), jss.gammainc(a, a)),
                      (hss.erfcx(x), jss.erfcx(x))]:
        assert_matches(got, want, rtol=1e-3, atol=1e-3)


def test_python_scalars_and_integer_inputs_promote_like_jax():
    for name, args in [("xlogy", (2, 3.0)), ("gammainc", (2, 1.5)), ("i0", (1,)),
                       ("factorial", (np.array([3, 4], np.int32),)), ("entr", (0.5,)),
                       ("comb", (5.0, 2.0)), ("beta", (2, 3))]:
        assert_matches(getattr(hss, name)(*args), getattr(jss, name)(*args), rtol=2e-6,
                       check_weak=True)


def test_special_values_match_jax():
    edge = np.array([0.0, 1.0, -1.0, np.inf, -np.inf, np.nan], np.float32)
    for name, args in [("xlogy", (np.zeros(6, np.float32), edge)), ("ndtri", (edge,)),
                       ("gammasgn", (edge,)), ("gamma", (edge,)), ("entr", (edge,)),
                       ("gammainc", (np.ones(6, np.float32), np.abs(edge))),
                       ("rel_entr", (np.abs(edge), np.ones(6, np.float32))),
                       ("betainc", (np.ones(6, np.float32), np.ones(6, np.float32), edge))]:
        assert_matches(getattr(hss, name)(*args), getattr(jss, name)(*args))


def test_sici_gradient_matches_jax():
    x = np.array([0.3, 1.5, 5.0, 9.0, -20.0], np.float32)

    def total(lib):
        return lambda x: sum(part.sum() for part in lib.scipy.special.sici(x))
    assert_matches(hlox.grad(total(hlox))(x), jax.grad(total(jax))(x), rtol=1e-5)


def test_multigammaln_bernoulli_and_series_order():
    a = np.array([3.5, 5.0, 8.25], np.float32)
    assert_matches(hss.multigammaln(a, 3), jss.multigammaln(a, 3), rtol=2e-6)
    assert_matches(hss.bernoulli(10), jss.bernoulli(10), rtol=1e-6)
    assert_matches(hss.bernoulli(2), jss.bernoulli(2))
    x = np.array([-25.0, -12.0, 0.5], np.float32)
    assert_matches(hss.log_ndtr(x, series_order=5), jss.log_ndtr(x, series_order=5), rtol=2e-6)


def test_errors_match_jax():
    with pytest.raises(ValueError, match="integer type"):
        hss.polygamma(1.0, 2.0)
    with pytest.raises(TypeError, match="not supported"):
        hss.ndtr(np.ones(2, np.float16))
    with pytest.raises(NotImplementedError):
        hss.zeta(2.0)
    with pytest.raises(ValueError, match="non-negative"):
        hss.bernoulli(-1)
    with pytest.raises(ValueError, match="series_order"):
        hss.log_ndtr(1.0, series_order=31)


def test_lax_special_functions_match_jax_lax():
    rng = np.random.default_rng(0)
    a, x = rng.uniform(0.1, 5, (2, 3)).astype(np.float32), rng.uniform(0.1, 5, (2, 3)).astype(
        np.float32)
    # igamma_grad_a is checked through gammainc's gradient
    assert_matches(hlox.lax.random_gamma_grad(a, x), jax.lax.random_gamma_grad(a, x), rtol=2e-6)
    assert_matches(hlox.lax.bessel_i1e(x), jax.lax.bessel_i1e(x))
    assert_matches(hlox.lax.betainc(a, a, x / 5), jax.lax.betainc(a, a, x / 5))
