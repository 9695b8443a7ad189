"""Abstract values: what a trace knows about an array (shape, dtype, weak type)."""
from __future__ import annotations

import numpy as np


class ShapedArray:
    __slots__ = ("shape", "dtype", "weak_type", "key", "_hash")

    def __init__(self, shape, dtype, weak_type=False):
        self.shape = tuple(shape)
        self.dtype = np.dtype(dtype)
        self.weak_type = bool(weak_type)
        self.key = (self.shape, self.dtype, self.weak_type)  # hashes without Python calls
        self._hash = hash(self.key)

    @property
    def ndim(self):
        return len(self.shape)

    @property
    def size(self):
        return int(np.prod(self.shape, dtype=np.int64))

    def update(self, shape=None, dtype=None, weak_type=None):
        return ShapedArray(self.shape if shape is None else shape,
                           self.dtype if dtype is None else dtype,
                           self.weak_type if weak_type is None else weak_type)

    def strip_weak_type(self):
        return self.update(weak_type=False) if self.weak_type else self

    def __eq__(self, other):
        return (isinstance(other, ShapedArray) and self.shape == other.shape
                and self.dtype == other.dtype and self.weak_type == other.weak_type)

    def __hash__(self):
        return self._hash

    def str_short(self):
        dims = ",".join(str(d) for d in self.shape)
        return f"{dtype_short_name(self.dtype)}[{dims}]" + ("{weak}" if self.weak_type else "")

    def __str__(self):  # JAX's: float32[2,3], ~float32[] when weakly typed
        dims = ",".join(str(d) for d in self.shape)
        return ("~" if self.weak_type else "") + f"{np.dtype(self.dtype).name}[{dims}]"

    def __repr__(self):
        dims = ",".join(str(d) for d in self.shape)
        weak = ", weak_type=True" if self.weak_type else ""
        return f"ShapedArray({np.dtype(self.dtype).name}[{dims}]{weak})"


_SHORT = {"bool": "bool", "int8": "i8", "int16": "i16", "int32": "i32", "int64": "i64",
          "uint8": "u8", "uint16": "u16", "uint32": "u32", "uint64": "u64",
          "float16": "f16", "bfloat16": "bf16", "float32": "f32", "float64": "f64",
          "complex64": "c64", "complex128": "c128"}


def dtype_short_name(dtype):
    return _SHORT.get(np.dtype(dtype).name, np.dtype(dtype).name)
