"""Structured control flow: cond, switch, while_loop, fori_loop, scan, map, associative_scan.

Branches and loop bodies are traced into private functions, so the values they
close over become explicit parameters; the regions of `stablehlo.if`, `case` and
`while` call those functions. On concrete arguments the construct runs under a
jit made for it, like every other transform.
"""
from __future__ import annotations


import numpy as np

from hlox.frontend import dtypes, errors, lax, ops
from hlox.lowering.avals import ShapedArray
from hlox.frontend.core import current_trace
from hlox.frontend.jit import ShapeDtypeStruct, call_function, eager_jit, trace_private_function
from hlox.lowering import pytree
from hlox.lowering.mlir import ir


def _type_name(aval):
    return f"{np.dtype(aval.dtype).name}[{','.join(str(d) for d in aval.shape)}]"


def _leaf_paths(tree):
    """The path of each leaf of `tree` (a PyTreeDef) as JAX prints it: '', '[0]', "['h']"."""
    keyed = pytree.flatten_with_path(tree.unflatten(range(tree.num_leaves)))[0]
    return ["".join(str(k) for k in path) for path, _ in keyed]


def _type_mismatch(tree, a_avals, b_avals, a_what, b_what):
    """JAX's sentence for the first pair of leaves whose shape or dtype differ, or None."""
    for path, a, b in zip(_leaf_paths(tree), a_avals, b_avals):
        if (a.shape, a.dtype) == (b.shape, b.dtype):
            continue
        differ = " and ".join(w for w, d in (("shapes", a.shape != b.shape),
                                              ("dtypes", a.dtype != b.dtype)) if d)
        at = f" at path {path}" if path else ""
        return (f"The {a_what.format(at)} has type {_type_name(a)} but the corresponding "
                f"{b_what} has type {_type_name(b)}, so the {differ} do not match.")
    return None


def _call_traced(traced, leaves):
    """Call a traced private function with its argument leaves (and its captures)."""
    return call_function(current_trace(), traced.fn_name, list(leaves) + traced.consts,
                         traced.out_avals)


# -- cond / switch -----------------------------------------------------------------------------
def _trace_branches(branches, operands, kind, names):
    trace = current_trace()
    traced = [trace_private_function(b, tuple(operands), {}, trace)[0] for b in branches]
    first = traced[0]
    for name, t in zip(names[1:], traced[1:]):
        if t.out_tree != first.out_tree:
            raise errors.type_error(
                f"{kind} branch outputs must have the same pytree structure, but they differ: "
                f"{names[0]} output is {first.out_tree} but {name} output is {t.out_tree}. "
                f"Revise {names[0]} and/or {name} so that they have the same pytree structure.")
        mismatch = _type_mismatch(first.out_tree, first.out_avals, t.out_avals,
                                  f"output of {names[0]}{{}}", f"output of {name}")
        if mismatch:
            raise errors.type_error(
                f"{kind} branches must have equal output types but they differ.\n\n{mismatch}"
                f"\n\nRevise {names[0]} and/or {name} so that all output types match.")
    return traced


def _branch_call(traced, leaves):
    return lambda: _call_traced(traced, leaves)


def _result_avals(traced):
    return [ShapedArray(a.shape, a.dtype, all(t.out_avals[i].weak_type for t in traced))
            for i, a in enumerate(traced[0].out_avals)]


def _cond_impl(pred, true_fun, false_fun, *operands):
    pred = lax.asarray(pred)
    if pred.shape != ():
        raise errors.type_error(f"Pred must be a scalar, got shape {pred.shape}.")
    if pred.dtype != dtypes.bool_:
        if not (dtypes.is_integer(pred.dtype) or dtypes.is_inexact(pred.dtype)):
            raise errors.type_error(f"Pred type must be either boolean or number, got {pred.dtype}")
        pred = lax.ne(pred, lax.full((), 0, pred.dtype))
    traced = _trace_branches([true_fun, false_fun], operands, "cond", ["true_fun", "false_fun"])
    leaves = pytree.flatten(tuple(operands))[0]
    outs = ops.if_.bind(pred, branches=tuple(_branch_call(t, leaves) for t in traced),
                        result_avals=tuple(_result_avals(traced)))
    return traced[0].out_tree.unflatten(outs)


