"""hlox's transformation passes (see DESIGN.md, "Pass conventions"), registered with their options.

Each adds a new function to the module. Until the autodiff and batching issues
land, they check their target function and then fail with a "not implemented
yet" error; those issues replace them with `register(..., replace=True)`.
"""
from __future__ import annotations

from hlox.passes.registry import Option, PassError, register

__all__ = ["TRANSFORMS", "find_function", "transform_options"]


def find_function(module, name: str):
    """The `func.func @name` directly inside `module` (an operation); PassError if there is none."""
    for op in module.regions[0].blocks[0]:
        op = op.operation
        if op.name == "func.func" and str(op.attributes["sym_name"]).strip('"') == name:
            return op
    raise PassError(f"no function @{name} in the module", op=module)


def _func_option(suffix: str) -> list[Option]:
    return [Option("func", str, "main", "the function to transform"),
            Option("name", str, None, f"name of the new function (default: the function's name + '{suffix}')")]


_WRT = Option("wrt", list[int], None, "indices of the arguments to differentiate (default: every floating-point one)")

# name: (description, suffix of the new function, extra options, the issue that implements it)
TRANSFORMS = {
    "hlox-jvp": ("Forward mode: add N(x..., t_wrt...) -> (y..., t_y...)", "_jvp", [_WRT], "autodiff"),
    "hlox-vjp": ("Reverse mode: add N(x..., ct_y...) -> (y..., ct_x_wrt...)", "_vjp", [_WRT], "autodiff"),
    "hlox-grad": ("Gradient of a scalar function: add N(x...) -> (g_wrt...)", "_grad", [_WRT], "autodiff"),
    "hlox-batch": ("Batching: add N(x batched...) -> (y batched on axis 0...)", "_batch", [
        Option("in-axes", list[int | None], None, "batch axis of each argument, or none (default: 0 for all)"),
        Option("size", int, None, "the batch size (default: read from the batched arguments)"),
    ], "batching"),
}


def transform_options(name: str) -> list[Option]:
    _, suffix, extra, _ = TRANSFORMS[name]
    first, last = _func_option(suffix)
    return [first, *extra, last]


def _not_implemented(name: str, issue: str):
    def run(module, options):
        func = find_function(module, options.func)
        raise PassError(f"not implemented yet (it arrives with the {issue} issue)", op=func)
    return run


for _name, (_description, _suffix, _extra, _issue) in TRANSFORMS.items():
    register(_name, description=_description, options=transform_options(_name))(_not_implemented(_name, _issue))
