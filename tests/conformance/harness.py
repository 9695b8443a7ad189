"""The StableHLO interpreter tests, run through hlox's parser and PJRT.

    python tests/conformance/harness.py [DIR] [--jobs 2] [--timeout 120] [-v]

Each file of ../shared/conformance/stablehlo-interpret/ holds cases separated
by `// -----`; a case is a function whose results are checked by `check.*` ops.
We rewrite each check op into MLIR's generic form (the check dialect is not in
jaxlib), then in the parsed IR turn the function's constants into parameters (so
XLA cannot fold the answer at compile time) and its checked values into results,
run it, and judge the results in numpy with the check's own semantics. The
constants' values and the checks' expected values come from a second module
that only returns them, so XLA reads every literal, bfloat16 and int2 included.

Every file runs in its own worker process (one of them crashes XLA): a worker
prints one JSON line per case, and a case that kills or hangs its worker is
reported as such, the worker restarting after it.
"""
from __future__ import annotations

import argparse
import concurrent.futures
import dataclasses
import json
import os
import re
import subprocess
import sys
import time
from pathlib import Path

import numpy as np

from hlox.lowering import module_runner, symbols
from hlox.lowering.mlir import ir, make_context
from hlox.tools.mlir_io import MlirInputError, parse_module
from hlox.tools.run import worst_mismatch

__all__ = ["DEFAULT_DIR", "SKIP_PATTERNS", "SKIP_CASES", "Result", "run_file", "run_all", "main"]

DEFAULT_DIR = Path(os.environ.get(
    "HLOX_CONFORMANCE_DIR",
    Path(__file__).resolve().parents[3] / "shared" / "conformance" / "stablehlo-interpret"))

# A case whose text contains one of these is skipped, for the reason given.
SKIP_PATTERNS = {
    # interpreter.run_parallel/probe/print drive the reference interpreter itself (many
    # processes, dumping values to files, printing); XLA has no such ops.
    "interpreter.": "interpreter-only op",
    # Quantized element types: XLA runs them only after JAX-style dequantization.
    "!quant.": "quantized types",
}

# Cases XLA's CPU backend runs differently from the reference interpreter, as
# `file:function`; each with the reason, found by running them.
_FLUSHED = "XLA's CPU backend flushes denormal inputs to zero (ceil/floor of a denormal)"
_COMPLEX_ORDER = ("XLA's CPU backend does not order complex numbers lexicographically when "
                  "real parts tie as +0/-0 (spec: max/min compare (real, imag))")
SKIP_CASES = {
    **{f"{op}.mlir:{op}_op_test_{t}": _FLUSHED for op in ("ceil", "floor") for t in ("bf16", "f32", "f64")},
    **{f"{op}.mlir:{name}_op_test_{t}": _COMPLEX_ORDER
       for op, name in (("maximum", "max"), ("minimum", "min")) for t in ("c64", "c128")},
    # XLA stores i1 as an 8-bit pred, so bitcasts to and from i1 change the element count.
    "bitcast_convert.mlir:bitcast_convert_op_test_i1_to_i64": "XLA cannot bitcast pred (i1) arrays",
    "bitcast_convert.mlir:bitcast_convert_op_test_f64_to_i1": "XLA cannot bitcast pred (i1) arrays",
    "bitcast_convert.mlir:bitcast_convert_op_test_c128_to_c64": "XLA rejects bitcasts between complex types",
    "cbrt.mlir:cbrt_op_test_c128": "XLA has no complex cbrt",
    "chlo/ragged_dot.mlir:ragged_dot_mode_1": "XLA's CPU backend has no ragged-dot",
    "chlo/ragged_dot.mlir:ragged_dot_mode_1_batching": "XLA's CPU backend has no ragged-dot",
    # These two abort the process: a CHECK failure in XLA's literal conversion of f6 constants.
    "constant.mlir:constant_op_test_f6_e2m3fn": "XLA aborts converting f6E2M3FN constants",
    "constant.mlir:constant_op_test_f6_e3m2fn": "XLA aborts converting f6E3M2FN constants",
    "dynamic_conv.mlir:dynamic_conv_op_test_si64": "stablehlo.dynamic_conv has no XLA translation",
    "dynamic_gather.mlir:dynamic_gather_op_test": "stablehlo.dynamic_gather has no XLA translation",
    "dynamic_pad.mlir:dynamic_pad": "stablehlo.dynamic_pad has no XLA translation",
    "reduce_precision.mlir:reduce_precision_op_test_f64_zero_mantissa_bits":
        "XLA keeps NaN a NaN at zero mantissa bits; the interpreter makes it infinity",
}


