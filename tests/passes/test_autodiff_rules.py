"""Every rule of JVP_RULES / VJP_RULES checked numerically (DESIGN.md, "Rules live in tables").

The points come from tests/passes/autodiff_cases/ (format in its README.md). In float64,
each case's jvp is compared with central differences (eps 1e-4) and its vjp with the jvp
through the inner-product identity <t, vjp(c)> = <jvp(t), c>, to first and second order
(JAX's check_grads idea). Each check is one jit-compiled function.
"""
from __future__ import annotations

import numpy as np
import pytest

import hlox
from hlox.frontend import dtypes
from hlox.lowering import mlir
from hlox.passes import autodiff
from hlox.passes.autodiff import JVP_RULES, NON_DIFFERENTIABLE, VJP_RULES
from hlox.passes.registry import PassError

from autodiff_cases import load_cases
from conftest import enable_x64

EPS = 1e-4
CASES = load_cases()
CHECKS = ("first", "jvp-of-jvp", "vjp-of-vjp")


def _case_params():
    params = []
    for op_name, cases in sorted(CASES.items()):
        for i, case in enumerate(cases):
            label = f"{op_name}-{case.name or i}"
            for check in CHECKS[:1 + 2 * (case.order >= 2)]:
                params.append(pytest.param(op_name, case, check, id=f"{label}-{check}"))
    return params


# -- the numerical checks ------------------------------------------------------------------
def _inexact(x):
    return dtypes.is_inexact(np.result_type(x))


def _random_like(rng, x):
    x = np.asarray(x)
    values = rng.standard_normal(x.shape)
    if x.dtype.kind == "c":
        values = values + 1j * rng.standard_normal(x.shape)
    return values.astype(x.dtype)


def _inner(xs, ys):
    """JAX's check_vjp inner product: sum of Re(vdot(x, y)) over the leaves."""
    return sum(float(np.real(np.vdot(np.asarray(x).ravel(), np.asarray(y).ravel())))
               for x, y in zip(xs, ys))


def _float_outputs(fn):
    """fn returning an array or a sequence of arrays, as a function returning its inexact ones."""
    def wrapped(*xs):
        out = fn(*xs)
        outs = list(out) if isinstance(out, (tuple, list)) else [out]
        return [o for o in outs if dtypes.is_inexact(o.dtype)]
    return wrapped


def check_jvp_vjp(f, xs, rng, rtol, atol, kinks_ok, label):
    """Finite differences against jvp, and the inner-product identity for vjp, in one jit."""
    out_shapes = hlox.eval_shape(f, *xs)
    if not out_shapes:
        raise AssertionError(f"{label}: the function has no floating-point output")
    ts = [_random_like(rng, x) for x in xs]
    cs = [_random_like(rng, np.zeros(o.shape, o.dtype)) for o in out_shapes]

    def body(xs, ts, cs):
        plus = f(*[x + EPS * t for x, t in zip(xs, ts)])
        minus = f(*[x - EPS * t for x, t in zip(xs, ts)])
        _, t_out = hlox.jvp(f, tuple(xs), tuple(ts))
        _, pullback = hlox.vjp(f, *xs)
        c_in = pullback([hlox.numpy.conj(c) for c in cs])
        return plus, minus, t_out, c_in

    plus, minus, t_out, c_in = hlox.jit(body)(xs, ts, cs)
    t_out = [np.asarray(t) for t in t_out]
    if not kinks_ok:
        for k, (p, m, t) in enumerate(zip(plus, minus, t_out)):
            numerical = (np.asarray(p) - np.asarray(m)) / (2 * EPS)
            np.testing.assert_allclose(t, numerical, rtol=rtol, atol=atol,
                                       err_msg=f"{label}: jvp of output {k} != central differences")
    c_in = [np.conj(np.asarray(c)) for c in c_in]
    ip, ip_expected = _inner(ts, c_in), _inner(t_out, cs)
    np.testing.assert_allclose(ip, ip_expected, rtol=rtol, atol=atol,
                               err_msg=f"{label}: <t, vjp(c)> != <jvp(t), c>")


def _differentiated(case):
    """fn as a function of the `wrt` arguments only (the others are held at the case's point)."""
    def f(*xs):
        args = list(case.args)
        for i, x in zip(case.wrt, xs):
            args[i] = x
        return fn(*args)
    fn = _float_outputs(case.fn)
    return f, [case.args[i] for i in case.wrt]


def _jvp_function(f, n):
    def g(*xts):
        y, ty = hlox.jvp(f, tuple(xts[:n]), tuple(xts[n:]))
        return list(y) + list(ty)
    return g


def _vjp_function(f, n):
    def h(*xcs):
        _, pullback = hlox.vjp(f, *xcs[:n])
        return list(pullback(list(xcs[n:])))
    return h


def run_check(case, check, label):
    rng = np.random.default_rng(0)
    f, xs = _differentiated(case)
    n = len(xs)
    if check == "jvp-of-jvp":
        f, xs = _jvp_function(f, n), xs + [_random_like(rng, x) for x in xs]
    elif check == "vjp-of-vjp":
        outs = hlox.eval_shape(f, *xs)
        f, xs = _vjp_function(f, n), xs + [_random_like(rng, np.zeros(o.shape, o.dtype))
                                           for o in outs]
    check_jvp_vjp(f, xs, rng, case.rtol, case.atol, case.kinks_ok, f"{label} ({check})")


