"""Reading and building `sdy.manual_computation` (shard_map) for the rules that transform it.

The rules want the region to call one function (hlox's shard_map makes it so; a region with
other ops, as in JAX's exports, is outlined first) whose collectives name their mesh axes.
Collectives that came without names (StableHLO exported by JAX) get them back from their
device groups, the inverse of frontend/shard_map.resolve_collectives.
"""
from __future__ import annotations

import itertools
import re

import numpy as np

from hlox.frontend import collectives
from hlox.frontend.core import Tracer
from hlox.frontend.primitives import emit
from hlox.frontend.shard_map import callees, device_groups
from hlox.lowering import mlir
from hlox.lowering import sharding as sharding_lib
from hlox.lowering.avals import ShapedArray
from hlox.lowering.mlir import func as func_dialect
from hlox.lowering.mlir import ir
from hlox.passes import irutil

_VALUE = re.compile(r"<@([\w.$-]+), \[((?:\{[^}]*\}(?:, )?)*)\]")
_REGION_REDUCTIONS = {"stablehlo.add": "add", "stablehlo.maximum": "max",
                      "stablehlo.minimum": "min"}


class ManualComputation:
    """The parts of one `sdy.manual_computation` site: its body function, mesh and specs."""

    def __init__(self, site):
        self.site = site
        self.in_specs = specs(site.attr("in_shardings"))
        self.out_specs = specs(site.attr("out_shardings"))
        self.manual = re.findall(r'"([^"]+)"', str(site.attr("manual_axes")))
        mesh_symbol = (self.in_specs or self.out_specs)[0][0]
        op = sharding_lib.mesh_ops(site.module_op).get(mesh_symbol)
        if op is None:
            site.fail(f"no sdy.mesh @{mesh_symbol} in the module")
        self.mesh = sharding_lib.mesh_of_op(op, None)  # axis names and sizes are all rules need
        self.callee = _body_call(site)
        name_collectives(site.module_op, self.callee, self.mesh, self.manual)
        self.local_avals = [ShapedArray(*mlir.shape_and_dtype(a.type))
                            for a in site.op.regions[0].blocks[0].arguments]

    def unmentioned(self, spec):
        """The manual axes a value with `spec` is replicated over."""
        used = {a for dims in spec[1] for a in dims}
        return [a for a in self.manual if a not in used]

    def emit(self, operands, in_specs, out_specs, local_avals, out_avals, body):
        """A manual computation like this one, over `operands`, whose region runs `body` on
        tracers of the block arguments; returns the op and tracers of its results."""
        site, trace = self.site, self.site.trace
        attrs = {"in_shardings": _per_value([spec_text(*s) for s in in_specs]),
                 "out_shardings": _per_value([spec_text(*s) for s in out_specs]),
                 "manual_axes": site.attr("manual_axes")}
        op = emit(trace, "sdy.manual_computation", [trace.value_of(v) for v in operands],
                  out_avals, attrs, regions=1)
        block = op.regions[0].blocks.append(*[mlir.tensor_type(a.shape, a.dtype)
                                              for a in local_avals])
        saved = trace.ip
        trace.ip = ir.InsertionPoint(block)
        try:
            args = [Tracer(trace, a, block.arguments[i]) for i, a in enumerate(local_avals)]
            emit(trace, "sdy.return", [trace.value_of(r) for r in body(args)], [])
        finally:
            trace.ip = saved
        return op, [Tracer(trace, a, r) for a, r in zip(out_avals, op.results)]


def specs(attr):
    """[(mesh symbol, [axes of each dimension])] of a sharding_per_value attribute."""
    found = []
    for symbol, dims in _VALUE.findall(str(attr)):
        found.append((symbol, [re.findall(r'"([^"]+)"', d)
                               for d in re.findall(r"\{[^}]*\}", dims)]))
    return found


def spec_text(symbol, dims):
    return "<@" + symbol + ", [" + ", ".join(
        "{" + ", ".join(f'"{a}"' for a in d) + "}" for d in dims) + "]>"


def _per_value(items):
    return ir.Attribute.parse("#sdy.sharding_per_value<[" + ", ".join(items) + "]>")