@dataclasses.dataclass
class Result:
    case: str  # "file.mlir:function"
    status: str  # pass | fail | skip | error
    reason: str = ""

    def line(self) -> str:
        return json.dumps(dataclasses.asdict(self))


# -- rewriting check ops into generic form --------------------------------------------
@dataclasses.dataclass
class Check:
    kind: str  # expect_eq, expect_almost_eq_const, ...
    n_operands: int
    options: dict
    expected: str | None  # the *_const checks' expected value: `dense<...> : tensor<...>`


_CHECK_OP = re.compile(r"\bcheck\.(\w+)\s+")
_OPERAND = re.compile(r"\s*(%[\w.$#-]+)\s*,?")
_OPTION = re.compile(r"\s*(\w+)\s*=\s*([^,:}\n]+?)\s*(?::\s*\w+\s*)?(?=[,:}\n]|$),?")


def _skip_balanced(text: str, i: int, open_: str, close: str) -> int:
    """Index after the bracket that closes text[i] == open_ (quoted strings skipped)."""
    depth, quoted = 0, False
    while i < len(text):
        c = text[i]
        if c == '"':
            quoted = not quoted
        elif not quoted and c == open_:
            depth += 1
        elif not quoted and c == close:
            depth -= 1
            if depth == 0:
                return i + 1
        i += 1
    raise ValueError("unbalanced brackets in a check op")


def _read_typed_attr(text: str, i: int):
    """(attribute text `dense<...> : tensor<...>`, end index) starting at text[i]."""
    end = _skip_balanced(text, text.index("<", i), "<", ">")
    colon = re.compile(r"\s*:\s*").match(text, end)
    type_end = _skip_balanced(text, text.index("<", colon.end()), "<", ">")
    return text[i:type_end], type_end


def _parse_check(kind: str, text: str, i: int):
    """(operands, operand types, Check, end index) of a check op whose operands start at text[i]."""
    operands = []
    while (m := _OPERAND.match(text, i)) and m.group(1):
        operands.append(m.group(1))
        i = m.end()
    options, expected = {}, None
    if kind.endswith("_const"):
        expected, i = _read_typed_attr(text, re.compile(r"\s*").match(text, i).end())
        types = [expected.rsplit(":", 1)[1].strip()]
        brace = re.compile(r"[ \t]*\{").match(text, i)
        if brace:
            end = _skip_balanced(text, brace.end() - 1, "{", "}")
            options.update(_options(text[brace.end():end - 1]))
            i = end
    else:
        line_end = text.find("\n", i) if "\n" in text[i:] else len(text)
        rest = text[i:line_end].split("//")[0]
        opts, _, types_text = rest.rpartition(":")
        options.update(_options(opts))
        types = [t.strip() for t in types_text.split(", ") if t.strip()]
        types = types * len(operands) if len(types) == 1 else types
        i = line_end
    return operands, types, Check(kind, len(operands), options, expected), i


def _options(text: str) -> dict:
    return {k: v.strip().strip('"') for k, v in _OPTION.findall(text)}


def rewrite_checks(text: str):
    """(text with every check op in generic form carrying its index, [Check, ...])."""
    out, checks, pos = [], [], 0
    while m := _CHECK_OP.search(text, pos):
        operands, types, check, end = _parse_check(m.group(1), text, m.end())
        out.append(text[pos:m.start()])
        out.append(f'"check.{check.kind}"({", ".join(operands)}) {{hlox.check = {len(checks)} : i64}}'
                   f' : ({", ".join(types)}) -> ()')
        checks.append(check)
        pos = end
    out.append(text[pos:])
    return "".join(out), checks


