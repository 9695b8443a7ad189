"""JAX's type-promotion lattice with weak types: result_type, promote_types and `x + y`,
for every pair of dtypes, Python scalars and weakly typed arrays, x64 off and on."""
from __future__ import annotations

import itertools

import jax
import jax.numpy as jnp
import ml_dtypes
from jax._src import dtypes as jax_dtypes  # result_type with return_weak_type_flag
import numpy as np
import pytest
from hypothesis import given, strategies as st

import hlox
import hlox.numpy as hnp
from conftest import enable_x64

DTYPES = [np.dtype(t) for t in (np.bool_, np.int8, np.int16, np.int32, np.int64, np.uint8,
                                np.uint16, np.uint32, np.uint64, np.float16, ml_dtypes.bfloat16,
                                np.float32, np.float64, np.complex64, np.complex128)]
SCALARS = [True, 2, 2.0, 2j]
X64 = [False, True]


def _typ(x):
    return np.dtype(x.dtype), bool(getattr(x, "weak_type", False))


# -- result_type / promote_types on dtypes -------------------------------------------------------
@pytest.mark.parametrize("x64", X64)
def test_promote_types_table(x64):
    with enable_x64(x64):
        for a, b in itertools.product(DTYPES, DTYPES):
            assert hnp.promote_types(a, b) == jnp.promote_types(a, b), (a, b)


@pytest.mark.parametrize("x64", X64)
def test_result_type_of_dtypes_and_scalars(x64):
    """result_type on dtypes (strong), Python scalars (weak) and numpy scalars (strong)."""
    operands = DTYPES + SCALARS + [np.dtype(d).type(1) for d in DTYPES]
    with enable_x64(x64):
        for a, b in itertools.product(operands, operands):
            got = hnp.result_type(a, b, return_weak_type_flag=True)
            want = jax_dtypes.result_type(a, b, return_weak_type_flag=True)
            assert (np.dtype(got[0]), got[1]) == (np.dtype(want[0]), want[1]), (a, b)


@pytest.mark.parametrize("x64", X64)
def test_result_type_of_many(x64):
    with enable_x64(x64):
        for args in [(np.int8, 2, 2.0), (np.uint8, np.int8, 2), (True, 2), (2, 2.0, 2j),
                     (np.float16, ml_dtypes.bfloat16, 2j), (np.int64, np.uint64), (np.uint32, np.int32)]:
            got = hnp.result_type(*args, return_weak_type_flag=True)
            want = jax_dtypes.result_type(*args, return_weak_type_flag=True)
            assert (np.dtype(got[0]), got[1]) == (np.dtype(want[0]), want[1]), args


# -- x + y under jit: strong arrays, weak traced scalars, Python scalar literals -----------------
def _operand_kinds():
    """(description, value, passed as a jit argument?)"""
    kinds = [(f"array {d.name}", np.ones((), d), True) for d in DTYPES]
    kinds += [(f"weak traced {type(s).__name__}", s, True) for s in SCALARS[1:]]
    kinds += [(f"literal {type(s).__name__}", s, False) for s in SCALARS]
    kinds += [(f"numpy scalar {d.name}", d.type(1), False) for d in DTYPES]
    return kinds


def _pair_types(jit, add, kinds):
    """Trace one function that adds every pair of operands; record (dtype, weak) of each sum."""
    traced_args = [v for _, v, is_arg in kinds if is_arg]
    found = {}

    def f(args):
        it = iter(args)
        vals = [next(it) if is_arg else v for _, v, is_arg in kinds]
        for (na, _, _), a in zip(kinds, vals):
            for (nb, _, _), b in zip(kinds, vals):
                try:
                    found[na, nb] = _typ(add(a, b))
                except TypeError as e:
                    found[na, nb] = type(e)
        return 0

    jit(f)(traced_args)
    return found


def _plus(a, b):
    """`a + b` with Python's operator; two host scalars would add on the host, so skip them."""
    if isinstance(a, (int, float, complex, np.generic)) and isinstance(b, (int, float, complex, np.generic)):
        raise TypeError("two host scalars")
    return a + b


@pytest.mark.parametrize("x64", X64)
def test_add_operator_table_under_jit(x64):
    kinds = _operand_kinds()
    with enable_x64(x64):
        got = _pair_types(hlox.jit, _plus, kinds)
        want = _pair_types(jax.jit, _plus, kinds)
    mismatches = {k: (got[k], want[k]) for k in want if got[k] != want[k]}
    assert not mismatches, mismatches


@pytest.mark.parametrize("x64", X64)
def test_add_function_table_under_jit(x64):
    kinds = _operand_kinds()
    with enable_x64(x64):
        got = _pair_types(hlox.jit, hnp.add, kinds)
        want = _pair_types(jax.jit, jnp.add, kinds)
    mismatches = {k: (got[k], want[k]) for k in want if got[k] != want[k]}
    assert not mismatches, mismatches


# -- eager: concrete arrays, weak arrays and scalars ---------------------------------------------
def _eager_operand(lib, kind, value):
    """The same operand in hlox or JAX: a device array (strong or weak) or a host scalar."""
    if kind == "strong":
        return lib.numpy.asarray(value)
    if kind == "weak":
        return lib.jit(lambda v: v)(value)
    return value


_EAGER_KINDS = st.one_of(
    st.tuples(st.just("strong"), st.sampled_from(DTYPES).map(lambda d: np.ones((2,), d))),
    st.tuples(st.just("weak"), st.sampled_from(SCALARS[1:])),
    st.tuples(st.just("scalar"), st.sampled_from(SCALARS)),
)


@given(a=_EAGER_KINDS, b=_EAGER_KINDS, x64=st.booleans())
def test_add_eager_matches_jax(a, b, x64):
    if a[0] == "scalar" and b[0] == "scalar":
        b = ("strong", np.ones((2,), np.float32))
    with enable_x64(x64):
        ha, hb = (_eager_operand(hlox, *k) for k in (a, b))
        ja, jb = (_eager_operand(jax, *k) for k in (a, b))
        got, want = ha + hb, ja + jb
        assert _typ(got) == _typ(want)
        np.testing.assert_array_equal(np.asarray(got), np.asarray(want))


@pytest.mark.parametrize("x64", X64)
def test_weak_arrays_keep_weak_type_in_result_type(x64):
    with enable_x64(x64):
        for s in SCALARS[1:]:
            hw, jw = hlox.jit(lambda v: v)(s), jax.jit(lambda v: v)(s)
            assert _typ(hw) == _typ(jw)
            for d in DTYPES:
                got = hnp.result_type(hw, d, return_weak_type_flag=True)
                want = jax_dtypes.result_type(jw, d, return_weak_type_flag=True)
                assert (np.dtype(got[0]), got[1]) == (np.dtype(want[0]), want[1]), (s, d)
