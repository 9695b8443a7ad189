"""The op catalog (hlox/frontend/op_catalog.py) against the primitives and the rule tables.

Every row must have a JVP rule and a VJP rule unless it is declared without derivative
(zero_derivative / no_derivative, with the reason), and a batching rule unless it is declared
per-example or unbatched. A failure names the op.
"""
from __future__ import annotations

import jax
import numpy as np
import pytest

import hlox
import hlox.lax as hl
from hlox.frontend import collectives, linalg_ops, op_catalog, ops, ops_control, ops_fft
from hlox.frontend import ops_indexing
from hlox.frontend import ops_linalg, ops_windows
from hlox.frontend.primitives import Primitive
from hlox.passes.autodiff import JVP_RULES, NON_DIFFERENTIABLE, VJP_RULES
from hlox.passes.autodiff.rules import elementwise, lapack
from hlox.passes.batching.common import BATCH_RULES, CUSTOM_CALL_BATCH_RULES
from hlox.passes.batching.rules.core import ELEMENTWISE

import hlox.passes.batching.rules  # noqa: F401  (fills the batching tables)

CATALOG = op_catalog.CATALOG
OPS = sorted(name for name, op in CATALOG.items() if not op.custom_call)
TARGETS = sorted(name for name, op in CATALOG.items() if op.custom_call)


def _primitives():
    found = {}
    for module in (ops, ops_control, ops_fft, ops_indexing, ops_linalg, ops_windows, linalg_ops,
                   collectives):
        for value in vars(module).values():
            for prim in (value.values() if isinstance(value, dict) else [value]):
                if isinstance(prim, Primitive):
                    found[prim.name] = prim
    return found


def _differentiable(op):
    return not (op.zero_derivative or op.no_derivative)


def test_every_primitive_is_in_the_catalog():
    rows = {name for name, op in CATALOG.items() if op.primitive or name.startswith("lapack.")}
    rows.discard("lapack.other")
    assert set(_primitives()) == rows


def test_dtype_categories_are_known():
    assert {op.dtypes for op in CATALOG.values()} <= set(op_catalog.DTYPE_CATEGORIES)


def test_the_passes_use_the_catalog_sets():
    assert set(ELEMENTWISE) == op_catalog.ELEMENTWISE
    assert NON_DIFFERENTIABLE == op_catalog.ZERO_DERIVATIVE
    assert set(elementwise.UNARY_DERIVATIVES) | set(elementwise.BINARY_PARTIALS) <= \
        op_catalog.ELEMENTWISE


@pytest.mark.parametrize("name", OPS)
def test_op_has_derivative_rules_or_says_why_not(name):
    op = CATALOG[name]
    if not _differentiable(op):
        assert name not in JVP_RULES or op.zero_derivative, f"{name}: declared without derivative"
        return
    assert name in JVP_RULES, f"{name} has no JVP rule and is not declared non-differentiable"
    assert name in VJP_RULES, f"{name} has no VJP rule and is not declared non-differentiable"


@pytest.mark.parametrize("name", OPS)
def test_op_has_a_batching_rule_or_says_why_not(name):
    op = CATALOG[name]
    if op.unbatched:
        assert name not in BATCH_RULES, f"{name} is declared unbatched but has a rule"
        return
    assert name in BATCH_RULES or op.per_example, \
        f"{name} has no batching rule and is not declared per-example"


@pytest.mark.parametrize("name", TARGETS)
def test_custom_call_target_has_rules_or_says_why_not(name):
    op = CATALOG[name]
    kernel = name.split(".", 1)[-1]
    if _differentiable(op):
        assert kernel in lapack.KERNEL_JVPS, f"custom_call {name} has no JVP rule"
        # a kernel without a reverse rule of its own is transposed from its JVP
    else:
        assert kernel not in lapack.KERNEL_JVPS, f"custom_call {name}: declared without derivative"
    assert name in CUSTOM_CALL_BATCH_RULES or op.per_example, \
        f"custom_call {name} has no batching rule and is not declared per-example"


def test_custom_call_targets_find_their_rows():
    assert op_catalog.custom_call_op("lapack_zheevd_ffi").name == "lapack.syevd"
    assert op_catalog.custom_call_op("lapack_sgees_ffi").name == "lapack.other"
    assert op_catalog.custom_call_op("xla_ffi_python_cpu_callback").name == "callback"
    assert op_catalog.custom_call_op("my_kernel") is None


# -- the rules the catalog asked for, against JAX ---------------------------------------------
X = np.array([0.7, 1.3, 2.5, 4.0], np.float32)


