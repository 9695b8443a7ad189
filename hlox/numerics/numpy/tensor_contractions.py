"""Tensor contractions and products: dot matmul tensordot einsum inner outer vdot vecdot,
diagonal trace diag, kron cross."""
from __future__ import annotations

import collections
import math
import operator

import numpy as np

from hlox.frontend import dtypes, errors, lax
from hlox.numerics.numpy import elementwise as ufuncs, reductions
from hlox.numerics.numpy._util import (asarray, canonicalize_axis, check_arraylike, promote_dtypes,
                                       promote_shapes)

__all__ = ["dot", "matmul", "tensordot", "inner", "outer", "vdot", "vecdot", "einsum", "diagonal",
           "trace", "diag", "kron", "cross"]


# -- shared helpers ---------------------------------------------------------------------
def _operands(name, *args):
    check_arraylike(name, *args)
    return [asarray(a) for a in args]


def _result_type(operands, preferred_element_type):
    """(dtype, weak) of a contraction's result."""
    if preferred_element_type is None:
        return dtypes.result_type(*operands, return_weak_type_flag=True)
    return dtypes.canonicalize(dtypes.to_dtype(preferred_element_type)), False


def _contract(a, b, dimension_numbers, precision, preferred_element_type):
    dtype, weak = _result_type([a, b], preferred_element_type)
    out = lax.dot_general(a, b, dimension_numbers, precision, preferred_element_type=dtype)
    return lax.convert_element_type(out, dtype, weak_type=weak)


def _move_axes_to_end(x, axes):
    rest = [d for d in range(x.ndim) if d not in axes]
    return lax.transpose(x, rest + list(axes))


# -- dot, matmul, tensordot ---------------------------------------------------------------
def dot(a, b, *, precision=None, preferred_element_type=None, out_sharding=None):
    a, b = _operands("dot", a, b)
    if a.ndim == 0 or b.ndim == 0:
        contracting = ((), ())
    else:
        contracting = ((a.ndim - 1,), (0 if b.ndim == 1 else b.ndim - 2,))
    return _contract(a, b, (contracting, ((), ())), precision, preferred_element_type)


def matmul(a, b, *, precision=None, preferred_element_type=None, out_sharding=None):
    a, b = _operands("matmul", a, b)
    for i, x in enumerate((a, b)):
        if x.ndim < 1:
            raise errors.value_error(f"matmul input operand {i} must have ndim at least 1, "
                                     f"but it has ndim {x.ndim}")
    dtype, weak = _result_type([a, b], preferred_element_type)
    a_batch, b_batch = a.shape[:-2], b.shape[:-2]
    nbatch = max(len(a_batch), len(b_batch))
    a_batch = (None,) * (nbatch - len(a_batch)) + a_batch
    b_batch = (None,) * (nbatch - len(b_batch)) + b_batch
    plan = _matmul_batch_plan(a, b, a_batch, b_batch)
    a_squeeze, b_squeeze, both_squeeze, a_dims, b_dims, idx_batch, idx_a, idx_b = plan
    if a.ndim > 1:
        idx_a.append(nbatch)
    if b.ndim > 1:
        idx_b.append(nbatch + (a.ndim > 1))
    perm = np.argsort(np.concatenate([idx_batch, idx_a, idx_b]).astype(int))
    b_is_matrix = b.ndim > 1
    a, b = lax.squeeze(a, a_squeeze), lax.squeeze(b, b_squeeze)
    contracting = ((a.ndim - 1,), (b.ndim - 1 - b_is_matrix,))
    out = lax.dot_general(a, b, (contracting, (tuple(a_dims), tuple(b_dims))), precision,
                          preferred_element_type=dtype)
    out = lax.transpose(out, perm)
    if both_squeeze:
        out = lax.expand_dims(out, both_squeeze)
    return lax.convert_element_type(out, dtype, weak_type=weak)


