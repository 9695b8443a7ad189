"""What every transformation rule sees of its op, and how rule tables are filled."""
from __future__ import annotations

from hlox.passes import irutil
from hlox.passes.registry import PassError


def table_decorator(table):
    """`@rule("stablehlo.add", ...)` registers a function in `table` under each op name."""
    def rule(*names):
        def register(fn):
            for name in names:
                table[name] = fn
            return fn
        return register
    return rule


class OpSite:
    """The op a rule transforms: its attributes, where it is, and how to report a problem."""

    def __init__(self, trace, op, module_op):
        self.trace = trace
        self.op = op
        self.name = op.name
        self.module_op = module_op

    def ints(self, name):
        return irutil.dense_ints(self.op, name)

    def int(self, name):
        return irutil.int_attr(self.op, name)

    def attr(self, name):
        return self.op.attributes[name]

    def has(self, name):
        return name in self.op.attributes

    def fail(self, message):
        raise PassError(f"{message} ('{self.name}' at {self.op.location})", op=self.op)
