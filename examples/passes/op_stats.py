"""An example pass plugin for hlox-opt: `hlox-opt --load-pass-plugin=examples/passes/op_stats.py`.

Two passes, both a few lines:
  count-ops           a remark on each function with how many ops of each kind it has;
  fold-double-negate  a rewrite pattern: negate(negate(x)) -> x.
"""
import collections

import hlox.passes as hp


@hp.register("count-ops", anchor="func.func",
             description="Remark on each function with its number of ops of each kind",
             options=[hp.Option("top", int, 3, "how many of the most frequent op names to show")])
def count_ops(func, options):
    counts = collections.Counter()
    for block in func.regions[0].blocks:
        for op in block:
            counts[op.operation.name] += 1
    total = sum(counts.values())
    common = ", ".join(f"{name} x{n}" for name, n in counts.most_common(options.top))
    hp.emit_remark(func, f"{total} ops: {common}")


fold_double_negate = hp.rewrite_pass("fold-double-negate", description="Rewrite negate(negate(x)) to x")


@fold_double_negate.pattern("stablehlo.negate")
def _negate_of_negate(op, rewriter, options):
    inner = op.operands[0].owner
    if getattr(inner, "name", None) != "stablehlo.negate":
        return False
    rewriter.replace_op(op, [inner.operands[0]])
    return True
