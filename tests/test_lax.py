"""hlox.lax against jax.lax on the same inputs: JAX's signatures, values, shapes, dtypes."""
from __future__ import annotations

import operator

import jax
import jax.lax as jlax
import numpy as np
import pytest
from conftest import assert_matches
from hypothesis import given, strategies as st

import hlox
import hlox.lax as hlax

rng = np.random.default_rng(0)
F = rng.normal(size=(3, 4)).astype(np.float32)
G = rng.normal(size=(3, 4)).astype(np.float32)
I = rng.integers(-5, 5, size=(3, 4)).astype(np.int32)
B = rng.normal(size=(2, 3, 4)).astype(np.float32)
C = rng.normal(size=(2, 4, 5)).astype(np.float32)

CASES = {
    "add": lambda L: L.add(F, G),
    "sub_scalar": lambda L: L.sub(F, 2.0),
    "mul": lambda L: L.mul(I, I),
    "div_int": lambda L: L.div(I, np.full_like(I, 3)),
    "rem": lambda L: L.rem(I, np.full_like(I, 3)),
    "max": lambda L: L.max(F, G),
    "pow": lambda L: L.pow(np.abs(F), G),
    "integer_pow": lambda L: L.integer_pow(F, 3),
    "atan2": lambda L: L.atan2(F, G),
    "exp_log": lambda L: L.log(L.exp(F)),
    "tanh": lambda L: L.tanh(F),
    "logistic": lambda L: L.logistic(F),
    "erf": lambda L: L.erf(F),
    "lgamma": lambda L: L.lgamma(np.abs(F) + 0.5),
    "round_even": lambda L: L.round(F * 3, L.RoundingMethod.TO_NEAREST_EVEN),
    "round_afz": lambda L: L.round(F * 3),
    "compare": lambda L: L.lt(F, G),
    "select": lambda L: L.select(L.gt(F, 0.0), F, G),
    "clamp": lambda L: L.clamp(-0.5, F, 0.5),
    "convert": lambda L: L.convert_element_type(F * 10, np.int32),
    "convert_bool": lambda L: L.convert_element_type(I, np.bool_),
    "bitcast": lambda L: L.bitcast_convert_type(F, np.int32),
    "shift": lambda L: L.shift_right_logical(I, np.full_like(I, 1)),
    "broadcast_in_dim": lambda L: L.broadcast_in_dim(F[:, :1], (2, 3, 4), (1, 2)),
    "broadcast": lambda L: L.broadcast(F, (2,)),
    "reshape": lambda L: L.reshape(F, (4, 3)),
    "reshape_dims": lambda L: L.reshape(F, (4, 3), dimensions=(1, 0)),
    "transpose": lambda L: L.transpose(B, (2, 0, 1)),
    "squeeze": lambda L: L.squeeze(F[:1], (0,)),
    "expand_dims": lambda L: L.expand_dims(F, (0, 3)),
    "slice": lambda L: L.slice(B, (0, 1, 0), (2, 3, 4), (1, 1, 2)),
    "slice_in_dim": lambda L: L.slice_in_dim(F, 1, 3, axis=1),
    "index_in_dim": lambda L: L.index_in_dim(F, -1, axis=0, keepdims=False),
    "dynamic_slice": lambda L: L.dynamic_slice(F, (np.int32(1), np.int32(2)), (2, 2)),
    "dynamic_slice_clamped": lambda L: L.dynamic_slice(F, (np.int32(5), np.int32(-9)), (2, 2)),
    "dynamic_update_slice": lambda L: L.dynamic_update_slice(F, G[:2, :2], (np.int32(2), np.int32(1))),
    "dynamic_index_in_dim": lambda L: L.dynamic_index_in_dim(F, np.int32(2), 0, False),
    "concatenate": lambda L: L.concatenate([F, G, F], 1),
    "pad": lambda L: L.pad(F, 0.5, [(1, 2, 0), (-1, 1, 2)]),
    "rev": lambda L: L.rev(B, (0, 2)),
    "iota": lambda L: L.iota(np.int32, 5),
    "broadcasted_iota": lambda L: L.broadcasted_iota(np.float32, (2, 3), 1),
    "full": lambda L: L.full((2, 2), 3.0, np.float32),
    "dot": lambda L: L.dot(F, G.T),
    "dot_general_batch": lambda L: L.dot_general(B, C, (((2,), (1,)), ((0,), (0,)))),
    "dot_general_pref": lambda L: L.dot_general(I, I.T, (((1,), (0,)), ((), ())),
                                                preferred_element_type=np.float32),
    "reduce_sum": lambda L: L.reduce_sum(B, (0, 2)),
    "reduce_max": lambda L: L.reduce_max(I, (1,)),
    "reduce_custom": lambda L: L.reduce(F, np.float32(0), lambda a, b: a + b * b, (0,)),
    "reduce_multi": lambda L: L.reduce((F, G), (np.float32(-np.inf), np.float32(0)),
                                        lambda a, b: (L.max(a[0], b[0]), a[1] + b[1]), (1,)),
    "argmax": lambda L: L.argmax(F, 1, np.int32),
    "argmin": lambda L: L.argmin(F, 0, np.int32),
    "reduce_window": lambda L: L.reduce_window(B, -np.inf, L.max, (1, 2, 2), (1, 1, 2), "SAME"),
    "reduce_window_sum": lambda L: L.reduce_window(F, 0.0, L.add, (2, 2), (1, 1), "VALID"),
    "sort": lambda L: L.sort(G, dimension=0),
    "sort_multi": lambda L: L.sort((I, F), dimension=1, num_keys=1)[1],
    "sort_key_val": lambda L: L.sort_key_val(G[0], I[0])[1],
    "cumsum": lambda L: L.cumsum(F, axis=1),
    "cumsum_rev": lambda L: L.cumsum(I, axis=0, reverse=True),
    "cumprod": lambda L: L.cumprod(F, axis=0),
    "cummax": lambda L: L.cummax(F, axis=1),
    "select_n": lambda L: L.select_n(np.int32(2) * np.ones((3, 4), np.int32), F, G, F * 2),
    "population_count": lambda L: L.population_count(I),
    "complex": lambda L: L.complex(F, G),
    "conj_imag": lambda L: L.imag(L.conj(L.complex(F, G))),
}


