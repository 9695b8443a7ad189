"""One record for every diagnostic a pipeline produces.

MLIR reports errors through the `MLIRError` a failed parse or pass run raises,
and warnings and remarks through the context's diagnostic handler; Python passes
report through `emit_error`/`emit_warning`/`emit_remark`. All three become
`Diagnostic`s handed to the sink that `capture` installs.
"""
from __future__ import annotations

import contextlib
import re
import sys
import threading
from dataclasses import dataclass

from hlox.lowering.mlir import ir

__all__ = ["Diagnostic", "capture", "emit_error", "emit_warning", "emit_remark", "note"]

_SEVERITY = {
    ir.DiagnosticSeverity.ERROR: "error",
    ir.DiagnosticSeverity.WARNING: "warning",
    ir.DiagnosticSeverity.REMARK: "remark",
    ir.DiagnosticSeverity.NOTE: "note",
}

_FILE_LINE_COL = re.compile(r'"((?:[^"\\]|\\.)*)":(\d+):(\d+)')


@dataclass(frozen=True)
class Diagnostic:
    severity: str  # "error", "warning", "remark" or "note"
    location: str  # MLIR's text of the location, e.g. loc("f.mlir":3:5)
    message: str
    notes: tuple = ()

    @classmethod
    def from_mlir(cls, diag) -> "Diagnostic":
        """From an `ir.Diagnostic` (handler) or `ir.DiagnosticInfo` (MLIRError)."""
        return cls(_SEVERITY.get(diag.severity, "error"), str(diag.location), str(diag.message),
                   tuple(cls.from_mlir(n) for n in diag.notes))

    def file_line_col(self):
        """(file, line, column) of the first file location inside `location`, or None."""
        m = _FILE_LINE_COL.search(self.location)
        return (m[1], int(m[2]), int(m[3])) if m else None

    def __str__(self) -> str:
        where = self.file_line_col()
        prefix = f"{where[0]}:{where[1]}:{where[2]}: " if where else ""
        return f"{prefix}{self.severity}: {self.message}"


class _State(threading.local):
    def __init__(self):
        self.sinks = []  # innermost last
        self.failed = []  # one flag per running Python pass


_state = _State()


@contextlib.contextmanager
def capture(ctx: ir.Context, sink):
    """Send every diagnostic raised in `ctx` (or emitted by a Python pass) to `sink(Diagnostic)`."""
    def handler(diag):
        sink(Diagnostic.from_mlir(diag))
        return True

    registration = ctx.attach_diagnostic_handler(handler)
    _state.sinks.append(sink)
    try:
        yield
    finally:
        _state.sinks.pop()
        registration.detach()


@contextlib.contextmanager
def running_pass():
    """Within a Python pass: yields a one-element list that becomes [True] once it emits an error."""
    flag = [False]
    _state.failed.append(flag)
    try:
        yield flag
    finally:
        _state.failed.pop()


def _location(where) -> str:
    if isinstance(where, ir.Location):
        return str(where)
    if isinstance(where, str):
        return where
    return str(where.location)


def _emit(severity: str, where, message: str, notes=()) -> Diagnostic:
    diag = Diagnostic(severity, _location(where), message, tuple(notes))
    if severity == "error" and _state.failed:
        _state.failed[-1][0] = True
    if _state.sinks:
        _state.sinks[-1](diag)
    else:
        print(diag, file=sys.stderr)
    return diag


def emit_error(where, message: str, notes=()) -> Diagnostic:
    """Report an error at an op (or ir.Location); a Python pass that emits one fails."""
    return _emit("error", where, message, notes)


def emit_warning(where, message: str, notes=()) -> Diagnostic:
    return _emit("warning", where, message, notes)


def emit_remark(where, message: str, notes=()) -> Diagnostic:
    return _emit("remark", where, message, notes)


def note(where, message: str) -> Diagnostic:
    """A note to attach to another diagnostic via its `notes=` argument (not emitted alone)."""
    return Diagnostic("note", _location(where), message)
