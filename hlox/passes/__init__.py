"""hlox's passes over StableHLO, and the API to write, register and run passes.

    import hlox.passes as hp

    @hp.register("count-ops", description="Count ops", options=[hp.Option("top", int, 5)])
    def count_ops(module, options):
        hp.emit_remark(module, "...")

    hp.run(module, "builtin.module(count-ops{top=3},func.func(cse),canonicalize)")
    hp.apply(module, "hlox-vjp", func="f", wrt=[0])  # one pass, options as keywords

Python and C++ passes run in one MLIR PassManager (see `pipeline`).
"""
from __future__ import annotations

import importlib.util
import os

from hlox.passes.diagnostics import Diagnostic, emit_error, emit_remark, emit_warning, note
from hlox.passes.pipeline import Nested, PassRef, PipelineError, apply, parse_pipeline, run, validate
from hlox.passes.registry import (NoRuleError, Option, PassError, PassInfo, get, mlir_pass_anchor, mlir_pass_options,
                                  mlir_passes, python_passes, register)
from hlox.passes.rewrite import RewritePass, rewrite_pass
from hlox.passes import transform_passes  # noqa: F401  (registers hlox-jvp, hlox-vjp, hlox-grad, hlox-batch)

__all__ = ["Diagnostic", "emit_error", "emit_remark", "emit_warning", "note", "Nested", "PassRef",
           "PipelineError", "apply", "parse_pipeline", "run", "validate", "NoRuleError", "Option", "PassError", "PassInfo", "get",
           "mlir_pass_anchor", "mlir_pass_options", "mlir_passes", "python_passes", "register",
           "RewritePass", "rewrite_pass", "load_plugin"]


def load_plugin(path: str) -> None:
    """Import a Python file that registers passes; ValueError says why it could not."""
    if not os.path.isfile(path):
        raise ValueError(f"could not load pass plugin {path}: no such file")
    name = "hlox_pass_plugin_" + "".join(c if c.isalnum() else "_" for c in os.path.abspath(path))
    spec = importlib.util.spec_from_file_location(name, path)
    module = importlib.util.module_from_spec(spec)
    try:
        spec.loader.exec_module(module)
    except Exception as e:  # the plugin's own bug: report it as one line
        raise ValueError(f"could not load pass plugin {path}: {type(e).__name__}: {e}") from None
