"""Dtype routines: result_type promote_types finfo iinfo issubdtype can_cast isdtype, the dtype
aliases, ComplexWarning."""
from __future__ import annotations

import ml_dtypes
import numpy as np

from hlox.frontend import dtypes, errors

__all__ = ["result_type", "promote_types", "finfo", "iinfo", "issubdtype", "can_cast",
           "ComplexWarning", "isdtype", "single", "double", "csingle", "cdouble", "character",
           "flexible", "object_", "int1", "int2", "int4", "uint1", "uint2", "uint4",
           "float4_e2m1fn", "float6_e2m3fn", "float6_e3m2fn", "float8_e3m4", "float8_e4m3",
           "float8_e4m3b11fnuz", "float8_e4m3fnuz", "float8_e5m2fnuz", "float8_e8m0fnu"]


result_type = dtypes.result_type
promote_types = dtypes.promote_types
finfo = dtypes.finfo
iinfo = dtypes.iinfo
issubdtype = dtypes.issubdtype
can_cast = np.can_cast
ComplexWarning = np.exceptions.ComplexWarning


_SIGNED = [np.dtype(t) for t in (ml_dtypes.int1, ml_dtypes.int2, ml_dtypes.int4, np.int8, np.int16, np.int32,
                                 np.int64)]


_UNSIGNED = [np.dtype(t) for t in (ml_dtypes.uint1, ml_dtypes.uint2, ml_dtypes.uint4, np.uint8, np.uint16,
                                   np.uint32, np.uint64)]


_FLOATING = [np.dtype(getattr(ml_dtypes, n)) for n in (
    "bfloat16", "float4_e2m1fn", "float6_e2m3fn", "float6_e3m2fn", "float8_e3m4", "float8_e4m3",
    "float8_e4m3b11fnuz", "float8_e4m3fn", "float8_e4m3fnuz", "float8_e5m2", "float8_e5m2fnuz",
    "float8_e8m0fnu")] + [np.dtype(t) for t in (np.float16, np.float32, np.float64)]


_COMPLEX = [np.dtype(np.complex64), np.dtype(np.complex128)]


_DTYPE_KINDS = {
    "bool": {np.dtype(np.bool_)},
    "signed integer": set(_SIGNED),
    "unsigned integer": set(_UNSIGNED),
    "integral": set(_SIGNED + _UNSIGNED),
    "real floating": set(_FLOATING),
    "complex floating": set(_COMPLEX),
    "numeric": set(_SIGNED + _UNSIGNED + _FLOATING + _COMPLEX),
}


def isdtype(dtype, kind):
    """Whether `dtype` is one of the dtypes, or belongs to one of the named kinds, in `kind`."""
    options = set()
    for k in kind if isinstance(kind, tuple) else (kind,):
        if isinstance(k, str) and k in _DTYPE_KINDS:
            options |= _DTYPE_KINDS[k]
            continue
        try:
            options.add(np.dtype(k))
        except TypeError:
            if isinstance(k, str):
                raise errors.value_error(f"Unrecognized kind={k!r} expected one of "
                                         f"{list(_DTYPE_KINDS)}, or a compatible input for "
                                         f"jnp.dtype()") from None
            raise errors.type_error(f"Expected kind to be a dtype, string, or tuple; got "
                                    f"kind={k!r}") from None
    return np.dtype(dtype) in options


# -- dtype aliases (those hlox cannot hold raise TypeError when used as an array dtype) ------
single, double, csingle, cdouble = np.float32, np.float64, np.complex64, np.complex128


character, flexible, object_ = np.character, np.flexible, np.object_


int1, int2, int4 = ml_dtypes.int1, ml_dtypes.int2, ml_dtypes.int4


uint1, uint2, uint4 = ml_dtypes.uint1, ml_dtypes.uint2, ml_dtypes.uint4


float4_e2m1fn = ml_dtypes.float4_e2m1fn


float6_e2m3fn, float6_e3m2fn = ml_dtypes.float6_e2m3fn, ml_dtypes.float6_e3m2fn


float8_e3m4, float8_e4m3 = ml_dtypes.float8_e3m4, ml_dtypes.float8_e4m3


float8_e4m3b11fnuz, float8_e4m3fnuz = ml_dtypes.float8_e4m3b11fnuz, ml_dtypes.float8_e4m3fnuz


float8_e5m2fnuz, float8_e8m0fnu = ml_dtypes.float8_e5m2fnuz, ml_dtypes.float8_e8m0fnu
