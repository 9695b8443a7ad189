"""hlox-opt and hlox-run never die by a signal and never print a traceback (issue 14, item 3).

A fixed-seed corpus of mutated modules (the lit tests' inputs and a few control-flow
seeds; lines deleted and duplicated, tokens swapped, numbers and types changed, text
truncated) goes through both tools' console entries; every run must exit 0 or 1, and a
failure must say `file:line:col: error: ...` or `name: error: ...`. Then one case per
class of input known to crash MLIR or XLA, each stopped with a located diagnostic.
"""
from __future__ import annotations

import glob
import json
import os
import random
import re
import subprocess
import sys
import time

import numpy as np
import pytest

from hlox.lowering import module_runner
from hlox.lowering.mlir import make_context
from hlox.tools import contain
from hlox.tools.mlir_io import MlirInputError, parse_source

HERE = os.path.dirname(__file__)
WORKER = os.path.join(HERE, "cli_worker.py")
LIT = os.path.join(HERE, "..", "lit")
SEED = 14
MUTANTS_PER_SEED = 5
WORKERS = 1
BUDGET_S = 120  # a hang guard: the corpus takes about 35 s on 2 busy cores
DIAGNOSTIC = re.compile(r"^[^\s:][^:\n]*(:\d+:\d+)?: error: ", re.M)

CONTROL_FLOW_SEED = """\
func.func @main(%p: tensor<i1>, %x: tensor<4xf32>) -> tensor<2xf32> {
  %init = stablehlo.constant dense<0.0> : tensor<f32>
  %r = "stablehlo.if"(%p) ({
    %n = stablehlo.negate %x : tensor<4xf32>
    stablehlo.return %n : tensor<4xf32>
  }, {
    %c = func.call @helper(%x) : (tensor<4xf32>) -> tensor<4xf32>
    stablehlo.return %c : tensor<4xf32>
  }) : (tensor<i1>) -> tensor<4xf32>
  %w = "stablehlo.reduce_window"(%r, %init) ({
  ^bb0(%a: tensor<f32>, %b: tensor<f32>):
    %s = stablehlo.add %a, %b : tensor<f32>
    stablehlo.return %s : tensor<f32>
  }) {window_dimensions = array<i64: 2>, window_strides = array<i64: 2>} : (tensor<4xf32>, tensor<f32>) -> tensor<2xf32>
  return %w : tensor<2xf32>
}

func.func private @helper(%x: tensor<4xf32>) -> tensor<4xf32> {
  %c = stablehlo.constant dense<[1.0, 2.0, 3.0, 4.0]> : tensor<4xf32>
  %0 = stablehlo.multiply %x, %c : tensor<4xf32>
  return %0 : tensor<4xf32>
}
"""

WHILE_SEED = """\
func.func @main(%x: tensor<3xf32>) -> tensor<3xf32> {
  %zero = stablehlo.constant dense<0> : tensor<i32>
  %ten = stablehlo.constant dense<10> : tensor<i32>
  %one = stablehlo.constant dense<1> : tensor<i32>
  %r:2 = stablehlo.while(%i = %zero, %v = %x) : tensor<i32>, tensor<3xf32>
   cond {
    %c = stablehlo.compare LT, %i, %ten : (tensor<i32>, tensor<i32>) -> tensor<i1>
    stablehlo.return %c : tensor<i1>
  } do {
    %j = stablehlo.add %i, %one : tensor<i32>
    %s = stablehlo.sine %v : tensor<3xf32>
    stablehlo.return %j, %s : tensor<i32>, tensor<3xf32>
  }
  %t = stablehlo.custom_call @unknown_target(%r#1) : (tensor<3xf32>) -> tensor<3xf32>
  return %r#1 : tensor<3xf32>
}
"""


# --- mutations ----------------------------------------------------------------------------------

_NUMBER = re.compile(r"(?<![\w%#@.])-?\d+(\.\d+)?(e[+-]?\d+)?")
_ELEMENT = re.compile(r"\b(f32|f64|i32|i64|i1|bf16|f16)\b")
NUMBERS = ["0", "-1", "1", "3", "2147483648", "9223372036854775807", "18446744073709551616", "1e308",
           "4294967296x4294967296", "0x7FC00000"]
ELEMENTS = ["i4", "ui2", "complex<f32>", "f8E4M3FN", "f4E2M1FN", "i1", "f64", "index", "!stablehlo.token"]
NOISE = ["{", "}", "(", ")", "<", ">", "[", "]", ",", ":", "%", "^bb1:", "\"", "dense<(1.0, 2.0)>",
         "stablehlo.custom_call @nope() : () -> ()", "func.call @main() : () -> ()"]


def _delete_line(text, rng):
    lines = text.split("\n")
    del lines[rng.randrange(len(lines))]
    return "\n".join(lines)


def _duplicate_line(text, rng):
    lines = text.split("\n")
    i = rng.randrange(len(lines))
    lines.insert(i, lines[i])
    return "\n".join(lines)


def _swap_tokens(text, rng):
    tokens = re.split(r"(\s+)", text)
    words = [i for i, t in enumerate(tokens) if t.strip()]
    if len(words) < 2:
        return text
    a, b = rng.sample(words, 2)
    tokens[a], tokens[b] = tokens[b], tokens[a]
    return "".join(tokens)


