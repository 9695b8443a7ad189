"""`hlox.numpy`: the jax.numpy-compatible namespace (implemented in hlox.frontend.numpy)."""
from __future__ import annotations

import importlib as _importlib

import numpy as _np

from hlox.frontend import dtypes as _dtypes
from hlox.lowering.array import Array as ndarray  # noqa: F401

_MODULES = ["elementwise", "creation", "shape", "reductions", "linalg", "indexing",
            "dtype_api", "sorting", "extras_shape", "extras_math"]


def _export():
    names = []
    for name in _MODULES:
        try:
            module = _importlib.import_module(f"hlox.frontend.numpy.{name}")
        except ModuleNotFoundError as e:
            if e.name != f"hlox.frontend.numpy.{name}":
                raise
            continue
        for attr in getattr(module, "__all__", ()):
            globals()[attr] = getattr(module, attr)
            names.append(attr)
    return names


__all__ = _export()

bool_ = _np.bool_
int8, int16, int32, int64 = _np.int8, _np.int16, _np.int32, _np.int64
uint8, uint16, uint32, uint64 = _np.uint8, _np.uint16, _np.uint32, _np.uint64
float16, float32, float64 = _np.float16, _np.float32, _np.float64
bfloat16 = _dtypes.bfloat16.type
float8_e4m3fn = _dtypes.float8_e4m3fn.type
float8_e5m2 = _dtypes.float8_e5m2.type
complex64, complex128 = _np.complex64, _np.complex128
int_ = _np.int64
uint = _np.uint64
float_ = _np.float64
complex_ = _np.complex128
dtype = _np.dtype
generic, number, inexact, floating, integer = _np.generic, _np.number, _np.inexact, _np.floating, _np.integer
signedinteger, unsignedinteger, complexfloating = _np.signedinteger, _np.unsignedinteger, _np.complexfloating
bool = _np.bool_  # noqa: A001
pi, e, inf, nan, euler_gamma = _np.pi, _np.e, _np.inf, _np.nan, _np.euler_gamma
newaxis = None
result_type = _dtypes.result_type
promote_types = _dtypes.promote_types
finfo = _dtypes.finfo
iinfo = _dtypes.iinfo
issubdtype = _dtypes.issubdtype
from hlox.numpy import linalg  # noqa: E402,F401
from hlox.numpy import fft  # noqa: E402,F401
