"""hlox-run: modules exported by real JAX run and match JAX; inputs, outputs and errors behave."""
from __future__ import annotations

import subprocess
import sys

import jax
import jax.numpy as jnp
import ml_dtypes
import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from hlox.tools import run

BF16 = np.dtype(ml_dtypes.bfloat16)
F8 = np.dtype(ml_dtypes.float8_e4m3fn)


def _helper(x):
    return jnp.tanh(x) * 2


def _f(x, y):
    """A private jitted helper (func.call), two results, one of them bfloat16."""
    z = jax.jit(_helper)(x) + y
    return z, (x * y).astype(jnp.bfloat16)


def _export(tmp_path, f, *args, name="m.mlir"):
    path = tmp_path / name
    path.write_text(jax.jit(f).lower(*args).as_text())
    return str(path)


def _hlox_run(capsys, *argv):
    rc = run.main([str(a) for a in argv])
    out, err = capsys.readouterr()
    return rc, out, err


def _assert_one_line_error(rc, err, *fragments):
    assert rc == 1
    assert "Traceback" not in err
    lines = [line for line in err.splitlines() if line.strip()]
    assert len(lines) >= 1, err
    for fragment in fragments:
        assert fragment in lines[0], lines[0]


@settings(max_examples=8)
@given(shape=st.sampled_from([(3,), (2, 3), ()]), dtype=st.sampled_from([np.float32, BF16]),
       seed=st.integers(0, 2**16))
def test_jax_export_matches_jax(tmp_path_factory, capsys, shape, dtype, seed):
    tmp = tmp_path_factory.mktemp("run")
    rng = np.random.default_rng(seed)
    x, y = (rng.standard_normal(shape).astype(dtype) for _ in range(2))
    module = _export(tmp, _f, x, y)
    np.savez(tmp / "in.npz", arg0=run.storable(x), arg1=run.storable(y))
    rc, _, err = _hlox_run(capsys, module, "--inputs", tmp / "in.npz", "-o", tmp / "out.npz")
    assert rc == 0, err
    expected = jax.jit(_f)(x, y)
    with np.load(tmp / "out.npz") as got:
        assert sorted(got.files) == ["out0", "out1"]
        for name, exp in zip(["out0", "out1"], expected):
            exp = np.asarray(exp)
            value = got[name].view(exp.dtype) if exp.dtype.kind == "V" else got[name]
            assert value.shape == exp.shape and value.dtype == exp.dtype
            np.testing.assert_allclose(value.astype(np.float64), exp.astype(np.float64),
                                       rtol=1e-2 if dtype == BF16 else 1e-6)


def test_func_runs_a_private_function(tmp_path, capsys):
    x = np.float32([0.0, 0.5, 1.0])
    module = _export(tmp_path, _f, x, x)
    np.save(tmp_path / "x.npy", x)
    rc, out, err = _hlox_run(capsys, module, "--func", "_helper", tmp_path / "x.npy")
    assert rc == 0, err
    assert out == f"out0 = {np.array_repr(np.asarray(jax.jit(_helper)(x)))}\n"


def test_print_is_numpy_repr_and_default_without_output(tmp_path, capsys):
    module = _export(tmp_path, lambda a, b: (a @ b, jnp.argmax(a, axis=1)),
                     np.ones((2, 3), np.float32), np.ones((3, 2), np.float32))
    a = np.arange(6, dtype=np.float32).reshape(2, 3)
    b = np.arange(6, dtype=np.float32).reshape(3, 2) - 2
    np.save(tmp_path / "a.npy", a)
    np.save(tmp_path / "b.npy", b)
    rc, out, err = _hlox_run(capsys, module, tmp_path / "a.npy", tmp_path / "b.npy")
    assert rc == 0, err
    assert out == (f"out0 = {np.array_repr(a @ b)}\n"
                   f"out1 = {np.array_repr(np.argmax(a, axis=1).astype(np.int32))}\n")


def test_64_bit_inputs_stay_64_bit(tmp_path, capsys):
    path = tmp_path / "m.mlir"
    path.write_text("func.func @main(%a: tensor<2xi64>, %b: tensor<f64>) -> (tensor<2xi64>, tensor<f64>) {\n"
                    "  %0 = stablehlo.add %a, %a : tensor<2xi64>\n"
                    "  return %0, %b : tensor<2xi64>, tensor<f64>\n}\n")
    np.savez(tmp_path / "in.npz", arg0=np.array([2**40, -3]), arg1=np.float64(1 / 3))
    rc, _, err = _hlox_run(capsys, path, "--inputs", tmp_path / "in.npz", "-o", tmp_path / "out.npz")
    assert rc == 0, err
    with np.load(tmp_path / "out.npz") as got:
        np.testing.assert_array_equal(got["out0"], np.array([2**41, -6]))
        assert got["out1"].dtype == np.float64 and got["out1"] == 1 / 3


