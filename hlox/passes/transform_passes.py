"""hlox's transformation passes, registered with their options (DESIGN.md, "Pass conventions").

Each adds a new function to the module. The implementations (and their rule
tables) load on a pass's first run, so listing or parsing a pipeline stays cheap.
"""
from __future__ import annotations

import importlib

from hlox.passes.registry import Option, register

__all__ = ["TRANSFORMS", "transform_options"]

_WRT = Option("wrt", list[int], None, "indices of the arguments to differentiate (default: every floating-point one)")

# name: (description, suffix of the new function, extra options, "module:function" implementing it)
TRANSFORMS = {
    "hlox-jvp": ("Forward mode: add N(x..., t_wrt...) -> (y..., t_y...)", "_jvp", [_WRT],
                 "hlox.passes.autodiff.forward:jvp"),
    "hlox-vjp": ("Reverse mode: add N(x..., ct_y...) -> (y..., ct_x_wrt...)", "_vjp", [_WRT],
                 "hlox.passes.autodiff.reverse:vjp"),
    "hlox-grad": ("Gradient of a scalar function: add N(x...) -> (g_wrt...)", "_grad", [_WRT],
                  "hlox.passes.autodiff.reverse:grad"),
    "hlox-batch": ("Batching: add N(x batched...) -> (y batched on axis 0...)", "_batch", [
        Option("in-axes", list[int | None], None, "batch axis of each argument, or none (default: 0 for all)"),
        Option("size", int, None, "the batch size (default: read from the batched arguments)"),
        Option("axis-name", str, None, "the name of the batched axis: collectives over it become "
               "computations over the batch (vmap's axis_name)"),
    ], "hlox.passes.batching.core:batch"),
}


def transform_options(name: str) -> list[Option]:
    _, suffix, extra, _ = TRANSFORMS[name]
    return [Option("func", str, "main", "the function to transform"), *extra,
            Option("name", str, None, f"name of the new function (default: the function's name + '{suffix}')")]


def _implementation(target: str):
    module_name, function_name = target.split(":")
    return getattr(importlib.import_module(module_name), function_name)


def _transform_pass(target: str):
    def run(module, options):
        values = dict(vars(options))
        _implementation(target)(module, values.pop("func"), **values)
    return run


for _name, (_description, _suffix, _extra, _target) in TRANSFORMS.items():
    register(_name, description=_description, options=transform_options(_name))(_transform_pass(_target))
