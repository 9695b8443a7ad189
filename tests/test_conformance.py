"""The StableHLO project's interpreter tests, run through hlox's parser and PJRT (tests/conformance/harness.py)."""
from __future__ import annotations

import re

import numpy as np
import pytest

from conformance import harness

# The pass count reached; the suite fails if fewer cases pass. Raise it as hlox grows.
PASS_FLOOR = 443


def _require_cases():
    assert harness.DEFAULT_DIR.is_dir(), (
        f"the StableHLO interpreter tests are not at {harness.DEFAULT_DIR} (the checkout's "
        "../shared/conformance); point HLOX_CONFORMANCE_DIR at them")


def test_stablehlo_interpreter_suite(capsys):
    _require_cases()
    results = harness.run_all(harness.DEFAULT_DIR, jobs=2, timeout=120)
    summary = harness.summary(results)
    with capsys.disabled():
        print("\n" + summary)
    broken = [f"{r.status} {r.case}: {r.reason}" for r in results if r.status in ("fail", "error")]
    assert not broken, summary + "\n" + "\n".join(broken)
    assert sum(r.status == "pass" for r in results) >= PASS_FLOOR, summary


def test_skip_list_names_real_cases():
    _require_cases()
    names = set()
    for path in harness.case_files(harness.DEFAULT_DIR):
        rel = str(path.relative_to(harness.DEFAULT_DIR))
        names |= {f"{rel}:{n}" for n in re.findall(r"func\.func\s+(?:\w+\s+)?@([\w.$-]+)", path.read_text())}
    assert set(harness.SKIP_CASES) <= names, set(harness.SKIP_CASES) - names


def _case(body: str, checks: str, name="t") -> str:
    return f"func.func @{name}() {{\n{body}\n{checks}\n  func.return\n}}\n"


ARGS = ("  %a = stablehlo.constant dense<[1.0, 2.0, 3.0]> : tensor<3xf32>\n"
        "  %b = stablehlo.constant dense<[0.5, 0.5, 0.5]> : tensor<3xf32>\n"
        "  %c = stablehlo.add %a, %b : tensor<3xf32>")


@pytest.mark.parametrize("check, status", [
    ("check.expect_eq_const %c, dense<[1.5, 2.5, 3.5]> : tensor<3xf32>", "pass"),
    ("check.expect_eq_const %c, dense<[1.5, 2.5, 3.6]> : tensor<3xf32>", "fail"),
    ("check.expect_almost_eq_const %c, dense<[1.5, 2.5, 3.50005]> : tensor<3xf32>", "pass"),
    ("check.expect_almost_eq_const %c, dense<[1.5, 2.5, 3.5005]> : tensor<3xf32>", "fail"),
    ("check.expect_almost_eq_const %c, dense<[1.5, 2.5, 3.5005]> : tensor<3xf32> {tolerance = 0.01 : f64}", "pass"),
    ("check.expect_eq %c, %c : tensor<3xf32>", "pass"),
    ("check.expect_eq %a, %c : tensor<3xf32>", "fail"),
    ("check.expect_almost_eq %a, %c, tolerance = 0.6 : tensor<3xf32>", "pass"),
    ("check.expect_almost_eq %a, %c : tensor<3xf32>", "fail"),
    ("check.expect_close %c, %c, max_ulp_difference = 0 : tensor<3xf32>, tensor<3xf32>", "pass"),
    ("check.expect_close %a, %c, max_ulp_difference = 3 : tensor<3xf32>, tensor<3xf32>", "fail"),
    ("check.expect_eq_const %c, dense<[1.5, 2.5,\n      3.5]> : tensor<3xf32>\n"
     "  check.expect_eq_const %a, dense<[1.0, 2.0, 3.0]> : tensor<3xf32>", "pass"),
])
def test_check_semantics(check, status):
    (result,) = harness.run_case(_case(ARGS, "  " + check), "x.mlir")
    assert (result.case, result.status) == ("x.mlir:t", status), result.reason


def test_ulp_distance():
    one = np.float32([1.0, -0.0, 0.0, -1.0])
    nxt = np.nextafter(one, np.float32(np.inf), dtype=np.float32)
    assert harness._ulp_index(nxt).tolist() == (harness._ulp_index(one) + 1).tolist()
    assert harness._close(one, nxt, {"max_ulp_difference": "1"}) == ""
    assert harness._close(one, nxt, {"max_ulp_difference": "1", "min_ulp_difference": "2"}) != ""


def test_constants_become_parameters():
    text, checks = harness.rewrite_checks(_case(ARGS, "  check.expect_eq_const %c, dense<0.0> : tensor<3xf32>"))
    from hlox.lowering.mlir import make_context
    from hlox.tools.mlir_io import parse_module
    ctx = make_context()
    ctx.allow_unregistered_dialects = True
    with ctx:
        module = parse_module(text, ctx)
        constants, judged = harness._prepare(module, "t", checks)
        printed = str(module)
    assert "stablehlo.constant" not in printed and "check." not in printed
    assert "func.func @t(%arg0: tensor<3xf32>, %arg1: tensor<3xf32>) -> tensor<3xf32>" in printed
    assert constants == ["dense<[1.000000e+00, 2.000000e+00, 3.000000e+00]> : tensor<3xf32>",
                         "dense<5.000000e-01> : tensor<3xf32>"]
    assert [c.expected for c in judged] == ["dense<0.0> : tensor<3xf32>"]


def test_skips_and_crashes_are_reported(tmp_path):
    (tmp_path / "a.mlir").write_text(
        _case("", '  "interpreter.probe"() : () -> ()', "probe") + "// -----\n"
        + _case(ARGS, "  check.expect_eq_const %c, dense<[1.5, 2.5, 3.5]> : tensor<3xf32>", "ok") + "// -----\n"
        + _case(ARGS, "  check.expect_eq_const %c, dense<[1.5, 2.5, 3.5]> : tensor<3xf32>", "bad name") + "// -----\n"
        + _case("  %a = stablehlo.constant dense<[1.0]> : tensor<1xf6E2M3FN>",
                "  check.expect_eq_const %a, dense<[1.0]> : tensor<1xf6E2M3FN>", "kills_xla") + "// -----\n"
        + _case(ARGS, "  check.expect_eq %a, %a : tensor<3xf32>", "after"))
    results = {r.case: r.status for r in harness._worker(tmp_path / "a.mlir", tmp_path, timeout=120)}
    assert results == {"a.mlir:probe": "skip", "a.mlir:ok": "pass", "a.mlir:?": "error",
                       "a.mlir:kills_xla": "error", "a.mlir:after": "pass"}


def test_a_worker_that_cannot_start_is_an_error(tmp_path):
    (result,) = harness._worker(tmp_path / "missing.mlir", tmp_path, timeout=120)
    assert (result.case, result.status) == ("missing.mlir:*", "error")
    assert "No such file" in result.reason