def _op_names(text):
    """Names of every op (nested ones too) of a module's text."""
    names = set()

    def visit(op):
        names.add(op.name)
        for region in op.regions:
            for block in region.blocks:
                for inner in block.operations:
                    visit(inner.operation)
    with mlir.context():
        visit(mlir.ir.Module.parse(text).operation)
    return names


@pytest.mark.parametrize("op_name,case,check", _case_params())
def test_rule(op_name, case, check):
    with enable_x64():
        if check == "first":
            text = hlox.jit(case.fn).lower(*case.args).as_text()
            assert op_name in _op_names(text), \
                f"the case for {op_name} does not trace to a module containing it:\n{text}"
        run_check(case, check, op_name)


def test_every_rule_has_a_case():
    missing = sorted((set(JVP_RULES) | set(VJP_RULES)) - set(CASES))
    assert not missing, ("rules without a case in tests/passes/autodiff_cases/: "
                         + ", ".join(missing))


def test_cases_name_rules():
    unknown = sorted(set(CASES) - set(JVP_RULES) - set(VJP_RULES))
    assert not unknown, f"cases for ops that have no rule: {', '.join(unknown)}"


def test_both_modes_have_rules():
    one_sided = sorted(set(JVP_RULES) ^ set(VJP_RULES))
    assert not one_sided, f"ops with a rule in only one of JVP_RULES/VJP_RULES: {one_sided}"


# -- ops without a derivative ------------------------------------------------------------------
NON_DIFFERENTIABLE_PROGRAMS = {
    "stablehlo.floor": lambda x: hlox.lax.floor(x),
    "stablehlo.ceil": lambda x: hlox.lax.ceil(x),
    "stablehlo.round_nearest_even": lambda x: hlox.lax.round(x, hlox.lax.RoundingMethod.TO_NEAREST_EVEN),
    "stablehlo.round_nearest_afz": lambda x: hlox.lax.round(x),
    "stablehlo.sign": lambda x: hlox.lax.sign(x),
    "stablehlo.compare": lambda x: hlox.lax.convert_element_type(hlox.lax.gt(x, 0.0), x.dtype),
    "stablehlo.is_finite": lambda x: hlox.lax.convert_element_type(hlox.lax.is_finite(x), x.dtype),
    "stablehlo.bitcast_convert": lambda x: hlox.lax.bitcast_convert_type(
        hlox.lax.bitcast_convert_type(x, np.int32), np.float32),
}


def _module_of(fn, *args):
    """A fresh module (in hlox's context) holding fn traced as @main."""
    text = hlox.jit(fn).lower(*args).as_text()
    with mlir.context():
        return mlir.ir.Module.parse(text)


def _defining_op_names(func_op):
    """For each returned value of func_op, the names of the ops it is computed from."""
    block = func_op.regions[0].blocks[0]
    returned = list(block.operations)[-1].operands
    names = []
    for v in returned:
        seen, stack = set(), [v]
        while stack:
            value = stack.pop()
            owner = value.owner
            if isinstance(owner, mlir.ir.Block):
                seen.add("<argument>")
                continue
            seen.add(owner.name)
            stack.extend(owner.operands)
        names.append(seen)
    return names


@pytest.mark.parametrize("op_name", sorted(NON_DIFFERENTIABLE_PROGRAMS))
def test_non_differentiable_op_has_no_tangent(op_name):
    fn = NON_DIFFERENTIABLE_PROGRAMS[op_name]
    x = np.linspace(-1.3, 2.6, 6, dtype=np.float32)
    assert op_name in NON_DIFFERENTIABLE
    module = _module_of(lambda x: fn(x) * 2.0, x)
    with module.context:
        assert op_name in _op_names(str(module))
        new = autodiff.jvp(module.operation, "main", wrt=[0], name="main_jvp")
        module.operation.verify()
        tangent_sources = _defining_op_names(new)[1]
    assert tangent_sources <= {"stablehlo.constant", "stablehlo.broadcast_in_dim"}, \
        f"the tangent through {op_name} is not a materialized zero: computed by {tangent_sources}"
    _, t = hlox.jvp(fn, (x,), (np.ones_like(x),))
    np.testing.assert_array_equal(np.asarray(t), np.zeros_like(x))


MISSING_RULE_MODULE = """
func.func @main(%x: tensor<4xf32>) -> tensor<4xf32> {
  %y = stablehlo.sine %x : tensor<4xf32> loc("prog.py":3:7)
  %z = stablehlo.custom_call @my_kernel(%y) : (tensor<4xf32>) -> tensor<4xf32> loc("prog.py":4:9)
  return %z : tensor<4xf32>
}
"""

# A custom_call's derivative depends on its target: known LAPACK kernels have rules, and any
# other target is refused by name.
RULELESS_PROGRAMS = [(MISSING_RULE_MODULE, "stablehlo.custom_call", '"prog.py":4:9', "my_kernel")]


@pytest.mark.parametrize("transform", ["jvp", "vjp"])
@pytest.mark.parametrize("text,op_name,where,target", RULELESS_PROGRAMS)
def test_op_without_rule_fails_naming_it(transform, text, op_name, where, target):
    with mlir.context():
        module = mlir.ir.Module.parse(text)
        with pytest.raises(PassError) as info:
            getattr(autodiff, transform)(module.operation, "main", wrt=[0])
    message = str(info.value)
    assert op_name in message and where in message and target in message, message
