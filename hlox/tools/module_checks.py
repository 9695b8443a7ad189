"""Checks that stop modules which would crash MLIR or XLA before they reach them.

MLIR's parser and printer, and XLA's compiler, die by a signal (not an error) on
some inputs that they accept at first sight; jaxlib inside real JAX does too. The
tools run these checks where they read a module, and report a located
diagnostic instead:

- text rules (before parsing): brackets nested deeper than the parser's stack
  survives; a complex literal `(re, im)` in a constant of real element type
  (stored as two elements each, so printing the constant reads past its end);
- module rules (after parsing, before XLA): a function that calls itself (the
  call graph has a cycle); a tensor type whose element count or byte size
  overflows int64; regions and calls nested deeper than XLA's lowering survives;
  a `custom_call` inside a reducer or comparator body (XLA's CPU emitter aborts
  there, whatever the target; at top level an unknown target is a clean error).

Each rule is one small function in `TEXT_RULES` / `MODULE_RULES`, returning
`Diagnostic`s. No rule walks the IR with Python recursion: depth comes from the
user's input.
"""
from __future__ import annotations

import re

from hlox.lowering.mlir import ir
from hlox.passes.diagnostics import Diagnostic

__all__ = ["MAX_TEXT_NESTING", "MAX_XLA_NESTING", "TEXT_RULES", "MODULE_RULES", "check_text",
           "check_module"]

# MLIR's parser overflows its stack between 4,000 and 10,000 nested brackets (8 MiB stack).
MAX_TEXT_NESTING = 2000
# XLA's StableHLO-to-HLO lowering overflows its thread's stack at about 200 nested levels
# (jaxlib 0.10.2, CPU: 200 nested `stablehlo.if` or `while` compile, 215 `if` crash; a chain of
# 185 calls compiles, 200 crash; 90 levels of an `if` calling a function compile, 100 crash):
# each region op or call is one level. The tools contain a crash below this limit too.
MAX_XLA_NESTING = 180
INT64_MAX = 2**63 - 1

# Ops whose regions XLA lowers as applied computations (reducers, comparators, combiners).
REDUCER_BODY_OPS = frozenset({
    "stablehlo.reduce", "stablehlo.reduce_window", "stablehlo.select_and_scatter",
    "stablehlo.scatter", "stablehlo.sort", "stablehlo.all_reduce", "stablehlo.reduce_scatter",
    "stablehlo.map",
})
CALL_OPS = frozenset({"func.call", "stablehlo.call"})


def _loc(name: str, line: int, col: int) -> str:
    return f'loc("{name}":{line}:{col})'


def _line_col(text: str, pos: int) -> tuple[int, int]:
    line = text.count("\n", 0, pos) + 1
    return line, pos - (text.rfind("\n", 0, pos) + 1) + 1


# --- text rules ---------------------------------------------------------------------------------

_BRACKET_TOKEN = re.compile(r'"(?:[^"\\\n]|\\.)*"|//[^\n]*|->|[\[({<]|[\])}>]')
_OPEN = frozenset("[({<")


def bracket_depth(text: str, name: str) -> list[Diagnostic]:
    """Brackets (outside strings and comments) nested deeper than MAX_TEXT_NESTING."""
    if sum(text.count(c) for c in _OPEN) <= MAX_TEXT_NESTING:
        return []  # too few brackets to nest that deep
    depth = 0
    for m in _BRACKET_TOKEN.finditer(text):
        token = m[0]
        if len(token) != 1:
            continue  # a string, a comment or `->`
        if token in _OPEN:
            depth += 1
            if depth > MAX_TEXT_NESTING:
                return [Diagnostic("error", _loc(name, *_line_col(text, m.start())),
                                   f"brackets nest more than {MAX_TEXT_NESTING} deep here; "
                                   "MLIR's parser cannot read input nested this deep")]
        elif depth:
            depth -= 1
    return []


