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

    def ints_or(self, name, default):
        return self.ints(name) if self.has(name) else tuple(default)

    def int_or(self, name, default):
        return self.int(name) if self.has(name) else default

    def attr(self, name):
        return self.op.attributes[name]

    def has(self, name):
        return name in self.op.attributes

    def fail(self, message):
        raise PassError(f"{message} ('{self.name}' at {self.op.location})", op=self.op)


def clone_op(trace, op, operands, env=None, result_types=None, drop=(), attributes=None):
    """`op` (attributes and regions kept) emitted at trace.ip on `operands`; its results as
    tracers. `env` maps values its regions capture to their (new value, ...) counterparts;
    `result_types` replaces the result types; `drop` names attributes to leave out and
    `attributes` sets others."""
    new = op.clone(ip=trace.ip)
    for name in drop:
        if name in new.attributes:
            del new.attributes[name]
    for i, v in enumerate(operands):
        new.operands[i] = trace.value_of(v)
    if env and len(new.regions):
        for inner in irutil.walk_nested(new):
            for i, v in enumerate(inner.operands):
                if v in env:
                    inner.operands[i] = trace.value_of(env[v][0])
    for r, t in zip(new.results, result_types or ()):
        r.set_type(t)
    for key, value in (attributes or {}).items():
        new.attributes[key] = value
    return [trace.tracer(r) for r in new.results]
