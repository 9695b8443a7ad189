"""The pass registry: hlox's Python passes with typed options, and MLIR's own passes.

A Python pass is a function `(op, options) -> None` registered under a name:

    @hlox.passes.register("count-ops", description="Count ops per function",
                          options=[Option("top", int, 5, "how many op names to list")])
    def count_ops(module, options): ...

`op` is the operation the pass is anchored on (`builtin.module` unless
`anchor="func.func"`), `options` a namespace (`options.top`; `in-axes` reads
`options.in_axes`). A pass reports problems with `emit_error(op, msg)` or by
raising `PassError`.
"""
from __future__ import annotations

import dataclasses
import functools
import re
import types
import typing
from typing import Callable

from hlox.lowering.mlir import make_context, passmanager, stablehlo

__all__ = ["Option", "PassInfo", "PassError", "register", "get", "python_passes",
           "mlir_passes", "mlir_pass_anchor", "mlir_pass_options"]


class PassError(ValueError):
    """The one error of hlox's passes: raised inside a Python pass, it becomes an error diagnostic
    at `op` (or the pass's op); from `hlox.passes.apply` and from `hlox.grad`/`vmap` it reaches the
    caller as itself. A ValueError, as JAX raises for the same misuse."""

    def __init__(self, message: str, op=None):
        super().__init__(message)
        self.op = op


class NoRuleError(PassError, NotImplementedError):
    """A transformation has no rule for an op: also a NotImplementedError, as JAX raises for a
    primitive without a differentiation or batching rule."""


def _bool(text: str) -> bool:
    table = {"true": True, "1": True, "false": False, "0": False}
    if text.lower() not in table:
        raise ValueError(f"expected true or false, got '{text}'")
    return table[text.lower()]


def _none(text: str) -> None:
    if text.lower() != "none":
        raise ValueError(f"expected none, got '{text}'")


_SCALARS = {str: str, int: int, float: float, bool: _bool, type(None): _none}
_SCALAR_NAMES = {str: "string", int: "int", float: "number", bool: "bool", type(None): "none"}


def _is_union(tp) -> bool:
    return typing.get_origin(tp) in (typing.Union, types.UnionType)


def parse_value(tp, text: str):
    """Parse option text as `tp`: a scalar type, `list[T]`, or a union such as `int | None`."""
    text = text.strip()
    if typing.get_origin(tp) is list:
        (elem,) = typing.get_args(tp)
        return [parse_value(elem, part) for part in text.split(",")] if text else []
    if _is_union(tp):
        for arm in typing.get_args(tp):
            try:
                return parse_value(arm, text)
            except ValueError:
                pass
        raise ValueError(f"expected {type_name(tp)}, got '{text}'")
    try:
        return _SCALARS[tp](text)
    except ValueError:
        raise ValueError(f"expected {type_name(tp)}, got '{text}'") from None


def type_name(tp) -> str:
    if typing.get_origin(tp) is list:
        return f"list of {type_name(typing.get_args(tp)[0])}"
    if _is_union(tp):
        return " or ".join(type_name(arm) for arm in typing.get_args(tp))
    if tp not in _SCALAR_NAMES:
        raise TypeError(f"unsupported option type {tp!r}: use str, int, float, bool, list[...] or X | None")
    return _SCALAR_NAMES[tp]


@dataclasses.dataclass(frozen=True)
class Option:
    """A typed pass option, written `name=value` inside the pass's `{...}`."""
    name: str
    type: object = str
    default: object = None
    help: str = ""

    def __post_init__(self):
        type_name(self.type)  # rejects unsupported types at registration

    def describe(self) -> str:
        default = "" if self.default is None else f" (default: {_show(self.default)})"
        return f"{self.name}: {type_name(self.type)}{default}  {self.help}".rstrip()


def _show(value) -> str:
    if isinstance(value, list):
        return ",".join("none" if v is None else str(v) for v in value)
    return str(value).lower() if isinstance(value, bool) else str(value)


