"""More checks, against real JAX on the same inputs, of modules hlox implements from JAX's
documented behaviour: jax.monitoring and jax.example_libraries (optimizers, stax)."""
from __future__ import annotations

import importlib

import jax
import jax.monitoring  # noqa: F401
import numpy as np
import pytest

import hlox
import hlox.monitoring  # noqa: F401
from conftest import assert_matches
from test_public_api_behaviour import assert_both_match as _assert_both_match
from test_public_api_behaviour import both as _both


# -- monitoring --------------------------------------------------------------------------------
def test_monitoring_time_spans_duplicates_unregister_and_clear_as_jax():
    def program(lib):
        mon = lib.monitoring
        got = []

        def span(e, s, t, **k):
            got.append((e, s, t, k))

        def event(e, **k):
            got.append((e, k))
        mon.register_event_time_span_listener(span)
        mon.register_event_listener(event)
        mon.register_event_listener(event)
        mon.record_event_time_span("/own/span", 1.0, 2.5, where="here")
        mon.record_event("/own/twice", n=2)
        mon.unregister_event_listener(event)
        mon.record_event("/own/once")
        mon.unregister_event_time_span_listener(span)
        mon.unregister_event_listener(event)
        errors = []
        for unregister in (mon.unregister_event_listener, mon.unregister_scalar_listener,
                           mon.unregister_event_duration_listener,
                           mon.unregister_event_time_span_listener):
            try:
                unregister(event)
            except AssertionError:
                errors.append(True)
        mon.record_event_time_span("/own/after", 0.0, 1.0)
        return [g for g in got if g[0].startswith("/own/")], errors
    ours, theirs = _both(program)
    assert ours == theirs
    assert ours[1] == [True] * 4


# -- example_libraries.optimizers --------------------------------------------------------------
def _optimizers(lib):
    return importlib.import_module(f"{lib.__name__}.example_libraries.optimizers")


_OPTIMIZERS = {"sgd": (0.1,), "momentum": (0.1, 0.8), "nesterov": (0.1, 0.8),
               "adagrad": (0.1, 0.7), "rmsprop": (0.05, 0.8, 1e-6),
               "rmsprop_momentum": (0.05, 0.8, 1e-6, 0.7), "adam": (0.05, 0.8, 0.99, 1e-6),
               "adamax": (0.05, 0.8, 0.99, 1e-6), "sm3": (0.1, 0.7)}


@pytest.mark.parametrize("name", sorted(_OPTIMIZERS))
def test_optimizers_on_a_mixed_pytree_under_jit_match_jax(name):
    rng = np.random.default_rng(3)
    params = {"w": rng.standard_normal((3, 4)).astype(np.float32),
              "b": (np.float32(0.5), rng.standard_normal(4).astype(np.float32))}

    def program(lib):
        opt = _optimizers(lib)
        init, update, get_params = getattr(opt, name)(*_OPTIMIZERS[name])

        def loss(p):
            return lib.numpy.sum(lib.numpy.sin(p["w"]) @ p["b"][1]) + p["b"][0] ** 2

        def step(i, state):
            return update(i, lib.grad(loss)(get_params(state)), state)
        if name != "sm3":  # sm3 keeps each parameter's shape (ints) in its state, as in JAX
            step = lib.jit(step)
        state = init(params)
        for i in range(4):
            state = step(i, state)
        restored = opt.pack_optimizer_state(opt.unpack_optimizer_state(state))
        return get_params(state), get_params(restored), lib.tree_util.tree_leaves(state)
    _assert_both_match(program, rtol=1e-5, atol=1e-6)


def test_optimizer_state_structure_and_errors_match_jax():
    def program(lib):
        opt = _optimizers(lib)
        state = opt.sm3(0.1)[0]({"a": np.float32(1.0), "b": np.ones((2, 3), np.float32)})
        unpacked = opt.unpack_optimizer_state(state)
        leaf = lib.tree_util.tree_leaves(unpacked)[0]
        messages = []
        for bad in (lambda: opt.sm3(0.1)[1](0, {"a": 1.0}, state),
                    lambda: opt.piecewise_constant([1, 2], [1.0]),
                    lambda: opt.piecewise_constant([[1]], [[1.0, 2.0]]),
                    lambda: opt.make_schedule([0.1, 0.2])):
            try:
                bad()
            except (TypeError, ValueError) as e:
                messages.append((type(e).__name__, str(e).replace("jax", "").replace("hlox", "")))
        return (str(state.tree_def), [str(d) for d in state.subtree_defs],
                [[np.shape(x) for x in leaves] for leaves in state.packed_state],
                type(leaf).__name__, len(list(leaf)), messages,
                opt.Optimizer._fields, opt.OptimizerState._fields)
    ours, theirs = _both(program)
    assert ours == theirs


