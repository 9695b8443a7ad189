"""Dtypes and JAX's type-promotion lattice with weak types.

A value's type is a numpy dtype plus a `weak` flag: Python scalars (and values
computed only from them) are weakly typed and adopt the dtype of the strongly
typed operand they meet. Promotion is the least upper bound on JAX's lattice.
"""
from __future__ import annotations

import builtins
import functools
import sys

import numpy as np

from hlox import config
from hlox.lowering.dtype_names import NUMPY_NAMES, dtype_named

bool_ = np.dtype(np.bool_)
int8, int16, int32, int64 = (np.dtype(t) for t in ("int8", "int16", "int32", "int64"))
uint8, uint16, uint32, uint64 = (np.dtype(t) for t in ("uint8", "uint16", "uint32", "uint64"))
float16, float32, float64 = (np.dtype(t) for t in ("float16", "float32", "float64"))
complex64, complex128 = np.dtype(np.complex64), np.dtype(np.complex128)

# bfloat16 and the float8 types come from ml_dtypes, imported on first use (see __getattr__).
ML_DTYPES_NAMES = ("bfloat16", "float8_e4m3fn", "float8_e5m2")
SUPPORTED_NAMES = NUMPY_NAMES | frozenset(ML_DTYPES_NAMES)


def __getattr__(name):
    if name in ML_DTYPES_NAMES:
        value = globals()[name] = dtype_named(name)
        return value
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


@functools.lru_cache(maxsize=None)
def is_supported(dtype: np.dtype) -> bool:
    return dtype.name in SUPPORTED_NAMES and dtype == dtype_named(dtype.name)


def _as_dtype(spec) -> np.dtype:
    """np.dtype(spec), also for the names of ml_dtypes' types before ml_dtypes is imported."""
    if isinstance(spec, str) and spec in ML_DTYPES_NAMES:
        return dtype_named(spec)
    return np.dtype(spec)


# Lattice nodes: the supported dtypes (by name) plus the three weak categories of Python scalars.
class WeakType:
    """A weak lattice node; compares by identity (np.dtype("int") == "int" would be True)."""

    def __init__(self, name):
        self.name = name

    def __repr__(self):
        return f"weak {self.name}"


WEAK_INT, WEAK_FLOAT, WEAK_COMPLEX = WeakType("int"), WeakType("float"), WeakType("complex")
_WEAK_OF_KIND = {"i": WEAK_INT, "u": WEAK_INT, "f": WEAK_FLOAT, "V": WEAK_FLOAT, "c": WEAK_COMPLEX}

_LATTICE_EDGES = {
    "bool": [WEAK_INT],
    WEAK_INT: ["uint8", "int8"],
    "uint8": ["uint16", "int16"], "uint16": ["uint32", "int32"], "uint32": ["uint64", "int64"],
    "uint64": [WEAK_FLOAT],
    "int8": ["int16"], "int16": ["int32"], "int32": ["int64"], "int64": [WEAK_FLOAT],
    WEAK_FLOAT: ["float8_e4m3fn", "float8_e5m2", "bfloat16", "float16", WEAK_COMPLEX],
    "float8_e4m3fn": [], "float8_e5m2": [],
    "bfloat16": ["float32"], "float16": ["float32"], "float32": ["float64", "complex64"],
    "float64": ["complex128"], WEAK_COMPLEX: ["complex64"], "complex64": ["complex128"], "complex128": [],
}


# Without x64 no promotion may form a 64-bit type from narrower ones: uint32 meets int32 at int32.
_X32_EDGES = {**_LATTICE_EDGES, "uint32": ["int32", "uint64"]}


def _upper_sets(edges):
    ups = {}

    def visit(node):
        if node not in ups:
            result = {node}
            for succ in edges[node]:
                result |= visit(succ)
            ups[node] = frozenset(result)
        return ups[node]

    for node in edges:
        visit(node)
    return ups


_UPPER_X64, _UPPER_X32 = _upper_sets(_LATTICE_EDGES), _upper_sets(_X32_EDGES)

# jax_numpy_dtype_promotion=strict: a weak type still adopts any type of its kind (or above),
# but no two different strong types meet.
_INT_NAMES = ("int8", "int16", "int32", "int64", "uint8", "uint16", "uint32", "uint64")
_FLOAT_NAMES = ("float8_e4m3fn", "float8_e5m2", "bfloat16", "float16", "float32", "float64")
_STRICT_EDGES = {WEAK_INT: [WEAK_FLOAT, *_INT_NAMES], WEAK_FLOAT: [WEAK_COMPLEX, *_FLOAT_NAMES],
                 WEAK_COMPLEX: ["complex64", "complex128"],
                 **{n: [] for n in _LATTICE_EDGES if not isinstance(n, WeakType)}}
