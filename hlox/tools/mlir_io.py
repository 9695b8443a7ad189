"""Reading MLIR for the command-line tools, and mlir-opt-style diagnostics.

Every tool reads its input through `parse_module`, which turns MLIR's parse
errors into `MlirInputError` whose lines read `file:line:col: error: msg`.
"""
from __future__ import annotations

import os
import re
import sys

from hlox.lowering.mlir import ir

__all__ = ["MlirInputError", "parse_module", "format_diagnostic", "print_error"]


class MlirInputError(Exception):
    """Bad input to a tool: `lines` are ready-to-print diagnostics."""

    def __init__(self, lines):
        self.lines = list(lines)
        super().__init__("\n".join(self.lines))


_LOC = re.compile(r'^loc\("(?P<file>[^"]*)":(?P<line>\d+):(?P<col>\d+)')


def format_diagnostic(diag, filename: str | None = None, severity: str = "error") -> str:
    """`file:line:col: error: msg` for an MLIR diagnostic (its notes follow as `note:` lines)."""
    match = _LOC.match(str(diag.location))
    if match:
        file = filename if match["file"] in ("-", "") and filename else match["file"]
        where = f"{file}:{match['line']}:{match['col']}: "
    else:
        where = f"{filename}: " if filename else ""
    text = f"{where}{severity}: {diag.message}"
    for note in getattr(diag, "notes", ()):
        text += "\n" + format_diagnostic(note, filename, "note")
    return text


def _read(source):
    """(content, display name) of a path, '-' (stdin), or the MLIR text/bytecode itself."""
    if isinstance(source, os.PathLike) or (isinstance(source, str) and "\n" not in source
                                            and (source == "-" or os.path.exists(source))):
        path = os.fspath(source)
        if path == "-":
            return sys.stdin.buffer.read(), "<stdin>"
        try:
            with open(path, "rb") as f:
                return f.read(), path
        except OSError as e:
            raise MlirInputError([f"{path}: error: could not open input file: {e.strerror}"]) from None
    if isinstance(source, str) and "\n" not in source and not source.lstrip().startswith(("module", "func", "#", "//", "\"")):
        raise MlirInputError([f"{source}: error: could not open input file: No such file or directory"])
    return source, "<string>"


def parse_module(source, ctx: ir.Context | None = None) -> ir.Module:
    """Parse MLIR text or bytecode from a path, '-' or the content itself; MlirInputError on bad input."""
    content, name = _read(source)
    ctx = ctx or ir.Context.current
    with ctx:
        try:
            return ir.Module.parse(content)
        except ir.MLIRError as e:
            lines = [format_diagnostic(d, name) for d in e.error_diagnostics]
            raise MlirInputError(lines or [f"{name}: error: {e}"]) from None
        except Exception as e:  # bytecode readers raise plain errors
            raise MlirInputError([f"{name}: error: {e}"]) from None


def print_error(err: MlirInputError, stream=None) -> None:
    for line in err.lines:
        print(line, file=stream or sys.stderr)