def split_options(text: str) -> list[tuple[str, str]]:
    """MLIR's `k1=v1 k2="v 2" k3={a b} flag` into [(k1, v1), (k2, 'v 2'), (k3, 'a b'), (flag, 'true')]."""
    pairs, i, n = [], 0, len(text)
    while True:
        while i < n and text[i].isspace():
            i += 1
        if i == n:
            return pairs
        start = i
        while i < n and not text[i].isspace() and text[i] != "=":
            i += 1
        key = text[start:i]
        if i == n or text[i] != "=":
            pairs.append((key, "true"))
            continue
        i, value = _option_value(text, i + 1)
        pairs.append((key, value))


_CLOSE = {"{": "}", "(": ")", "[": "]", "<": ">"}


def _option_value(text: str, i: int) -> tuple[int, str]:
    """(end, value) of an option value starting at `i`: quoted, braced or up to whitespace."""
    if i < len(text) and text[i] in "\"'":
        end = text.find(text[i], i + 1)
        if end < 0:
            raise ValueError(f"unterminated quote in options '{text}'")
        return end + 1, text[i + 1:end]
    start, depth = i, []
    while i < len(text) and (depth or not text[i].isspace()):
        c = text[i]
        if c in _CLOSE:
            depth.append(_CLOSE[c])
        elif depth and c == depth[-1]:
            depth.pop()
        i += 1
    value = text[start:i]
    if value.startswith("{") and value.endswith("}"):
        value = value[1:-1]
    return i, value


@dataclasses.dataclass(frozen=True)
class PassInfo:
    name: str
    run: Callable
    description: str
    options: tuple = ()
    anchor: str = "builtin.module"

    def parse_options(self, text: str) -> types.SimpleNamespace:
        """The options namespace for `{text}`; ValueError naming the bad option otherwise."""
        by_name = {o.name: o for o in self.options}
        values = {o.name: o.default for o in self.options}
        for key, raw in split_options(text):
            if key not in by_name:
                known = ", ".join(by_name) or "none"
                raise ValueError(f"pass '{self.name}' has no option '{key}' (options: {known})")
            try:
                values[key] = parse_value(by_name[key].type, raw)
            except ValueError as e:
                raise ValueError(f"pass '{self.name}' option '{key}': {e}") from None
        return types.SimpleNamespace(**{k.replace("-", "_"): v for k, v in values.items()})

    def option_values(self, given: dict) -> types.SimpleNamespace:
        """The options namespace from Python keywords (`in_axes=` for option `in-axes`)."""
        values = {o.name.replace("-", "_"): o.default for o in self.options}
        unknown = sorted(set(given) - set(values))
        if unknown:
            known = ", ".join(values) or "none"
            raise PassError(f"pass '{self.name}' has no option '{unknown[0]}' (options: {known})")
        values.update(given)
        return types.SimpleNamespace(**values)


_PASSES: dict[str, PassInfo] = {}


def register(name: str, *, description: str, options=(), anchor: str = "builtin.module",
             replace: bool = False):
    """Decorator: register `fn(op, options) -> None` as the Python pass `name`."""
    def decorate(fn):
        if name in _PASSES and not replace:
            raise ValueError(f"a pass named '{name}' is already registered")
        if mlir_pass_anchor(name) is not None:
            raise ValueError(f"'{name}' is already the name of an MLIR pass")
        _PASSES[name] = PassInfo(name, fn, description, tuple(options), anchor)
        return fn
    return decorate


def get(name: str) -> PassInfo | None:
    return _PASSES.get(name)


def python_passes() -> list[PassInfo]:
    return sorted(_PASSES.values(), key=lambda p: p.name)


