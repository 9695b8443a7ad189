"""hlox-run: execute one function of a .mlir file on numpy inputs.

    hlox-run MODULE.mlir [--func NAME] [IN.npy ...] [--inputs IN.npz] [-o OUT.npz]
             [--print] [--platform cpu|cuda|tpu] [--check EXPECTED.npz --rtol R --atol A]

Inputs come in order from .npy files or from one .npz holding arg0 arg1 ...;
outputs are out0 out1 .... numpy has no bfloat16 or float8, so .npz files hold
those as raw bytes of the same width: inputs are read as the function's
signature says, outputs written so that `.view(ml_dtypes.bfloat16)` restores them.
Every failure is one line on stderr and exit status 1.
"""
from __future__ import annotations

import argparse
import dataclasses
import os
import sys
import zipfile

import numpy as np

from hlox import config
from hlox.lowering import module_runner
from hlox.lowering.mlir import make_context
from hlox.tools import contain
from hlox.tools.mlir_io import MlirInputError, format_diagnostic, parse_module, print_error
from hlox.tools.module_checks import check_module

__all__ = ["main", "Mismatch", "worst_mismatch", "load_inputs", "storable", "array_text"]

PROG = "hlox-run"


class ToolError(Exception):
    """A failure the user caused; printed as `hlox-run: error: ...`."""


# -- numpy files ----------------------------------------------------------------
def _load(path: str):
    try:
        return np.load(path, allow_pickle=False)
    except (OSError, ValueError, zipfile.BadZipFile, EOFError) as e:
        raise ToolError(f"cannot read {path}: {getattr(e, 'strerror', None) or e}") from None


def _native(array: np.ndarray) -> np.ndarray:
    """`array` in the machine's byte order (a big-endian .npy holds the same values)."""
    if array.dtype.byteorder not in "=|" and array.dtype.kind not in "V":
        return array.astype(array.dtype.newbyteorder("="))
    return array


def _load_npz(path: str) -> dict:
    data = _load(path)
    if not isinstance(data, np.lib.npyio.NpzFile):
        raise ToolError(f"{path} is a single array, not an .npz archive")
    with data:
        try:
            return {k: _native(data[k]) for k in data.files}
        except (OSError, ValueError, zipfile.BadZipFile) as e:  # members load lazily
            raise ToolError(f"cannot read {path}: {e}") from None


def _numbered(arrays: dict, prefix: str, path: str) -> list:
    """arrays[prefix0], arrays[prefix1], ... in order; ToolError on gaps or strangers."""
    expected = [f"{prefix}{i}" for i in range(len(arrays))]
    if sorted(arrays) != sorted(expected):
        raise ToolError(f"{path} must hold arrays named {prefix}0, {prefix}1, ...; "
                        f"it holds {', '.join(sorted(arrays)) or 'nothing'}")
    return [arrays[k] for k in expected]


def load_inputs(npy_paths, npz_path) -> list:
    """The input arrays, in order, from .npy files or one .npz of arg0 arg1 ...."""
    if npz_path and npy_paths:
        raise ToolError("give inputs either as .npy files or as one --inputs .npz, not both")
    if npz_path:
        return _numbered(_load_npz(npz_path), "arg", npz_path)
    arrays = []
    for path in npy_paths:
        value = _load(path)
        if isinstance(value, np.lib.npyio.NpzFile):
            value.close()
            raise ToolError(f"{path} is an .npz archive; pass it with --inputs")
        arrays.append(_native(value))
    return arrays


def storable(array: np.ndarray) -> np.ndarray:
    """`array` as numpy can save it: ml_dtypes values (bfloat16, float8, int4...) as raw bytes."""
    array = np.asarray(array)
    if array.dtype.kind == "V" and array.dtype.names is None:
        return array.view(np.dtype(f"V{array.dtype.itemsize}"))
    return array


# -- comparison -------------------------------------------------------------------
@dataclasses.dataclass
class Mismatch:
    index: tuple
    actual: object
    expected: object
    count: int
    total: int

    def describe(self, name: str, tolerance: str = "") -> str:
        where = f"[{', '.join(map(str, self.index))}]" if self.index else ""
        return (f"{name}{where} is {_show(self.actual)}, expected {_show(self.expected)} "
                f"({self.count} of {self.total} elements differ{tolerance})")


