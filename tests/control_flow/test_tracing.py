"""Tracing control flow against real JAX on the same inputs, eager and under jit: cond (incl.
the older 3-operand form and numeric predicates), switch (incl. out-of-range indices),
while_loop, fori_loop (static and traced bounds), scan (pytrees, length, reverse), map,
associative_scan, select_n, the cumulative reductions, nested constructs; the IR they
become; and the errors for mismatched types, JAX's exception types with the user's line."""
from __future__ import annotations

import os

import jax
import jax.numpy as jr
import numpy as np
import pytest
from conftest import assert_matches, enable_x64
from hypothesis import given, settings
from hypothesis import strategies as st

import hlox
import hlox.numpy as jnp
from hlox import lax

rng = np.random.default_rng(0)
X = rng.uniform(-1, 1, 3).astype(np.float32)
M = rng.uniform(-1, 1, (5, 2)).astype(np.float32)
I3 = np.array([3, -1, 2], np.int32)


def close(actual, expected, tol=1e-5, weak=True):
    la, lb = hlox.tree_util.tree_leaves(actual), jax.tree_util.tree_leaves(expected)
    assert hlox.tree_util.tree_structure(actual).num_leaves == len(lb), (actual, expected)
    for a, b in zip(la, lb):
        assert_matches(a, b, rtol=tol, atol=tol, check_weak=weak)


def check(build, *args, tol=1e-5):
    """build(lax, numpy) -> f: hlox's f against JAX's f on the same args, eager and jitted."""
    h, j = build(lax, jnp), build(jax.lax, jr)
    close(h(*args), j(*args), tol)
    close(hlox.jit(h)(*args), jax.jit(j)(*args), tol)


