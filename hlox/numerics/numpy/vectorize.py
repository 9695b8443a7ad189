"""Function application: vectorize (gufunc signatures), fromfunction, apply_along_axis,
apply_over_axes, and matvec/vecmat built on it."""
from __future__ import annotations

import functools
import re

import numpy as np

from hlox.frontend import errors
from hlox.numerics.numpy import creation, elementwise, shape, tensor_contractions
from hlox.numerics.numpy._util import (_array, asarray, broadcast_shapes, canonicalize_axis,
                                       check_arraylike)
from hlox.transforms.vmap import vmap

__all__ = ["fromfunction", "vectorize", "apply_along_axis", "apply_over_axes", "matvec", "vecmat"]


# -- function application ----------------------------------------------------------------------
def fromfunction(function, shape, *, dtype=float, **kwargs):
    dims = creation._shape_arg(shape)
    for i in range(len(dims)):
        in_axes = tuple(0 if j == len(dims) - 1 - i else None for j in range(len(dims)))
        function = vmap(function, in_axes=in_axes)
    return function(*(creation.arange(d, dtype=dtype) for d in dims), **kwargs)


_DIM = r"\w+"


_CORE = r"\((?:{0}(?:,{0})*)?\)".format(_DIM)


_SIGNATURE = r"^{0}(?:,{0})*->{0}(?:,{0})*$".format(_CORE)


def _parse_signature(signature):
    if not re.match(_SIGNATURE, signature):
        raise errors.value_error(f"not a valid gufunc signature: {signature}")
    return [[tuple(re.findall(_DIM, arg)) for arg in re.findall(_CORE, side)]
            for side in signature.split("->")]


def _record_core_sizes(sizes, shape_, core, context, is_input):
    """Check `shape_` against its core dimensions, filling in `sizes` (name -> size)."""
    if len(shape_) < len(core) if is_input else len(shape_) != len(core):
        what = ("input with shape {} does not have enough dimensions for all core dimensions {} {}"
                if is_input else "output shape {} does not match core dimensions {} {}")
        raise errors.value_error(what.format(shape_, core, context))
    for name, size in zip(core, shape_[len(shape_) - len(core):]):
        if sizes.setdefault(name, size) != size:
            raise errors.value_error(f"inconsistent size for core dimension {name!r}: {size!r} "
                                     f"vs {sizes[name]!r} {context}")


def _checked_outputs(func, sizes, out_cores, context):
    def wrapped(*args):
        out = func(*args)
        outs = out if isinstance(out, tuple) else [out]
        if len(out_cores) > 1 and not isinstance(out, tuple):
            raise errors.type_error(f"output must be a tuple when multiple outputs are expected, "
                                    f"got: {out!r}\n{context}")
        if len(outs) != len(out_cores):
            raise errors.type_error(f"wrong number of output arguments: expected "
                                    f"{len(out_cores)}, got {len(outs)} {context}")
        known = dict(sizes)
        for o, core in zip(outs, out_cores):
            _record_core_sizes(known, np.shape(o), core, context, is_input=False)
        return out
    return wrapped


def _bind_excluded(func, excluded, args, kwargs):
    """`func` with the excluded positional/keyword arguments fixed; the remaining arguments."""
    if not excluded:
        return func, list(args), kwargs
    fixed = [(i, args[i]) for i in sorted(e for e in excluded if isinstance(e, int)) if i < len(args)]
    fixed_kw = {k: v for k, v in kwargs.items() if k in excluded}

    def bound(*dynamic, **kw):
        full = list(dynamic)
        for i, a in fixed:
            full.insert(i, a)
        return func(*full, **kw, **fixed_kw)
    return (bound, [a for i, a in enumerate(args) if i not in excluded],
            {k: v for k, v in kwargs.items() if k not in excluded})


