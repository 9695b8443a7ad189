"""Reading MLIR for the command-line tools, and mlir-opt-style diagnostics.

Every tool reads its input through `parse_module` (or `read_input` +
`parse_source`), which turns MLIR's parse errors into `MlirInputError` whose
lines read `file:line:col: error: msg`, followed by the source line and a caret.
Text is parsed under its file name, so locations (and `--mlir-print-debuginfo`)
name the real file; a file holding several top-level ops, or one that is not a
`builtin.module`, is wrapped in a module as mlir-opt does.
"""
from __future__ import annotations

import os
import re
import sys

from hlox.lowering.mlir import ir
from hlox.passes.diagnostics import Diagnostic
from hlox.tools.module_checks import check_text

__all__ = ["MlirInputError", "parse_module", "read_input", "parse_source", "split_input",
           "format_diagnostic", "print_error", "BYTECODE_MAGIC", "SPLIT_MARKER"]

BYTECODE_MAGIC = b"ML\xefR"
SPLIT_MARKER = "// -----"


class MlirInputError(Exception):
    """Bad input to a tool: `lines` are ready-to-print diagnostics."""

    def __init__(self, lines, diagnostics=()):
        self.lines = list(lines)
        self.diagnostics = list(diagnostics)  # the same errors as `Diagnostic`s, when MLIR reported them
        super().__init__("\n".join(self.lines))


def _as_record(diag, severity: str | None) -> Diagnostic:
    record = diag if isinstance(diag, Diagnostic) else Diagnostic.from_mlir(diag)
    return Diagnostic(severity, record.location, record.message, record.notes) if severity else record


def format_diagnostic(diag, filename: str | None = None, severity: str | None = None,
                      sources: dict | None = None) -> str:
    """`file:line:col: error: msg` for a diagnostic (MLIR's or hlox's), its notes as `note:` lines.

    Locations in the unnamed buffer ("-") are reported as `filename`; when
    `sources` maps a file name to its text, the offending line and a caret follow.
    """
    record = _as_record(diag, severity)
    where = record.file_line_col()
    if where is None:
        prefix = f"{filename}: " if filename else ""
    else:
        file = filename if where[0] in ("-", "") and filename else where[0]
        prefix = f"{file}:{where[1]}:{where[2]}: "
    text = f"{prefix}{record.severity}: {record.message}"
    if where is not None and sources and where[0] in sources:
        lines = sources[where[0]].split("\n")
        if 0 < where[1] <= len(lines):
            text += _source_excerpt(lines[where[1] - 1], where[2])
    for n in record.notes:
        text += "\n" + format_diagnostic(n, filename, "note", sources)
    return text


_EXCERPT = 160  # characters of a long source line shown around the column