@pytest.mark.parametrize("dtype", [BF16, F8])
def test_raw_byte_inputs_and_outputs(tmp_path, capsys, dtype):
    t = {BF16: "bf16", F8: "f8E4M3FN"}[dtype]
    path = tmp_path / "m.mlir"
    path.write_text(f"func.func @main(%a: tensor<3x{t}>) -> tensor<3x{t}> {{\n"
                    f"  %0 = stablehlo.negate %a : tensor<3x{t}>\n  return %0 : tensor<3x{t}>\n}}\n")
    x = np.array([1.5, -2, 0.25], dtype)
    bits = np.dtype(f"uint{8 * dtype.itemsize}")
    for stored in (x, x.view(bits)):  # raw bytes (how np.savez stores ml_dtypes) or the bit pattern
        np.savez(tmp_path / "in.npz", arg0=stored)
        rc, out, err = _hlox_run(capsys, path, "--inputs", tmp_path / "in.npz", "-o", tmp_path / "o.npz", "--print")
        assert rc == 0, err
        name = {BF16: "bfloat16", F8: "'float8_e4m3fn'"}[dtype]
        assert out == f"out0 = array([-1.5, 2, -0.25], dtype={name})\n"
        with np.load(tmp_path / "o.npz") as got:
            assert got["out0"].dtype.itemsize == dtype.itemsize
            np.testing.assert_array_equal(got["out0"].view(dtype), -x)


@pytest.fixture
def one_input_module(tmp_path):
    path = tmp_path / "m.mlir"
    path.write_text("func.func @main(%a: tensor<2x3xf32>) -> tensor<2x3xf32> {\n"
                    "  %0 = stablehlo.abs %a : tensor<2x3xf32>\n  return %0 : tensor<2x3xf32>\n}\n")
    return path


SIGNATURE = "@main(tensor<2x3xf32>) -> tensor<2x3xf32>"


@pytest.mark.parametrize("arrays, message", [
    ([np.zeros((3, 2), np.float32)], "input 0 is float32[3, 2] but " + SIGNATURE + " takes float32[2, 3] there"),
    ([np.zeros((2, 3), np.float64)], "input 0 is float64[2, 3] but " + SIGNATURE + " takes float32[2, 3] there"),
    ([np.zeros((2, 3), np.uint32)], "input 0 is uint32[2, 3] but " + SIGNATURE),
    ([], SIGNATURE + " takes 1 input(s), got 0"),
    ([np.zeros((2, 3), np.float32)] * 2, SIGNATURE + " takes 1 input(s), got 2"),
])
def test_wrong_inputs_name_the_signature(tmp_path, capsys, one_input_module, arrays, message):
    paths = []
    for i, a in enumerate(arrays):
        np.save(tmp_path / f"in{i}.npy", a)
        paths.append(tmp_path / f"in{i}.npy")
    rc, out, err = _hlox_run(capsys, one_input_module, *paths)
    _assert_one_line_error(rc, err, "hlox-run: error: " + message)
    assert out == ""


def test_bad_files_and_names(tmp_path, capsys, one_input_module):
    x = tmp_path / "x.npy"
    np.save(x, np.zeros((2, 3), np.float32))
    np.savez(tmp_path / "names.npz", a=np.zeros((2, 3), np.float32))
    (tmp_path / "bad.mlir").write_text("func.func @main() {\n  %0 = stablehlo.nope\n}\n")
    (tmp_path / "junk.npy").write_bytes(b"not numpy")
    np.savez(tmp_path / "objects.npz", out0=np.array([{}, 1], dtype=object))
    cases = [
        ([tmp_path / "none.mlir"], "none.mlir: error: could not open input file"),
        ([tmp_path / "bad.mlir"], "bad.mlir:2:8: error: custom op 'stablehlo.nope' is unknown"),
        ([one_input_module, "--func", "f", x], "hlox-run: error: no function @f in the module (functions: @main)"),
        ([one_input_module, tmp_path / "none.npy"], "hlox-run: error: cannot read"),
        ([one_input_module, tmp_path / "junk.npy"], "hlox-run: error: cannot read"),
        ([one_input_module, "--inputs", tmp_path / "names.npz"], "must hold arrays named arg0, arg1, ...; it holds a"),
        ([one_input_module, x, "--inputs", tmp_path / "names.npz"], "either as .npy files or as one --inputs .npz"),
        ([one_input_module, tmp_path / "names.npz"], "is an .npz archive; pass it with --inputs"),
        ([one_input_module, x, "-o", tmp_path / "no" / "dir" / "o.npz"], "hlox-run: error: cannot write"),
        ([one_input_module, x, "--check", tmp_path / "objects.npz"], "Object arrays cannot be loaded"),
        ([one_input_module, x, "--check", x], "is a single array, not an .npz archive"),
    ]
    for argv, message in cases:
        rc, _, err = _hlox_run(capsys, *argv)
        _assert_one_line_error(rc, err, message)


