"""Derivatives of the collectives over named axes (frontend/collectives.py).

Every collective but pmax/pmin is linear: its JVP is the same collective on the tangent.
The transposes are JAX's: psum's is psum (a cotangent that every member of the axis
receives is summed back), all_gather's is psum_scatter and back, ppermute's is ppermute by
the inverse permutation, all_to_all's swaps the split and concat dimensions.
"""
from __future__ import annotations

from hlox.frontend import collectives
from hlox.lowering.mlir import ir
from hlox.passes.autodiff.common import jvp_rule, no_rule, vjp_rule
from hlox.passes.rules import clone_op

_LINEAR = ("stablehlo.all_gather", "stablehlo.reduce_scatter", "stablehlo.collective_permute",
           "stablehlo.all_to_all")


def _names(site):
    if collectives.AXIS_NAMES_ATTR not in site.op.attributes:
        site.fail("a collective without hlox.axis_names (not made by hlox) cannot be "
                  "differentiated")
    return tuple(ir.StringAttr(a).value
                 for a in ir.ArrayAttr(site.attr(collectives.AXIS_NAMES_ATTR)))


def _reduction(site, mode):
    reduction = (ir.StringAttr(site.attr(collectives.REDUCTION_ATTR)).value
                 if site.has(collectives.REDUCTION_ATTR) else None)
    if reduction != "add":
        raise no_rule(site.op, mode, "a pmax/pmin collective")
    return reduction


def _same_op(site, tangents):
    if tangents[0] is None:
        return [None]
    return clone_op(site.trace, site.op, [tangents[0]])


@jvp_rule("stablehlo.all_reduce")
def _all_reduce_jvp(site, tangents):
    _reduction(site, "jvp")
    return _same_op(site, tangents)


for _name in _LINEAR:
    jvp_rule(_name)(_same_op)


@vjp_rule("stablehlo.all_reduce")
def _all_reduce_vjp(site, cts):
    _reduction(site, "vjp")
    return _same_op(site, cts)


def _size(site, dim):
    return site.outputs[0].shape[dim] // site.inputs[0].shape[dim]


@vjp_rule("stablehlo.all_gather")
def _all_gather_vjp(site, cts):
    if cts[0] is None:
        return [None]
    dim = site.int("all_gather_dim")
    return [collectives.reduce_scatter_p.bind(cts[0], names=_names(site), dim=dim,
                                              size=_size(site, dim))]


@vjp_rule("stablehlo.reduce_scatter")
def _reduce_scatter_vjp(site, cts):
    if cts[0] is None:
        return [None]
    dim = site.int("scatter_dimension")
    size = site.inputs[0].shape[dim] // site.outputs[0].shape[dim]
    return [collectives.all_gather_p.bind(cts[0], names=_names(site), dim=dim, size=size)]


@vjp_rule("stablehlo.collective_permute")
def _collective_permute_vjp(site, cts):
    if cts[0] is None:
        return [None]
    pairs = collectives.local_pairs(site.op)
    inverse = tuple((int(t), int(s)) for s, t in pairs)
    return [collectives.collective_permute_p.bind(cts[0], names=_names(site), perm=inverse)]


@vjp_rule("stablehlo.all_to_all")
def _all_to_all_vjp(site, cts):
    if cts[0] is None:
        return [None]
    return [collectives.all_to_all_p.bind(cts[0], names=_names(site),
                                          split=site.int("concat_dimension"),
                                          concat=site.int("split_dimension"),
                                          size=site.int("split_count"))]
