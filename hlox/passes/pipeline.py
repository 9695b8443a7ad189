"""MLIR's textual pass pipelines, `builtin.module(p1,p2{k=v},func.func(p3))`, run in MLIR's PassManager.

C++ passes go to the PassManager as text; each Python pass becomes an
`ExternalPass` added with `PassManager.add(callable)`, so the verifier, IR
printing and timing treat both alike. MLIR's Python bindings cannot nest a
Python pass, so one that sits inside `func.func(...)` runs as a module pass over
each `func.func` of the module (the nested C++ passes around it are split into
their own `func.func(...)` groups: same result, since function passes see one
function at a time).
"""
from __future__ import annotations

import dataclasses
import os
import sys
import traceback

from hlox.lowering.mlir import enable_inlining, ir, passmanager
from hlox.passes import diagnostics, irutil, registry

__all__ = ["PassRef", "Nested", "PipelineError", "parse_pipeline", "validate", "run", "apply"]

_TOP_ANCHORS = ("builtin.module", "any")


@dataclasses.dataclass(frozen=True)
class PassRef:
    name: str
    options: str = ""  # the text between the braces

    def __str__(self):
        return f"{self.name}{{{self.options}}}" if self.options else self.name


@dataclasses.dataclass(frozen=True)
class Nested:
    anchor: str
    elements: tuple

    def __str__(self):
        return f"{self.anchor}({','.join(map(str, self.elements))})"


class PipelineError(registry.PassError):
    """A pipeline that could not be parsed or failed; `diagnostics` holds what MLIR and the passes said."""

    def __init__(self, message: str, diagnostics=()):
        self.diagnostics = list(diagnostics)
        lines = [message] + [str(d) for d in self.diagnostics]
        super().__init__("\n".join(lines))
        self.raised = []  # what the Python passes raised, in order


class _Parser:
    """Recursive descent over `anchor(element, ...)` where element is `pass{opts}` or a nested anchor."""

    def __init__(self, text: str):
        self.text, self.i = text, 0

    def error(self, message: str):
        raise PipelineError(f"invalid pass pipeline: {message}\n  {self.text}\n  {' ' * self.i}^")

    def skip_space(self):
        while self.i < len(self.text) and self.text[self.i].isspace():
            self.i += 1

    def peek(self) -> str:
        self.skip_space()
        return self.text[self.i] if self.i < len(self.text) else ""

    def name(self) -> str:
        self.skip_space()
        start = self.i
        while self.i < len(self.text) and (self.text[self.i].isalnum() or self.text[self.i] in "_-.$"):
            self.i += 1
        if start == self.i:
            self.error("expected a pass or operation name")
        return self.text[start:self.i]

    def options(self) -> str:
        start, depth = self.i, 0
        while self.i < len(self.text):
            c = self.text[self.i]
            depth += {"{": 1, "}": -1}.get(c, 0)
            self.i += 1
            if depth == 0:
                return self.text[start + 1:self.i - 1].strip()
        self.i = start
        self.error("unbalanced '{' in pass options")

    def element(self):
        name = self.name()
        if self.peek() == "(":
            self.i += 1
            elements = self.elements(")")
            return Nested(name, elements)
        if self.peek() == "{":
            return PassRef(name, self.options())
        return PassRef(name)

    def elements(self, closing: str) -> tuple:
        items = []
        if self.peek() == closing:
            self.i += len(closing)
            return ()
        while True:
            items.append(self.element())
            c = self.peek()
            if c == ",":
                self.i += 1
            elif c == closing:
                self.i += len(closing)
                return tuple(items)
            else:
                self.error(f"expected ',' or {closing!r}" if closing else "expected ',' or the end")


def parse_pipeline(text: str) -> Nested:
    """Parse `builtin.module(...)`; a bare list `cse,func.func(canonicalize)` means builtin.module(...)."""
    parser = _Parser(text)
    elements = parser.elements("")
    if len(elements) == 1 and isinstance(elements[0], Nested) and elements[0].anchor in _TOP_ANCHORS:
        return elements[0]
    return Nested("builtin.module", elements)


@dataclasses.dataclass
class _Step:
    path: tuple  # anchors below the top-level module
    text: str = ""  # a C++ pass, as pipeline text
    python: registry.PassInfo | None = None
    options: object = None


def _steps(nested: Nested, path: tuple):
    for element in nested.elements:
        if isinstance(element, Nested):
            yield from _steps(element, path + (element.anchor,))
            continue
        info = registry.get(element.name)
        if info is not None:
            try:
                options = info.parse_options(element.options)
            except ValueError as e:
                raise PipelineError(f"invalid pass pipeline: {e}") from None
            yield _Step(_nest(path, info.anchor), python=info, options=options)
            continue
        anchor = registry.mlir_pass_anchor(element.name)
        if anchor is None:
            raise PipelineError(f"invalid pass pipeline: '{element.name}' does not refer to a registered "
                                "pass (see hlox-opt --list-passes)")
        yield _Step(_nest(path, anchor), text=str(element))


def _nest(path: tuple, anchor: str) -> tuple:
    """Implicit nesting: a func.func pass placed at module level runs on each function."""
    current = path[-1] if path else "builtin.module"
    return path + (anchor,) if anchor != current and current in _TOP_ANCHORS else path


def _wrap(path: tuple, text: str) -> str:
    for anchor in reversed(path):
        text = f"{anchor}({text})"
    return text


def _targets(op, path: tuple):
    if not path:
        return [op]
    children = [child.operation for child in op.regions[0].blocks[0]] if op.regions else []
    return [t for child in children if child.name == path[0] for t in _targets(child, path[1:])]


