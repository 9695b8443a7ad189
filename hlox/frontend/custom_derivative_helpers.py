"""jax.custom_derivatives' helpers beside custom_jvp/custom_vjp: symbolic zeros and the primal
records of `symbolic_zeros=True` rules, and linear_call (a linear function given with its
transpose)."""
from __future__ import annotations

import dataclasses
from typing import Any

import numpy as np

from hlox.frontend import dtypes, lax
from hlox.frontend.core import aval_of
from hlox.frontend.custom_derivatives import custom_vjp
from hlox.lowering import pytree


def _tangent_dtype(dtype):
    """A value's tangent dtype: itself for floats, float0 for integers and booleans."""
    return dtype if dtypes.is_inexact(dtype) else dtypes.float0


class SymbolicZero:
    """A tangent or cotangent known to be zero, with the shape and dtype it stands for."""

    def __init__(self, aval):
        self.aval = aval

    shape = property(lambda self: self.aval.shape)
    dtype = property(lambda self: self.aval.dtype)

    def __bool__(self):
        return False

    def __repr__(self):
        return f"SymbolicZero({self.aval})"

    @staticmethod
    def from_primal_value(val):
        aval = aval_of(val)
        return SymbolicZero(_TangentAval(tuple(aval.shape), _tangent_dtype(aval.dtype)))


@dataclasses.dataclass(frozen=True)
class _TangentAval:
    shape: tuple
    dtype: Any

    def __str__(self):
        return f"{np.dtype(self.dtype).name}[{','.join(map(str, self.shape))}]"


@dataclasses.dataclass(slots=True)
class CustomVJPPrimal:
    """Primal to a custom_vjp's forward rule when `symbolic_zeros` is set."""
    value: Any
    perturbed: bool


def custom_vjp_primal_tree_values(tree):
    """The values of a tree of CustomVJPPrimal records (a symbolic_zeros forward rule's input)."""
    def value(leaf):
        if type(leaf) is not CustomVJPPrimal:
            raise TypeError(f"unexpected leaf type {type(leaf)}")
        return leaf.value
    leaves, treedef = pytree.flatten(tree, lambda x: type(x) is CustomVJPPrimal)
    return treedef.unflatten([value(leaf) for leaf in leaves])


def zero_from_primal(val, symbolic_zeros=False):
    """Zero tangents for the leaves of `val`: SymbolicZeros, or arrays of zeros (float0 ones
    for integer and boolean leaves), as JAX's."""
    def zero(x):
        z = SymbolicZero.from_primal_value(x)
        if symbolic_zeros:
            return z
        if z.dtype == dtypes.float0:
            return np.zeros(z.shape, dtypes.float0)
        return lax.full(z.shape, 0, z.dtype)
    leaves, treedef = pytree.flatten(val)
    return treedef.unflatten([zero(x) for x in leaves])


def linear_call(fun, fun_transpose, residual_args, linear_args):
    """`fun(residual_args, linear_args)`, a function linear in `linear_args`, whose transpose
    (in reverse mode) is `fun_transpose(residual_args, cotangent)`; residuals get no
    cotangent. (hlox states it as a custom_vjp, so forward mode through it is not available.)"""
    @custom_vjp
    def call(res, lin):
        return fun(res, lin)

    def fwd(res, lin):
        return fun(res, lin), res

    def bwd(res, ct):
        return None, fun_transpose(res, ct)
    call.defvjp(fwd, bwd)
    return call(residual_args, linear_args)