def vectorize(pyfunc, *, excluded=frozenset(), signature=None):
    """Broadcasting over leading (non-core) dimensions, one `vmap` per broadcast dimension."""
    if any(not isinstance(e, (str, int)) for e in excluded):
        raise errors.type_error(f"jax.numpy.vectorize can only exclude integer or string "
                                f"arguments, but excluded={excluded!r}")
    if any(isinstance(e, int) and e < 0 for e in excluded):
        raise errors.value_error(f"excluded={excluded!r} contains negative numbers")

    @functools.wraps(pyfunc)
    def wrapped(*args, **kwargs):
        context = (f"on vectorized function with excluded={excluded!r} and "
                   f"signature={signature!r}")
        func, args, kwargs = _bind_excluded(pyfunc, excluded, args, kwargs)
        in_cores, out_cores = (_parse_signature(signature) if signature is not None
                               else ([()] * len(args), None))
        nones = {i for i, a in enumerate(args) if a is None}
        if nones:
            if any(in_cores[i] != () for i in nones):
                raise errors.value_error(f"Cannot pass None at locations {nones} with "
                                         f"signature={signature!r}")
            func, args, _ = _bind_excluded(func, nones, args, {})
            in_cores = [c for i, c in enumerate(in_cores) if i not in nones]
        args = [asarray(a) for a in args]
        if len(args) != len(in_cores):
            raise errors.type_error(f"wrong number of positional arguments: expected "
                                    f"{len(in_cores)}, got {len(args)} {context}")
        sizes = {}
        for a, core in zip(args, in_cores):
            _record_core_sizes(sizes, a.shape, core, context, is_input=True)
        loops = [a.shape[:a.ndim - len(core)] for a, core in zip(args, in_cores)]
        loop_shape = broadcast_shapes(*loops)
        if out_cores is not None:
            func = _checked_outputs(func, sizes, out_cores, context)
        return _vectorized_call(func, args, loops, loop_shape, kwargs)

    return wrapped


def _vectorized_call(func, args, loops, loop_shape, kwargs):
    squeezed = [shape.squeeze(a, tuple(i for i, d in enumerate(lp) if d == 1))
                for a, lp in zip(args, loops)]
    padded = [(1,) * (len(loop_shape) - len(lp)) + lp for lp in loops]
    missing = []
    for back, sizes in enumerate(zip(*(p[::-1] for p in padded))):
        in_axes = tuple(None if d == 1 else 0 for d in sizes)
        if all(a is None for a in in_axes):
            missing.append(len(loop_shape) - 1 - back)
        else:
            func = vmap(func, in_axes)
    result = func(*squeezed, **kwargs)
    if not missing:
        return result
    if isinstance(result, tuple):
        return tuple(shape.expand_dims(r, missing) for r in result)
    return shape.expand_dims(result, missing)


def apply_along_axis(func1d, axis, arr, *args, **kwargs):
    check_arraylike("apply_along_axis", arr)
    ndim = np.ndim(arr)
    axis = canonicalize_axis(axis, ndim)
    func = lambda x: func1d(x, *args, **kwargs)  # noqa: E731
    for i in range(1, ndim - axis):
        func = vmap(func, in_axes=i, out_axes=-1)
    for _ in range(axis):
        func = vmap(func, in_axes=0, out_axes=0)
    return func(asarray(arr))


def apply_over_axes(func, a, axes):
    x = _array("apply_over_axes", a)
    for axis in axes:
        b = asarray(func(x, axis))
        if b.ndim == x.ndim - 1:
            b = shape.expand_dims(b, axis)
        elif b.ndim != x.ndim:
            raise errors.value_error("function is not returning an array of the correct shape")
        x = b
    return x


def matvec(x1, x2, /):
    check_arraylike("matvec", x1, x2)
    return vectorize(tensor_contractions.matmul, signature="(n,m),(m)->(n)")(x1, x2)


def vecmat(x1, x2, /):
    check_arraylike("vecmat", x1, x2)
    return vectorize(tensor_contractions.matmul, signature="(n),(n,m)->(m)")(elementwise.conj(x1), x2)
