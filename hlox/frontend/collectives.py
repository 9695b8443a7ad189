"""JAX's collectives over named axes (psum, all_gather, ppermute, ...), as StableHLO collective ops.

A named axis is bound by `vmap(f, axis_name=...)` while `f` is traced (`axis_frame`). Inside
the trace a collective is one StableHLO collective op (`stablehlo.all_reduce`,
`all_gather`, `reduce_scatter`, `collective_permute`, `all_to_all`; `axis_index` is a
`stablehlo.partition_id`) that names its axes in the discardable attribute
`hlox.axis_names` and has placeholder `replica_groups`. The batching pass, run with
`axis-name=i`, turns a collective over `i` into the same computation over the batch
dimension (passes/batching/rules/collectives.py). A name that no enclosing vmap binds raises
NameError, as in JAX.
"""
from __future__ import annotations

import contextlib
import math
import threading

import numpy as np

from hlox.frontend import dtypes, lax
from hlox.frontend.core import Tracer, aval_of
from hlox.frontend.op_builders import build_region
from hlox.frontend.primitives import Primitive, emit
from hlox.lowering import pytree
from hlox.lowering.avals import ShapedArray
from hlox.lowering.mlir import ir

__all__ = ["psum", "pmean", "pmax", "pmin", "all_gather", "psum_scatter", "ppermute",
           "all_to_all", "axis_index", "axis_size", "pbroadcast", "pswapaxes"]

AXIS_NAMES_ATTR = "hlox.axis_names"
REDUCTION_ATTR = "hlox.reduction"
LOCAL_PAIRS_ATTR = "hlox.local_pairs"  # ppermute's pairs of axis indices, once resolved to devices

_state = threading.local()


def _frames():
    s = getattr(_state, "frames", None)
    if s is None:
        s = _state.frames = []
    return s


@contextlib.contextmanager
def axis_frame(name, size):
    """Bind the axis `name` of `size` while tracing (vmap's axis_name)."""
    _frames().append((name, int(size)))
    try:
        yield
    finally:
        _frames().pop()


def _names(axis_name):
    return tuple(axis_name) if isinstance(axis_name, (tuple, list)) else (axis_name,)


def _size_of(name):
    for bound, size in reversed(_frames()):
        if bound == name:
            return size
    raise NameError(f"unbound axis name: {name}")


def axis_size(axis_name):
    """The size of the named axis (the product over a tuple of names), a Python int."""
    return math.prod(_size_of(n) for n in _names(axis_name))


# -- the ops -----------------------------------------------------------------------------------
def _i64_dense(rows):
    return ir.DenseElementsAttr.get(np.ascontiguousarray(rows, np.int64))


def _common_attrs(names, size=1):
    # placeholder groups (all_to_all's verifier wants a group of split_count members)
    return {"replica_groups": _i64_dense([list(range(size))]),
            AXIS_NAMES_ATTR: ir.ArrayAttr.get([ir.StringAttr.get(str(n)) for n in names])}


def _i64(v):
    return ir.IntegerAttr.get(ir.IntegerType.get_signless(64), int(v))


_REDUCERS = {"add": lax.add, "max": lax.max, "min": lax.min}


def _reduction_body(reduction):
    def body(a, b):
        return [_REDUCERS[reduction](a, b)]
    return body


def _all_reduce_rule(x, *, names, reduction):
    return [x]


def _all_reduce_emit(trace, values, out_avals, *, names, reduction):
    attrs = _common_attrs(names)
    attrs[REDUCTION_ATTR] = ir.StringAttr.get(reduction)
    op = emit(trace, "stablehlo.all_reduce", values, out_avals, attrs, regions=1)
    scalar = ShapedArray((), out_avals[0].dtype)
    build_region(trace, op.regions[0], [scalar, scalar], _reduction_body(reduction))
    return list(op.results)


all_reduce_p = Primitive("stablehlo.all_reduce", _all_reduce_rule, _all_reduce_emit)