# -- every construct, eager and under jit -------------------------------------------------------
CASES = {
    # cond
    "cond-true": (lambda L, n: lambda p, x: L.cond(p, n.sin, lambda a: a * 2, x), (True, X)),
    "cond-false": (lambda L, n: lambda p, x: L.cond(p, n.sin, lambda a: a * 2, x), (False, X)),
    "cond-int-pred": (lambda L, n: lambda p, x: L.cond(p, n.sin, n.cos, x), (np.int32(3), X)),
    "cond-int-pred-zero": (lambda L, n: lambda p, x: L.cond(p, n.sin, n.cos, x), (0, X)),
    "cond-float-pred": (lambda L, n: lambda p, x: L.cond(p, n.sin, n.cos, x), (np.float32(0), X)),
    "cond-no-operands": (lambda L, n: lambda p: L.cond(p, lambda: 1.0, lambda: 2.0), (True,)),
    "cond-mixed-weak": (lambda L, n: lambda p: L.cond(p, lambda: 1.0, lambda: np.float32(2)),
                        (False,)),
    "cond-pytree": (lambda L, n: lambda p, x: L.cond(
        p, lambda a, b: {"s": a * b, "t": (a, b[0])}, lambda a, b: {"s": a - b, "t": (b, a[1])},
        x, 2 * x), (True, X)),
    "cond-operand-kw": (lambda L, n: lambda p, x: L.cond(p, n.sin, n.cos, operand=x), (True, X)),
    "cond-closure": (lambda L, n: lambda p, x, y: L.cond(p, lambda a: a * y, lambda a: a + y[0],
                                                         x), (False, X, M[:3, 0].copy())),
    "cond-3-operand-form": (lambda L, n: lambda p, x: L.cond(p, x, lambda a: a * 2, x[0],
                                                             lambda b: n.full(3, b)), (False, X)),
    "cond-int-outputs": (lambda L, n: lambda p, i: L.cond(p, lambda a: a + 1, lambda a: a * 3,
                                                          i), (True, I3)),
    # switch
    **{f"switch-{i}": (lambda L, n: lambda i, x: L.switch(
        i, [n.sin, lambda a: a * 2, lambda a: a - 1], x), (i, X)) for i in (0, 1, 2, 7, -3)},
    "switch-one-branch": (lambda L, n: lambda i, x: L.switch(i, [n.sin], x), (4, X)),
    "switch-pytree": (lambda L, n: lambda i, x: L.switch(
        i, [lambda a: (a, a[0]), lambda a: (a * 3, n.sum(a))], x), (np.int32(1), X)),
    # while_loop
    "while-counter": (lambda L, n: lambda x: L.while_loop(
        lambda c: c[0] < 5, lambda c: (c[0] + 1, c[1] * 1.5 + c[0]), (0, x)), (X,)),
    "while-data-dependent": (lambda L, n: lambda x: L.while_loop(
        lambda c: n.sum(c) < 10.0, lambda c: c * 1.7 + 0.5, x), (np.abs(X),)),
    "while-closure": (lambda L, n: lambda x, y: L.while_loop(
        lambda c: c[1] < y[0] * 10, lambda c: (c[0] * y, c[1] + 1.0), (x, 0.0)),
        (X, np.float32([0.9, 1.1, 0.2]))),
    "while-zero-steps": (lambda L, n: lambda x: L.while_loop(lambda c: c[0] > 100.0,
                                                             lambda c: c * 2, x), (X,)),
    "while-weak-promoted": (lambda L, n: lambda: L.while_loop(lambda c: c < 3,
                                                              lambda c: c + 0.5, 0), ()),
    # fori_loop
    "fori-static": (lambda L, n: lambda x: L.fori_loop(0, 4, lambda i, c: c * 1.5 + i, x), (X,)),
    "fori-static-offset": (lambda L, n: lambda x: L.fori_loop(2, 5, lambda i, c: c + n.asarray(x)[i - 2],
                                                              x), (X,)),
    "fori-static-empty": (lambda L, n: lambda x: L.fori_loop(3, 1, lambda i, c: c * 2, x), (X,)),
    "fori-weak-counter": (lambda L, n: lambda: L.fori_loop(0, 3, lambda i, c: c + i, 0), ()),
    "fori-traced-bounds": (lambda L, n: lambda x, k: L.fori_loop(0, k, lambda i, c: c * x + i, x),
                           (X, np.int32(3))),
    "fori-traced-lower": (lambda L, n: lambda x, k: L.fori_loop(k, 4, lambda i, c: c - i, x),
                          (X, np.int32(1))),
    "fori-pytree": (lambda L, n: lambda x: L.fori_loop(0, 3, lambda i, c: (c[0] + c[1], c[1] * 2),
                                                       (x, x[::-1])), (X,)),
    # scan
    "scan-pytrees": (lambda L, n: lambda x, m: L.scan(
        lambda c, a: ({"h": n.tanh(c["h"] * a["w"][0] + a["b"]), "k": c["k"] + 1},
                      (c["h"] * 2, n.sum(a["w"]))),
        {"h": x[:2], "k": 0}, {"w": m, "b": m[:, ::-1]}), (X, M)),
    "scan-reverse": (lambda L, n: lambda m: L.scan(lambda c, a: (c + a, c * a), n.zeros(2), m,
                                                   reverse=True), (M,)),
    "scan-length": (lambda L, n: lambda x: L.scan(lambda c, _: (c * 2, c), x, None, length=4),
                    (X,)),
    "scan-no-ys": (lambda L, n: lambda m: L.scan(lambda c, a: (c * a, None), n.ones(2), m), (M,)),
    "scan-no-carry": (lambda L, n: lambda m: L.scan(lambda c, a: (c, n.sin(a)), (), m), (M,)),
    "scan-weak-carry": (lambda L, n: lambda x: L.scan(lambda c, a: (c + a, c * 2.0), 0.0, x),
                        (X,)),
    "scan-zero-length": (lambda L, n: lambda m: L.scan(lambda c, a: (c + a, c), n.zeros(2),
                                                       m[:0]), (M,)),
    "scan-closure": (lambda L, n: lambda x, m: L.scan(lambda c, a: (c + a * x[:2], c), x[:2], m),
                     (X, M)),
    # map
    "map": (lambda L, n: lambda m: L.map(lambda a: (n.sum(a), a * 2), m), (M,)),
    "map-batch-size": (lambda L, n: lambda m: L.map(lambda a: a * 2, m, batch_size=2), (M,)),
    "map-pytree": (lambda L, n: lambda m: L.map(lambda d: d["a"] * d["b"], {"a": m, "b": m}), (M,)),
    # associative_scan
    "assoc-add": (lambda L, n: lambda m: L.associative_scan(n.add, m), (M,)),
    "assoc-reverse": (lambda L, n: lambda m: L.associative_scan(n.multiply, m, reverse=True),
                      (M,)),
    "assoc-axis": (lambda L, n: lambda m: L.associative_scan(n.maximum, m.T, axis=1), (M,)),
    "assoc-axis-neg": (lambda L, n: lambda m: L.associative_scan(n.add, m, axis=-1), (M,)),
    "assoc-pytree": (lambda L, n: lambda m: L.associative_scan(
        lambda a, b: (a[0] + b[0], n.minimum(a[1], b[1])), (m, -m)), (M,)),
    "assoc-odd-length": (lambda L, n: lambda m: L.associative_scan(n.add, m[:3]), (M,)),
    "assoc-length-one": (lambda L, n: lambda m: L.associative_scan(n.add, m[:1]), (M,)),
    "assoc-affine": (lambda L, n: lambda m: L.associative_scan(  # not commutative
        lambda a, b: (a[0] * b[0], a[1] * b[0] + b[1]), (m[:, 0], m[:, 1])), (M,)),
    # select_n
    "select_n-bool": (lambda L, n: lambda p, x: L.select_n(p, x, x * 2),
                      (np.array([True, False, True]), X)),
    "select_n-int": (lambda L, n: lambda i, x: L.select_n(i, x, x * 2, -x),
                     (np.array([0, 2, 1], np.int32), X)),
    "select_n-scalar-pred": (lambda L, n: lambda x: L.select_n(True, x, x * 2), (X,)),
    # cumulative reductions
    "cumsum": (lambda L, n: lambda m: L.cumsum(m), (M,)),
    "cumsum-reverse-axis": (lambda L, n: lambda m: L.cumsum(m, axis=1, reverse=True), (M,)),
    "cumprod": (lambda L, n: lambda m: L.cumprod(m + 1, axis=0), (M,)),
    "cumprod-reverse": (lambda L, n: lambda m: L.cumprod(m, reverse=True), (M,)),
    "cummax": (lambda L, n: lambda m: L.cummax(m, axis=0), (M,)),
    "cummax-reverse": (lambda L, n: lambda m: L.cummax(m, axis=1, reverse=True), (M,)),
    "cummin": (lambda L, n: lambda m: L.cummin(m), (M,)),
    "cumsum-int": (lambda L, n: lambda i: L.cumsum(i), (I3,)),
    # nested constructs
    "loop-in-branch": (lambda L, n: lambda p, x: L.cond(
        p, lambda a: L.fori_loop(0, 3, lambda i, c: n.sin(c) + a, a), lambda a: -a, x),
        (True, X)),
    "nested-loops": (lambda L, n: lambda x: L.fori_loop(0, 3, lambda i, c: L.fori_loop(
        0, i + 1, lambda j, d: d * 0.5 + j, c), x), (X,)),
    "scan-in-cond": (lambda L, n: lambda p, m: L.cond(
        p, lambda a: L.scan(lambda c, r: (c + r, c), a[0], a)[1], lambda a: a * 0, m), (True, M)),
    "cond-in-scan": (lambda L, n: lambda m: L.scan(lambda c, r: (L.cond(
        r[0] > 0, lambda: c + r, lambda: c - r), c), n.zeros(2), m), (M,)),
    "while-in-scan": (lambda L, n: lambda m: L.scan(lambda c, r: (c + 1, L.while_loop(
        lambda v: v[0] < 1.0, lambda v: v + n.abs(r) + 0.1, n.zeros(2))), 0.0, m), (M,)),
    "switch-in-while": (lambda L, n: lambda x: L.while_loop(lambda c: c[0] < 4, lambda c: (
        c[0] + 1, L.switch(c[0], [n.sin, n.cos, lambda a: a * 2], c[1])), (0, x)), (X,)),
}