# -- the body as one function -----------------------------------------------------------------
def _body_call(site):
    """The function the region calls; a region with other ops is outlined into one first."""
    block = site.op.regions[0].blocks[0]
    ops = [op.operation for op in block.operations]
    if len(ops) == 2 and ops[0].name == "func.call" and \
            list(ops[0].operands) == list(block.arguments) and \
            list(ops[1].operands) == list(ops[0].results):
        return ir.FlatSymbolRefAttr(ops[0].attributes["callee"]).value
    return _outline(site, block, ops)


def _outline(site, block, ops):
    fn, _ = irutil.outline_region(site.module_op, site.op.regions[0], "shmap_body",
                                  _top_level(site.op))
    name = ir.StringAttr(fn.attributes["sym_name"]).value
    result_types = ir.FunctionType(ir.TypeAttr(fn.attributes["function_type"]).value).results
    for op in reversed(ops):
        op.erase()
    with site.op.context, site.op.location:
        call = func_dialect.CallOp(list(result_types), ir.FlatSymbolRefAttr.get(name),
                                   list(block.arguments), ip=ir.InsertionPoint(block))
        ir.Operation.create("sdy.return", operands=list(call.results),
                            ip=ir.InsertionPoint(block))
    return name


def _top_level(op):
    """The function (a child of the module) that holds `op`."""
    while op.parent.operation.name != "builtin.module":
        op = op.parent.operation
    return op


# -- names for collectives that came without them ----------------------------------------------
def name_collectives(module_op, fn_name, mesh, manual):
    """Give every collective in `fn_name` (and what it calls) that lacks `hlox.axis_names`
    the manual axes whose device groups it uses, and its reduction; collectives whose groups
    match no axes are left as they are (the rules then say so)."""
    candidates = [names for k in range(1, len(manual) + 1)
                  for names in itertools.permutations(manual, k)]
    with module_op.context:
        for fn in callees(module_op, fn_name):
            for op in irutil.walk_nested(fn.operation):
                if op.name not in _NAMERS or collectives.AXIS_NAMES_ATTR in op.attributes:
                    continue
                found = _NAMERS[op.name](op, mesh, candidates)
                if found is not None:
                    op.attributes[collectives.AXIS_NAMES_ATTR] = ir.ArrayAttr.get(
                        [ir.StringAttr.get(n) for n in found])


def _by_groups(op, mesh, candidates):
    groups = np.asarray(ir.DenseElementsAttr(op.attributes["replica_groups"]), np.int64)
    for names in candidates:
        if np.array_equal(groups, device_groups(mesh, names)):
            if op.regions and collectives.REDUCTION_ATTR not in op.attributes:
                body = [o.operation.name for o in op.regions[0].blocks[0].operations]
                reduction = _REGION_REDUCTIONS.get(body[0]) if len(body) == 2 else None
                if reduction is not None:
                    op.attributes[collectives.REDUCTION_ATTR] = ir.StringAttr.get(reduction)
            return names
    return None


def _by_pairs(op, mesh, candidates):
    pairs = np.asarray(ir.DenseElementsAttr(op.attributes["source_target_pairs"]), np.int64)
    pairs = {tuple(p) for p in pairs.reshape(-1, 2).tolist()}
    for names in candidates:
        groups = device_groups(mesh, names)
        where = {int(d): (r, i) for r, row in enumerate(groups) for i, d in enumerate(row)}
        local = {(where[s][1], where[t][1]) for s, t in pairs
                 if s in where and t in where and where[s][0] == where[t][0]}
        expected = {(int(row[s]), int(row[t])) for row in groups for s, t in local}
        if local and expected == pairs:
            op.attributes[collectives.LOCAL_PAIRS_ATTR] = ir.DenseElementsAttr.get(
                np.asarray(sorted(local), np.int64).reshape(-1, 2))
            return names
    return None


_NAMERS = {"stablehlo.all_reduce": _by_groups, "stablehlo.all_gather": _by_groups,
           "stablehlo.reduce_scatter": _by_groups, "stablehlo.all_to_all": _by_groups,
           "stablehlo.collective_permute": _by_pairs}
