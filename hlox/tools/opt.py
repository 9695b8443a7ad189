"""hlox-opt: an mlir-opt-style driver for StableHLO and hlox's passes.

    hlox-opt in.mlir --pass-pipeline='builtin.module(func.func(cse),hlox-grad{func=f})'
    hlox-opt in.mlir --cse --canonicalize --hlox-jvp='func=f wrt=0' -o out.mlir

Every pass, C++ or Python, runs in one MLIR PassManager (see hlox.passes).
Exit status: 0 on success, 1 when any error is reported (warnings and remarks
alone do not fail).
"""
from __future__ import annotations

import argparse
import dataclasses
import io
import os
import re
import sys

import hlox.passes as hp
from hlox.lowering.mlir import make_context
from hlox.passes.diagnostics import Diagnostic
from hlox.passes.pipeline import Nested, PassRef, PipelineError
from hlox.tools import contain
from hlox.tools.mlir_io import (MlirInputError, SPLIT_MARKER, format_diagnostic, parse_source, read_input,
                                split_input)

__all__ = ["main"]

PROG = "hlox-opt"


class ToolError(Exception):
    """A one-line problem with the command line or the files: `hlox-opt: error: ...`, exit 1."""


class _Parser(argparse.ArgumentParser):
    def error(self, message):
        self.print_usage(sys.stderr)
        print(f"{PROG}: error: {message}", file=sys.stderr)
        raise SystemExit(1)


def _bool(text: str) -> bool:
    return hp.registry.parse_value(bool, text)


def _parser(epilog: str = "") -> argparse.ArgumentParser:
    p = _Parser(prog=PROG, allow_abbrev=False, epilog=epilog, formatter_class=argparse.RawDescriptionHelpFormatter,
                description="Run passes over MLIR (StableHLO) modules, like mlir-opt. Each pass is also a flag, "
                            "applied in order: --cse --canonicalize --hlox-jvp='func=f wrt=0'.")
    p.add_argument("input", nargs="?", default="-", help="input .mlir text or bytecode (default: stdin)")
    p.add_argument("-o", dest="output", default="-", metavar="FILE", help="output file (default: stdout)")
    p.add_argument("--pass-pipeline", metavar="PIPELINE",
                   help="textual pipeline, e.g. 'builtin.module(cse,func.func(canonicalize))'")
    p.add_argument("--load-pass-plugin", action="append", default=[], metavar="FILE.py",
                   help="a Python file that registers passes with hlox.passes.register")
    p.add_argument("--split-input-file", action="store_true",
                   help=f"process each chunk between '{SPLIT_MARKER}' lines on its own")
    p.add_argument("--verify-diagnostics", action="store_true",
                   help="check the diagnostics against expected-error/warning/remark/note comments")
    p.add_argument("--emit-bytecode", action="store_true", help="write MLIR bytecode")
    p.add_argument("--mlir-print-ir-before-all", action="store_true", help="print the IR before each pass")
    p.add_argument("--mlir-print-ir-after-all", action="store_true", help="print the IR after each pass")
    p.add_argument("--mlir-timing", action="store_true", help="report the time each pass took")
    p.add_argument("--mlir-print-debuginfo", action="store_true", help="print locations")
    p.add_argument("--mlir-print-op-generic", action="store_true", help="print ops in the generic form")
    p.add_argument("--mlir-elide-elementsattrs-if-larger", type=int, metavar="N",
                   help="elide constants with more than N elements")
    p.add_argument("--allow-unregistered-dialect", action="store_true", help="accept ops of unknown dialects")
    p.add_argument("--verify-each", type=_bool, default=True, metavar="BOOL",
                   help="run the verifier after each pass (default: true)")
    p.add_argument("--list-passes", action="store_true", help="list every pass with its options and exit")
    return p


# --- pass flags -----------------------------------------------------------------------------------

_PASS_FLAG = re.compile(r"^--([A-Za-z][\w.-]*)(?:=(.*))?$", re.S)


def _is_pass(name: str) -> bool:
    return hp.get(name) is not None or hp.mlir_pass_anchor(name) is not None


