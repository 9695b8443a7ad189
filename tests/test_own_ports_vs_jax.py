"""More checks, against real JAX on the same inputs, of modules hlox implements from JAX's
documented behaviour: jax.monitoring, jax.example_libraries (optimizers, stax), jax.image and
jax.scipy.linalg's special matrices and matrix exponential."""
from __future__ import annotations

import importlib

import jax
import jax.image  # noqa: F401
import jax.monitoring  # noqa: F401
import numpy as np
import pytest

import hlox
import hlox.image  # noqa: F401
import hlox.monitoring  # noqa: F401
from conftest import assert_matches


def _both(program):
    return program(hlox), program(jax)


def _assert_both_match(program, **tol):
    ours, theirs = _both(program)
    ours_leaves, theirs_leaves = jax.tree_util.tree_leaves(ours), jax.tree_util.tree_leaves(theirs)
    assert len(ours_leaves) == len(theirs_leaves)
    for a, b in zip(ours_leaves, theirs_leaves):
        assert_matches(a, b, **tol)


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