@pytest.mark.parametrize("m", [0.0, 1.0, 3.0])
def test_polygamma_derivative_matches_jax(m):
    ours = hlox.vmap(hlox.grad(lambda x: hl.polygamma(np.float32(m), x)))(X)
    theirs = jax.vmap(jax.grad(lambda x: jax.lax.polygamma(np.float32(m), x)))(X)
    np.testing.assert_allclose(ours, theirs, rtol=2e-5)
    _, tangent = hlox.jvp(lambda x: hl.polygamma(np.float32(m), x), (X,), (np.ones_like(X),))
    _, jax_tangent = jax.jvp(lambda x: jax.lax.polygamma(np.float32(m), x), (X,),
                             (np.ones_like(X),))
    np.testing.assert_allclose(tangent, jax_tangent, rtol=2e-5)


def test_polygamma_derivative_matches_finite_differences():
    x, eps = np.float64(1.7), 1e-6
    with hlox.enable_x64():
        f = lambda x: hl.polygamma(np.float64(2.0), x)  # noqa: E731
        numeric = (f(x + eps) - f(x - eps)) / (2 * eps)
        np.testing.assert_allclose(hlox.grad(f)(x), numeric, rtol=1e-6)


def test_polygamma_refuses_the_order_as_jax():
    with pytest.raises(ValueError, match="polygamma gradient with respect to m"):
        jax.grad(lambda m: jax.lax.polygamma(m, 2.0))(1.0)
    with pytest.raises(ValueError, match="polygamma gradient with respect to m"):
        hlox.grad(lambda m: hl.polygamma(m, np.float32(2.0)))(np.float32(1.0))


@pytest.mark.parametrize("fn, jax_fn", [(hl.zeta, jax.lax.zeta), (hl.nextafter, jax.lax.nextafter)])
def test_ops_without_derivative_raise_as_jax(fn, jax_fn):
    with pytest.raises(NotImplementedError):
        jax.grad(jax_fn, 1)(np.float32(3.0), np.float32(2.0))
    with pytest.raises(NotImplementedError, match="no differentiation rule .* JAX defines no "
                                                  "derivative"):
        hlox.grad(fn, 1)(np.float32(3.0), np.float32(2.0))


def _raw_bessel_i1e(x):
    return ops.chlo_unary["bessel_i1e"].bind(x)


def test_raw_bessel_i1e_derivative_matches_jax():
    x = np.array([-2.5, -0.3, 1e-9, 0.8, 3.0], np.float32)
    ours = hlox.vmap(hlox.grad(_raw_bessel_i1e))(x)
    theirs = jax.vmap(jax.grad(jax.lax.bessel_i1e))(x)
    np.testing.assert_allclose(ours, theirs, rtol=1e-5, atol=1e-7)


def _ops_in(fn, *args):
    return hlox.jit(fn).lower(*args).as_text()


@pytest.mark.parametrize("dimension", [0, 1])
def test_iota_stays_unbatched_under_vmap(dimension):
    def f(x):
        return x + hl.broadcasted_iota(np.float32, (3, 4), dimension)
    xs = np.arange(24, dtype=np.float32).reshape(2, 3, 4)
    out = hlox.vmap(f)(xs)
    np.testing.assert_array_equal(out, jax.vmap(lambda x: x + jax.lax.broadcasted_iota(
        np.float32, (3, 4), dimension))(xs))
    assert "stablehlo.while" not in _ops_in(hlox.vmap(f), xs)


_RNG = np.random.default_rng(0)
_A = _RNG.standard_normal((3, 4, 4)).astype(np.float32)
_SPD = _A @ np.swapaxes(_A, -1, -2) + 4 * np.eye(4, dtype=np.float32)
_B = _RNG.standard_normal((3, 4, 2)).astype(np.float32)
_KERNEL_CASES = {
    "getrf": (lambda a: linalg_ops.getrf.bind(a), (_A,)),
    "geqrf": (lambda a: linalg_ops.geqrf.bind(a), (_A,)),
    "orgqr": (lambda a, t: linalg_ops.orgqr.bind(a, t), (_A, _A[:, 0, :3])),
    "syevd": (lambda a: linalg_ops.syevd.bind(a), (_SPD,)),
    "gesdd": (lambda a: linalg_ops.gesdd.bind(a, mode="S"), (_A,)),
    "geev": (lambda a: linalg_ops.geev.bind(a, left=True, right=True), (_A,)),
    "potrf": (lambda a: linalg_ops.potrf.bind(a), (_SPD,)),
    "trsm": (lambda a, b: linalg_ops.trsm.bind(a, b), (_SPD, _B)),
}


@pytest.mark.parametrize("kernel", sorted(_KERNEL_CASES))
def test_lapack_kernel_batches_natively(kernel):
    fn, args = _KERNEL_CASES[kernel]
    batched = hlox.vmap(fn)
    assert "stablehlo.while" not in _ops_in(batched, *args)
    outs = batched(*args)
    for i in range(len(args[0])):
        example = fn(*(a[i] for a in args))
        for got, want in zip(outs, example):
            np.testing.assert_allclose(np.asarray(got)[i], np.asarray(want), rtol=1e-5, atol=1e-5)
