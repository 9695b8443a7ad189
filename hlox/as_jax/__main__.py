"""`python -m hlox.as_jax SCRIPT ARGS` / `python -m hlox.as_jax -m MODULE ARGS`: run a program
written for `jax` on hlox (`python -m hlox.as_jax -m pytest ...` runs a library's tests)."""
from __future__ import annotations

import os
import runpy
import sys

from hlox.as_jax import install_as_jax

USAGE = "usage: python -m hlox.as_jax SCRIPT [ARGS...] | -m MODULE [ARGS...]"


def main(argv: list[str]) -> None:
    if not argv or argv[0] in ("-h", "--help"):
        print(USAGE)
        raise SystemExit(0 if argv else 2)
    install_as_jax()
    if argv[0] == "-m":
        if len(argv) < 2:
            raise SystemExit(USAGE)
        sys.argv = argv[1:]
        runpy.run_module(argv[1], run_name="__main__", alter_sys=True)
    else:
        sys.argv = argv
        sys.path[0] = os.path.dirname(os.path.abspath(argv[0]))  # as `python SCRIPT` sets it
        runpy.run_path(argv[0], run_name="__main__")


if __name__ == "__main__":
    main(sys.argv[1:])
