"""Runs many hlox-opt / hlox-run command lines through their console entry (`main()` with
sys.argv, so containment is on), each in a forked child, and records how each ended.

    python cli_worker.py CASES.json RESULTS.json

CASES.json: [{"tool": "hlox-opt"|"hlox-run", "argv": [...], "cwd": DIR}, ...]. RESULTS.json:
[{"rc": exit status, or -N for a death by signal N, "stderr": text, "seconds": s}, ...].
One interpreter imports the tools once; forking per case keeps the 2.5 s start-up of a fresh
`hlox-run` out of every case while each case still starts with no PJRT client or MLIR state.
"""
from __future__ import annotations

import json
import os
import signal
import sys
import time

from hlox.tools import opt, run

# What a first execution imports anyway (ml_dtypes; jaxlib's execute imports `jax.core`): loaded
# once here, before any fork, instead of once per case. No client or thread exists yet.
import ml_dtypes  # noqa: E402,F401
try:
    import jax.core  # noqa: E402,F401
except ImportError:
    pass

TOOLS = {"hlox-opt": opt.main, "hlox-run": run.main}
CASE_TIMEOUT_S = 30


def _run_case(case: dict, err_path: str) -> dict:
    start = time.perf_counter()
    pid = os.fork()
    if pid == 0:
        try:
            os.setpgid(0, 0)  # its own group, so a hang is killed with the contained child
            os.chdir(case.get("cwd", "."))
            null = os.open(os.devnull, os.O_RDWR)
            err = os.open(err_path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o644)
            os.dup2(null, 0)
            os.dup2(null, 1)
            os.dup2(err, 2)
            sys.argv = [case["tool"]] + case["argv"]
            rc = TOOLS[case["tool"]]()
        except SystemExit as e:
            rc = e.code if isinstance(e.code, int) else 1
        except BaseException:  # noqa: BLE001
            import traceback
            traceback.print_exc()
            rc = 1
        sys.stderr.flush()
        os._exit(rc)
    deadline = start + CASE_TIMEOUT_S
    while True:
        done, status = os.waitpid(pid, os.WNOHANG)
        if done:
            break
        if time.perf_counter() > deadline:
            os.killpg(pid, signal.SIGKILL)
            deadline = float("inf")
        time.sleep(0.005)
    rc = os.WEXITSTATUS(status) if os.WIFEXITED(status) else -os.WTERMSIG(status)
    with open(err_path, errors="replace") as f:
        stderr = f.read()
    return {"rc": rc, "stderr": stderr[-4000:], "seconds": time.perf_counter() - start}


def main() -> None:
    cases_path, results_path = sys.argv[1], sys.argv[2]
    with open(cases_path) as f:
        cases = json.load(f)
    err_path = results_path + ".stderr"
    results = [_run_case(case, err_path) for case in cases]
    with open(results_path, "w") as f:
        json.dump(results, f)


if __name__ == "__main__":
    main()