_ELEMENT_AFTER = re.compile(r'\s*:\s*tensor<(?:[^<>x]*x)*([A-Za-z][\w.]*)')


def complex_literal_in_real_constant(text: str, name: str) -> list[Diagnostic]:
    """`dense<(1.0, 2.0)> : tensor<f32>`: a complex value where the element type is real."""
    problems, start = [], text.find("dense<")
    while start >= 0:
        end = text.find(">", start + 6)
        if end < 0:
            break
        paren = text.find("(", start + 6, end)  # str.find: a large constant costs no Python loop
        m = _ELEMENT_AFTER.match(text, end + 1) if paren >= 0 else None
        if m and m[1] != "complex":
            problems.append(Diagnostic("error", _loc(name, *_line_col(text, paren)),
                                       f"complex literal in a constant of element type {m[1]}; "
                                       f"write real values, or use tensor<...xcomplex<{m[1]}>>"))
        start = text.find("dense<", end)
    return problems


TEXT_RULES = (bracket_depth, complex_literal_in_real_constant)


def check_text(text: str, name: str) -> list[Diagnostic]:
    """Diagnostics of the text rules (the first rule that finds a problem reports it)."""
    for rule in TEXT_RULES:
        problems = rule(text, name)
        if problems:
            return problems
    return []


# --- module rules -------------------------------------------------------------------------------

def _walk(root):
    """(op, enclosing ops inside `root`, list) for every op nested in `root`'s regions, without recursion."""
    stack = [(op, ()) for region in root.regions for block in region.blocks for op in reversed(block.operations)]
    stack.reverse()
    while stack:
        op, outer = stack.pop()
        yield op, outer
        if len(op.regions):
            inner = outer + (op,)
            stack.extend((o, inner) for region in reversed(op.regions) for block in reversed(region.blocks)
                         for o in reversed(block.operations))


def _functions(module) -> dict:
    out = {}
    for op in module.body.operations:
        op = op.operation
        if op.name == "func.func" and "sym_name" in op.attributes:
            out[ir.StringAttr(op.attributes["sym_name"]).value] = op
    return out


def _callee(op):
    if op.name in CALL_OPS and "callee" in op.attributes:
        return ir.FlatSymbolRefAttr(op.attributes["callee"]).value
    return None


def _calls(functions: dict) -> dict:
    """{function: [(call op, callee, region ops around the call), ...]} over calls to functions of the module."""
    return {name: [(op, c, len(outer)) for op, outer in _walk(f) if (c := _callee(op)) in functions]
            for name, f in functions.items()}


def call_cycles(module, name: str) -> list[Diagnostic]:
    """A function that calls itself, directly or through others: XLA's lowering recurses forever."""
    functions = _functions(module)
    calls = _calls(functions)
    state = {}  # name -> "open" while on the DFS path, "done" after
    for root in functions:
        if root in state:
            continue
        path, stack = [root], [iter(calls[root])]
        state[root] = "open"
        while stack:
            step = next(stack[-1], None)
            if step is None:
                state[path.pop()] = "done"
                stack.pop()
                continue
            op, callee, _ = step
            if state.get(callee) == "open":
                cycle = path[path.index(callee):] + [callee]
                what = "calls itself" if len(cycle) == 2 else "is recursive"
                return [Diagnostic("error", str(op.location),
                                   f"@{callee} {what} ({' -> '.join('@' + c for c in cycle)}); "
                                   "StableHLO functions cannot recurse")]
            if callee not in state:
                state[callee] = "open"
                path.append(callee)
                stack.append(iter(calls[callee]))
    return []


def _tensor_size(t: ir.Type):
    """(elements, bytes) of a statically shaped ranked tensor type, else None."""
    try:
        tensor = ir.RankedTensorType(t)
    except ValueError:
        return None
    elements = 1
    for d in tensor.shape:
        if d < 0:
            return None
        elements *= d
    return elements, elements * _element_bytes(tensor.element_type)