def _matmul_batch_plan(a, b, a_batch, b_batch):
    """Which leading dimensions are batched together, broadcast, or squeezed (JAX's plan)."""
    a_squeeze, b_squeeze, both_squeeze, a_dims, b_dims = [], [], [], [], []
    idx_batch, idx_a, idx_b = [], [], []
    for i, (ba, bb) in enumerate(zip(a_batch, b_batch)):
        if ba is None:
            idx_b.append(i)
        elif bb is None:
            idx_a.append(i)
        elif ba == 1 and bb == 1:
            a_squeeze.append(len(idx_batch) + len(idx_a) + len(a_squeeze))
            b_squeeze.append(len(idx_batch) + len(idx_b) + len(b_squeeze))
            both_squeeze.append(i)
        elif ba == 1:
            idx_b.append(i)
            a_squeeze.append(len(idx_batch) + len(idx_a) + len(a_squeeze))
        elif bb == 1:
            idx_a.append(i)
            b_squeeze.append(len(idx_batch) + len(idx_b) + len(b_squeeze))
        elif ba == bb:
            a_dims.append(len(idx_batch) + len(idx_a))
            b_dims.append(len(idx_batch) + len(idx_b))
            idx_batch.append(i)
        else:
            raise errors.value_error(f"Incompatible types for matmul arguments: "
                                     f"{a.aval.str_short()} and {b.aval.str_short()}")
    return a_squeeze, b_squeeze, both_squeeze, a_dims, b_dims, idx_batch, idx_a, idx_b


def tensordot(a, b, axes=2, *, precision=None, preferred_element_type=None, out_sharding=None):
    a, b = _operands("tensordot", a, b)
    contracting = _tensordot_axes(a, b, axes)
    return _contract(a, b, (contracting, ((), ())), precision,
                     preferred_element_type)


def _tensordot_axes(a, b, axes):
    if type(axes) is int:
        if axes > min(a.ndim, b.ndim):
            raise errors.type_error(f"Number of tensordot axes (axes {axes}) exceeds input "
                                    f"ranks ({a.shape} and {b.shape})")
        return tuple(range(a.ndim - axes, a.ndim)), tuple(range(axes))
    if isinstance(axes, (tuple, list)) and len(axes) == 2:
        ax1, ax2 = axes
        if isinstance(ax1, int) and isinstance(ax2, int):
            return (canonicalize_axis(ax1, a.ndim),), (canonicalize_axis(ax2, b.ndim),)
        if isinstance(ax1, (tuple, list)) and isinstance(ax2, (tuple, list)):
            if len(ax1) != len(ax2):
                raise errors.type_error(f"tensordot requires axes lists to have equal length, "
                                        f"got {ax1} and {ax2}.")
            return (tuple(canonicalize_axis(i, a.ndim) for i in ax1),
                    tuple(canonicalize_axis(i, b.ndim) for i in ax2))
        raise errors.type_error(f"tensordot requires both axes lists to be either ints, tuples "
                                f"or lists, got {ax1} and {ax2}")
    raise errors.type_error("tensordot axes argument must be an int, a pair of ints, or a pair "
                            "of lists/tuples of ints.")


def inner(a, b, *, precision=None, preferred_element_type=None):
    a, b = _operands("inner", a, b)
    if a.ndim == 0 or b.ndim == 0:
        if preferred_element_type is not None:
            a, b = (lax.convert_element_type(x, preferred_element_type) for x in (a, b))
        return ufuncs.multiply(a, b)
    return tensordot(a, b, (-1, -1), precision=precision,
                     preferred_element_type=preferred_element_type)


def outer(a, b, out=None):
    if out is not None:
        raise NotImplementedError("The 'out' argument to hlox.numpy.outer is not supported.")
    a, b = _operands("outer", a, b)
    return ufuncs.multiply(lax.reshape(a, (a.size, 1)), lax.reshape(b, (1, b.size)))


def vdot(a, b, *, precision=None, preferred_element_type=None):
    a, b = _operands("vdot", a, b)
    if dtypes.is_complex(a.dtype):
        a = lax.conj(a)
    return dot(lax.reshape(a, (a.size,)), lax.reshape(b, (b.size,)), precision=precision,
               preferred_element_type=preferred_element_type)