_UPPER_STRICT = _upper_sets(_STRICT_EDGES)


class TypePromotionError(ValueError):
    """Raised when JAX type promotion fails (as jax.dtypes.TypePromotionError)."""


def _key(node):
    if isinstance(node, WeakType):
        return node
    if not is_supported(node):
        raise KeyError(node)
    return node.name


def _least_upper_bound(nodes):
    strict = config.strict_promotion()
    upper = _UPPER_STRICT if strict else _UPPER_X64 if config.x64_enabled() else _UPPER_X32
    common = functools.reduce(frozenset.intersection, (upper[_key(n)] for n in nodes))
    for candidate in common:
        if upper[candidate] == common:
            return candidate if isinstance(candidate, WeakType) else dtype_named(candidate)
    if strict:
        names = tuple(f"<class '{n.name}'>" if isinstance(n, WeakType) else str(n) for n in nodes)
        raise TypePromotionError(
            f"Input dtypes {names} have no available implicit dtype promotion path when "
            "jax_numpy_dtype_promotion=strict. Try explicitly casting inputs to the desired output "
            "type, or set jax_numpy_dtype_promotion=standard.")
    names = ", ".join(str(n) for n in nodes)
    raise TypeError(f"no common dtype for {names}: float8 types only promote explicitly")


def default_int():
    return int64 if config.x64_enabled() else int32


def default_uint():
    return uint64 if config.x64_enabled() else uint32


def default_float():
    return float64 if config.x64_enabled() else float32


def default_complex():
    return complex128 if config.x64_enabled() else complex64


_NARROW = {int64: int32, uint64: uint32, float64: float32, complex128: complex64}


def canonicalize(dtype) -> np.dtype:
    """The dtype an array of `dtype` gets on device (64-bit types narrow when x64 is off)."""
    dtype = _as_dtype(dtype)
    if not is_supported(dtype):
        raise TypeError(f"dtype {dtype} is not a valid hlox array type")
    if not config.x64_enabled():
        return _NARROW.get(dtype, dtype)
    return dtype


def check_user_dtype(dtype, fun_name) -> np.dtype:
    """The dtype a user asked `fun_name` for, canonicalized; JAX's warning when it narrows."""
    wanted = _as_dtype(dtype)
    got = canonicalize(wanted)
    if got != wanted and not (isinstance(dtype, type) and dtype in (builtins.int, builtins.float,
                                                                   builtins.complex)):
        import warnings
        warnings.warn(f"Explicitly requested dtype {wanted} requested in {fun_name} is not "
                      f"available, and will be truncated to dtype {got}. To enable more dtypes, "
                      "set the jax_enable_x64 configuration option or the JAX_ENABLE_X64 shell "
                      "environment variable. See https://github.com/jax-ml/jax#current-gotchas "
                      "for more.", UserWarning, stacklevel=4)
    return got


def _default_of_weak(node):
    return {WEAK_INT: default_int, WEAK_FLOAT: default_float, WEAK_COMPLEX: default_complex}[node]()


def _node(dtype, weak):
    if weak and dtype != bool_:
        return _WEAK_OF_KIND[dtype.kind]
    return dtype


def promote(typed):
    """Result (dtype, weak) of combining values given as (dtype, weak) pairs."""
    typed = list(typed)
    if len(typed) == 1:
        return typed[0]
    dtypes = {d for d, _ in typed}
    weaks = [w for _, w in typed]
    if len(dtypes) == 1 and not all(weaks):
        return next(iter(dtypes)), False
    if all(weaks) and not config.strict_promotion():
        out = _least_upper_bound({d for d in dtypes})
        weak = True
    else:
        out = _least_upper_bound({_node(d, w) for d, w in typed})
        weak = isinstance(out, WeakType)
    if weak and not isinstance(out, WeakType) and out != bool_:
        out = _WEAK_OF_KIND[out.kind]  # a weak result takes the default type of its kind
    if isinstance(out, WeakType):
        out = _default_of_weak(out)
    return canonicalize(out), weak and out != bool_


def python_scalar_dtype(x):
    """(dtype, weak) of a Python scalar, as JAX types it."""
    if isinstance(x, (bool, np.bool_)):
        return bool_, False
    if isinstance(x, int):
        return default_int(), True
    if isinstance(x, float):
        return default_float(), True
    if isinstance(x, complex):
        return default_complex(), True
    raise TypeError(f"{type(x).__name__} is not a Python scalar")