def test_schedules_and_gradient_helpers_match_jax():
    tree = {"x": np.arange(6, dtype=np.float32).reshape(2, 3), "y": [np.float32(-2.0)]}

    def program(lib):
        opt = _optimizers(lib)
        schedules = [opt.exponential_decay(0.3, 4, 0.7), opt.inverse_time_decay(0.3, 2, 0.5),
                     opt.polynomial_decay(1.0, 4, 0.1), opt.piecewise_constant([0, 3], [1, 2, 3])]
        jitted = [lib.jit(s)(np.int32(5)) for s in schedules]
        return ([[s(i) for i in range(6)] for s in schedules], jitted,
                opt.l2_norm(tree), opt.clip_grads(tree, 1.0), opt.clip_grads(tree, 100.0))
    _assert_both_match(program, rtol=1e-6, atol=1e-7)


# -- example_libraries.stax --------------------------------------------------------------------
def _stax(lib):
    return importlib.import_module(f"{lib.__name__}.example_libraries.stax")


def test_stax_layers_init_params_shapes_and_outputs_match_jax():
    rng = np.random.default_rng(5)
    x4 = rng.standard_normal((2, 3, 7, 6)).astype(np.float32)  # NCHW for the spec'd layers
    x3 = rng.standard_normal((2, 5, 3)).astype(np.float32)

    def program(lib):
        stax = _stax(lib)
        layers = {
            "nchw_conv": (stax.GeneralConv(("NCHW", "OIHW", "NCHW"), 4, (3, 2), strides=(2, 1),
                                           padding="SAME"), x4),
            "conv1d_t": (stax.Conv1DTranspose(2, (3,), strides=(2,), padding="SAME"), x3),
            "pools": (stax.serial(stax.FanOut(3), stax.parallel(
                stax.MaxPool((2, 3), strides=(1, 2), padding="SAME", spec="NCHW"),
                stax.AvgPool((3, 2), padding="SAME", spec="NCHW"),
                stax.SumPool((2, 2), spec="NCHW")), stax.parallel(
                    stax.Flatten, stax.Flatten, stax.Flatten), stax.FanInConcat(-1)), x4),
            "norms": (stax.serial(stax.BatchNorm(axis=(0, 2, 3), center=False),
                                  stax.BatchNorm(axis=(0, 1), scale=False, epsilon=1e-3)), x4),
            "acts": (stax.serial(stax.Elu, stax.LeakyRelu, stax.Selu, stax.Sigmoid,
                                 stax.Softplus, stax.Exp, stax.Identity), x3),
            "sum": (stax.serial(stax.FanOut(2), stax.parallel(stax.Dense(4), stax.Dense(4)),
                                stax.FanInSum), x3),
            "shape_dep": (stax.shape_dependent(lambda s: stax.Dense(s[-1] * 2)), x3),
        }
        out = {}
        for name, ((init, apply), x) in layers.items():
            shape, params = init(lib.random.key(7), x.shape)
            grads = lib.grad(lambda p: lib.numpy.sum(apply(p, x) ** 2))(params)
            out[name] = (shape, params, lib.jit(apply)(params, x), grads)
        return out
    ours, theirs = _both(program)
    for name in ours:
        assert ours[name][0] == theirs[name][0], name
        _assert_both_match(lambda lib: (ours, theirs)[lib is jax][name][1:], rtol=2e-5, atol=2e-5)


def test_stax_dropout_modes_and_missing_key_match_jax():
    x = np.linspace(1, 2, 20, dtype=np.float32).reshape(4, 5)

    def program(lib):
        stax = _stax(lib)
        results = []
        for mode in ("train", "test"):
            init, apply = stax.serial(stax.Dense(5), stax.Dropout(0.7, mode=mode))
            _, params = init(lib.random.key(0), x.shape)
            results.append(apply(params, x, rng=lib.random.key(4)))
            try:
                apply(params, x)
            except ValueError as e:
                results.append(str(e))
        return results
    ours, theirs = _both(program)
    assert ours[1] == theirs[1] and ours[3] == theirs[3]
    for a, b in ((ours[0], theirs[0]), (ours[2], theirs[2])):
        assert_matches(a, b, rtol=1e-5, atol=1e-6)