def _all_gather_rule(x, *, names, dim, size):
    shape = list(x.shape)
    shape[dim] *= size
    return [ShapedArray(tuple(shape), x.dtype, x.weak_type)]


def _all_gather_emit(trace, values, out_avals, *, names, dim, size):
    attrs = _common_attrs(names)
    attrs["all_gather_dim"] = _i64(dim)
    return list(emit(trace, "stablehlo.all_gather", values, out_avals, attrs).results)


all_gather_p = Primitive("stablehlo.all_gather", _all_gather_rule, _all_gather_emit)


def _reduce_scatter_rule(x, *, names, dim, size):
    shape = list(x.shape)
    if shape[dim] % size:
        raise ValueError(f"psum_scatter: dimension {dim} of {x.str_short()} is not a multiple of "
                         f"the axis size {size}")
    shape[dim] //= size
    return [ShapedArray(tuple(shape), x.dtype, x.weak_type)]


def _reduce_scatter_emit(trace, values, out_avals, *, names, dim, size):
    attrs = _common_attrs(names)
    attrs["scatter_dimension"] = _i64(dim)
    attrs[REDUCTION_ATTR] = ir.StringAttr.get("add")
    op = emit(trace, "stablehlo.reduce_scatter", values, out_avals, attrs, regions=1)
    scalar = ShapedArray((), out_avals[0].dtype)
    build_region(trace, op.regions[0], [scalar, scalar], _reduction_body("add"))
    return list(op.results)


reduce_scatter_p = Primitive("stablehlo.reduce_scatter", _reduce_scatter_rule, _reduce_scatter_emit)


def _permute_rule(x, *, names, perm):
    return [x]


def _permute_emit(trace, values, out_avals, *, names, perm):
    attrs = {"source_target_pairs": _i64_dense(np.asarray(perm, np.int64).reshape(-1, 2)),
             AXIS_NAMES_ATTR: _common_attrs(names)[AXIS_NAMES_ATTR]}
    return list(emit(trace, "stablehlo.collective_permute", values, out_avals, attrs).results)


collective_permute_p = Primitive("stablehlo.collective_permute", _permute_rule, _permute_emit)


def local_pairs(op):
    """A collective_permute's (source, target) pairs as indices along its axes: those it was
    made with, also after its source_target_pairs became device ids."""
    attr = LOCAL_PAIRS_ATTR if LOCAL_PAIRS_ATTR in op.attributes else "source_target_pairs"
    return np.asarray(ir.DenseElementsAttr(op.attributes[attr]), np.int64).reshape(-1, 2)


def _all_to_all_rule(x, *, names, split, concat, size):
    shape = list(x.shape)
    if shape[split] % size:
        raise ValueError(f"all_to_all: dimension {split} of {x.str_short()} is not a multiple of "
                         f"the axis size {size}")
    shape[split] //= size
    shape[concat] *= size
    return [ShapedArray(tuple(shape), x.dtype, x.weak_type)]


def _all_to_all_emit(trace, values, out_avals, *, names, split, concat, size):
    attrs = _common_attrs(names, size)
    attrs.update(split_dimension=_i64(split), concat_dimension=_i64(concat),
                 split_count=_i64(size))
    return list(emit(trace, "stablehlo.all_to_all", values, out_avals, attrs).results)


all_to_all_p = Primitive("stablehlo.all_to_all", _all_to_all_rule, _all_to_all_emit)


def _partition_id_rule(*, names):
    return [ShapedArray((), np.dtype("uint32"))]


def _partition_id_emit(trace, values, out_avals, *, names):
    attrs = {AXIS_NAMES_ATTR: _common_attrs(names)[AXIS_NAMES_ATTR]}
    return list(emit(trace, "stablehlo.partition_id", [], out_avals, attrs).results)


partition_id_p = Primitive("stablehlo.partition_id", _partition_id_rule, _partition_id_emit)