def is_python_scalar(x):
    return type(x) in (bool, int, float, complex)


def dtype_of(x, weak=None):
    """(dtype, weak) of any array-like."""
    aval = getattr(x, "aval", None)
    if aval is not None:
        return aval.dtype, aval.weak_type
    if is_python_scalar(x):
        return python_scalar_dtype(x)
    if isinstance(x, (np.ndarray, np.generic)):
        return canonicalize(x.dtype), False
    if isinstance(x, (np.dtype, type, str)):
        return canonicalize(to_dtype(x)), False
    return canonicalize(np.asarray(x).dtype), False


def to_dtype(spec) -> np.dtype:
    """Accept numpy dtypes, scalar types, strings and Python's builtins like JAX does."""
    if spec is builtins.int:
        return default_int()
    if spec is builtins.float:
        return default_float()
    if spec is builtins.complex:
        return default_complex()
    if spec is builtins.bool:
        return bool_
    if hasattr(spec, "dtype") and not isinstance(spec, (type, np.dtype)):
        return np.dtype(spec.dtype)
    return _as_dtype(getattr(spec, "_hlox_dtype", spec))


def result_type(*args, return_weak_type_flag=False):
    dtype, weak = promote([dtype_of(a) for a in args])
    return (dtype, weak) if return_weak_type_flag else dtype


_WEAK_AS_NUMPY = {WEAK_INT: int64, WEAK_FLOAT: float64, WEAK_COMPLEX: complex128}
_PYTHON_TYPE_NODES = {builtins.int: WEAK_INT, builtins.float: WEAK_FLOAT,
                      builtins.complex: WEAK_COMPLEX}


def promote_types(a, b):
    """JAX's promote_types: the lattice's least upper bound of two dtypes, not canonicalized
    (Python's int, float and complex stand for the weak types, which become numpy's
    int64, float64 and complex128 when they are the answer, as in JAX)."""
    nodes = {_PYTHON_TYPE_NODES.get(t) or np.dtype(to_dtype(t)) for t in (a, b)}
    out = _least_upper_bound(nodes)
    return _WEAK_AS_NUMPY[out] if isinstance(out, WeakType) else out


def is_float(dtype):
    return np.dtype(dtype).kind in "fV" and np.dtype(dtype) != bool_


def is_inexact(dtype):
    return np.dtype(dtype).kind in "fcV"


def is_complex(dtype):
    return np.dtype(dtype).kind == "c"


def is_integer(dtype):
    return np.dtype(dtype).kind in "iu"


def is_signed(dtype):
    return np.dtype(dtype).kind == "i"


def is_bool(dtype):
    return np.dtype(dtype) == bool_


_TO_INEXACT = {bool_: float32, int8: float32, uint8: float32, int16: float32, uint16: float32,
               int32: float32, uint32: float32, int64: float64, uint64: float64}


def to_inexact(dtype, weak):
    """The floating type an integer/bool value is promoted to (e.g. for `sqrt`, `mean`):
    JAX's fixed table, so int32 gives float32 even with x64 on."""
    if is_inexact(dtype):
        return dtype, weak
    return canonicalize(_TO_INEXACT[np.dtype(dtype)]), weak


# the tangent type of integer and boolean values
float0 = np.dtype([("float0", np.void, 0)])


def complex_of(dtype):
    """The complex type a value is converted to for a complex-only op (e.g. FFT)."""
    inexact = canonicalize(to_inexact(dtype, False)[0])
    return canonicalize(complex128 if inexact in (float64, complex128) else complex64)


def real_dtype(dtype):
    return {complex64: float32, complex128: float64}.get(np.dtype(dtype), np.dtype(dtype))


def finfo(dtype):
    import ml_dtypes
    return ml_dtypes.finfo(canonicalize(to_dtype(dtype)))


def iinfo(dtype):
    import ml_dtypes
    return ml_dtypes.iinfo(canonicalize(to_dtype(dtype)))


def _ml_scalar_types():
    """ml_dtypes' scalar types hlox supports; none can be at hand while ml_dtypes is not imported."""
    ml = sys.modules.get("ml_dtypes")
    return () if ml is None else tuple(getattr(ml, name) for name in ML_DTYPES_NAMES)


def issubdtype(a, b):
    if isinstance(b, np.dtype) or b in _ml_scalar_types():
        return np.dtype(to_dtype(a)) == np.dtype(b)
    a = np.dtype(to_dtype(a))
    if a.kind == "V":  # ml_dtypes floats
        return b in (np.floating, np.inexact, np.number, np.generic)
    return np.issubdtype(a, b)