def _split_pass_flags(argv: list[str], tool_options: set[str]) -> tuple[list[str], list[PassRef]]:
    """Pull `--pass[=options]` flags out of argv, in order; the rest is for argparse."""
    rest, passes = [], []
    for arg in argv:
        m = _PASS_FLAG.match(arg)
        if m and f"--{m[1]}" not in tool_options and _is_pass(m[1]):
            passes.append(PassRef(m[1], (m[2] or "").strip()))
        else:
            rest.append(arg)
    return rest, passes


def _load_plugins(argv: list[str]) -> None:
    pre = argparse.ArgumentParser(add_help=False, allow_abbrev=False)
    pre.add_argument("--load-pass-plugin", action="append", default=[])
    for path in pre.parse_known_args(argv)[0].load_pass_plugin:
        try:
            hp.load_plugin(path)
        except ValueError as e:
            raise ToolError(str(e)) from None


def _pipeline(args, flags: list[PassRef]) -> Nested:
    if args.pass_pipeline is not None and flags:
        raise ToolError("--pass-pipeline cannot be combined with pass flags such as "
                        f"--{flags[0].name}; put every pass in the pipeline")
    try:
        if args.pass_pipeline is not None:
            return hp.validate(args.pass_pipeline)
        return hp.validate(Nested("builtin.module", tuple(flags)))
    except PipelineError as e:
        raise ToolError(str(e)) from None


# --- listing --------------------------------------------------------------------------------------

def _pass_line(name: str, description: str) -> str:
    return f"  {name:<40} {description}" if len(name) < 40 else f"  {name}\n  {'':<40} {description}"


def _list_passes() -> str:
    lines = ["hlox passes (Python):"]
    for info in hp.python_passes():
        anchor = "" if info.anchor == "builtin.module" else f" [on {info.anchor}]"
        lines.append(_pass_line(info.name, info.description + anchor))
        lines += [f"      {option.describe()}" for option in info.options]
    lines.append("MLIR passes:")
    for name, description in hp.mlir_passes():
        anchor = "" if hp.mlir_pass_anchor(name) == "builtin.module" else " [on func.func]"
        lines.append(_pass_line(name, description + anchor))
        options = hp.mlir_pass_options(name)
        if options:
            lines.append(f"      options: {options}")
    return "\n".join(lines) + "\n"


def _help_epilog() -> str:
    names = [(p.name, p.description) for p in hp.python_passes()] + hp.mlir_passes()
    body = "\n".join(_pass_line(n, d) for n, d in names)
    return (f"passes (use as --NAME or --NAME='k=v ...'; options: --list-passes):\n{body}\n\n"
            "exit status: 0 on success, 1 when any error is reported")


# --- diagnostics checking (--verify-diagnostics) --------------------------------------------------

_EXPECT = re.compile(r"expected-(error|warning|remark|note)(?:@([+-]\d+|above|below))?\s*\{\{(.*?)\}\}")
_OFFSETS = {"above": -1, "below": 1, None: 0}


@dataclasses.dataclass
class _Expected:
    severity: str
    line: int  # where the diagnostic must be
    message: str
    at: tuple  # (line, column) of the comment
    seen: bool = False


def _expectations(text: str) -> list[_Expected]:
    found = []
    for number, line in enumerate(text.split("\n"), 1):
        for m in _EXPECT.finditer(line):
            offset = _OFFSETS[m[2]] if m[2] in _OFFSETS else int(m[2])
            found.append(_Expected(m[1], number + offset, m[3], (number, m.start() + 1)))
    return found


def _flatten(diags):
    """Each diagnostic then its notes (MLIR's "see current operation" dump is not a real note)."""
    for d in diags:
        yield d
        yield from (n for n in _flatten(d.notes) if not n.message.startswith("see current operation"))


def _verify(diags, text: str, name: str) -> list[str]:
    """mlir-opt's messages for each unexpected diagnostic and each expected one that did not come."""
    expected = _expectations(text)
    problems = []
    for d in _flatten(diags):
        where = d.file_line_col()
        match = next((e for e in expected if not e.seen and e.severity == d.severity and where
                      and where[0] == name and where[1] == e.line and e.message in d.message), None)
        if match:
            match.seen = True
        else:
            problems.append(Diagnostic("error", d.location, f"unexpected {d.severity}: {d.message}"))
    for e in expected:
        if not e.seen:
            loc = f'loc("{name}":{e.at[0]}:{e.at[1]})'
            problems.append(Diagnostic("error", loc, f'expected {e.severity} "{e.message}" was not produced'))
    return problems