# -- JAX's functions ---------------------------------------------------------------------------
def _split_names(axis_name):
    """(named axes, positional axes) of an axis_name argument; named ones must be bound."""
    names = _names(axis_name)
    named = tuple(n for n in names if not isinstance(n, int))
    positional = tuple(n for n in names if isinstance(n, int))
    for n in named:
        _size_of(n)
    return named, positional


def _reduce(x, axis_name, reduction):
    named, positional = _split_names(axis_name)
    leaves, tree = pytree.flatten(x)
    size = math.prod(_size_of(n) for n in named)
    pos_reduce = {"add": lax.reduce_sum, "max": lax.reduce_max, "min": lax.reduce_min}[reduction]
    outs = []
    for leaf in leaves:
        if positional:
            leaf = pos_reduce(lax.asarray(leaf), positional)
        if not named:
            outs.append(leaf)
        elif not isinstance(leaf, Tracer):
            # a constant is the same on every member of the axis: as JAX, no collective
            leaf = lax.asarray(leaf)
            outs.append(lax.mul(leaf, lax.full((), size, leaf.dtype)) if reduction == "add"
                        else leaf)
        else:
            outs.append(all_reduce_p.bind(leaf, names=named, reduction=reduction))
    return tree.unflatten(outs)


def psum(x, axis_name, *, axis_index_groups=None):
    _no_groups(axis_index_groups, "psum")
    return _reduce(x, axis_name, "add")


def pmax(x, axis_name, *, axis_index_groups=None):
    _no_groups(axis_index_groups, "pmax")
    return _reduce(x, axis_name, "max")


def pmin(x, axis_name, *, axis_index_groups=None):
    _no_groups(axis_index_groups, "pmin")
    return _reduce(x, axis_name, "min")


def pmean(x, axis_name, *, axis_index_groups=None):
    _no_groups(axis_index_groups, "pmean")
    named, positional = _split_names(axis_name)
    leaves, tree = pytree.flatten(x)
    summed = pytree.flatten(psum(x, axis_name))[0]
    outs = []
    for leaf, total in zip(leaves, summed):
        n = axis_size(named) * math.prod(aval_of(leaf).shape[a] for a in positional)
        total = lax.asarray(total)
        if not dtypes.is_inexact(total.dtype):
            total = lax.convert_element_type(total, dtypes.canonicalize(np.dtype("float64")))
        outs.append(lax.div(total, lax.full((), n, total.dtype)))
    return tree.unflatten(outs)


def _no_groups(groups, what):
    if groups is not None:
        raise NotImplementedError(f"{what}: axis_index_groups is not supported by hlox")


def _one_name(axis_name, what):
    names = _names(axis_name)
    for n in names:
        _size_of(n)
    if len(names) != 1:
        raise NotImplementedError(f"{what} over several axis names {names} is not supported")
    return names


def axis_index(axis_name):
    """The index along the named axis (row-major over a tuple of names), int32."""
    names = _names(axis_name)
    for n in names:
        _size_of(n)
    index = None
    for n in names:
        i = lax.convert_element_type(partition_id_p.bind(names=(n,)), np.dtype("int32"))
        index = i if index is None else lax.add(lax.mul(index, lax.full((), _size_of(n), "int32")), i)
    return index


def _axis(axis, ndim, what):
    if not -ndim <= axis < ndim:
        raise ValueError(f"{what}: axis {axis} is out of bounds for an array of rank {ndim}")
    return axis % ndim


def all_gather(x, axis_name, *, axis_index_groups=None, axis=0, tiled=False, to="varying"):
    _no_groups(axis_index_groups, "all_gather")
    names = _names(axis_name)
    for n in names:
        _size_of(n)

    def gather(leaf):
        leaf = lax.asarray(leaf)
        ax = _axis(axis, leaf.ndim + (0 if tiled else 1), "all_gather")
        if not tiled:
            leaf = lax.expand_dims(leaf, (ax,))
        # the last name varies fastest: gather over it first, then tile over the others
        for n in reversed(names):
            leaf = all_gather_p.bind(leaf, names=(n,), dim=ax, size=_size_of(n))
        return leaf
    leaves, tree = pytree.flatten(x)
    return tree.unflatten([gather(l) for l in leaves])