def vecdot(x1, x2, /, *, axis=-1, precision=None, preferred_element_type=None):
    x1, x2 = _operands("vecdot", x1, x2)
    if x1.shape[axis] != x2.shape[axis]:
        raise errors.value_error(f"axes must match; got shapes {x1.shape} and {x2.shape} with "
                                 f"axis={axis}")
    x1 = ufuncs.conj(x1)
    return einsum("...i,...i->...", _move_axes_to_end(x1, [canonicalize_axis(axis, x1.ndim)]),
                  _move_axes_to_end(x2, [canonicalize_axis(axis, x2.ndim)]),
                  precision=precision, preferred_element_type=preferred_element_type)


# -- einsum -------------------------------------------------------------------------------
def einsum(subscripts, /, *operands, out=None, optimize="auto", precision=None,
           preferred_element_type=None, _dot_general=None, out_sharding=None):
    if out is not None:
        raise NotImplementedError("The 'out' argument to hlox.numpy.einsum is not supported.")
    if not isinstance(subscripts, str):
        subscripts, operands = _interleaved_subscripts(subscripts, operands)
    ops = _operands("einsum", *operands)
    inputs, output = _parse_einsum(subscripts, ops)
    sizes = _label_sizes(inputs, ops)
    dtype, weak = _result_type(ops, preferred_element_type)
    terms = [(lax.convert_element_type(x, dtype), labels) for x, labels in zip(ops, inputs)]
    terms = [_drop_broadcast_labels(x, labels, sizes) for x, labels in terms]
    while len(terms) > 1:
        i, j = _greedy_pair(terms, output, sizes)
        (a, la), (b, lb) = terms[i], terms[j]
        rest = [t for k, t in enumerate(terms) if k not in (i, j)]
        keep = set(output).union(*(labels for _, labels in rest))
        rest.append(_contract_pair(a, la, b, lb, keep, precision))
        terms = rest
    x, labels = _reduce_single(*terms[0], set(output))
    x = lax.transpose(x, [labels.index(c) for c in output])
    return lax.convert_element_type(x, dtype, weak_type=weak)


def _interleaved_subscripts(first, rest):
    """einsum(op0, sublist0, op1, sublist1, ..., [sublistout]) as a subscripts string."""
    args = [first, *rest]
    output = args.pop() if len(args) % 2 else None
    operands, sublists = args[0::2], args[1::2]

    def letters(sublist):
        return "".join("..." if s is Ellipsis else _einsum_letter(s) for s in sublist)
    spec = ",".join(letters(s) for s in sublists)
    if output is not None:
        spec += "->" + letters(output)
    return spec, operands


def _einsum_letter(index):
    index = operator.index(index)
    alphabet = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"
    if not 0 <= index < len(alphabet):
        raise errors.value_error(f"einsum subscript index {index} is out of range [0, 52)")
    return alphabet[index]


def _parse_einsum(subscripts, ops):
    """Input label strings (ellipses replaced by fresh labels) and the output labels."""
    spec = subscripts.replace(" ", "")
    lhs, arrow, out = spec.partition("->")
    terms = lhs.split(",")
    if len(terms) != len(ops):
        raise errors.value_error(f"einsum: {len(terms)} operand subscripts given in "
                                 f"{subscripts!r} for {len(ops)} operands")
    for c in spec.replace("...", "").replace(",", "").replace("->", ""):
        if not c.isalpha():
            raise errors.value_error(f"einsum: invalid subscript {c!r} in {subscripts!r}")
    used = set(spec)
    fresh = [c for c in map(chr, range(0x100, 0x200)) if c not in used]
    ell_ranks = [x.ndim - (len(t) - 3) if "..." in t else 0 for t, x in zip(terms, ops)]
    n_ell = max(ell_ranks, default=0)
    ell = "".join(fresh[:n_ell])
    inputs = []
    for t, x, k in zip(terms, ops, ell_ranks):
        t = t.replace("...", ell[n_ell - k:]) if k >= 0 else t
        if len(t) != x.ndim:
            raise errors.value_error(f"einsum: subscripts {t!r} do not match the {x.ndim} "
                                     f"dimensions of operand {x.aval.str_short()}")
        inputs.append(t)
    if arrow:
        output = out.replace("...", ell)
        _check_output(output, inputs, subscripts)
    else:
        counts = collections.Counter("".join(inputs))
        output = ell + "".join(sorted(c for c in counts if counts[c] == 1 and c not in ell))
    return inputs, output


