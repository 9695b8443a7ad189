"""Issue 14, items 3 and 10: one test per class of input that crashed MLIR or XLA (each now a
located diagnostic and exit 1), containment of the crashes nobody listed, and the small CLI
faults (plugins, broken pipes, exit status of bad flags, byte order, -o)."""
from __future__ import annotations

import faulthandler
import json
import os
import signal
import subprocess
import sys

import numpy as np
import pytest

from hlox.tools import contain, module_checks, opt, run

WORKER = os.path.join(os.path.dirname(__file__), "cli_worker.py")


def _nested_ifs(n: int) -> str:
    head = ["func.func @main(%p: tensor<i1>, %x: tensor<f32>) -> tensor<f32> {"]
    opening, closing = [], []
    for d in range(n):
        opening.append(f'%r{d} = "stablehlo.if"(%p) ({{')
        closing.append(f"}}, {{\n stablehlo.return %x : tensor<f32>\n}}) : (tensor<i1>) -> tensor<f32>\n"
                       f"{'stablehlo.return' if d else 'return'} %r{d} : tensor<f32>")
    return "\n".join(head + opening + ["stablehlo.return %x : tensor<f32>"] + closing[::-1] + ["}"]) + "\n"


def _call_chain(n: int) -> str:
    out = []
    for i in range(n):
        name = "@main" if i == 0 else f"private @f{i}"
        out.append(f"func.func {name}(%x: tensor<f32>) -> tensor<f32> {{\n"
                   f"  %0 = call @f{i + 1}(%x) : (tensor<f32>) -> tensor<f32>\n  return %0 : tensor<f32>\n}}")
    out.append(f"func.func private @f{n}(%x: tensor<f32>) -> tensor<f32> {{\n  return %x : tensor<f32>\n}}")
    return "\n".join(out) + "\n"


def _reducer_with_custom_call(op: str) -> str:
    if op == "reduce_window":
        return """func.func @main(%x: tensor<4xf32>) -> tensor<2xf32> {
  %init = stablehlo.constant dense<0.0> : tensor<f32>
  %0 = "stablehlo.reduce_window"(%x, %init) ({
  ^bb0(%a: tensor<f32>, %b: tensor<f32>):
    %s = stablehlo.custom_call @no_such_target(%a, %b) : (tensor<f32>, tensor<f32>) -> tensor<f32>
    stablehlo.return %s : tensor<f32>
  }) {window_dimensions = array<i64: 2>, window_strides = array<i64: 2>} : (tensor<4xf32>, tensor<f32>) -> tensor<2xf32>
  return %0 : tensor<2xf32>
}
"""
    return """func.func @main(%x: tensor<4xf32>) -> tensor<f32> {
  %init = stablehlo.constant dense<0.0> : tensor<f32>
  %0 = stablehlo.reduce(%x init: %init) across dimensions = [0] : (tensor<4xf32>, tensor<f32>) -> tensor<f32>
   reducer(%a: tensor<f32>, %b: tensor<f32>) {
    %s = stablehlo.custom_call @lapack_sgetrf_ffi(%a, %b) : (tensor<f32>, tensor<f32>) -> tensor<f32>
    stablehlo.return %s : tensor<f32>
  }
  return %0 : tensor<f32>
}
"""