def cond(pred, true_fun, false_fun, *operands, operand=None):
    if operand is not None:
        operands = (operand,)
    if len(operands) == 2 and not callable(true_fun) and callable(false_fun):
        # the older form cond(pred, true_operand, true_fun, false_operand, false_fun)
        true_operand, true_fn, (false_operand, false_fn) = true_fun, false_fun, operands
        return cond(pred, lambda ops_: true_fn(ops_[0]), lambda ops_: false_fn(ops_[1]),
                    (true_operand, false_operand))
    for f in (true_fun, false_fun):
        if not callable(f):
            raise errors.type_error("lax.cond: true_fun and false_fun arguments should be callable.")
    return eager_jit(lambda p, *o: _cond_impl(p, true_fun, false_fun, *o))(pred, *operands)


def _switch_impl(index, branches, *operands):
    index = lax.asarray(index)
    if index.shape != ():
        raise errors.type_error(f"Branch index must be scalar, got shape {index.shape}.")
    if not dtypes.is_integer(index.dtype):
        raise errors.type_error(f"Index type must be an integer, got {_type_name(index.aval)}.")
    index = lax.convert_element_type(index, np.int32)
    index = lax.clamp(0, index, len(branches) - 1)  # JAX clamps out-of-range indices
    traced = _trace_branches(branches, operands, "switch",
                             [f"branch {k}" for k in range(len(branches))])
    leaves = pytree.flatten(tuple(operands))[0]
    outs = ops.case.bind(index, branches=tuple(_branch_call(t, leaves) for t in traced),
                         result_avals=tuple(_result_avals(traced)))
    return traced[0].out_tree.unflatten(outs)


def switch(index, branches, *operands, operand=None):
    if operand is not None:
        operands = (operand,)
    branches = list(branches)
    if not branches:
        raise errors.value_error("Empty branch sequence")
    if not all(callable(b) for b in branches):
        raise errors.type_error("lax.switch: branches argument should be a sequence of callables.")
    if len(branches) == 1:
        return branches[0](*operands)
    return eager_jit(lambda i, *o: _switch_impl(i, branches, *o))(index, *operands)


# -- while_loop --------------------------------------------------------------------------------
def _carry_error(what, in_avals, out_avals, in_tree, out_tree):
    """`what`: 'while_loop body function' or 'scan body function'."""
    if in_tree != out_tree:
        return errors.type_error(
            f"{what} carry input and carry output must have the same pytree structure, but they "
            f"differ: the input carry is {in_tree} but the output carry is {out_tree}. Revise "
            "the function so that the carry output has the same pytree structure as the input.")
    mismatch = _type_mismatch(in_tree, in_avals, out_avals, "input carry{}",
                              "output carry component")
    if mismatch:
        return errors.type_error(
            f"{what} carry input and carry output must have equal types, but they differ:\n\n"
            f"{mismatch}\n\nRevise the function so that all output types match the "
            "corresponding input types.")
    return None


def _promote_weak(leaves, out_avals):
    """JAX's two-pass rule: a weakly typed initial carry whose type the body changes (a Python
    0 that becomes a float) is converted to the promoted type. Returns (leaves, changed)."""
    out, changed = [], False
    for leaf, aval in zip(leaves, out_avals):
        if leaf.aval.weak_type and (leaf.shape, leaf.dtype) != (aval.shape, aval.dtype):
            dtype, _ = dtypes.promote([(leaf.dtype, True), (aval.dtype, aval.weak_type)])
            leaf, changed = lax.convert_element_type(leaf, dtype), True
        out.append(leaf)
    return out + list(leaves[len(out):]), changed