@pytest.mark.parametrize("name", sorted(CASES))
def test_matches_jax(name):
    build, args = CASES[name]
    check(build, *args)


def test_fori_counter_is_weak_int64_under_x64():
    with enable_x64():
        check(lambda L, n: lambda: L.fori_loop(0, 3, lambda i, c: c + i, 0))
        check(lambda L, n: lambda x: L.scan(lambda c, a: (c + a, c), 0.0, x), X.astype(np.float64))


@settings(max_examples=8)
@given(shape=st.sampled_from([(2,), (3, 2), (1, 2, 2)]),
       dtype=st.sampled_from([np.float32, np.int32, np.float16]),
       reverse=st.booleans(), length=st.integers(1, 4))
def test_scan_shapes_and_dtypes(shape, dtype, reverse, length):
    xs = (rng.uniform(-3, 3, (length,) + shape)).astype(dtype)

    def build(L, n):
        def step(c, x):
            c = c * 2 + x
            return c, (c - x, n.sum(c))
        return lambda xs: L.scan(step, n.zeros(shape, dtype), xs, reverse=reverse)
    check(build, xs, tol=1e-2 if dtype == np.float16 else 1e-5)


@settings(max_examples=8)
@given(axis=st.integers(0, 1), reverse=st.booleans(), n=st.integers(1, 9),
       op=st.sampled_from(["add", "multiply", "maximum"]))