def _element_bytes(t: ir.Type) -> int:
    if isinstance(t, (ir.IntegerType, ir.FloatType)):
        return max(8, t.width) // 8
    if isinstance(t, ir.ComplexType):
        return 2 * _element_bytes(t.element_type)
    return 16  # an index or another type without a width


def _types_of(op):
    yield from (r.type for r in op.results)
    for region in op.regions:
        for block in region.blocks:
            yield from (a.type for a in block.arguments)
    if op.name == "func.func" and "function_type" in op.attributes:
        ftype = ir.FunctionType(ir.TypeAttr(op.attributes["function_type"]).value)
        yield from ftype.inputs
        yield from ftype.results


def element_count_overflow(module, name: str) -> list[Diagnostic]:
    """A tensor type holding more than int64 elements (or bytes): XLA's shapes overflow."""
    for f in _functions(module).values():
        for op in (f, *(o for o, _ in _walk(f))):
            for t in _types_of(op):
                size = _tensor_size(t)
                if size and (size[0] > INT64_MAX or size[1] > INT64_MAX):
                    return [Diagnostic("error", str(op.location),
                                       f"{t} holds {size[0]} elements, more than a 64-bit size can "
                                       "count; XLA cannot compile it")]
    return []


def nesting_depth(module, name: str) -> list[Diagnostic]:
    """Region ops and calls nested deeper than MAX_XLA_NESTING along some path from a function."""
    functions = _functions(module)
    calls = _calls(functions)
    if call_cycles(module, name):
        return []  # call_cycles reports it
    local = {}  # function -> (its most deeply nested op, how many region ops enclose it)
    for fname, f in functions.items():
        deepest, best = f, 0
        for op, outer in _walk(f):
            if len(outer) > best:
                deepest, best = op, len(outer)
        local[fname] = (deepest, best)
    depth = {}  # function -> (total depth, op where it is reached, callee to follow or None)
    order, seen = [], set()
    for root in functions:  # post-order over the (acyclic) call graph, without recursion
        stack = [(root, iter(calls[root]))]
        if root in seen:
            continue
        seen.add(root)
        while stack:
            fname, it = stack[-1]
            step = next(it, None)
            if step is None:
                order.append(stack.pop()[0])
            elif step[1] not in seen:
                seen.add(step[1])
                stack.append((step[1], iter(calls[step[1]])))
    for fname in order:
        op, d = local[fname]
        best = (d, op, None)
        for call, callee, enclosing in calls[fname]:
            total = enclosing + 1 + depth[callee][0]
            if total > best[0]:
                best = (total, call, callee)
        depth[fname] = best
    for fname in functions:
        total, op, callee = depth[fname]
        if total > MAX_XLA_NESTING:
            return [Diagnostic("error", str(op.location),
                               f"regions and calls nest {total} deep from @{fname} here; XLA's compiler "
                               f"crashes on deep nesting (hlox allows {MAX_XLA_NESTING} levels)")]
    return []


def custom_call_in_reducer_body(module, name: str) -> list[Diagnostic]:
    """`custom_call` inside the body of reduce/reduce_window/sort/...: XLA's CPU emitter aborts."""
    for f in _functions(module).values():
        for op, outer in _walk(f):
            if op.name == "stablehlo.custom_call":
                owner = next((o for o in reversed(outer) if o.name in REDUCER_BODY_OPS), None)
                if owner is not None:
                    return [Diagnostic("error", str(op.location),
                                       f"stablehlo.custom_call inside the body of {owner.name}; XLA "
                                       "cannot compile a custom call in a reducer or comparator")]
    return []


MODULE_RULES = (call_cycles, element_count_overflow, nesting_depth, custom_call_in_reducer_body)


def check_module(module, name: str) -> list[Diagnostic]:
    """Diagnostics of the module rules: what would crash XLA when it compiles `module`."""
    for rule in MODULE_RULES:
        problems = rule(module, name)
        if problems:
            return problems
    return []