def _trace_carry_fn(fn, leaves, tree, *rest):
    """Trace fn(carry, *rest) into a private function, promoting weak carries as JAX does.
    Returns (traced, leaves)."""
    def trace(leaves):
        return trace_private_function(fn, (tree.unflatten(leaves),) + rest, {},
                                      current_trace())[0]
    traced = trace(leaves)
    leaves, changed = _promote_weak(leaves, traced.out_avals)
    return (trace(leaves) if changed else traced), leaves


def _with_weak_types(values, avals):
    """Loop results take the weak types of the body's outputs (as JAX's do)."""
    return [lax._as_weak(v, a.weak_type) for v, a in zip(values, avals)]


def _loop_attrs(**values):
    """`hlox.<name>` integer attributes of a loop op, for the passes to read."""
    for name in ("checkpoint_every", "max_steps"):
        if values.get(name) is not None and int(values[name]) < 1:
            raise errors.value_error(f"{name} must be a positive integer, got {values[name]}")
    i64 = ir.IntegerType.get_signless(64)
    return {f"hlox.{k}": ir.IntegerAttr.get(i64, int(v))
            for k, v in values.items() if v is not None}


def _while_impl(cond_fun, body_fun, init_val, max_steps=None, checkpoint_every=None):
    leaves, tree = pytree.flatten(init_val)
    leaves = [lax.asarray(l) for l in leaves]
    body, leaves = _trace_carry_fn(body_fun, leaves, tree)
    error = _carry_error("while_loop body function", [l.aval for l in leaves], body.out_avals, tree, body.out_tree)
    if error:
        raise error
    cond_ = trace_private_function(cond_fun, (tree.unflatten(leaves),), {}, current_trace())[0]
    if len(cond_.out_avals) != 1 or cond_.out_avals[0].shape != () or \
            cond_.out_avals[0].dtype != dtypes.bool_:
        raise errors.type_error("cond_fun must return a boolean scalar, but got output type(s) "
                                f"[{', '.join(_type_name(a) for a in cond_.out_avals)}].")
    n_c, n_b = len(cond_.consts), len(body.consts)
    consts = list(cond_.consts) + list(body.consts)

    def cond_region(*carried):
        c_consts, carry = carried[:n_c], carried[n_c + n_b:]
        return call_function(current_trace(), cond_.fn_name, list(carry) + list(c_consts),
                             cond_.out_avals)

    def body_region(*carried):
        fixed, carry = carried[:n_c + n_b], carried[n_c + n_b:]
        b_consts = fixed[n_c:]
        new = call_function(current_trace(), body.fn_name, list(carry) + list(b_consts),
                            body.out_avals)
        return list(fixed) + new
    attrs = _loop_attrs(max_steps=max_steps, checkpoint_every=checkpoint_every)
    outs = ops.while_loop.bind(*consts, *leaves, cond=cond_region, body=body_region,
                               attributes=attrs or None)
    return tree.unflatten(_with_weak_types(outs[n_c + n_b:], body.out_avals))


def while_loop(cond_fun, body_fun, init_val, *, max_steps=None, checkpoint_every=None):
    """`lax.while_loop`. `max_steps` (an hlox extension) bounds the trip count so that reverse
    mode can differentiate a loop whose trip count depends on the data."""
    return eager_jit(lambda init: _while_impl(cond_fun, body_fun, init, max_steps,
                                              checkpoint_every))(init_val)


# -- scan / fori_loop / map ------------------------------------------------------------------
def _leading_sizes(xs_leaves):
    return {l.shape[0] if l.ndim else None for l in (lax.asarray(x) for x in xs_leaves)}