RECURSIVE = """func.func @main(%x: tensor<2xf32>) -> tensor<2xf32> {
  %0 = call @main(%x) : (tensor<2xf32>) -> tensor<2xf32>
  return %0 : tensor<2xf32>
}
"""
MUTUAL = """func.func @main(%x: tensor<2xf32>) -> tensor<2xf32> {
  %0 = call @even(%x) : (tensor<2xf32>) -> tensor<2xf32>
  return %0 : tensor<2xf32>
}
func.func private @even(%x: tensor<2xf32>) -> tensor<2xf32> {
  %0 = call @odd(%x) : (tensor<2xf32>) -> tensor<2xf32>
  return %0 : tensor<2xf32>
}
func.func private @odd(%x: tensor<2xf32>) -> tensor<2xf32> {
  %0 = call @even(%x) : (tensor<2xf32>) -> tensor<2xf32>
  return %0 : tensor<2xf32>
}
"""
HUGE = "4294967296x4294967296x4"
OVERFLOW_BROADCAST = f"""func.func @main(%x: tensor<f32>) -> tensor<f32> {{
  %0 = stablehlo.broadcast_in_dim %x, dims = [] : (tensor<f32>) -> tensor<{HUGE}xf32>
  %1 = stablehlo.slice %0 [0:1, 0:1, 0:1] : (tensor<{HUGE}xf32>) -> tensor<1x1x1xf32>
  %2 = stablehlo.reshape %1 : (tensor<1x1x1xf32>) -> tensor<f32>
  return %2 : tensor<f32>
}}
"""
OVERFLOW_ARGUMENT = f"""func.func @main(%x: tensor<{HUGE}xf32>) -> tensor<{HUGE}xf32> {{
  return %x : tensor<{HUGE}xf32>
}}
"""
DEEP_ATTRIBUTE = ("func.func @main(%x: tensor<2xf32>) -> tensor<2xf32> attributes {a = " + "[" * 100_000
                  + "]" * 100_000 + "} {\n  return %x : tensor<2xf32>\n}\n")
COMPLEX_IN_REAL = """func.func @main() -> tensor<f32> {
  %0 = stablehlo.constant dense<(1.0, 2.0)> : tensor<f32>
  return %0 : tensor<f32>
}
"""
SEGFAULT_PLUGIN = """import ctypes
import hlox.passes as hp

@hp.register("test-segfault", description="dereference NULL")
def segfault(module, options):
    ctypes.string_at(0)
"""

# name -> (module text, tool, extra argv, expected `file:line:col: error: ...` (line, col, fragment))
CRASH_CLASSES = {
    "recursion": (RECURSIVE, "hlox-run", [], (2, 8, "@main calls itself (@main -> @main)")),
    "mutual-recursion": (MUTUAL, "hlox-run", [], (10, 8, "@even is recursive (@even -> @odd -> @even)")),
    "custom-call-in-reduce-window": (_reducer_with_custom_call("reduce_window"), "hlox-run", [],
                                     (5, 10, "custom_call inside the body of stablehlo.reduce_window")),
    "custom-call-in-reduce": (_reducer_with_custom_call("reduce"), "hlox-run", [],
                              (5, 10, "custom_call inside the body of stablehlo.reduce")),
    "element-count-overflow": (OVERFLOW_BROADCAST, "hlox-run", [], (2, 8, "more than a 64-bit size can count")),
    "element-count-overflow-argument": (OVERFLOW_ARGUMENT, "hlox-run", [],
                                        (1, 1, "more than a 64-bit size can count")),
    "300-nested-if": (_nested_ifs(300), "hlox-run", [], (302, 1, "regions and calls nest 300 deep")),
    "200-nested-calls": (_call_chain(200), "hlox-run", [], (2, 8, "regions and calls nest 200 deep")),
    "deep-attribute": (DEEP_ATTRIBUTE, "hlox-opt", [], (1, 2068, "brackets nest more than 2000 deep")),
    "deep-attribute-run": (DEEP_ATTRIBUTE, "hlox-run", [], (1, 2068, "brackets nest more than 2000 deep")),
    "complex-literal-in-real-constant": (COMPLEX_IN_REAL, "hlox-opt", [],
                                         (2, 33, "complex literal in a constant of element type f32")),
}


