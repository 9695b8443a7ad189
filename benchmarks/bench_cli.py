"""Start-up time of the command-line tools: wall seconds of whole hlox-opt runs (median of N).

Target (issue 9): `hlox-opt --help` and `hlox-opt ten.mlir --hlox-vjp` (a 10-op module)
under 0.5 s each.

Run: python benchmarks/bench_cli.py [--runs 5]
"""
from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time

TEN_OPS = "\n".join([
    "func.func @main(%x: tensor<4xf32>, %y: tensor<4xf32>) -> tensor<4xf32> {",
    "  %0 = stablehlo.add %x, %y : tensor<4xf32>",
    "  %1 = stablehlo.multiply %0, %x : tensor<4xf32>",
    "  %2 = stablehlo.sine %1 : tensor<4xf32>",
    "  %3 = stablehlo.cosine %2 : tensor<4xf32>",
    "  %4 = stablehlo.exponential %3 : tensor<4xf32>",
    "  %5 = stablehlo.subtract %4, %y : tensor<4xf32>",
    "  %6 = stablehlo.tanh %5 : tensor<4xf32>",
    "  %7 = stablehlo.multiply %6, %6 : tensor<4xf32>",
    "  %8 = stablehlo.add %7, %x : tensor<4xf32>",
    "  %9 = stablehlo.negate %8 : tensor<4xf32>",
    "  return %9 : tensor<4xf32>",
    "}", ""])


def wall(cmd, runs: int) -> float:
    times = []
    for _ in range(runs):
        t0 = time.perf_counter()
        subprocess.run(cmd, check=True, stdout=subprocess.DEVNULL)
        times.append(time.perf_counter() - t0)
    return statistics.median(times)


def main():
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("--runs", type=int, default=5)
    args = p.parse_args()
    opt = shutil.which("hlox-opt", path=os.path.dirname(sys.executable)) or "hlox-opt"
    with tempfile.TemporaryDirectory() as tmp:
        path = os.path.join(tmp, "ten.mlir")
        with open(path, "w") as f:
            f.write(TEN_OPS)
        for label, cmd in [("hlox-opt --help", [opt, "--help"]),
                           ("hlox-opt ten.mlir --hlox-vjp", [opt, path, "--hlox-vjp"]),
                           ("python -c pass", [sys.executable, "-c", "pass"])]:
            print(f"{label:32} {wall(cmd, args.runs):.3f} s (median of {args.runs})")


if __name__ == "__main__":
    main()