# MLIR's passes that jaxlib links in, with a one-line description each; only the
# ones this jaxlib really registers are listed (see `mlir_passes`). Any other
# registered MLIR pass still works in a pipeline.
_MLIR_PASSES = {
    "canonicalize": "Canonicalize operations: fold and apply each op's simplification patterns",
    "cse": "Eliminate common subexpressions",
    "inline": "Inline function calls (func.call) into their callers",
    "symbol-dce": "Eliminate dead symbols, such as private functions no one calls",
    "symbol-privatize": "Mark symbols private",
    "sccp": "Sparse conditional constant propagation",
    "loop-invariant-code-motion": "Hoist loop-invariant ops out of loops",
    "control-flow-sink": "Sink ops into the regions of control flow that use them",
    "remove-dead-values": "Remove unused values, arguments and results",
    "trivial-dce": "Delete ops that have no uses and no side effects",
    "topological-sort": "Sort the ops of graph regions topologically",
    "strip-debuginfo": "Replace every location by loc(unknown)",
    "print-op-stats": "Print the number of ops of each kind",
    "chlo-legalize-to-stablehlo": "Lower CHLO ops to StableHLO",
    "shape-legalize-to-stablehlo": "Lower shape-dialect computations to StableHLO",
    "stablehlo-canonicalize-dynamism": "Turn dynamic StableHLO ops with constant shapes into static ones",
    "stablehlo-refine-shapes": "Propagate static shapes through a StableHLO program",
    "stablehlo-refine-arguments": "Refine argument types of the main function",
    "stablehlo-compatibility-expander": "Rewrite new StableHLO ops for older consumers",
    "stablehlo-complex-math-expander": "Expand complex math ops into real arithmetic",
    "stablehlo-convert-to-signless": "Make integer types signless",
    "stablehlo-legalize-composite-to-call": "Replace stablehlo.composite by a call to its decomposition",
    "stablehlo-legalize-deprecated-ops": "Rewrite deprecated StableHLO ops into their replacements",
    "stablehlo-legalize-quant-to-math": "Lower quantized ops to integer math",
    "stablehlo-legalize-qdq-to-quantized-op": "Fuse dequantize-op-quantize patterns into quantized ops",
    "stablehlo-legalize-quantized-op-to-qdq": "Split quantized ops into dequantize-op-quantize",
    "stablehlo-wrap-in-composite": "Wrap StableHLO ops in stablehlo.composite",
    "stablehlo-legalize-to-vhlo": "Convert StableHLO to the versioned VHLO dialect",
    "vhlo-legalize-to-stablehlo": "Convert VHLO back to StableHLO",
    "vhlo-to-version": "Convert VHLO ops to a target version",
    "stablehlo-legalize-to-linalg": "Lower StableHLO to linalg",
}


@functools.lru_cache(maxsize=None)
def probe_context():
    """A context for checking pipelines (MLIR passes registered); never runs anything."""
    stablehlo.register_stablehlo_passes()
    return make_context()


@functools.lru_cache(maxsize=None)
def mlir_pass_anchor(name: str) -> str | None:
    """'builtin.module' or 'func.func' for a registered MLIR pass (what it must nest under), else None."""
    for anchor, pipeline in (("builtin.module", "builtin.module({})"),
                             ("func.func", "builtin.module(func.func({}))")):
        try:
            passmanager.PassManager.parse(pipeline.format(name), context=probe_context())
            return anchor
        except ValueError:
            pass
    return None


def mlir_pass_options(name: str) -> str:
    """The options of a registered MLIR pass with their defaults, as MLIR prints them."""
    anchor = mlir_pass_anchor(name)
    text = f"builtin.module({name})" if anchor == "builtin.module" else f"builtin.module(func.func({name}))"
    printed = str(passmanager.PassManager.parse(text, context=probe_context()))
    found = re.search(re.escape(name) + r"\{(.*)\}\)+$", printed)
    return " ".join(found[1].split()) if found else ""


def mlir_passes() -> list[tuple[str, str]]:
    """(name, description) of the listed MLIR passes that this jaxlib registers."""
    return [(n, d) for n, d in sorted(_MLIR_PASSES.items()) if mlir_pass_anchor(n) is not None]