def _source_excerpt(line: str, column: int) -> str:
    """The source line (a window of it around `column` when long) and a caret under the column."""
    start = 0
    if len(line) > _EXCERPT:
        start = max(0, min(column - 1 - _EXCERPT // 2, len(line) - _EXCERPT))
        line = ("..." if start else "") + line[start:start + _EXCERPT] + \
            ("..." if start + _EXCERPT < len(line) else "")
        start -= 3 if start else 0
    return f"\n{line}\n{' ' * (column - 1 - start)}^"


def print_error(err: MlirInputError, stream=None) -> None:
    for line in err.lines:
        print(line, file=stream or sys.stderr)


def read_input(path: str) -> tuple[bytes, str]:
    """(content, display name) of a file, or of stdin for '-'."""
    if path == "-":
        return sys.stdin.buffer.read(), "<stdin>"
    try:
        with open(path, "rb") as f:
            return f.read(), path
    except OSError as e:
        raise MlirInputError([f"{path}: error: could not open input file: {e.strerror}"]) from None


def split_input(text: str) -> list[tuple[int, str]]:
    """`--split-input-file`: (first line number, chunk) for each piece between `// -----` lines."""
    chunks, start, current = [], 1, []
    for number, line in enumerate(text.split("\n"), 1):
        if line.strip() == SPLIT_MARKER:
            chunks.append((start, "\n".join(current)))
            start, current = number + 1, []
        else:
            current.append(line)
    chunks.append((start, "\n".join(current)))
    return chunks


_TRIVIA = re.compile(r"^\s*(//.*)?$")
_ALIAS = re.compile(r"^\s*[#!][\w.$-]+\s*=")


def _implicit_module(text: str) -> str:
    """`text` (several top-level ops) inside `module { ... }`, every op at the same line and column.

    `module {` goes onto the blank or comment line (or the end of the alias
    definition) before the first op, and `}` onto a new line after the last op.
    """
    lines = text.split("\n")
    code = [i for i, line in enumerate(lines) if not _TRIVIA.match(line) and not _ALIAS.match(line)]
    if not code:
        return "module {}\n" + text
    first, last = code[0], code[-1]
    if first == 0:
        lines[0] = "module { " + lines[0]
    elif _ALIAS.match(lines[first - 1]):
        lines[first - 1] += " module {"
    else:
        lines[first - 1] = "module {" + lines[first - 1]
    lines.insert(last + 1, "}")
    return "\n".join(lines)


class _NotOneModule(Exception):
    pass


def _parse_text(text: str, name: str, wrap_if_needed: bool):
    try:
        op = ir.Operation.parse(text, source_name=name)
    except ir.MLIRError as e:
        if wrap_if_needed and _several_ops(e):
            raise _NotOneModule() from None
        raise
    return op if op.operation.name == "builtin.module" else _module_around(op.operation)


def _module_around(op):
    """A `builtin.module` holding the single top-level op `op` (mlir-opt's implicit module)."""
    module = ir.Operation.create("builtin.module", regions=1, loc=op.location)
    module.regions[0].blocks.append()
    ir.InsertionPoint(module.regions[0].blocks[0]).insert(op)
    return module.opview


def parse_source(content, name: str, ctx: ir.Context | None = None, first_line: int = 1):
    """Parse MLIR text or bytecode; text is read as lines `first_line...` of file `name`."""
    ctx = ctx or ir.Context.current
    if isinstance(content, bytes) and content.startswith(BYTECODE_MAGIC):
        return _parse_bytecode(content, name, ctx)
    if isinstance(content, bytes):
        try:
            content = content.decode("utf-8")
        except UnicodeDecodeError as e:
            raise MlirInputError([f"{name}: error: input is neither UTF-8 text nor MLIR bytecode ({e})"]) from None
    text = "\n" * (first_line - 1) + content
    sources = {name: text}
    problems = check_text(text, name)
    if problems:  # text that would crash MLIR's parser or printer
        raise MlirInputError([format_diagnostic(d, name, sources=sources) for d in problems], problems)
    with ctx:
        try:
            try:
                return _parse_text(text, name, wrap_if_needed=True)
            except _NotOneModule:
                return _parse_text(_implicit_module(text), name, wrap_if_needed=False)
        except ir.MLIRError as e:
            records = [Diagnostic.from_mlir(d) for d in e.error_diagnostics]
            lines = [format_diagnostic(d, name, sources=sources) for d in records]
            raise MlirInputError(lines or [f"{name}: error: {e}"], records) from None


def _several_ops(err) -> bool:
    return any("source must contain a single top-level operation" in d.message for d in err.error_diagnostics)


def _parse_bytecode(content: bytes, name: str, ctx: ir.Context):
    with ctx:
        try:
            return ir.Module.parse(content)
        except ir.MLIRError as e:
            lines = [format_diagnostic(d, name) for d in e.error_diagnostics]
            raise MlirInputError(lines or [f"{name}: error: invalid MLIR bytecode"]) from None
        except Exception as e:  # bytecode readers raise plain errors
            raise MlirInputError([f"{name}: error: invalid MLIR bytecode: {e}"]) from None


def parse_module(source, ctx: ir.Context | None = None):
    """Parse MLIR text or bytecode from a path, '-' (stdin) or the content itself.

    Returns the `builtin.module` op (it has `.body`, `.operation`, `.context`);
    MlirInputError on bad input.
    """
    if isinstance(source, bytes):
        return parse_source(source, "<string>", ctx)
    if isinstance(source, os.PathLike) or (isinstance(source, str) and "\n" not in source
                                            and (source == "-" or os.path.exists(source))):
        content, name = read_input(os.fspath(source))
        return parse_source(content, name, ctx)
    if isinstance(source, str) and "\n" not in source and not source.lstrip().startswith(
            ("module", "func", "#", "//", "\"")):
        raise MlirInputError([f"{source}: error: could not open input file: No such file or directory"])
    return parse_source(source, "<string>", ctx)