def _check_output(output, inputs, subscripts):
    if len(set(output)) != len(output):
        raise errors.value_error(f"einsum: output subscript repeated in {subscripts!r}")
    missing = set(output) - set("".join(inputs))
    if missing:
        raise errors.value_error(f"einsum: output subscript {sorted(missing)[0]!r} does not "
                                 f"appear in the inputs of {subscripts!r}")


def _label_sizes(inputs, ops):
    sizes = {}
    for n, (labels, x) in enumerate(zip(inputs, ops)):
        for c, d in zip(labels, x.shape):
            seen = sizes.get(c, 1)
            if d != seen and 1 not in (d, seen):
                raise errors.value_error(f"Size of label '{c}' for operand {n} ({d}) does not "
                                         f"match previous terms ({seen}).")
            sizes[c] = max(seen, d)
    return sizes


def _drop_broadcast_labels(x, labels, sizes):
    """Size-1 dimensions that broadcast against a larger one elsewhere carry no label."""
    drop = [i for i, c in enumerate(labels) if x.shape[i] == 1 and sizes[c] != 1]
    return lax.squeeze(x, drop), "".join(c for i, c in enumerate(labels) if i not in drop)


def _greedy_pair(terms, output, sizes):
    """The pair whose contraction result is smallest (ties: leftmost)."""
    best, best_cost = (0, 1), None
    for i in range(len(terms)):
        for j in range(i + 1, len(terms)):
            others = [labels for k, (_, labels) in enumerate(terms) if k not in (i, j)]
            keep = set(output).union(*others)
            kept = (set(terms[i][1]) | set(terms[j][1])) & keep
            cost = math.prod(sizes[c] for c in kept)
            if best_cost is None or cost < best_cost:
                best, best_cost = (i, j), cost
    return best


def _reduce_single(x, labels, keep):
    """Take diagonals of repeated labels and sum labels not in `keep`."""
    for c, count in collections.Counter(labels).items():
        for _ in range(count - 1):
            first = labels.index(c)
            second = labels.index(c, first + 1)
            x = diagonal(x, 0, first, second)
            labels = "".join(l for k, l in enumerate(labels) if k not in (first, second)) + c
    drop = [i for i, c in enumerate(labels) if c not in keep]
    if drop:
        x = _sum_axes(x, drop)
        labels = "".join(c for i, c in enumerate(labels) if i not in drop)
    return x, labels


def _sum_axes(x, axes):
    return lax.reduce_monoid(x, "or" if dtypes.is_bool(x.dtype) else "add", axes)


def _contract_pair(a, la, b, lb, keep, precision):
    a, la = _reduce_single(a, la, keep | set(lb))
    b, lb = _reduce_single(b, lb, keep | set(la))
    shared = [c for c in la if c in lb]
    batch = [c for c in shared if c in keep]
    contracted = [c for c in shared if c not in keep]
    dims = (([la.index(c) for c in contracted], [lb.index(c) for c in contracted]),
            ([la.index(c) for c in batch], [lb.index(c) for c in batch]))
    out = lax.dot_general(a, b, dims, precision)
    labels = ("".join(batch) + "".join(c for c in la if c not in shared)
              + "".join(c for c in lb if c not in shared))
    return out, labels


# -- diagonals and traces ---------------------------------------------------------------
def diagonal(a, offset=0, axis1=0, axis2=1):
    (a,) = _operands("diagonal", a)
    if a.ndim < 2:
        raise errors.value_error("diagonal requires an array of at least two dimensions.")
    offset = operator.index(offset)
    axis1, axis2 = canonicalize_axis(axis1, a.ndim), canonicalize_axis(axis2, a.ndim)
    if axis1 == axis2:
        raise errors.value_error(f"axis1 and axis2 can not be same. axis1={axis1} and "
                                 f"axis2={axis2}")
    x = _move_axes_to_end(a, [axis1, axis2])
    return _last_two_diagonal(x, offset)