# -- one case -------------------------------------------------------------------------------
_FUNC_NAME = re.compile(r"func\.func\s+(?:\w+\s+)?@([\w.$-]+)")


def split_cases(text: str) -> list[str]:
    return re.split(r"(?m)^// -----.*$", text)


def _ops(block):
    return list(block.operations)


def _walk_checks(op) -> list:
    found = []

    def visit(o):
        if o.name.startswith("check."):
            found.append(o)
        return ir.WalkResult.ADVANCE

    op.operation.walk(visit)
    return found


def _entries(module) -> list[str]:
    return [name for name, op in symbols.functions(module).items() if _walk_checks(op)]


def _values_module(attrs, ctx):
    """A module whose @main returns each typed attribute as a constant."""
    types = [a.rsplit(":", 1)[1].strip() for a in attrs]
    body = "".join(f"  %v{i} = stablehlo.constant {a}\n" for i, a in enumerate(attrs))
    ret = ", ".join(f"%v{i}" for i in range(len(attrs)))
    text = (f"func.func @main() -> ({', '.join(types)}) {{\n{body}"
            f"  func.return {ret} : {', '.join(types)}\n}}\n")
    return parse_module(text, ctx)


def _literal_values(attrs, ctx) -> list[np.ndarray]:
    if not attrs:
        return []
    return module_runner.run_function(_values_module(attrs, ctx), "main", [])


def _prepare(module, entry: str, checks):
    """Rewrite @entry in place: constants -> parameters, checks -> results.

    Returns (the constants' attributes as text, the Checks in result order).
    Check ops elsewhere (in other cases' functions) are dropped."""
    for name, op in symbols.functions(module).items():
        if name != entry:
            for c in _walk_checks(op):
                c.erase()
    fn = symbols.find_function(module, entry)
    block = fn.regions[0].blocks[0]
    if len(block.arguments):
        raise _Skip("the case takes arguments (interpreter --args)")
    constants = [op for op in _ops(block) if op.operation.name == "stablehlo.constant"]
    values = [_constant_value(op) for op in constants]  # while the function still verifies
    for op in constants:
        op.result.replace_all_uses_with(block.add_argument(op.result.type, op.location))
        op.operation.erase()
    results, judged = [], []
    for op in _walk_checks(fn):
        if op.parent.name != "func.func":
            raise _Skip("a check inside a region")
        check = checks[ir.IntegerAttr(op.attributes["hlox.check"]).value]
        results.extend(op.operands)
        judged.append(check)
    ret = _ops(block)[-1]
    with ir.InsertionPoint(ret), ret.location:
        ir.Operation.create("func.return", operands=list(ret.operands) + results)
    for op in _walk_checks(fn):
        op.erase()
    ret.erase()
    ftype = ir.FunctionType.get([a.type for a in block.arguments],
                                [v.type for v in _ops(block)[-1].operands])
    fn.attributes["function_type"] = ir.TypeAttr.get(ftype)
    return values, judged


def _constant_value(op) -> str:
    """`dense<...> : tensor<...>` of a stablehlo.constant (the bindings cannot hand over complex attributes)."""
    return op.operation.get_asm().split("stablehlo.constant", 1)[1].strip()


class _Skip(Exception):
    pass


