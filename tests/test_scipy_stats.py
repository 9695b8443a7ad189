"""hlox.scipy.stats against jax.scipy.stats on the same inputs: values, dtypes and weak types
eagerly and under hlox.jit, and gradients of log densities against jax.grad."""
from __future__ import annotations

import functools

import jax
import jax.scipy.stats as jst
import numpy as np
import pytest
from hypothesis import given, settings, strategies as st

import hlox
import hlox.scipy.stats as hst
from conftest import assert_matches, enable_x64


def _uniform(lo, hi):
    return lambda rng, shape, dtype: rng.uniform(lo, hi, shape).astype(dtype)


def _counts(hi):
    return lambda rng, shape, dtype: rng.integers(0, hi, shape).astype(dtype)


REAL, POS, UNIT = _uniform(-4.0, 4.0), _uniform(0.5, 4.0), _uniform(0.01, 0.99)
CONTINUOUS = ["logpdf", "pdf", "cdf", "logcdf", "sf", "logsf"]

# distribution: {function names: argument generators}
CASES = {
    "norm": {("logpdf", "pdf", "cdf", "logcdf", "sf", "logsf"): [REAL, REAL, POS],
             ("ppf", "isf"): [UNIT, REAL, POS]},
    "expon": {tuple(CONTINUOUS): [POS, UNIT, POS], ("ppf",): [UNIT, REAL, POS]},
    "gamma": {tuple(CONTINUOUS): [POS, POS, UNIT, POS]},
    "beta": {tuple(CONTINUOUS): [UNIT, POS, POS]},
    "chi2": {tuple(CONTINUOUS): [POS, POS, UNIT, POS]},
    "poisson": {("logpmf", "pmf", "cdf"): [_counts(6), POS]},
    "bernoulli": {("logpmf", "pmf", "cdf"): [_counts(2), UNIT], ("ppf",): [UNIT, UNIT]},
    "binom": {("logpmf", "pmf"): [_counts(4), _uniform(4.0, 8.0), UNIT]},
    "uniform": {("logpdf", "pdf", "cdf"): [REAL, REAL, POS], ("ppf",): [UNIT, REAL, POS]},
    "laplace": {("logpdf", "pdf", "cdf"): [REAL, REAL, POS]},
    "logistic": {("logpdf", "pdf", "cdf", "sf"): [REAL, REAL, POS],
                 ("ppf", "isf"): [UNIT, REAL, POS]},
    "t": {("logpdf", "pdf"): [REAL, POS, REAL, POS]},
    "cauchy": {tuple(CONTINUOUS): [REAL, REAL, POS], ("ppf", "isf"): [UNIT, REAL, POS]},
    "pareto": {tuple(CONTINUOUS): [_uniform(0.5, 6.0), POS, _uniform(-0.5, 0.5), POS],
               ("ppf",): [UNIT, POS, REAL, POS]},
    "gumbel_l": {tuple(CONTINUOUS): [REAL, REAL, POS], ("ppf",): [UNIT, REAL, POS]},
    "gumbel_r": {tuple(CONTINUOUS): [REAL, REAL, POS], ("ppf",): [UNIT, REAL, POS]},
    "geom": {("logpmf", "pmf"): [_counts(6), UNIT]},
    "nbinom": {("logpmf", "pmf"): [_counts(6), POS, UNIT]},
    "betabinom": {("logpmf", "pmf"): [_counts(6), _uniform(3.0, 8.0), POS, POS]},
}
FUNCTIONS = {(dist, fn): gens for dist, table in CASES.items()
             for fns, gens in table.items() for fn in fns}
# the log densities and their parameters that JAX differentiates
GRADIENTS = [("norm", "logpdf"), ("norm", "logcdf"), ("expon", "logpdf"), ("gamma", "logpdf"),
             ("beta", "logpdf"), ("poisson", "logpmf"), ("bernoulli", "logpmf"),
             ("laplace", "logpdf"), ("logistic", "logpdf"), ("t", "logpdf"), ("cauchy", "logpdf"),
             ("chi2", "logpdf"), ("gamma", "cdf"), ("beta", "cdf"), ("pareto", "logpdf"),
             ("gumbel_r", "logsf"), ("nbinom", "logpmf"), ("betabinom", "logpmf")]


def _fn(lib, dist, name):
    return getattr(getattr(lib, dist), name)


def _inputs(key, seed, dtype=np.float32):
    rng = np.random.default_rng(seed)
    return [gen(rng, (5,), dtype) for gen in FUNCTIONS[key]]


@functools.lru_cache(maxsize=None)
def _jitted(dist, name):
    return hlox.jit(_fn(hst, dist, name))


@pytest.mark.parametrize("key", sorted(FUNCTIONS), ids="{0[0]}.{0[1]}".format)
@settings(max_examples=2)
@given(seed=st.integers(0, 2**31 - 1))
def test_matches_jax_eager_and_jit(key, seed):
    args = _inputs(key, seed)
    want = _fn(jst, *key)(*args)
    # tan near pi/2 (cauchy's ppf/isf) turns an ulp of its argument into ~1e-5 of its value
    rtol = 5e-5 if key[0] == "cauchy" else 2e-5
    for got in (_fn(hst, *key)(*args), _jitted(*key)(*args)):
        assert_matches(got, want, rtol=rtol, atol=1e-5, check_weak=True)