# --- the driver -----------------------------------------------------------------------------------

@dataclasses.dataclass
class _Result:
    output: object = None  # the module when the pipeline succeeded
    diagnostics: list = dataclasses.field(default_factory=list)
    failed: bool = False


def _process(args, pipeline, text: str, name: str, first_line: int, ctx) -> _Result:
    contain.stage(name, "parsing")
    try:
        module = parse_source(text, name, ctx, first_line)
    except MlirInputError as e:
        diags = e.diagnostics or [Diagnostic("error", "loc(unknown)", line) for line in e.lines]
        return _Result(None, diags, True)
    contain.stage(name, "passes")
    try:
        diags = hp.run(module, pipeline, print_ir_before_all=args.mlir_print_ir_before_all,
                       print_ir_after_all=args.mlir_print_ir_after_all, timing=args.mlir_timing,
                       debug_info=args.mlir_print_debuginfo, verify=args.verify_each)
    except PipelineError as e:
        return _Result(None, e.diagnostics, True)
    return _Result(module, diags, False)


def _render(args, module) -> bytes:
    op = module.operation
    if args.emit_bytecode:
        buf = io.BytesIO()
        op.write_bytecode(buf)
        return buf.getvalue()
    buf = io.StringIO()
    op.print(file=buf, enable_debug_info=args.mlir_print_debuginfo,
             print_generic_op_form=args.mlir_print_op_generic,
             large_elements_limit=args.mlir_elide_elementsattrs_if_larger)
    return buf.getvalue().encode()


def _write(path: str, data: bytes) -> None:
    if path == "-":
        sys.stdout.flush()
        sys.stdout.buffer.write(data)
        sys.stdout.buffer.flush()
        return
    try:
        with open(path, "wb") as f:
            f.write(data)
    except OSError as e:
        raise ToolError(f"cannot write {path}: {e.strerror}") from None


def _report(diags, name: str, sources: dict) -> None:
    for d in diags:
        print(format_diagnostic(d, name, sources=sources), file=sys.stderr)


def _drive(args, pipeline) -> int:
    if args.emit_bytecode and args.split_input_file:
        raise ToolError("--emit-bytecode cannot be combined with --split-input-file")
    content, name = read_input(args.input)
    is_text = not content.startswith(b"ML\xefR")
    text = content.decode("utf-8", errors="replace") if is_text else ""
    chunks = split_input(text) if args.split_input_file and is_text else [(1, text if is_text else content)]
    sources = {name: text}
    ctx = make_context()
    ctx.allow_unregistered_dialects = args.allow_unregistered_dialect
    outputs, failed = [], False
    for first_line, chunk in chunks:
        result = _process(args, pipeline, chunk, name, first_line, ctx)
        if args.verify_diagnostics:
            problems = _verify(result.diagnostics, "\n" * (first_line - 1) + chunk if is_text else "", name)
            _report(problems, name, sources)
            failed |= bool(problems)
        else:
            _report(result.diagnostics, name, sources)
            failed |= result.failed
        if result.output is not None:
            contain.stage(name, "printing")
            outputs.append(_render(args, result.output))
    separator = f"{SPLIT_MARKER}\n".encode()
    _write(args.output, separator.join(outputs))
    return 1 if failed else 0


def main(argv=None) -> int:
    """The command; from the command line (`argv` None) a crash in MLIR is contained."""
    if argv is None:
        return contain.run_contained(lambda: _main(sys.argv[1:]), PROG)
    return _main(argv)


def _main(argv) -> int:
    argv = list(argv)
    try:
        _load_plugins(argv)
        parser = _parser()
        tool_options = {s for a in parser._actions for s in a.option_strings}
        rest, flags = _split_pass_flags(argv, tool_options)
        if "-h" in rest or "--help" in rest:
            _parser(_help_epilog()).print_help()
            return 0
        args = parser.parse_args(rest)
        if args.list_passes:
            sys.stdout.write(_list_passes())
            return 0
        return _drive(args, _pipeline(args, flags))
    except ToolError as e:
        print(f"{PROG}: error: {e}", file=sys.stderr)
    except MlirInputError as e:
        for line in e.lines:
            print(line, file=sys.stderr)
    except BrokenPipeError:  # `hlox-opt ... | head`: the reader left; say nothing more
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
    return 1


if __name__ == "__main__":
    sys.exit(main())