@pytest.mark.parametrize("name", sorted(CASES))
def test_lax_matches_jax(name):
    case = CASES[name]
    ref = case(jlax)
    assert_matches(case(hlax), ref, rtol=2e-6, atol=2e-6)
    assert_matches(hlox.jit(lambda: case(hlax))(), ref, rtol=2e-6, atol=2e-6)


@given(st.lists(st.integers(1, 4), min_size=1, max_size=3), st.data())
def test_dot_general_random_dimension_numbers(shape, data):
    lhs = rng.normal(size=shape).astype(np.float32)
    n = len(shape)
    contract = data.draw(st.lists(st.integers(0, n - 1), unique=True, max_size=n))
    rest = [d for d in range(n) if d not in contract]
    batch = data.draw(st.lists(st.sampled_from(rest), unique=True)) if rest else []
    perm = data.draw(st.permutations(range(n)))
    rhs = np.transpose(rng.normal(size=shape).astype(np.float32), perm)
    inv = [perm.index(d) for d in range(n)]
    dims = ((tuple(contract), tuple(inv[d] for d in contract)),
            (tuple(batch), tuple(inv[d] for d in batch)))
    assert_matches(hlax.dot_general(lhs, rhs, dims), jlax.dot_general(lhs, rhs, dims),
                   rtol=1e-5, atol=1e-5)


def test_lax_requires_one_dtype_like_jax():
    with pytest.raises(TypeError):
        jlax.add(F, I)
    with pytest.raises(TypeError):
        hlax.add(F, I)


def test_dynamic_slice_index_must_be_integer():
    with pytest.raises(TypeError, match="integer"):
        hlax.dynamic_slice(F, (1.0, 0), (1, 1))


def test_operators_on_lax_results():
    out = hlax.add(F, G)
    assert isinstance(out, hlox.Array)
    assert_matches(operator.mul(out, 2), (F + G) * 2)