def _replace_one(text, rng, pattern, choices):
    found = list(pattern.finditer(text))
    if not found:
        return text
    m = rng.choice(found)
    return text[:m.start()] + rng.choice(choices) + text[m.end():]


def _change_number(text, rng):
    return _replace_one(text, rng, _NUMBER, NUMBERS)


def _change_type(text, rng):
    return _replace_one(text, rng, _ELEMENT, ELEMENTS)


def _truncate(text, rng):
    return text[:rng.randrange(len(text))]


def _insert_noise(text, rng):
    at = rng.randrange(len(text))
    return text[:at] + rng.choice(NOISE) + text[at:]


MUTATORS = (_delete_line, _duplicate_line, _swap_tokens, _change_number, _change_type, _truncate,
            _insert_noise)


def _mutate(text: str, rng: random.Random) -> str:
    for _ in range(rng.choice((1, 1, 2, 3))):
        text = rng.choice(MUTATORS)(text, rng) or text
    return text


# --- the corpus ---------------------------------------------------------------------------------

def _seeds() -> list[tuple[str, str]]:
    paths = sorted(p for p in glob.glob(os.path.join(LIT, "**", "*.mlir"), recursive=True)
                   if os.path.getsize(p) < 4000 and "split-input-file" not in p)
    seeds = [(os.path.relpath(p, LIT), _without_lit_lines(open(p).read())) for p in paths]
    return seeds + [("control-flow", CONTROL_FLOW_SEED), ("while", WHILE_SEED)]


def _without_lit_lines(text: str) -> str:
    return "\n".join(line for line in text.split("\n") if not re.match(r"\s*// *(RUN|CHECK|[A-Z]+-?\w*:)", line))


def _inputs(text: str, directory: str, stem: str) -> list[str]:
    """.npy files of ones for @main of the unmutated seed (none when it has no runnable @main)."""
    try:
        with make_context() as ctx:
            sig = module_runner.signature(parse_source(text, stem, ctx), "main")
    except (MlirInputError, LookupError, TypeError, ValueError):
        return []
    paths = []
    for i, (shape, dtype) in enumerate(sig.inputs):
        path = os.path.join(directory, f"{stem}.arg{i}.npy")
        np.save(path, np.ones(shape, dtype) if dtype.kind != "V" else np.zeros(shape, f"u{dtype.itemsize}"))
        paths.append(path)
    return paths


PASSES = ["--canonicalize", "--cse", "--inline", "--hlox-jvp", "--hlox-grad", "--hlox-batch=in-axes=0 size=2",
          "--symbol-dce"]


def _corpus(directory: str) -> list[dict]:
    rng = random.Random(SEED)
    cases = []
    for k, (name, text) in enumerate(_seeds()):
        inputs = _inputs(text, directory, f"seed{k}")
        for j in range(MUTANTS_PER_SEED):
            path = os.path.join(directory, f"m{k}_{j}.mlir")
            with open(path, "w") as f:
                f.write(_mutate(text, rng))
            origin = f"{name} mutant {j}"
            cases.append({"tool": "hlox-opt", "argv": [path, rng.choice(PASSES)], "origin": origin})
            cases.append({"tool": "hlox-run", "argv": [path, *inputs], "origin": origin})
    return cases


def _run_workers(cases: list[dict], directory: str, env=None) -> list[dict]:
    """Each case's result, the cases shared round-robin among WORKERS worker processes."""
    procs = []
    for w in range(WORKERS):
        cases_path = os.path.join(directory, f"cases{w}.json")
        with open(cases_path, "w") as f:
            json.dump(cases[w::WORKERS], f)
        results_path = os.path.join(directory, f"results{w}.json")
        procs.append((subprocess.Popen([sys.executable, WORKER, cases_path, results_path], env=env,
                                       cwd=directory), results_path))
    shares = []
    for proc, results_path in procs:
        assert proc.wait(timeout=600) == 0
        with open(results_path) as f:
            shares.append(json.load(f))
    results = [None] * len(cases)
    for w, share in enumerate(shares):
        results[w::WORKERS] = share
    return results


def _problem(result: dict) -> str | None:
    rc, err = result["rc"], result["stderr"]
    if rc < 0:
        return f"killed by signal {-rc}"
    if rc not in (0, 1):
        return f"exit status {rc}"
    if "Traceback" in err:
        return "a Python traceback"
    if rc == 1 and not DIAGNOSTIC.search(err):
        return "no diagnostic"
    return None


def test_fuzz_corpus_exits_cleanly(tmp_path):
    cases = _corpus(str(tmp_path))
    start = time.perf_counter()
    results = _run_workers(cases, str(tmp_path))
    elapsed = time.perf_counter() - start
    counts = {rc: sum(r["rc"] == rc for r in results) for rc in sorted({r["rc"] for r in results})}
    print(f"{len(cases)} runs of {len(cases) // 2} mutants in {elapsed:.1f} s; exit statuses: {counts}")
    bad = [(c["origin"], c["tool"], c["argv"][1:], p, r["stderr"][-600:])
           for c, r in zip(cases, results) if (p := _problem(r))]
    assert not bad, "\n\n".join(map(str, bad[:5]))
    assert counts.get(0, 0) > 0 and counts.get(1, 0) > 0  # the corpus exercises both outcomes
    assert elapsed < BUDGET_S