def run_case(case_text: str, name_prefix: str) -> list[Result]:
    """Results of every checked function of one `// -----` case."""
    for pattern, reason in SKIP_PATTERNS.items():
        if pattern in case_text:
            names = _FUNC_NAME.findall(case_text) or ["?"]
            return [Result(f"{name_prefix}:{names[-1]}", "skip", reason)]
    text, checks = rewrite_checks(case_text)
    ctx = make_context()
    ctx.allow_unregistered_dialects = True
    with ctx:
        try:
            entries = _entries(parse_module(text, ctx))
        except MlirInputError as e:
            return [Result(f"{name_prefix}:?", "error", e.lines[0])]
        if not entries:  # e.g. a case checked by FileCheck on the interpreter's output
            names = _FUNC_NAME.findall(case_text) or ["?"]
            return [Result(f"{name_prefix}:{names[-1]}", "skip", "no check ops")]
        results = []
        for entry in entries:
            case = f"{name_prefix}:{entry}"
            if case in SKIP_CASES:
                results.append(Result(case, "skip", SKIP_CASES[case]))
                continue
            try:
                module = parse_module(text, ctx)
                consts, judged = _prepare(module, entry, checks)
                expected = [c.expected for c in judged if c.expected]
                literals = _literal_values(consts + expected, ctx)
                outputs = module_runner.run_function(module, entry, literals[:len(consts)])
                failure = _judge(judged, outputs, iter(literals[len(consts):]))
                results.append(Result(case, "fail" if failure else "pass", failure))
            except _Skip as e:
                results.append(Result(case, "skip", str(e)))
            except Exception as e:  # noqa: BLE001  any failure of one case is that case's result
                results.append(Result(case, "error", f"{type(e).__name__}: {str(e).splitlines()[0] if str(e) else ''}"))
        return results


# -- check semantics ------------------------------------------------------------------------
DEFAULT_TOLERANCE = 1e-4  # the check dialect's default for expect_almost_eq*


def _judge(judged, outputs, expected_values) -> str:
    """'' when every check holds, else what the first failing check saw."""
    outputs = iter(outputs)
    for n, check in enumerate(judged):
        values = [next(outputs) for _ in range(check.n_operands)]
        if check.expected:
            values.append(next(expected_values))
        problem = _CHECKERS[check.kind.removesuffix("_const")](values[0], values[1], check.options)
        if problem:
            return f"check {n} ({check.kind}): {problem}"
    return ""


def _equal(actual, expected, options, tolerance=0.0):
    if actual.shape != expected.shape:
        return f"shape {actual.shape} != expected {expected.shape}"
    m = worst_mismatch(actual, expected, rtol=0.0, atol=tolerance)
    return m.describe("result") if m else ""


def _almost_equal(actual, expected, options):
    return _equal(actual, expected, options, float(options.get("tolerance", DEFAULT_TOLERANCE)))


def _ulp_index(a: np.ndarray) -> np.ndarray:
    """Floats mapped to integers so that neighbours differ by one (sign-magnitude to two's complement)."""
    bits = a.view(np.dtype(f"uint{8 * a.dtype.itemsize}")).astype(np.int64)
    sign = np.int64(1) << (8 * a.dtype.itemsize - 1)
    return np.where(bits & sign, -(bits & (sign - 1)), bits)


def _close(actual, expected, options):
    lo, hi = int(options.get("min_ulp_difference", 0)), int(options.get("max_ulp_difference", 0))
    dist = np.abs(_ulp_index(actual) - _ulp_index(expected))
    both_nan = np.isnan(actual.astype(np.float64)) & np.isnan(expected.astype(np.float64))
    bad = ~both_nan & ((dist < lo) | (dist > hi))
    if bad.any():
        i = int(np.argmax(bad))
        return (f"result {actual.reshape(-1)[i]} is {dist.reshape(-1)[i]} ULPs from "
                f"{expected.reshape(-1)[i]}, outside [{lo}, {hi}]")
    return ""


_CHECKERS = {
    "expect_eq": _equal,
    "expect_almost_eq": _almost_equal,
    "expect_close": _close,
}


# -- workers and the driver ------------------------------------------------------------------
def run_file(path: Path, root: Path, start: int = 0):
    """Run the cases of one file from case number `start`, printing a JSON line as each begins and ends."""
    name = str(path.relative_to(root))
    for n, case in enumerate(split_cases(path.read_text())[start:], start):
        if "func.func" not in case:
            continue
        print(json.dumps({"begin": n}), flush=True)
        for result in run_case(case, name):
            print(result.line(), flush=True)
        print(json.dumps({"end": n}), flush=True)
    print(json.dumps({"done": True}), flush=True)


