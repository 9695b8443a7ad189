"""Runs the whole lit suite (tests/lit: hlox-opt and hlox-run RUN/CHECK files) under pytest."""
import os
import subprocess
import sys

LIT_DIR = os.path.join(os.path.dirname(__file__), "lit")


def test_lit_suite():
    result = subprocess.run([sys.executable, "-c", "import lit.main; lit.main.main()", "-v", LIT_DIR], capture_output=True, text=True,
                            timeout=900)
    report = result.stdout + result.stderr
    assert result.returncode == 0, report[-20000:]
    assert "Passed:" in report and "Failed" not in report.split("Testing Time")[-1], report[-20000:]
