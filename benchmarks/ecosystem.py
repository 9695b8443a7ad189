"""Optax and Chex on hlox: each library's own test suite under `python -m hlox.as_jax -m pytest`
and under real JAX, passed/total side by side, file by file.

The libraries are pinned to versions that support JAX 0.10.2 (the `test` extra pins the same);
their tests ship inside the wheels, so they are found in the installed packages. Each test
file runs in its own pytest process (hlox and real JAX cannot share one), with a per-test
timeout. A full run takes a long while on 2 cores: `--files` picks a subset.

Run: python benchmarks/ecosystem.py [--install] [--lib optax --lib chex] [--files PATTERN ...]
                                    [--timeout SECONDS] [--only hlox|jax] [--json OUT]
"""
from __future__ import annotations

import argparse
import fnmatch
import importlib.util
import json
import os
import pathlib
import re
import subprocess
import sys
import tempfile
import time

ROOT = pathlib.Path(__file__).resolve().parents[1]
PINS = {"optax": "0.2.8", "chex": "0.1.92"}
# what the libraries' tests import beyond the libraries themselves
TEST_DEPS = ["pytest-timeout", "cloudpickle", "dm-tree", "scipy", "scikit-learn"]
_SUMMARY = re.compile(r"(\d+) (passed|failed|errors?|skipped|xfailed|xpassed)")


def install():
    """pip-install the pinned libraries and their test dependencies (never touching jax)."""
    subprocess.run([sys.executable, "-m", "pip", "install", "-q", "jax==0.10.2", "jaxlib==0.10.2",
                    *(f"{lib}=={v}" for lib, v in PINS.items()), *TEST_DEPS], check=True)


def test_files(lib: str) -> list[pathlib.Path]:
    spec = importlib.util.find_spec(lib)
    if spec is None or not spec.submodule_search_locations:
        raise SystemExit(f"{lib} is not installed: run with --install")
    package = pathlib.Path(list(spec.submodule_search_locations)[0])
    return sorted(package.rglob("*_test.py"))


def run_file(path: pathlib.Path, backend: str, timeout: int, workdir: str) -> dict:
    """pytest on one file with hlox as jax or with real jax: counts of each outcome."""
    prefix = ["-m", "hlox.as_jax"] if backend == "hlox" else []
    cmd = [sys.executable, *prefix, "-m", "pytest", str(path), "-q", "-p", "no:cacheprovider",
           "--timeout", str(timeout), "--rootdir", workdir, "-o", "addopts="]
    env = dict(os.environ, PYTHONPATH=str(ROOT), JAX_PLATFORMS="cpu")
    t0 = time.perf_counter()
    try:
        proc = subprocess.run(cmd, cwd=workdir, capture_output=True, text=True, env=env,
                              timeout=max(600, 40 * timeout))
        out = proc.stdout + proc.stderr
    except subprocess.TimeoutExpired as e:
        out = (e.stdout or b"").decode(errors="replace") if isinstance(e.stdout, bytes) else (e.stdout or "")
        out += "\n(file timed out)"
    counts = {"passed": 0, "failed": 0, "error": 0, "skipped": 0}
    tail = [line for line in out.splitlines() if _SUMMARY.search(line)]
    for n, what in _SUMMARY.findall(tail[-1] if tail else ""):
        key = "error" if what.startswith("error") else ("passed" if what == "xpassed" else
                                                        "skipped" if what == "xfailed" else what)
        counts[key] += int(n)
    if not tail:
        counts["error"] = 1  # nothing ran: the file failed to import or to finish
    counts["seconds"] = round(time.perf_counter() - t0, 1)
    counts["failures"] = [line for line in out.splitlines() if line.startswith(("FAILED", "ERROR"))][:50]
    return counts


def ran(c: dict) -> int:
    return c["passed"] + c["failed"] + c["error"]


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--install", action="store_true", help="pip-install the pinned versions first")
    parser.add_argument("--lib", action="append", choices=sorted(PINS), help="library (default: all)")
    parser.add_argument("--files", nargs="*", help="glob patterns on the test files' paths")
    parser.add_argument("--timeout", type=int, default=300, help="per-test timeout in seconds")
    parser.add_argument("--only", choices=("hlox", "jax"), help="run one side only")
    parser.add_argument("--json", help="write the counts (and failing test ids) here")
    args = parser.parse_args(argv)
    if args.install:
        install()
    backends = [args.only] if args.only else ["hlox", "jax"]
    results = {}
    print(f"{'test file':58s} " + " ".join(f"{b + ' passed/total':>20s}" for b in backends), flush=True)
    with tempfile.TemporaryDirectory(prefix="hlox-ecosystem-") as workdir:
        for lib in args.lib or sorted(PINS):
            files = test_files(lib)
            if args.files:
                files = [f for f in files if any(fnmatch.fnmatch(str(f), f"*{p}*") for p in args.files)]
            for path in files:
                name = str(path).split("site-packages/")[-1]
                results[name] = {b: run_file(path, b, args.timeout, workdir) for b in backends}
                cells = [f"{results[name][b]['passed']:>9d}/{ran(results[name][b]):<10d}" for b in backends]
                print(f"{name:58s} " + " ".join(f"{c:>20s}" for c in cells), flush=True)
    for lib in args.lib or sorted(PINS):
        mine = [r for n, r in results.items() if n.startswith(lib + "/")]
        cells = [f"{sum(r[b]['passed'] for r in mine):>9d}/{sum(ran(r[b]) for r in mine):<10d}" for b in backends]
        print(f"{lib + ' ' + PINS[lib] + ' (all files run)':58s} " + " ".join(f"{c:>20s}" for c in cells))
    if args.json:
        pathlib.Path(args.json).write_text(json.dumps(results, indent=1))


if __name__ == "__main__":
    main()
