"""The one MLIR context factory, and the mapping between numpy dtypes and MLIR types.

Everything else in hlox reaches MLIR's Python bindings through this module, so a
change in jaxlib's layout is mended here once.
"""
from __future__ import annotations

import threading
import weakref

import numpy as np
from jaxlib.mlir import ir, passmanager  # noqa: F401  (re-exported)
from jaxlib.mlir.dialects import chlo, func, sdy, stablehlo  # noqa: F401  (re-exported)
from jaxlib.mlir._mlir_libs import _jax_mlir_ext
from jaxlib.mlir._mlir_libs._mlir import rewrite  # noqa: F401  (re-exported: Python rewrite patterns)

from hlox.lowering.dtype_names import dtype_named


def make_context() -> ir.Context:
    """A fresh context with every dialect hlox reads or writes loaded."""
    ctx = ir.Context()
    registry = ir.DialectRegistry()
    _jax_mlir_ext.register_dialects(registry)
    ctx.append_dialect_registry(registry)
    stablehlo.register_dialect(ctx)
    chlo.register_dialect(ctx)
    sdy.register_dialect(ctx)  # JAX's exports carry Shardy attributes (LAPACK custom_calls' sharding rules)
    ctx.load_all_available_dialects()
    return ctx


def enable_inlining(ctx: ir.Context) -> None:
    """Let MLIR's `inline` pass inline `func.call`s in `ctx` (idempotent).

    jaxlib ships func's inliner interface only through its Mosaic GPU module.
    """
    try:
        from jaxlib.mlir._mlir_libs import _mosaic_gpu_ext
        _mosaic_gpu_ext.register_inliner_extensions(ctx)
    except (ImportError, AttributeError):  # another jaxlib layout: `inline` then leaves calls alone
        pass


_local = threading.local()


# An MLIR context keeps every type and attribute (constants included) it ever uniqued, so the
# thread's context is replaced after this many traces; the old one is freed once no module,
# value or type of it is left.
TRACES_PER_CONTEXT = 2000


def context() -> ir.Context:
    """The calling thread's shared context (MLIR contexts are not thread-safe to share)."""
    ctx = getattr(_local, "ctx", None)
    uses = getattr(_local, "uses", 0)
    if ctx is None or uses >= TRACES_PER_CONTEXT:
        ctx = _local.ctx = make_context()
        uses = 0
    _local.uses = uses + 1
    return ctx


_type_caches: "weakref.WeakKeyDictionary" = weakref.WeakKeyDictionary()


def _types() -> dict:
    """The type cache of the current context (types belong to the context that made them)."""
    ctx = ir.Context.current
    cache = _type_caches.get(ctx)
    if cache is None:
        cache = _type_caches[ctx] = {}
    return cache


_ELEMENT_TYPES = {
    "bool": lambda: ir.IntegerType.get_signless(1),
    "int8": lambda: ir.IntegerType.get_signless(8),
    "int16": lambda: ir.IntegerType.get_signless(16),
    "int32": lambda: ir.IntegerType.get_signless(32),
    "int64": lambda: ir.IntegerType.get_signless(64),
    "uint8": lambda: ir.IntegerType.get_unsigned(8),
    "uint16": lambda: ir.IntegerType.get_unsigned(16),
    "uint32": lambda: ir.IntegerType.get_unsigned(32),
    "uint64": lambda: ir.IntegerType.get_unsigned(64),
    "float16": ir.F16Type.get,
    "bfloat16": ir.BF16Type.get,
    "float32": ir.F32Type.get,
    "float64": ir.F64Type.get,
    "complex64": lambda: ir.ComplexType.get(ir.F32Type.get()),
    "complex128": lambda: ir.ComplexType.get(ir.F64Type.get()),
    "float8_e4m3fn": ir.Float8E4M3FNType.get,
    "float8_e5m2": ir.Float8E5M2Type.get,
}


def element_type(dtype) -> ir.Type:
    """MLIR element type of a numpy dtype (in the current context)."""
    name = np.dtype(dtype).name
    cache = _types()
    t = cache.get(name)
    if t is None:
        t = cache[name] = _ELEMENT_TYPES[name]()
    return t


def tensor_type(shape, dtype) -> ir.RankedTensorType:
    key = (tuple(shape), np.dtype(dtype).name)
    cache = _types()
    t = cache.get(key)
    if t is None:
        t = cache[key] = ir.RankedTensorType.get(list(shape), element_type(dtype))
    return t


def _dtype_of_element_type(t: ir.Type) -> np.dtype:
    s = str(t)
    table = {"i1": "bool", "i8": "int8", "i16": "int16", "i32": "int32", "i64": "int64",
             "ui8": "uint8", "ui16": "uint16", "ui32": "uint32", "ui64": "uint64",
             "f16": "float16", "bf16": "bfloat16", "f32": "float32", "f64": "float64",
             "complex<f32>": "complex64", "complex<f64>": "complex128",
             "f8E4M3FN": "float8_e4m3fn", "f8E5M2": "float8_e5m2",
             "i2": "int2", "i4": "int4", "ui2": "uint2", "ui4": "uint4",
             "f8E4M3": "float8_e4m3", "f8E3M4": "float8_e3m4", "f8E4M3FNUZ": "float8_e4m3fnuz",
             "f8E5M2FNUZ": "float8_e5m2fnuz", "f8E4M3B11FNUZ": "float8_e4m3b11fnuz",
             "f8E8M0FNU": "float8_e8m0fnu", "f4E2M1FN": "float4_e2m1fn",
             "f6E2M3FN": "float6_e2m3fn", "f6E3M2FN": "float6_e3m2fn"}
    if s not in table:
        raise TypeError(f"hlox has no dtype for MLIR element type {s}")
    return dtype_named(table[s])


def shape_and_dtype(t: ir.Type):
    """(shape, dtype) of a ranked tensor type."""
    rt = ir.RankedTensorType(t)
    return tuple(rt.shape), _dtype_of_element_type(rt.element_type)


def dense_elements(array: np.ndarray, dtype) -> ir.Attribute:
    """A DenseElementsAttr holding `array` as `dtype` (splats stay splats)."""
    array = np.asarray(array)
    ttype = tensor_type(array.shape, dtype)
    if array.size > 1 and np.dtype(dtype).kind != "c" and np.all(array == array.flat[0]):
        return ir.DenseElementsAttr.get_splat(ttype, _scalar_attr(array.flat[0], dtype))
    if np.dtype(dtype) == np.bool_:  # the bindings pack numpy bools into i1 themselves
        bools = np.ascontiguousarray(array.astype(np.bool_))
        return ir.DenseElementsAttr.get(bools, type=ttype.element_type, shape=list(array.shape))
    raw = np.ascontiguousarray(array.astype(dtype, copy=False))
    if np.dtype(dtype).kind == "V":  # ml_dtypes floats: hand over the raw bits
        raw = raw.view(np.dtype(f"uint{8 * raw.itemsize}"))
    return ir.DenseElementsAttr.get(raw, type=ttype.element_type, shape=list(array.shape))


def _scalar_attr(value: np.ndarray, dtype):
    dtype = np.dtype(dtype)
    et = element_type(dtype)
    if dtype == np.bool_:
        return ir.IntegerAttr.get(et, int(bool(value)))
    if dtype.kind in "iu":
        return ir.IntegerAttr.get(et, int(value))
    if dtype.kind in "fV":
        return ir.FloatAttr.get(et, float(value))
    raise TypeError(f"no scalar attribute for {dtype}")