def test_associative_scan_lengths(axis, reverse, n, op):
    elems = rng.uniform(0.5, 1.5, (n, 2) if axis == 0 else (2, n)).astype(np.float32)
    check(lambda L, np_: lambda e: L.associative_scan(getattr(np_, op), e, reverse, axis), elems)


# -- the IR -------------------------------------------------------------------------------------
def ir_of(f, *args):
    return hlox.jit(f).lower(*args).as_text()


def test_scan_is_one_while_with_its_trip_count():
    text = ir_of(lambda m: lax.scan(lambda c, a: (c + a, c * a), jnp.zeros(2), m), M)
    assert text.count("stablehlo.while") == 1, text
    assert "hlox.trip_count = 5" in text, text


def test_static_fori_loop_is_counted_and_traced_bounds_are_not():
    static = ir_of(lambda x: lax.fori_loop(0, 4, lambda i, c: c * 2, x), X)
    assert "hlox.trip_count = 4" in static, static
    traced = ir_of(lambda x, k: lax.fori_loop(0, k, lambda i, c: c * 2, x), X, 3)
    assert "stablehlo.while" in traced and "hlox.trip_count" not in traced, traced


def test_while_records_max_steps():
    text = ir_of(lambda x: lax.while_loop(lambda c: c[0] < 2.0, lambda c: c * 2, x,
                                          max_steps=7), np.abs(X) + 0.1)
    assert "hlox.max_steps = 7" in text, text


def test_branches_are_private_functions_taking_their_closures():
    y = np.float32(3)
    text = ir_of(lambda p, x: lax.cond(p, lambda a: a * y, lambda a: jnp.sin(a) + x[0], x),
                 True, X)
    assert "stablehlo.if" in text and "stablehlo.case" not in text, text
    assert text.count("func.func private") >= 2, text
    switch = ir_of(lambda i, x: lax.switch(i, [jnp.sin, jnp.cos, jnp.tanh], x), 1, X)
    assert "stablehlo.case" in switch, switch


# -- errors: JAX's exception types and sentences, naming both types and the user's line -----------
def _line_of(fn):
    return f"{os.path.basename(__file__)}:{fn.__code__.co_firstlineno}"