def _scan_impl(f, init, xs, length, reverse, checkpoint_every=None):
    carry_leaves, carry_tree = pytree.flatten(init)
    carry_leaves = [lax.asarray(c) for c in carry_leaves]
    xs_leaves, xs_tree = pytree.flatten(xs)
    xs_leaves = [lax.asarray(x) for x in xs_leaves]
    sizes = _leading_sizes(xs_leaves)
    if None in sizes:
        raise errors.value_error("scan got value with no leading axis to scan over")
    if length is not None and sizes and sizes != {int(length)}:
        raise errors.value_error(f"scan got `length` argument of {int(length)} which disagrees "
                                 f"with leading axis sizes {sorted(sizes)}.")
    if length is not None:
        sizes.add(int(length))
    if len(sizes) > 1:
        raise errors.value_error("scan got values with different leading axis sizes: "
                                 + ", ".join(str(s) for s in sorted(sizes)) + ".")
    if not sizes:
        raise errors.value_error("scan got no values to scan over and `length` not provided.")
    n = sizes.pop()
    x_example = xs_tree.unflatten([ShapeDtypeStruct(x.shape[1:], x.dtype) for x in xs_leaves])

    def step(carry, x):
        out = f(carry, x)
        if not isinstance(out, (tuple, list)) or len(out) != 2:
            raise errors.type_error("scan body output must be a pair, got "
                                    f"{pytree.flatten(out)[1]}.")
        return out
    traced, carry_leaves = _trace_carry_fn(step, carry_leaves, carry_tree, x_example)
    n_carry = len(carry_leaves)
    carry_out_tree, y_tree = traced.out_tree.children()
    error = _carry_error("scan body function", [c.aval for c in carry_leaves],
                         traced.out_avals[:n_carry], carry_tree, carry_out_tree)
    if error:
        raise error
    y_avals = traced.out_avals[n_carry:]
    ys0 = [lax.full((n,) + a.shape, 0, a.dtype) for a in y_avals]
    if n == 0:  # no step to run (and no element of xs to index)
        return carry_tree.unflatten(carry_leaves), y_tree.unflatten(_with_weak_types(ys0, y_avals))
    consts = list(traced.consts)
    n_x, n_k = len(xs_leaves), len(consts)
    counter = lax.full((), 0, np.int32)

    def cond_region(i, *_):
        return [lax.lt(i, lax.full((), n, np.int32))]

    def body_region(i, *carried):
        xs_c, consts_c = carried[:n_x], carried[n_x:n_x + n_k]
        carry, ys = carried[n_x + n_k:n_x + n_k + n_carry], carried[n_x + n_k + n_carry:]
        t = lax.sub(lax.full((), n - 1, np.int32), i) if reverse else i
        x_t = [lax.dynamic_index_in_dim(x, t, 0, keepdims=False) for x in xs_c]
        out = call_function(current_trace(), traced.fn_name, list(carry) + x_t + list(consts_c),
                            traced.out_avals)
        new_ys = [lax.dynamic_update_index_in_dim(y, o, t, 0) for y, o in zip(ys, out[n_carry:])]
        return [lax.add(i, lax.full((), 1, np.int32))] + list(xs_c) + list(consts_c) + \
            out[:n_carry] + new_ys
    attrs = _loop_attrs(trip_count=n, checkpoint_every=checkpoint_every)
    outs = ops.while_loop.bind(counter, *xs_leaves, *consts, *carry_leaves, *ys0,
                               cond=cond_region, body=body_region, attributes=attrs)
    final = _with_weak_types(outs[1 + n_x + n_k:], traced.out_avals)
    return carry_tree.unflatten(final[:n_carry]), y_tree.unflatten(final[n_carry:])


def scan(f, init, xs=None, length=None, reverse=False, unroll=1, _split_transpose=False, *,
         checkpoint_every=None):
    """`lax.scan`, lowered to one `stablehlo.while` carrying a counter, the carry and the
    stacked outputs; the op records its static trip count (`hlox.trip_count`).
    `checkpoint_every=k` (an hlox extension): reverse mode stores every k-th carry and
    recomputes the others (hlox.checkpoint_every on the op)."""
    return eager_jit(lambda c, x: _scan_impl(f, c, x, length, reverse, checkpoint_every))(init, xs)


