"""The functions of a module by name, and fresh names for new symbols."""
from __future__ import annotations

from hlox.lowering.mlir import ir

__all__ = ["FunctionNotFoundError", "symbol_name", "functions", "function_names", "find_function",
           "fresh_symbol_name"]


class FunctionNotFoundError(LookupError):
    """No `func.func` of that name; the message lists the functions there are."""

    def __init__(self, name: str, available):
        self.name, self.available = name, tuple(available)
        known = ", ".join(f"@{n}" for n in self.available) or "none"
        super().__init__(f"no function @{name} in the module (functions: {known})")


def symbol_name(op) -> str:
    return ir.StringAttr(op.attributes["sym_name"]).value


def _top_level_ops(module):
    """The ops directly in `module` (an ir.Module, or a builtin.module op or view)."""
    return module.operation.regions[0].blocks[0].operations


def functions(module) -> dict:
    """Each top-level `func.func` by name, in order."""
    return {symbol_name(op): op.operation for op in _top_level_ops(module) if op.operation.name == "func.func"}


def function_names(module) -> list[str]:
    return list(functions(module))


def find_function(module, name: str) -> ir.Operation:
    """The top-level `func.func` called `name`; FunctionNotFoundError otherwise."""
    found = functions(module)
    if name not in found:
        raise FunctionNotFoundError(name, found)
    return found[name]


def fresh_symbol_name(module_or_symbol_table, base: str, reserved=()) -> str:
    """`base` when no top-level symbol has that name and it is not `reserved`, else the first of
    `base_0`, `base_1`, ... that is free (and not reserved)."""
    table = module_or_symbol_table
    if isinstance(table, ir.SymbolTable):
        taken = table.__contains__
    else:
        names = {symbol_name(op) for op in _top_level_ops(table) if "sym_name" in op.attributes}
        taken = names.__contains__
    reserved = frozenset(reserved)
    if not taken(base) and base not in reserved:
        return base
    i = 0
    while taken(f"{base}_{i}") or f"{base}_{i}" in reserved:
        i += 1
    return f"{base}_{i}"
