"""Every rule of BATCH_RULES checked against running the op per example in a Python loop
(DESIGN.md, "Rules live in tables").

The examples come from tests/passes/batching_cases/ (format in its README.md). Each case is
traced per example into @main, the batching pass adds @main_batch for one pattern of batch
axes (every argument at axis 0, in the middle, last; one argument batched alone; all but one
batched), and @main_batch run on the stacked examples must equal hlox.jit(fn) run on each
example and stacked. The IR is checked too: values that do not depend on a batched argument
keep their per-example types, and no rule falls back to a stablehlo.while unless its case says
that running per example is the rule.
"""
from __future__ import annotations

import collections

import numpy as np
import pytest

import hlox
import hlox.numpy as jnp
from hlox import lax
from hlox.lowering import mlir, module_runner
from hlox.passes import batching
from hlox.passes.batching import BATCH_RULES
from hlox.passes.registry import PassError

from batching_cases import B, load_cases
from conftest import enable_x64

CASES = load_cases()
_JITTED: dict = {}


# -- patterns of batch axes ------------------------------------------------------------------------
def patterns(case):
    """{name: in_axes} for one case: the batch axis at different positions, and mixes of
    batched and unbatched arguments (duplicates dropped)."""
    ranks = [a.ndim - 1 for a in case.args]
    n = len(ranks)
    candidates = [("axis0", [0] * n), ("middle", [(r + 1) // 2 for r in ranks]),
                  ("last", list(ranks))]
    if n > 1:
        for i in range(n):
            candidates.append((f"only{i}-last", [r if j == i else None
                                                 for j, r in enumerate(ranks)]))
            candidates.append((f"all-but{i}-middle", [None if j == i else (r + 1) // 2
                                                      for j, r in enumerate(ranks)]))
    seen, out = set(), []
    for name, axes in candidates:
        if tuple(axes) not in seen:
            seen.add(tuple(axes))
            out.append((name, axes))
    return out


def _params():
    params = []
    for op_name, cases in sorted(CASES.items()):
        for i, case in enumerate(cases):
            for pattern, axes in patterns(case):
                params.append(pytest.param(op_name, case, axes,
                                           id=f"{op_name}-{case.name or i}-{pattern}"))
    return params


# -- IR helpers ---------------------------------------------------------------------------------------
def traced_module(fn, args):
    """fn traced at per-example `args` as @main of a fresh module (in hlox's context)."""
    text = hlox.jit(fn).lower(*args).as_text()
    with mlir.context():
        return mlir.ir.Module.parse(text)


def walk(op):
    """op and every op nested in its regions."""
    yield op
    for region in op.regions:
        for block in region.blocks:
            for inner in block.operations:
                yield from walk(inner.operation)


def function(module, name):
    return next(op.operation for op in module.body.operations
                if op.operation.name == "func.func"
                and mlir.ir.StringAttr(op.operation.attributes["sym_name"]).value == name)


def top_level(func_op):
    return [op.operation for op in func_op.regions[0].blocks[0].operations][:-1]


def signature(op):
    return op.name, tuple(str(r.type) for r in op.results)


def _uses_any(op, values):
    return any(v in values for inner in walk(op) for v in inner.operands)


def unbatched_ops(func_op, in_axes):
    """Signatures of the ops of func_op that depend on no argument batched by `in_axes`."""
    batched = {a for a, axis in zip(func_op.regions[0].blocks[0].arguments, in_axes)
               if axis is not None}
    out = []
    for op in top_level(func_op):
        if _uses_any(op, batched):
            batched.update(op.results)
        else:
            out.append(signature(op))
    return out


def batched_program(case, in_axes):
    """(module, @main, @main_batch) for the case's first example and these batch axes."""
    module = traced_module(case.fn, case.example(0))
    with module.context:
        batching.batch(module.operation, "main", in_axes=in_axes, size=B, name="main_batch")
    return module, function(module, "main"), function(module, "main_batch")


def inputs_for(case, in_axes):
    return [a[0] if axis is None else np.moveaxis(a, 0, axis)
            for a, axis in zip(case.args, in_axes)]


def per_example(case, in_axes):
    """hlox.jit(fn) run on each example (example 0 for unbatched arguments), stacked."""
    f = _JITTED.setdefault(id(case), hlox.jit(case.fn))  # one compilation per case
    outs = []
    for b in range(B):
        args = [a[0] if axis is None else a[b] for a, axis in zip(case.args, in_axes)]
        outs.append([np.asarray(o) for o in hlox.tree_util.tree_leaves(f(*args))])
    return [np.stack(col) for col in zip(*outs)]


# -- the rule table ----------------------------------------------------------------------------------
@pytest.mark.parametrize("op_name,case,in_axes", _params())
def test_rule(op_name, case, in_axes):
    with enable_x64():
        module, main, batched = batched_program(case, in_axes)
        assert op_name in {op.name for op in walk(main)}, \
            f"the case for {op_name} does not trace to a function containing it:\n{main}"
        loops = [op for op in walk(batched) if op.name == "stablehlo.while"]
        assert case.loop or not loops, \
            f"{op_name} fell back to a per-example stablehlo.while:\n{batched}"
        kept = collections.Counter(unbatched_ops(main, in_axes))
        present = collections.Counter(signature(op) for op in top_level(batched))
        assert not kept - present, (f"values that do not depend on the batch were batched: "
                                    f"{sorted(kept - present)}\n{batched}")
        with module.context:
            actual = module_runner.run_function(module, "main_batch", inputs_for(case, in_axes))
        expected = per_example(case, in_axes)
        assert len(actual) == len(expected)
        for k, (a, e) in enumerate(zip(actual, expected)):
            assert a.dtype == e.dtype and a.shape == e.shape, \
                f"output {k}: {a.dtype}{a.shape} != per-example {e.dtype}{e.shape}"
            np.testing.assert_allclose(a, e, rtol=case.rtol, atol=case.atol, equal_nan=True,
                                       err_msg=f"{op_name} output {k} != the per-example loop")


def test_every_rule_has_a_case():
    missing = sorted(set(BATCH_RULES) - set(CASES))
    assert not missing, ("batching rules without a case in tests/passes/batching_cases/: "
                         + ", ".join(missing))


def test_cases_name_rules():
    unknown = sorted(set(CASES) - set(BATCH_RULES))
    assert not unknown, f"cases for ops that have no batching rule: {', '.join(unknown)}"


# -- what the batched IR looks like -------------------------------------------------------------------
def _batched_ops(fn, args, in_axes, size=B):
    """The ops (nested ones too) of fn's batched function, by name, and the function."""
    module = traced_module(fn, args)
    with module.context:
        batching.batch(module.operation, "main", in_axes=in_axes, size=size, name="main_batch")
    batched = function(module, "main_batch")
    return collections.Counter(op.name for op in walk(batched)), batched, module


@pytest.mark.parametrize("in_axes", [(0, 0), (2, 1), (0, None), (None, 1)])
def test_dot_general_gets_a_batch_dimension_not_a_loop_or_transposes(in_axes):
    x, y = np.ones((4, 5), np.float32), np.ones((5, 6), np.float32)
    names, batched, _ = _batched_ops(lambda a, b: a @ b, (x, y), in_axes)
    assert names["stablehlo.dot_general"] == 1 and "stablehlo.while" not in names, batched
    dot = next(op for op in walk(batched) if op.name == "stablehlo.dot_general")
    # its operands are the arguments themselves: no transposes before it (only the result
    # may move to axis 0, where the batched function returns it)
    assert list(dot.operands) == list(batched.regions[0].blocks[0].arguments), batched
    both = None not in in_axes
    assert ("batching_dims" in str(dot)) == both, dot


def test_unbatched_values_keep_their_types():
    def f(x, w):
        return jnp.tanh(x @ jnp.sin(w)) + jnp.sum(w)
    names, batched, _ = _batched_ops(f, (np.ones((3, 4)), np.ones((4, 2))), (0, None), size=5)
    text = str(batched)
    assert "stablehlo.sine %arg1 : tensor<4x2xf32>" in text, text
    reduce = next(op for op in walk(batched) if op.name == "stablehlo.reduce")
    assert str(reduce.results[0].type) == "tensor<f32>", text
    assert "stablehlo.while" not in names


def test_batched_start_indices_become_gather_and_scatter():
    def f(x, i):
        return lax.dynamic_update_slice(x, lax.dynamic_slice(x, (i, 0), (2, 3)) * 2, (i + 1, 0))
    names, batched, _ = _batched_ops(f, (np.ones((5, 3), np.float32), np.int32(1)), (0, 0))
    assert names["stablehlo.gather"] == 1 and names["stablehlo.scatter"] == 1, batched
    assert "stablehlo.while" not in names, batched
    assert "operand_batching_dims = [0]" in str(batched) and "input_batching_dims = [0]" in \
        str(batched), batched


def test_custom_call_runs_per_example_in_a_while():
    case = CASES["stablehlo.custom_call"][0]
    with enable_x64():
        names, batched, _ = _batched_ops(case.fn, case.example(0), (0,))
    loop = next(op for op in walk(batched) if op.name == "stablehlo.while")
    assert "stablehlo.custom_call" in {op.name for op in walk(loop)}, batched
    assert names["stablehlo.custom_call"] == 1, batched


@pytest.mark.parametrize("op_name", ["stablehlo.convolution", "stablehlo.gather",
                                     "stablehlo.scatter", "stablehlo.select_and_scatter"])
def test_empty_batch(op_name):
    case = CASES[op_name][0]
    with enable_x64():
        module = traced_module(case.fn, case.example(0))
        with module.context:
            batching.batch(module.operation, "main", in_axes=[0] * len(case.args), size=0,
                           name="main_batch")
            outs = module_runner.run_function(module, "main_batch",
                                              [a[:0] for a in case.args])
        expected = hlox.tree_util.tree_leaves(hlox.jit(case.fn)(*case.example(0)))
    assert [o.shape for o in outs] == [(0,) + np.shape(e) for e in expected]


def test_per_example_conv_net_gradients_need_no_loop():
    import sys
    import pathlib
    sys.path.insert(0, str(pathlib.Path(__file__).parents[2] / "benchmarks"))
    import models
    import jax
    import jax.numpy as jjnp

    params = models.conv_params()
    x, y = models.conv_data(batch=2)
    x, y = x[:, None], y[:, None]  # one example per row, as the loss expects a batch
    loss = models.conv_loss(jnp, hlox.nn, lax)
    f = hlox.jit(hlox.vmap(hlox.grad(loss), in_axes=(None, 0, 0)))
    text = f.lower(params, x, y).as_text()
    assert "stablehlo.while" not in text, text
    assert "stablehlo.convolution" in text
    actual = f(params, x, y)
    j_loss = models.conv_loss(jjnp, jax.nn, jax.lax)
    expected = jax.jit(jax.vmap(jax.grad(j_loss), in_axes=(None, 0, 0)))(params, x, y)
    for k in params:
        np.testing.assert_allclose(np.asarray(actual[k]), np.asarray(expected[k]),
                                   rtol=2e-4, atol=2e-5, err_msg=k)
