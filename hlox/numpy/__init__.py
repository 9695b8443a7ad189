"""`hlox.numpy`: the jax.numpy-compatible namespace (implemented in hlox.numerics.numpy)."""
from __future__ import annotations

import importlib as _importlib

import numpy as _np

from hlox.frontend import dtypes as _dtypes
from hlox.numerics.numpy.scalar_types import scalar_type as _scalar_type
from hlox.lowering.array import Array as ndarray  # noqa: F401

_MODULES = ["elementwise", "creation", "shape", "reductions", "linalg", "indexing",
            "dtype_api", "sorting", "extras_shape", "extras_math"]


def _export():
    names = []
    for name in _MODULES:
        try:
            module = _importlib.import_module(f"hlox.numerics.numpy.{name}")
        except ModuleNotFoundError as e:
            if e.name != f"hlox.numerics.numpy.{name}":
                raise
            continue
        for attr in getattr(module, "__all__", ()):
            globals()[attr] = getattr(module, attr)
            names.append(attr)
    return names


__all__ = _export()

# Scalar types as JAX's: dtypes everywhere, and calling one makes an array (also of a tracer).
bool_ = _scalar_type(_np.bool_, "bool")
int8, int16, int32, int64 = (_scalar_type(t) for t in (_np.int8, _np.int16, _np.int32, _np.int64))
uint8, uint16, uint32, uint64 = (_scalar_type(t)
                                 for t in (_np.uint8, _np.uint16, _np.uint32, _np.uint64))
float16, float32, float64 = (_scalar_type(t) for t in (_np.float16, _np.float32, _np.float64))
bfloat16 = _scalar_type(_dtypes.bfloat16)
float8_e4m3fn = _scalar_type(_dtypes.float8_e4m3fn)
float8_e5m2 = _scalar_type(_dtypes.float8_e5m2)
complex64, complex128 = _scalar_type(_np.complex64), _scalar_type(_np.complex128)
int_ = _scalar_type(_np.int64, "int")
uint = _scalar_type(_np.uint64, "uint")
float_ = _scalar_type(_np.float64, "float")
complex_ = _scalar_type(_np.complex128, "complex")
dtype = _np.dtype
generic, number, inexact, floating, integer = _np.generic, _np.number, _np.inexact, _np.floating, _np.integer
signedinteger, unsignedinteger, complexfloating = _np.signedinteger, _np.unsignedinteger, _np.complexfloating
bool = bool_  # noqa: A001
pi, e, inf, nan, euler_gamma = _np.pi, _np.e, _np.inf, _np.nan, _np.euler_gamma
newaxis = None
result_type = _dtypes.result_type
promote_types = _dtypes.promote_types
finfo = _dtypes.finfo
iinfo = _dtypes.iinfo
issubdtype = _dtypes.issubdtype
from hlox.numpy import linalg  # noqa: E402,F401
from hlox.numpy import fft  # noqa: E402,F401
from hlox.numerics import array_methods as _array_methods  # noqa: E402,F401  (attaches the operators of Arrays and tracers)