@pytest.fixture(scope="module")
def crash_results(tmp_path_factory):
    """Every crash class (and the containment cases) through the tools' console entries, in one worker."""
    tmp = tmp_path_factory.mktemp("crashes")
    cases = []
    for name, (text, tool, extra, _) in CRASH_CLASSES.items():
        (tmp / f"{name}.mlir").write_text(text)
        cases.append({"tool": tool, "argv": [f"{name}.mlir", *extra], "cwd": str(tmp)})
    (tmp / "segfault.py").write_text(SEGFAULT_PLUGIN)
    (tmp / "id.mlir").write_text("func.func @main() -> tensor<f32> {\n  %0 = stablehlo.constant dense<1.0> : "
                                 "tensor<f32>\n  return %0 : tensor<f32>\n}\n")
    cases.append({"tool": "hlox-opt", "argv": ["--load-pass-plugin", "segfault.py", "id.mlir", "--test-segfault"],
                  "cwd": str(tmp)})
    (tmp / "150-nested-if.mlir").write_text(_nested_ifs(150))
    np.save(tmp / "p.npy", np.array(True))
    np.save(tmp / "x.npy", np.float32(2.5))
    cases.append({"tool": "hlox-run", "argv": ["150-nested-if.mlir", "p.npy", "x.npy"], "cwd": str(tmp)})
    with open(tmp / "cases.json", "w") as f:
        json.dump(cases, f)
    subprocess.run([sys.executable, WORKER, str(tmp / "cases.json"), str(tmp / "results.json")], check=True,
                   timeout=600, cwd=tmp)
    with open(tmp / "results.json") as f:
        results = json.load(f)
    return dict(zip([*CRASH_CLASSES, "segfault-plugin", "150-nested-if"], results))


@pytest.mark.parametrize("name", list(CRASH_CLASSES))
def test_crash_class_is_a_located_error(crash_results, name):
    result = crash_results[name]
    line, col, fragment = CRASH_CLASSES[name][3]
    assert result["rc"] == 1, result
    assert "Traceback" not in result["stderr"]
    first = result["stderr"].splitlines()[0]
    assert first.startswith(f"{name}.mlir:{line}:{col}: error: "), first
    assert fragment in first, first


def test_a_crash_nobody_listed_is_contained(crash_results):
    result = crash_results["segfault-plugin"]
    assert result["rc"] == 1
    assert result["stderr"].strip().splitlines()[-1] == "id.mlir: error: a pass crashed (signal 11, SIGSEGV)"


def test_nesting_below_the_limit_still_runs(crash_results):
    result = crash_results["150-nested-if"]
    assert result["rc"] == 0, result["stderr"]


def test_containment_reports_the_stage_and_drops_the_crash_dump(capfd):
    def crash():
        faulthandler.disable()  # pytest's would dump this child's stack
        contain.stage("m.mlir", "compiling")
        print("a warning before the crash", file=sys.stderr, flush=True)
        os.write(2, b"F1206 18:06:11.234493   13726 computation_partitioner.cc:269] Check failed: x\n"
                    b"*** Check failure stack trace: ***\n    @     0x7f6973540634  (unknown)\n")
        os.kill(os.getpid(), signal.SIGABRT)

    assert contain.run_contained(crash, "hlox-run") == 1
    assert contain.run_contained(lambda: 0, "hlox-run") == 0
    assert contain.run_contained(lambda: 3, "hlox-run") == 3
    err = capfd.readouterr().err
    assert err == ("a warning before the crash\n"
                   "m.mlir: error: XLA crashed while compiling the module (signal 6, SIGABRT)\n")


def test_module_checks_do_not_recurse_in_python():
    from hlox.lowering.mlir import make_context
    from hlox.tools.mlir_io import parse_source
    limit = sys.getrecursionlimit()
    with make_context() as ctx:
        module = parse_source(_nested_ifs(400), "deep.mlir", ctx)
        sys.setrecursionlimit(150)
        try:
            problems = module_checks.check_module(module, "deep.mlir")
        finally:
            sys.setrecursionlimit(limit)
    assert "nest 400 deep" in problems[0].message