def _worker(path: Path, root: Path, timeout: float) -> list[Result]:
    """Results of one file, each in a fresh process; a crash or hang costs only the case it hit."""
    results, start = [], 0
    env = dict(os.environ, TF_CPP_MIN_LOG_LEVEL="3")
    while True:
        cmd = [sys.executable, str(Path(__file__).resolve()), "--worker", str(path),
               "--root", str(root), "--start", str(start)]
        current, done = None, False  # current: the case begun and not ended
        try:
            proc = subprocess.run(cmd, capture_output=True, text=True, timeout=timeout, env=env)
            lines, err = proc.stdout.splitlines(), proc.stderr
            failure = f"worker died (exit status {proc.returncode})"
        except subprocess.TimeoutExpired as e:
            lines, err = _text(e.stdout).splitlines(), _text(e.stderr)
            failure = f"timed out after {timeout} s"
        for line in lines:
            record = json.loads(line) if line.startswith("{") else {}
            if "status" in record:
                results.append(Result(**record))
            current = record.get("begin", None if "end" in record else current)
            done = done or "done" in record
        if done:
            return results
        if current is None:  # died outside any case: nothing to resume
            tail = err.strip().splitlines()[-1:] or [""]
            return results + [Result(f"{path.relative_to(root)}:*", "error", f"{failure}: {tail[0]}")]
        results.append(Result(f"{path.relative_to(root)}:{_case_name(path, current)}", "error", failure))
        start = current + 1


def _text(output) -> str:
    return output.decode(errors="replace") if isinstance(output, bytes) else (output or "")


def _case_name(path: Path, n: int) -> str:
    names = _FUNC_NAME.findall(split_cases(path.read_text())[n])
    return names[-1] if names else f"case{n}"


def case_files(root: Path) -> list[Path]:
    return sorted(root.rglob("*.mlir"))


def run_all(root: Path = DEFAULT_DIR, jobs: int = 2, timeout: float = 120.0) -> list[Result]:
    files = case_files(root)
    with concurrent.futures.ThreadPoolExecutor(jobs) as pool:
        per_file = pool.map(lambda f: _worker(f, root, timeout), files)
        return [r for results in per_file for r in results]


def summary(results, seconds: float | None = None) -> str:
    counts = {s: sum(r.status == s for r in results) for s in ("pass", "fail", "error", "skip")}
    took = f" in {seconds:.0f} s" if seconds is not None else ""
    return (f"StableHLO conformance: {counts['pass']} passed, {counts['fail']} failed, "
            f"{counts['error']} errors, {counts['skip']} skipped of {len(results)} cases{took}")


def main(argv=None) -> int:
    p = argparse.ArgumentParser(prog="harness.py", description=__doc__.split("\n")[0])
    p.add_argument("dir", nargs="?", type=Path, default=DEFAULT_DIR)
    p.add_argument("--jobs", type=int, default=2)
    p.add_argument("--timeout", type=float, default=120.0, help="seconds per worker process")
    p.add_argument("-v", "--verbose", action="store_true", help="list every case, not only failures")
    p.add_argument("--worker", type=Path, help=argparse.SUPPRESS)
    p.add_argument("--root", type=Path, help=argparse.SUPPRESS)
    p.add_argument("--start", type=int, default=0, help=argparse.SUPPRESS)
    args = p.parse_args(argv)
    if args.worker:
        run_file(args.worker, args.root or args.worker.parent, args.start)
        return 0
    if not args.dir.is_dir():
        print(f"conformance: error: no directory {args.dir}", file=sys.stderr)
        return 1
    t0 = time.time()
    results = run_all(args.dir, args.jobs, args.timeout)
    for r in results:
        if args.verbose or r.status in ("fail", "error"):
            print(f"{r.status.upper():5} {r.case}  {r.reason}")
    print(summary(results, time.time() - t0))
    return 1 if any(r.status in ("fail", "error") for r in results) else 0


if __name__ == "__main__":
    sys.exit(main())