def _show(x) -> str:
    return np.array2string(np.asarray(x))


def _comparable(a: np.ndarray) -> np.ndarray:
    """Values numpy can do arithmetic on: ml_dtypes floats widen to float64, complex to complex128."""
    if a.dtype.kind == "V":
        return a.astype(np.float64)
    if a.dtype.kind == "c":
        return a.astype(np.complex128)
    if a.dtype.kind in "iub" and a.dtype.itemsize < 8:
        return a.astype(np.int64)
    return a


def worst_mismatch(actual, expected, rtol=0.0, atol=0.0) -> Mismatch | None:
    """The element furthest outside |actual - expected| <= atol + rtol*|expected| (NaN matches NaN)."""
    a, e = _comparable(np.asarray(actual)), _comparable(np.asarray(expected))
    if a.dtype.kind in "fc":
        with np.errstate(invalid="ignore", over="ignore"):
            diff = np.abs(a - e)
            both_nan = np.isnan(a) & np.isnan(e)
            same = (a == e) | both_nan
            excess = np.where(same, 0.0, np.where(np.isnan(diff), np.inf, diff - (atol + rtol * np.abs(e))))
    else:
        excess = np.where(a == e, 0.0, np.inf)
    bad = excess > 0
    if not bad.any():
        return None
    flat = int(np.argmax(excess))
    index = np.unravel_index(flat, a.shape) if a.ndim else ()
    return Mismatch(tuple(int(i) for i in index), np.asarray(actual).reshape(-1)[flat],
                    np.asarray(expected).reshape(-1)[flat], int(bad.sum()), int(a.size))


def _check(outputs, sig, path, rtol, atol) -> str:
    """'' when outputs match the .npz at `path`; else the worst mismatch, as one line."""
    expected = _numbered(_load_npz(path), "out", path)
    if len(expected) != len(outputs):
        return f"{sig.text} returns {len(outputs)} output(s) but {path} holds {len(expected)}"
    worst = None
    for i, (out, exp) in enumerate(zip(outputs, expected)):
        exp_as = module_runner.as_dtype(exp, out.dtype)
        if exp_as is None or exp.shape != out.shape:
            return (f"out{i} is {out.dtype.name}{list(out.shape)} but {path} has "
                    f"{exp.dtype.name}{list(exp.shape)}")
        m = worst_mismatch(out, exp_as, rtol, atol)
        if m is not None and (worst is None or _badness(m) > _badness(worst[1])):
            worst = (f"out{i}", m)
    return worst[1].describe(worst[0], f" beyond rtol={rtol}, atol={atol}") if worst else ""


def _badness(m: Mismatch) -> float:
    with np.errstate(invalid="ignore", over="ignore"):
        d = abs(complex(m.actual) - complex(m.expected))
    return float("inf") if np.isnan(d) else d


# -- the command ------------------------------------------------------------------
class _Parser(argparse.ArgumentParser):
    def error(self, message):  # argparse exits 2; every hlox-run failure is exit 1
        self.print_usage(sys.stderr)
        print(f"{PROG}: error: {message}", file=sys.stderr)
        raise SystemExit(1)


def _parser() -> argparse.ArgumentParser:
    p = _Parser(prog=PROG, description="Run a function of an MLIR (StableHLO) module.",
                epilog="exit status: 0 on success, 1 on any failure")
    p.add_argument("module", help="the .mlir file (text or bytecode), or - for stdin")
    p.add_argument("inputs", nargs="*", metavar="IN.npy", help="input arrays, in argument order")
    p.add_argument("--func", default="main", help="the function to run (default: main)")
    p.add_argument("--inputs", dest="npz", metavar="IN.npz", help="one .npz holding arg0 arg1 ...")
    p.add_argument("-o", dest="output", metavar="OUT.npz", help="write the results as out0 out1 ...")
    p.add_argument("--print", action="store_true", help="print the results (the default without -o)")
    p.add_argument("--platform", default=None, choices=["cpu", "cuda", "gpu", "rocm", "tpu"],
                   help="where to run (default: JAX_PLATFORMS or cpu)")
    p.add_argument("--devices", type=int, default=None, metavar="N",
                   help="run on N devices (a sharded module; on CPU, N simulated devices); "
                        "default: the module's mhlo.num_partitions")
    p.add_argument("--check", metavar="EXPECTED.npz", help="compare the results with out0 out1 ...")
    p.add_argument("--rtol", type=float, default=1e-5, help="relative tolerance of --check")
    p.add_argument("--atol", type=float, default=1e-8, help="absolute tolerance of --check")
    return p


