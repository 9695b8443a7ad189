"""Passes made of rewrite patterns, applied by MLIR's greedy pattern driver.

    negate = hlox.passes.rewrite_pass("fold-double-negate", description="...")

    @negate.pattern("stablehlo.negate")
    def _(op, rewriter, options):  # True when it rewrote `op`
        ...
"""
from __future__ import annotations

from hlox.lowering.mlir import rewrite
from hlox.passes.registry import register

__all__ = ["RewritePass", "rewrite_pass"]


class RewritePass:
    """A registered pass whose body is its patterns, applied until nothing changes."""

    def __init__(self, name: str):
        self.name = name
        self.patterns = []

    def pattern(self, root: str, benefit: int = 1):
        """Decorator: `fn(op, rewriter, options) -> bool` rewrites ops named `root`."""
        def decorate(fn):
            self.patterns.append((root, fn, benefit))
            return fn
        return decorate

    def __call__(self, op, options) -> None:
        patterns = rewrite.RewritePatternSet(op.context)
        for root, fn, benefit in self.patterns:
            # MLIR's convention is inverted: a falsy return means "matched and rewrote".
            patterns.add(root, lambda o, r, fn=fn: not fn(o, r, options), benefit)
        rewrite.apply_patterns_and_fold_greedily(op, patterns.freeze())


def rewrite_pass(name: str, *, description: str, options=(), anchor: str = "func.func",
                 replace: bool = False) -> RewritePass:
    """Register an (initially empty) pattern pass; add patterns with `.pattern(root)`."""
    rp = RewritePass(name)
    register(name, description=description, options=options, anchor=anchor, replace=replace)(rp)
    return rp