def psum_scatter(x, axis_name, *, scatter_dimension=0, axis_index_groups=None, tiled=False):
    _no_groups(axis_index_groups, "psum_scatter")
    names = _names(axis_name)
    total = axis_size(names)

    def scatter(leaf):
        leaf = lax.asarray(leaf)
        dim = _axis(scatter_dimension, leaf.ndim, "psum_scatter")
        if not tiled and leaf.shape[dim] != total:
            raise ValueError(f"psum_scatter: the scattered dimension must have the axis size "
                             f"{total}, got shape {leaf.shape}")
        for n in names:  # the first name varies slowest: its chunks are the largest
            leaf = reduce_scatter_p.bind(leaf, names=(n,), dim=dim, size=_size_of(n))
        return leaf if tiled else lax.squeeze(leaf, (dim,))
    leaves, tree = pytree.flatten(x)
    return tree.unflatten([scatter(l) for l in leaves])


def ppermute(x, axis_name, perm):
    names = _one_name(axis_name, "ppermute")
    size = _size_of(names[0])
    perm = tuple((int(s), int(d)) for s, d in perm)
    srcs, dsts = [s for s, _ in perm], [d for _, d in perm]
    if len(set(srcs)) != len(srcs) or len(set(dsts)) != len(dsts):
        raise ValueError(f"ppermute sources and destinations must be unique, got {perm}")
    if any(not 0 <= i < size for i in srcs + dsts):
        raise ValueError(f"ppermute indices must be in [0, {size}), got {perm}")
    leaves, tree = pytree.flatten(x)
    return tree.unflatten([collective_permute_p.bind(lax.asarray(l), names=names, perm=perm)
                           for l in leaves])


def pbroadcast(x, axis_name, source):
    """Every member of the axis gets the value of member `source`."""
    leaves, tree = pytree.flatten(x)
    outs = []
    for leaf in leaves:
        gathered = all_gather(leaf, axis_name)
        outs.append(lax.index_in_dim(gathered, int(source), 0, keepdims=False))
    return tree.unflatten(outs)


def all_to_all(x, axis_name, split_axis, concat_axis, *, axis_index_groups=None, tiled=False):
    _no_groups(axis_index_groups, "all_to_all")
    names = _one_name(axis_name, "all_to_all")
    size = _size_of(names[0])

    def one(leaf):
        leaf = lax.asarray(leaf)
        split = _axis(split_axis, leaf.ndim, "all_to_all")
        concat = _axis(concat_axis, leaf.ndim, "all_to_all")
        if tiled:
            if leaf.shape[split] % size:
                raise ValueError(f"all_to_all: split axis size {leaf.shape[split]} must be "
                                 f"divisible by the axis size {size}")
        else:
            if leaf.shape[split] != size:
                raise ValueError(f"all_to_all: the split axis must have the axis size {size}, "
                                 f"got shape {leaf.shape}")
            if split < concat:
                concat += 1
                leaf = lax.expand_dims(leaf, (concat,))
            elif split > concat:
                leaf = lax.expand_dims(leaf, (concat,))
                split += 1
        out = all_to_all_p.bind(leaf, names=names, split=split, concat=concat, size=size)
        if not tiled and split != concat:
            out = lax.squeeze(out, (split,))
        return out
    leaves, tree = pytree.flatten(x)
    return tree.unflatten([one(l) for l in leaves])


def pswapaxes(x, axis_name, axis, *, axis_index_groups=None):
    """Swap the mapped axis `axis_name` with the positional `axis` of `x` (an all_to_all that
    splits and concatenates along `axis`), as JAX's."""
    return all_to_all(x, axis_name, axis, axis, axis_index_groups=axis_index_groups)