def test_unsupported_types_are_named(tmp_path, capsys):
    path = tmp_path / "m.mlir"
    path.write_text("func.func @main(%a: tensor<?xf32>) -> tensor<?xf32> {\n  return %a : tensor<?xf32>\n}\n")
    rc, _, err = _hlox_run(capsys, path)
    _assert_one_line_error(rc, err, "hlox-run: error: argument 0 of @main has type tensor<?xf32>")


def test_check_reports_the_worst_mismatch(tmp_path, capsys, one_input_module):
    x = np.float32([[1, -2, 3], [-4, 5, -6]])
    np.save(tmp_path / "x.npy", x)
    expected = np.abs(x)
    np.savez(tmp_path / "good.npz", out0=expected)
    rc, out, err = _hlox_run(capsys, one_input_module, tmp_path / "x.npy", "--check", tmp_path / "good.npz")
    assert rc == 0 and "1 output(s) match" in out, err
    off = expected.copy()
    off[0, 1] += 0.5
    off[1, 2] += 2.0
    np.savez(tmp_path / "off.npz", out0=off)
    rc, _, err = _hlox_run(capsys, one_input_module, tmp_path / "x.npy", "--check", tmp_path / "off.npz")
    _assert_one_line_error(rc, err, "out0[1, 2] is 6., expected 8.", "2 of 6 elements differ")
    rc, _, err = _hlox_run(capsys, one_input_module, tmp_path / "x.npy", "--check", tmp_path / "off.npz",
                           "--atol", "2.5")
    assert rc == 0, err
    np.savez(tmp_path / "shape.npz", out0=expected[0])
    rc, _, err = _hlox_run(capsys, one_input_module, tmp_path / "x.npy", "--check", tmp_path / "shape.npz")
    _assert_one_line_error(rc, err, "out0 is float32[2, 3] but")


@pytest.mark.parametrize("actual, expected, atol, worst", [
    ([1.0, np.nan, np.inf], [1.0, np.nan, np.inf], 0.0, None),
    ([1.0, np.nan, 2.0], [1.0, 1.0, 2.0], 0.0, (1,)),
    ([1.0, 2.0, -np.inf], [1.0, 2.1, np.inf], 0.0, (2,)),
    ([1.0, 2.0, 3.0], [1.05, 2.2, 3.0], 0.1, (1,)),
    ([1 + 1j, 2 + 2j], [1 + 1j, 2 + 3j], 0.5, (1,)),
])
def test_worst_mismatch(actual, expected, atol, worst):
    m = run.worst_mismatch(np.array(actual), np.array(expected), atol=atol)
    assert (m.index if m else None) == worst


def test_module_entry_point_never_prints_a_traceback(tmp_path):
    (tmp_path / "bad.mlir").write_text("func.func @main() {\n  %0 = stablehlo.nope\n}\n")
    proc = subprocess.run([sys.executable, "-m", "hlox.tools.run", str(tmp_path / "bad.mlir")],
                          capture_output=True, text=True, timeout=120)
    assert proc.returncode == 1
    assert "Traceback" not in proc.stderr
    assert "bad.mlir:2:8: error:" in proc.stderr


def test_platform_choice(tmp_path, capsys, one_input_module):
    x = np.float32([[1, -2, 3], [-4, 5, -6]])
    np.save(tmp_path / "x.npy", x)
    rc, out, err = _hlox_run(capsys, one_input_module, "--platform", "cpu", tmp_path / "x.npy")
    assert rc == 0 and out == f"out0 = {np.array_repr(np.abs(x))}\n", err
    rc, out, err = _hlox_run(capsys, one_input_module, "--platform", "tpu", tmp_path / "x.npy")
    # Either a TPU ran it, or one line says why not.
    assert (rc, out) == (0, f"out0 = {np.array_repr(np.abs(x))}\n") or (
        rc == 1 and err.startswith("hlox-run: error: could not start the tpu backend") and "Traceback" not in err)