def _pass_class_name(name: str) -> str:
    return "".join(part.title() for part in name.split("-")) + "Pass"


def _python_pass(step: _Step, raised: list):
    info, options, path = step.python, step.options, step.path

    def run(op, pass_):
        with diagnostics.running_pass() as failed:
            for target in _targets(op.operation, path):
                try:
                    info.run(target, options)
                except registry.PassError as e:
                    raised.append(e)
                    diagnostics.emit_error(e.op if e.op is not None else target, f"{info.name}: {e}")
                except Exception as e:  # a bug in the pass: report it, never crash the tool
                    raised.append(e)
                    if os.environ.get("HLOX_PASS_TRACEBACK"):
                        traceback.print_exc()
                    diagnostics.emit_error(target, f"{info.name} failed: {type(e).__name__}: {e}")
        if failed[0]:
            pass_.signal_pass_failure()

    return run


def _build(pm, steps, raised: list) -> None:
    pending: list[_Step] = []  # consecutive C++ passes with one path, added as one group

    def flush():
        if pending:
            try:
                pm.add(_wrap(pending[0].path, ",".join(s.text for s in pending)))
            except ValueError as e:
                raise PipelineError(f"invalid pass pipeline: {' '.join(str(e).split())}") from None
            pending.clear()

    for step in steps:
        if step.python is not None:
            flush()
            info = step.python
            pm.add(_python_pass(step, raised), name=_pass_class_name(info.name), argument=info.name,
                   description=info.description)
        else:
            if pending and pending[0].path != step.path:
                flush()
            pending.append(step)
    flush()


def validate(pipeline) -> Nested:
    """Parse (if text) and check every pass name and option; PipelineError if any is wrong."""
    if isinstance(pipeline, str):
        pipeline = parse_pipeline(pipeline)
    with registry.probe_context():
        _build(passmanager.PassManager(pipeline.anchor), _steps(pipeline, ()), [])
    return pipeline


def run(module, pipeline, *, print_ir_before_all=False, print_ir_after_all=False, timing=False,
        debug_info=False, verify=True) -> list[diagnostics.Diagnostic]:
    """Run `pipeline` (text or `Nested`) on `module` in place.

    Returns the warnings and remarks; raises PipelineError, with every
    diagnostic, if the pipeline is invalid or any pass fails. IR dumps and the
    timing report go to stderr, as in mlir-opt.
    """
    if isinstance(pipeline, str):
        pipeline = parse_pipeline(pipeline)
    return _execute(module.operation, pipeline.anchor, _steps(pipeline, ()), verify=verify,
                    print_ir_before_all=print_ir_before_all, print_ir_after_all=print_ir_after_all,
                    timing=timing, debug_info=debug_info)


def apply(module, pass_name: str, /, *, verify_functions=None, **options) -> list[diagnostics.Diagnostic]:
    """Run the registered pass `pass_name` on `module` (a builtin.module), options as keywords, in
    MLIR's PassManager: the door hlox.grad, vmap and the other transforms go through, as
    hlox-opt does. MLIR's verifier checks the whole module after the pass, or, while the module
    is still being traced (its other functions unfinished), only `verify_functions`. What the
    pass raises reaches the caller as itself: a PassError naming the op, or the exception JAX
    raises for the same misuse (NotImplementedError for a vmap_method-less callback, ...)."""
    info = registry.get(pass_name)
    if info is None:
        raise PipelineError(f"'{pass_name}' does not refer to a registered Python pass")
    step = _Step((), python=info, options=info.option_values(options))
    op = module.operation
    try:
        collected = _execute(op, "builtin.module", [step], verify=verify_functions is None)
    except PipelineError as e:
        if e.raised:
            raise e.raised[0] from None
        raise
    for function in verify_functions or ():
        _verify(op, function, pass_name)
    return collected


def _verify(module_op, function: str, pass_name: str) -> None:
    func_op = irutil.find_function(module_op, function)
    with module_op.context:
        try:
            func_op.verify()
        except ir.MLIRError as e:
            details = "; ".join(str(d) for d in e.error_diagnostics)
            raise registry.PassError(f"{pass_name} produced invalid IR (an hlox bug): {details}",
                                     op=func_op) from None


def _execute(op, anchor: str, steps, *, verify, print_ir_before_all=False, print_ir_after_all=False,
             timing=False, debug_info=False) -> list[diagnostics.Diagnostic]:
    collected: list[diagnostics.Diagnostic] = []
    raised: list[Exception] = []
    enable_inlining(op.context)
    with op.context, diagnostics.capture(op.context, collected.append):
        pm = passmanager.PassManager(anchor)
        _build(pm, steps, raised)
        pm.enable_verifier(verify)
        if print_ir_before_all or print_ir_after_all:
            pm.enable_ir_printing(print_before_all=print_ir_before_all, print_after_all=print_ir_after_all,
                                  enable_debug_info=debug_info)
        if timing:
            pm.enable_timing()
        sys.stdout.flush()
        sys.stderr.flush()
        try:
            pm.run(op)
            failure = None
        except ir.MLIRError as e:
            failure = e
        finally:
            del pm  # prints the timing report
    if failure is not None:
        collected += [diagnostics.Diagnostic.from_mlir(d) for d in failure.error_diagnostics]
    if failure is not None or any(d.severity == "error" for d in collected):
        error = PipelineError("pass pipeline failed", collected)
        error.raised = raised
        raise error
    return collected