def _last_two_diagonal(x, offset):
    """The diagonal of the last two axes as a strided slice of their flattening."""
    *batch, n, m = x.shape
    rows = (max(-offset, 0), n)
    cols = (min(max(offset, 0), m), m)
    size = max(0, min(rows[1] - min(rows[0], n), cols[1] - cols[0]))
    start = [0] * len(batch) + [min(rows[0], n), cols[0]]
    x = lax.slice(x, start, batch + [start[-2] + size, m])
    width = m - cols[0]
    flat = lax.reshape(x, batch + [size * width])
    stop = (size - 1) * (width + 1) + 1 if size else 0
    return lax.slice(flat, [0] * len(batch) + [0], batch + [stop],
                     [1] * len(batch) + [width + 1])


def trace(a, offset=0, axis1=0, axis2=1, dtype=None, out=None):
    if out is not None:
        raise NotImplementedError("The 'out' argument to hlox.numpy.trace is not supported.")
    return reductions.sum(diagonal(a, offset, axis1, axis2), axis=-1, dtype=dtype)


def diag(v, k=0):
    (v,) = _operands("diag", v)
    k = operator.index(k)
    if v.ndim == 2:
        return diagonal(v, k)
    if v.ndim != 1:
        raise errors.value_error("diag input must be 1d or 2d")
    n = v.shape[0] + abs(k)
    zero = lax.full((), 0, v.dtype)
    v = lax.pad(v, zero, [(max(0, -k), max(0, k), 0)])
    rows = lax.broadcasted_iota(np.int32, (n, n), 0)
    cols = lax.broadcasted_iota(np.int32, (n, n), 1)
    on_diagonal = lax.eq(lax.add(rows, k), cols)
    return lax.select(on_diagonal, lax.broadcast_in_dim(v, (n, n), (0,)),
                      lax.full((n, n), 0, v.dtype))


# -- products built from elementwise ops --------------------------------------------------
def kron(a, b):
    check_arraylike("kron", a, b)
    a, b = promote_dtypes(a, b)
    if dtypes.is_bool(a.dtype):
        raise errors.type_error("kron does not accept dtype bool (JAX's lax.mul does not)")
    nd = max(a.ndim, b.ndim)
    a = lax.reshape(a, (1,) * (nd - a.ndim) + a.shape)
    b = lax.reshape(b, (1,) * (nd - b.ndim) + b.shape)
    a_spread = lax.reshape(a, [s for d in a.shape for s in (d, 1)])
    b_spread = lax.reshape(b, [s for d in b.shape for s in (1, d)])
    out = lax.mul(*promote_shapes(a_spread, b_spread))
    return lax.reshape(out, [p * q for p, q in zip(a.shape, b.shape)])


def cross(a, b, axisa=-1, axisb=-1, axisc=-1, axis=None):
    a, b = _operands("cross", a, b)
    if axis is not None:
        axisa = axisb = axisc = axis
    a = _move_axes_to_end(a, [canonicalize_axis(axisa, a.ndim)])
    b = _move_axes_to_end(b, [canonicalize_axis(axisb, b.ndim)])
    if a.shape[-1] not in (2, 3) or b.shape[-1] not in (2, 3):
        raise errors.value_error("Dimension must be either 2 or 3 for cross product")
    a0, a1, a2 = _components(a)
    b0, b1, b2 = _components(b)
    sub, mul = ufuncs.subtract, ufuncs.multiply
    if a2 is None and b2 is None:
        return sub(mul(a0, b1), mul(a1, b0))
    a2 = lax.full_like(a0, 0) if a2 is None else a2
    b2 = lax.full_like(b0, 0) if b2 is None else b2
    parts = [sub(mul(a1, b2), mul(a2, b1)), sub(mul(a2, b0), mul(a0, b2)),
             sub(mul(a0, b1), mul(a1, b0))]
    shape = parts[0].shape
    c = lax.concatenate([lax.reshape(p, shape + (1,)) for p in parts], len(shape))
    axisc = canonicalize_axis(axisc, c.ndim)
    return lax.transpose(c, [d for d in range(c.ndim - 1) if d < axisc] + [c.ndim - 1]
                         + [d for d in range(c.ndim - 1) if d >= axisc])


def _components(x):
    parts = [lax.index_in_dim(x, i, x.ndim - 1, keepdims=False) for i in range(x.shape[-1])]
    return parts + [None] * (3 - len(parts))