def _dtype_text(dtype: np.dtype) -> str:
    """The dtype's name, quoted unless it is one word (`float32`, `bfloat16`, `'float8_e4m3fn'`)."""
    name = dtype.name
    return name if name[:1].isalpha() and name.isalnum() else repr(name)


def array_text(array: np.ndarray) -> str:
    """numpy's repr of `array` with its dtype named the same way whatever numpy and ml_dtypes print."""
    text = np.array_repr(array)
    cut = text.rfind("dtype=")
    return text if cut < 0 else f"{text[:cut]}dtype={_dtype_text(array.dtype)})"


def _print_outputs(outputs):
    with np.printoptions(threshold=1000):
        for i, out in enumerate(outputs):
            print(f"out{i} = {array_text(out)}")


def _simulate_cpu_devices(n, platform):
    """On CPU a sharded module gets as many simulated devices as it is partitioned over."""
    if n > 1 and platform in (None, "cpu") and config.jax_num_cpu_devices < n:
        try:
            config.update("jax_num_cpu_devices", n)
        except RuntimeError:
            pass  # the client exists already: run_function says how many devices there are


def _checked_module(path: str, ctx):
    """The parsed module, after the checks that stop what would crash XLA."""
    name = "<stdin>" if path == "-" else path
    contain.stage(name, "parsing")
    module = parse_module(path, ctx)
    contain.stage(name, "checking")
    problems = check_module(module, name)
    if problems:
        raise MlirInputError([format_diagnostic(d, name) for d in problems], problems)
    contain.stage(name, "compiling")
    return module


def _save(path: str, outputs) -> None:
    """outputs as out0 out1 ... in the .npz at exactly `path` (np.savez would add `.npz`)."""
    if os.path.isdir(path):
        raise ToolError(f"cannot write {path}: it is a directory (-o names the .npz file)")
    try:
        with open(path, "wb") as f:
            np.savez(f, **{f"out{i}": storable(o) for i, o in enumerate(outputs)})
    except OSError as e:
        raise ToolError(f"cannot write {path}: {e.strerror or e}") from None


def _run(args) -> int:
    with make_context() as ctx:
        module = _checked_module(args.module, ctx)
        try:
            sig = module_runner.signature(module, args.func)
            inputs = module_runner.check_inputs(sig, load_inputs(args.inputs, args.npz))
            _simulate_cpu_devices(args.devices or module_runner.partition_count(module),
                                  args.platform)
            outputs = module_runner.run_function(module, args.func, inputs, args.platform, args.devices,
                                                 on_compiled=lambda: contain.stage(args.module, "running"))
        except (LookupError, TypeError, ValueError, RuntimeError) as e:
            raise ToolError(str(e).splitlines()[0] if str(e) else type(e).__name__) from None
    contain.stage(args.module, "writing")
    if args.output:
        _save(args.output, outputs)
    if args.print or not (args.output or args.check):
        _print_outputs(outputs)
    if args.check:
        problem = _check(outputs, sig, args.check, args.rtol, args.atol)
        if problem:
            raise ToolError(f"results differ from {args.check}: {problem}")
        print(f"{PROG}: {len(outputs)} output(s) match {args.check}")
    return 0


def _main(argv) -> int:
    try:
        args = _parser().parse_intermixed_args(argv)
        return _run(args)
    except MlirInputError as e:
        print_error(e)
    except ToolError as e:
        print(f"{PROG}: error: {e}", file=sys.stderr)
    except BrokenPipeError:  # `hlox-run --print | head`: the reader left; say nothing more
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
    return 1


def main(argv=None) -> int:
    """The command; from the command line (`argv` None) a crash in MLIR or XLA is contained."""
    if argv is None:
        return contain.run_contained(lambda: _main(None), PROG)
    return _main(argv)


if __name__ == "__main__":
    sys.exit(main())