@pytest.mark.parametrize("key", GRADIENTS, ids="{0[0]}.{0[1]}".format)
def test_gradient_matches_jax(key):
    args = _inputs(key, 11)
    discrete = ("poisson", "bernoulli", "nbinom", "betabinom")
    wrt = tuple(i for i in range(len(args)) if not (key[0] in discrete and i == 0))
    if key == ("beta", "cdf"):
        wrt = (0,)  # JAX differentiates betainc in x only
    want = jax.grad(lambda *a: _fn(jst, *key)(*a).sum(), argnums=wrt)(*args)
    got = hlox.jit(hlox.grad(lambda *a: _fn(hst, *key)(*a).sum(), argnums=wrt))(*args)
    for g, w in zip(got, want):
        assert_matches(g, w, rtol=1e-4, atol=1e-5)


def test_default_parameters_and_python_scalars():
    for dist, fn, args in [("norm", "logpdf", (0.5,)), ("norm", "cdf", (1,)),
                           ("expon", "pdf", (2.0,)), ("uniform", "logpdf", (0.25,)),
                           ("laplace", "cdf", (-1.0,)), ("logistic", "sf", (0.5,)),
                           ("cauchy", "pdf", (3.0,)), ("gamma", "logpdf", (2.0, 3.0)),
                           ("poisson", "pmf", (3, 2.5)), ("bernoulli", "pmf", (1, 0.3)),
                           ("t", "logpdf", (1.0, 4))]:
        assert_matches(_fn(hst, dist, fn)(*args), _fn(jst, dist, fn)(*args), rtol=2e-6,
                       check_weak=True)


def test_out_of_support_values_match_jax():
    x = np.array([-1.0, 0.0, 0.5, 1.0, 2.0, np.nan], np.float32)
    for dist, fn, args in [("expon", "logpdf", (x,)), ("beta", "logpdf", (x, 2.0, 3.0)),
                           ("uniform", "cdf", (x,)), ("gamma", "cdf", (x, 2.0)),
                           ("poisson", "logpmf", (x, 2.0)), ("bernoulli", "cdf", (x, 0.3)),
                           ("binom", "logpmf", (x, 1.0, 0.5)), ("expon", "ppf", (x,))]:
        assert_matches(_fn(hst, dist, fn)(*args), _fn(jst, dist, fn)(*args), rtol=2e-6)


@pytest.mark.parametrize("cov_kind", ["matrix", "scalar", "univariate"])
def test_multivariate_normal_matches_jax(cov_kind):
    rng = np.random.default_rng(1)
    x = rng.normal(size=(4, 3)).astype(np.float32)
    mean = rng.normal(size=3).astype(np.float32)
    a = rng.normal(size=(3, 3)).astype(np.float32)
    cov = {"matrix": a @ a.T + np.eye(3, dtype=np.float32), "scalar": np.float32(1.5),
           "univariate": np.float32(1.5)}[cov_kind]
    if cov_kind == "univariate":
        x, mean = x[:, 0], mean[0]
    for fn in ("logpdf", "pdf"):
        want = getattr(jst.multivariate_normal, fn)(x, mean, cov)
        assert_matches(getattr(hst.multivariate_normal, fn)(x, mean, cov), want, rtol=1e-5)
        assert_matches(hlox.jit(getattr(hst.multivariate_normal, fn))(x, mean, cov), want,
                       rtol=1e-5)
    if cov_kind == "matrix":
        want = jax.grad(lambda m, c: jst.multivariate_normal.logpdf(x, m, c).sum(),
                        argnums=(0, 1))(mean, cov)
        got = hlox.grad(lambda m, c: hst.multivariate_normal.logpdf(x, m, c).sum(),
                        argnums=(0, 1))(mean, cov)
        for g, w in zip(got, want):
            assert_matches(g, w, rtol=1e-4, atol=1e-5)


def test_multinomial_matches_jax():
    p = np.array([0.2, 0.5, 0.3], np.float32)
    for x, n in [(np.array([1, 2, 0], np.int32), 3), (np.array([0, 0, 3], np.int32), 2),
                 (np.array([2, 1, 1], np.int32), np.array([4], np.int32))]:
        for fn in ("logpmf", "pmf"):
            want = getattr(jst.multinomial, fn)(x, n, p)
            assert_matches(getattr(hst.multinomial, fn)(x, n, p), want, rtol=1e-6)
            assert_matches(hlox.jit(getattr(hst.multinomial, fn))(x, n, p), want, rtol=1e-6)
    with pytest.raises(ValueError, match="integer type"):
        hst.multinomial.logpmf(np.ones(3, np.float32), 3, p)


def test_multivariate_normal_rejects_bad_cov_shape():
    with pytest.raises(ValueError, match="incompatible shapes"):
        hst.multivariate_normal.logpdf(np.zeros(3), np.zeros(3), np.eye(2))


def test_dirichlet_matches_jax():
    rng = np.random.default_rng(2)
    alpha = np.array([0.7, 2.0, 3.5], np.float32)
    x = rng.dirichlet(alpha, size=4).T.astype(np.float32)
    for args in [(x, alpha), (x[:2], alpha), (x[:, 0], alpha)]:
        assert_matches(hst.dirichlet.logpdf(*args), jst.dirichlet.logpdf(*args), rtol=1e-5)
        assert_matches(hst.dirichlet.pdf(*args), jst.dirichlet.pdf(*args), rtol=1e-5)
    with pytest.raises(ValueError, match="one-dimensional"):
        hst.dirichlet.logpdf(x, alpha[None])


def test_float64():
    with enable_x64():
        for key in [("norm", "logcdf"), ("gamma", "cdf"), ("beta", "sf"), ("t", "logpdf"),
                    ("norm", "ppf")]:
            args = _inputs(key, 4, np.float64)
            assert_matches(hlox.jit(_fn(hst, *key))(*args), _fn(jst, *key)(*args), rtol=1e-12)
