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

import importlib.machinery
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


_BINARY_MAGIC = (b"\x7fELF", b"\xcf\xfa\xed\xfe", b"\xce\xfa\xed\xfe", b"\xca\xfe\xba\xbe", b"MZ")


def load_plugin(path: str) -> None:
    """Import a Python file that registers passes; ValueError says why it could not."""
    if not os.path.isfile(path):
        raise ValueError(f"could not load pass plugin {path}: no such file")
    try:
        with open(path, "rb") as f:
            head = f.read(4096)
    except OSError as e:
        raise ValueError(f"could not load pass plugin {path}: {e.strerror}") from None
    if head.startswith(_BINARY_MAGIC) or b"\0" in head:
        raise ValueError(f"could not load pass plugin {path}: not a Python file (a pass plugin is a .py "
                         "file that registers passes with hlox.passes.register)")
    name = "hlox_pass_plugin_" + "".join(c if c.isalnum() else "_" for c in os.path.abspath(path))
    loader = importlib.machinery.SourceFileLoader(name, path)  # any file name is read as Python source
    try:
        module = importlib.util.module_from_spec(importlib.util.spec_from_loader(name, loader))
        loader.exec_module(module)
    except Exception as e:  # the plugin's own bug: report it as one line
        raise ValueError(f"could not load pass plugin {path}: {type(e).__name__}: {e}") from None
