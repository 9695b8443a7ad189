"""Operators and numpy methods shared by `hlox.Array` and tracers.

Each entry names the `hlox.numpy` function that implements it, so an array
method and the function of the same name can never disagree.
"""
from __future__ import annotations

import numpy as np

from hlox.frontend import lax
from hlox.frontend.core import Tracer
from hlox.lowering.array import Array
from hlox.numerics.numpy import (array_manipulation, elementwise, indexing, indexing_routines,
                                 reductions, searching, sorting, tensor_contractions)
from hlox.numerics.numpy import shape as shapes

_OPERATORS = {
    # dunder: (hlox.numpy function, swap operands)
    "__add__": ("add", False), "__radd__": ("add", True),
    "__sub__": ("subtract", False), "__rsub__": ("subtract", True),
    "__mul__": ("multiply", False), "__rmul__": ("multiply", True),
    "__truediv__": ("true_divide", False), "__rtruediv__": ("true_divide", True),
    "__floordiv__": ("floor_divide", False), "__rfloordiv__": ("floor_divide", True),
    "__mod__": ("remainder", False), "__rmod__": ("remainder", True),
    "__pow__": ("power", False), "__rpow__": ("power", True),
    "__matmul__": ("matmul", False), "__rmatmul__": ("matmul", True),
    "__and__": ("bitwise_and", False), "__rand__": ("bitwise_and", True),
    "__or__": ("bitwise_or", False), "__ror__": ("bitwise_or", True),
    "__xor__": ("bitwise_xor", False), "__rxor__": ("bitwise_xor", True),
    "__lshift__": ("left_shift", False), "__rlshift__": ("left_shift", True),
    "__rshift__": ("right_shift", False), "__rrshift__": ("right_shift", True),
    "__eq__": ("equal", False), "__ne__": ("not_equal", False),
    "__lt__": ("less", False), "__le__": ("less_equal", False),
    "__gt__": ("greater", False), "__ge__": ("greater_equal", False),
    "__divmod__": ("divmod", False), "__rdivmod__": ("divmod", True),
}
_UNARY_OPERATORS = {"__neg__": "negative", "__pos__": "positive", "__abs__": "abs",
                    "__invert__": "invert"}
_METHODS = [
    "all", "any", "argmax", "argmin", "argpartition", "argsort", "astype", "choose", "clip",
    "conj", "conjugate", "copy", "cumprod", "cumsum", "diagonal", "dot", "flatten",
    "max", "mean", "min", "nonzero", "prod",
    "ptp", "ravel", "repeat", "reshape", "round", "searchsorted", "sort", "squeeze", "std",
    "sum", "swapaxes", "take", "trace", "transpose", "var",
]


_FUNCTIONS = {name: getattr(module, name)
              for module in (elementwise, reductions, shapes, sorting, tensor_contractions,
                             array_manipulation, indexing_routines, searching)
              for name in module.__all__}


def _binary_method(fname, swap):
    fn = _FUNCTIONS[fname]

    def method(self, other):
        if type(other) not in _OPERAND_TYPES and not isinstance(other, _OPERAND_CLASSES):
            return NotImplemented
        return fn(other, self) if swap else fn(self, other)
    method.__name__ = fname
    return method


_OPERAND_TYPES = frozenset((Array, Tracer, bool, int, float, complex, np.ndarray))
_OPERAND_CLASSES = (Tracer, Array, np.ndarray, np.generic)


def _unary_method(fname):
    fn = _FUNCTIONS[fname]

    def method(self):
        return fn(self)
    return method


def _method(fname):
    fn = _FUNCTIONS[fname]

    def method(self, *args, **kwargs):
        return fn(self, *args, **kwargs)
    method.__name__ = fname
    return method


def _reshape(self, *shape, order="C"):
    if len(shape) == 1 and not isinstance(shape[0], int):
        shape = shape[0]
    return shapes.reshape(self, shape, order=order)


def _transpose(self, *axes):
    if len(axes) == 1 and (axes[0] is None or not isinstance(axes[0], int)):
        axes = axes[0]
    return shapes.transpose(self, axes or None)


def _astype(self, dtype, copy=False, device=None):
    return shapes.astype(self, dtype)


def _compress(self, condition, axis=None, *, size=None, fill_value=0):
    return indexing_routines.compress(condition, self, axis, size=size, fill_value=fill_value)


def _getitem(self, index):
    return indexing.getitem(self, index)


def _at(self):
    return indexing.IndexUpdateHelper(self)


def _view(self, dtype=None):
    if dtype is None:
        return self
    return lax.bitcast_convert_type(self, dtype)


def _len(self):
    if not self.shape:
        raise TypeError("len() of unsized object")
    return self.shape[0]


def _iter(self):
    if not self.shape:
        raise TypeError("iteration over a 0-d array")
    return (self[i] for i in range(self.shape[0]))


def attach(cls):
    for dunder, (fname, swap) in _OPERATORS.items():
        setattr(cls, dunder, _binary_method(fname, swap))
    for dunder, fname in _UNARY_OPERATORS.items():
        setattr(cls, dunder, _unary_method(fname))
    for name in _METHODS:
        setattr(cls, name, _method(name))
    cls.reshape = _reshape
    cls.transpose = _transpose
    cls.astype = _astype
    cls.compress = _compress
    cls.__getitem__ = _getitem
    cls.__len__ = _len
    cls.__iter__ = _iter
    cls.at = property(_at)
    cls.view = _view
    cls.T = property(lambda self: shapes.transpose(self))
    cls.mT = property(lambda self: shapes.swapaxes(self, -1, -2))
    cls.itemsize = property(lambda self: self.dtype.itemsize)
    cls.nbytes = property(lambda self: self.size * self.dtype.itemsize)
    cls.real = property(lambda self: elementwise.real(self))
    cls.imag = property(lambda self: elementwise.imag(self))


for _cls in (Tracer, Array):
    attach(_cls)