F3, F2, I3F = np.ones(3, np.float32), np.ones(2, np.float32), np.ones(3, np.int32)
ERRORS = {
    # name: (build(L, n) -> thunk, exception, fragments of the message)
    "cond-dtypes": (lambda L, n: lambda: L.cond(True, lambda a: a, lambda a: a.astype(n.int32), F3),
                    TypeError, ["float32[3]", "int32[3]", "dtypes do not match", "true_fun",
                                "false_fun"]),
    "cond-shapes": (lambda L, n: lambda: L.cond(True, lambda a: a, lambda a: a[:2], F3),
                    TypeError, ["float32[3]", "float32[2]", "shapes do not match"]),
    "cond-structure": (lambda L, n: lambda: L.cond(True, lambda a: (a, a), lambda a: a, F3),
                       TypeError, ["pytree structure"]),
    "cond-pytree-path": (lambda L, n: lambda: L.cond(True, lambda a: {"u": a, "v": a},
                                                     lambda a: {"u": a, "v": a[:1]}, F3),
                         TypeError, ["['v']", "float32[3]", "float32[1]"]),
    "cond-pred-shape": (lambda L, n: lambda: L.cond(F3 > 0, lambda: 1.0, lambda: 2.0),
                        TypeError, ["Pred must be a scalar", "(3,)"]),
    "cond-not-callable": (lambda L, n: lambda: L.cond(True, 1, 2), TypeError, ["callable"]),
    "switch-types": (lambda L, n: lambda: L.switch(1, [lambda a: a, lambda a: a[:2]], F3),
                     TypeError, ["float32[3]", "float32[2]", "branch 0", "branch 1",
                                 "shapes do not match"]),
    "switch-float-index": (lambda L, n: lambda: L.switch(1.0, [lambda: 1.0, lambda: 2.0]),
                           TypeError, ["Index type must be an integer", "float32"]),
    "switch-empty": (lambda L, n: lambda: L.switch(0, []), ValueError, ["Empty branch sequence"]),
    "while-carry-dtype": (lambda L, n: lambda: L.while_loop(
        lambda c: c[0] < 3, lambda c: (c[0] + 1, c[1].astype(n.int32)), (0, F3)),
        TypeError, ["while_loop body", "float32[3]", "int32[3]", "dtypes do not match", "[1]"]),
    "while-carry-shape": (lambda L, n: lambda: L.while_loop(
        lambda c: c[0] < 3, lambda c: (c[0] + 1, c[1][:2]), (0, F3)),
        TypeError, ["float32[3]", "float32[2]", "shapes do not match"]),
    "while-carry-structure": (lambda L, n: lambda: L.while_loop(
        lambda c: c[0] < 3, lambda c: c[0] + 1, (0, F3)), TypeError, ["pytree structure"]),
    "while-cond-float": (lambda L, n: lambda: L.while_loop(lambda c: c, lambda c: c - 1, 3.0),
                         TypeError, ["cond_fun must return a boolean scalar", "float32[]"]),
    "while-cond-int": (lambda L, n: lambda: L.while_loop(lambda c: c, lambda c: c - 1, 3),
                       TypeError, ["cond_fun must return a boolean scalar", "int32[]"]),
    "while-cond-vector": (lambda L, n: lambda: L.while_loop(lambda c: c > 0, lambda c: c - 1, F3),
                          TypeError, ["cond_fun must return a boolean scalar", "bool[3]"]),
    "scan-lengths": (lambda L, n: lambda: L.scan(lambda c, a: (c, a), 0.0, (F3, np.ones(4))),
                     ValueError, ["different leading axis sizes", "3", "4"]),
    "scan-length-arg": (lambda L, n: lambda: L.scan(lambda c, a: (c, a), 0.0, F3, length=4),
                        ValueError, ["`length` argument of 4", "[3]"]),
    "scan-no-length": (lambda L, n: lambda: L.scan(lambda c, a: (c, a), 0.0, None),
                       ValueError, ["`length` not provided"]),
    "scan-carry-dtype": (lambda L, n: lambda: L.scan(lambda c, a: (c.astype(n.int32), a),
                                                     np.float32(0), F3),
                         TypeError, ["scan body", "float32[]", "int32[]", "dtypes do not match"]),
    "scan-carry-shape": (lambda L, n: lambda: L.scan(lambda c, a: (c[:2], a), F3, F3),
                         TypeError, ["scan body", "float32[3]", "float32[2]", "shapes"]),
    "scan-not-a-pair": (lambda L, n: lambda: L.scan(lambda c, a: c, F3, F3),
                        TypeError, ["scan body output must be a pair"]),
    "fori-carry-dtype": (lambda L, n: lambda: L.fori_loop(0, 3, lambda i, c: c.astype(n.int32),
                                                          F3),
                         TypeError, ["float32[3]", "int32[3]", "dtypes do not match"]),
    "assoc-lengths": (lambda L, n: lambda: L.associative_scan(
        lambda a, b: (a[0] + b[0], a[1] + b[1]), (F3, np.ones(4))),
        ValueError, ["same first dimension"]),
}


@pytest.mark.parametrize("name", sorted(ERRORS))
@pytest.mark.parametrize("under_jit", [False, True], ids=["eager", "jit"])
def test_errors_like_jax(name, under_jit):
    build, exc, fragments = ERRORS[name]
    thunk, j_thunk = build(lax, jnp), build(jax.lax, jr)
    if under_jit:
        thunk = (lambda t: lambda: hlox.jit(lambda: t())())(thunk)
    with pytest.raises(exc) as info:
        thunk()
    message = str(info.value)
    for fragment in fragments:
        assert fragment in message, f"{fragment!r} not in {message!r}"
    assert _line_of(build) in message, f"the user's line {_line_of(build)} not in {message!r}"
    with pytest.raises(exc):  # JAX raises the same exception type
        j_thunk()


def test_scan_over_a_scalar_is_a_value_error():
    with pytest.raises(ValueError, match="no leading axis"):
        lax.scan(lambda c, a: (c, a), 0.0, np.float32(1))