def fori_loop(lower, upper, body_fun, init_val, *, unroll=None, checkpoint_every=None):
    concrete = all(isinstance(b, (int, np.integer)) for b in (lower, upper))
    if concrete:
        lower, upper = int(lower), int(upper)

        def step(carry, _):
            i, x = carry
            return (i + 1, body_fun(i, x)), None
        # the counter starts as a Python int: weakly typed, as JAX's is
        (_, result), _ = scan(step, (lower, init_val), None,
                              length=max(upper - lower, 0), checkpoint_every=checkpoint_every)
        return result

    def cond_fun(carry):
        i, upper_, _ = carry
        return lax.lt(i, upper_)

    def body(carry):
        i, upper_, x = carry
        return lax.add(i, lax.full((), 1, lax.asarray(i).dtype)), upper_, body_fun(i, x)
    lower, upper = lax.asarray(lower), lax.asarray(upper)
    common = dtypes.promote([(lower.dtype, lower.aval.weak_type), (upper.dtype, upper.aval.weak_type)])[0]
    return while_loop(cond_fun, body, (lax.convert_element_type(lower, common),
                                       lax.convert_element_type(upper, common), init_val),
                      checkpoint_every=checkpoint_every)[2]


def map(f, xs, *, batch_size=None):  # noqa: A001
    return scan(lambda _, x: ((), f(x)), (), xs)[1]


# -- associative_scan --------------------------------------------------------------------------
def associative_scan(fn, elems, reverse=False, axis=0):
    """All prefix combinations of `elems` along `axis` under an associative `fn`, in
    O(log n) depth (the odd/even recursion of Blelloch's scan)."""
    leaves, tree = pytree.flatten(elems)
    leaves = [lax.asarray(l) for l in leaves]
    if not leaves:
        return elems
    axis = axis % leaves[0].ndim
    n = leaves[0].shape[axis]
    if any(l.shape[axis] != n for l in leaves):
        raise errors.value_error("Array inputs to associative_scan must have the same first "
                                 f"dimension. (saw: {[l.shape for l in leaves]})")
    if reverse:
        leaves = [lax.rev(l, (axis,)) for l in leaves]

    def combine(a, b):
        out = fn(tree.unflatten(a), tree.unflatten(b))
        return pytree.flatten(out)[0]

    def slice_(xs, start, stop, step=1):
        return [lax.slice_in_dim(x, start, stop, step, axis) for x in xs]

    def scan_(xs):
        size = xs[0].shape[axis]
        if size < 2:
            return xs
        reduced = combine(slice_(xs, 0, size - 1, 2), slice_(xs, 1, size, 2))
        odd = scan_(reduced)
        if size % 2 == 0:
            even = combine(slice_(odd, 0, len_(odd) - 1), slice_(xs, 2, size, 2))
        else:
            even = combine(odd, slice_(xs, 2, size, 2))
        even = [lax.concatenate([lax.slice_in_dim(x, 0, 1, 1, axis), e], axis)
                for x, e in zip(xs, even)]
        return [_interleave(e, o, axis) for e, o in zip(even, odd)]

    def len_(xs):
        return xs[0].shape[axis]
    out = scan_(leaves)
    if reverse:
        out = [lax.rev(o, (axis,)) for o in out]
    return tree.unflatten(out)


def _interleave(a, b, axis):
    """a[0], b[0], a[1], b[1], ... along `axis` (a may be one longer than b)."""
    n_a, n_b = a.shape[axis], b.shape[axis]
    zero = lax.full((), 0, a.dtype)
    cfg_a = [(0, 0, 0)] * a.ndim
    cfg_b = [(0, 0, 0)] * b.ndim
    cfg_a[axis] = (0, 1 if n_a == n_b else 0, 1)
    cfg_b[axis] = (1, 0 if n_a == n_b else 1, 1)
    pa, pb = lax.pad(a, zero, cfg_a), lax.pad(b, zero, cfg_b)
    if dtypes.is_bool(a.dtype):
        return lax.or_(pa, pb)
    return lax.add(pa, pb)


__all__ = ["cond", "switch", "while_loop", "fori_loop", "scan", "map", "associative_scan"]