def test_checks_pass_jax_exported_modules():
    from hlox.lowering.mlir import make_context
    from hlox.tools.mlir_io import parse_module
    inputs = os.path.join(os.path.dirname(__file__), "..", "lit", "hlox-opt", "Inputs", "jax_export.mlir")
    with make_context() as ctx:
        assert module_checks.check_module(parse_module(inputs, ctx), "jax_export.mlir") == []


# --- item 10: the small CLI faults ---------------------------------------------------------------

@pytest.mark.parametrize("content", [b"\x7fELF\x02\x01\x01\x00" + bytes(64), b"\xca\xfe\xba\xbe\x00\x00"])
def test_a_plugin_that_is_not_python_is_one_line(tmp_path, capsys, content):
    plugin = tmp_path / "plugin.so"
    plugin.write_bytes(content)
    module = tmp_path / "m.mlir"
    module.write_text("module {}\n")
    assert opt.main(["--load-pass-plugin", str(plugin), str(module)]) == 1
    err = capsys.readouterr().err
    assert "Traceback" not in err
    assert err.startswith(f"hlox-opt: error: could not load pass plugin {plugin}: not a Python file")


def test_bad_flag_exits_1(capsys):
    with pytest.raises(SystemExit) as e:
        run.main(["--no-such-flag", "m.mlir"])
    assert e.value.code == 1
    assert "hlox-run: error: unrecognized arguments: --no-such-flag" in capsys.readouterr().err


IDENTITY = "func.func @main(%x: tensor<20x20xf32>) -> tensor<20x20xf32> {\n  return %x : tensor<20x20xf32>\n}\n"


def test_big_endian_inputs_are_converted(tmp_path, capsys):
    (tmp_path / "m.mlir").write_text(IDENTITY)
    x = np.arange(400, dtype=">f4").reshape(20, 20)
    np.save(tmp_path / "x.npy", x)
    np.savez(tmp_path / "in.npz", arg0=x)
    np.savez(tmp_path / "expected.npz", out0=x)
    for inputs in ([str(tmp_path / "x.npy")], ["--inputs", str(tmp_path / "in.npz")]):
        assert run.main([str(tmp_path / "m.mlir"), *inputs, "-o", str(tmp_path / "out.npz"),
                         "--check", str(tmp_path / "expected.npz")]) == 0, capsys.readouterr().err
        with np.load(tmp_path / "out.npz") as out:
            np.testing.assert_array_equal(out["out0"], x)


def test_output_path_is_written_as_given(tmp_path, capsys):
    (tmp_path / "m.mlir").write_text(IDENTITY)
    np.save(tmp_path / "x.npy", np.ones((20, 20), np.float32))
    (tmp_path / "dir").mkdir()
    assert run.main([str(tmp_path / "m.mlir"), str(tmp_path / "x.npy"), "-o", str(tmp_path / "dir")]) == 1
    assert f"hlox-run: error: cannot write {tmp_path / 'dir'}: it is a directory" in capsys.readouterr().err
    assert not (tmp_path / "dir.npz").exists()
    assert run.main([str(tmp_path / "m.mlir"), str(tmp_path / "x.npy"), "-o", str(tmp_path / "results")]) == 0
    assert (tmp_path / "results").is_file() and not (tmp_path / "results.npz").exists()


def test_print_into_a_closed_pipe_is_quiet(tmp_path):
    (tmp_path / "m.mlir").write_text(IDENTITY)
    np.save(tmp_path / "x.npy", np.ones((20, 20), np.float32))
    hlox_run = os.path.join(os.path.dirname(sys.executable), "hlox-run")
    result = subprocess.run(f"'{hlox_run}' m.mlir x.npy --print | head -1; exit ${{PIPESTATUS[0]}}", shell=True,
                            executable="/bin/bash", cwd=tmp_path, capture_output=True, text=True, timeout=300)
    assert result.stdout.startswith("out0 = array(")
    assert result.stderr == ""
    assert result.returncode in (0, 1)
