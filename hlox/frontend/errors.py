"""Errors that name the user's source line, and the location every emitted op carries."""
from __future__ import annotations

import os
import sys
import threading

from hlox.lowering.mlir import ir

_HLOX_DIR = os.path.dirname(os.path.dirname(os.path.abspath(__file__))) + os.sep
_SKIP_PREFIXES = (_HLOX_DIR, "<frozen ", os.path.dirname(os.__file__) + os.sep + "contextlib")


class JAXTypeError(TypeError):
    """JAX-specific TypeError: the base of the tracer errors, as in jax.errors."""


class JAXIndexError(IndexError):
    """JAX-specific IndexError, as in jax.errors."""


class ConcretizationTypeError(JAXTypeError):
    """A traced value was used where Python needs a concrete one."""


class TracerArrayConversionError(JAXTypeError):
    """A traced value was converted to a numpy array."""


class TracerIntegerConversionError(JAXTypeError):
    """A traced value was used as a Python integer (an index, a size)."""


class UnexpectedTracerError(JAXTypeError):  # as in JAX
    """A tracer outlived the trace that made it."""


class KeyReuseError(JAXTypeError):
    """A PRNG key was used twice (raised by JAX's key-reuse checker, jax_debug_key_reuse)."""


class JaxprTypeError(TypeError):
    """A jaxpr (here: a function's IR) failed its type check."""


class InconclusiveDimensionOperation(Exception):
    """An operation on symbolic dimensions whose result is not known statically."""


class TracerBoolConversionError(ConcretizationTypeError):
    pass


def user_frame():
    """The innermost frame outside hlox itself (where the user's code called in)."""
    f = sys._getframe(1)
    while f is not None and f.f_code.co_filename.startswith(_SKIP_PREFIXES):
        f = f.f_back
    return f


def user_location_str() -> str:
    f = user_frame()
    if f is None:
        return "<unknown>"
    return f"{f.f_code.co_filename}:{f.f_lineno}"


_local = threading.local()


def user_location() -> ir.Location:
    """An MLIR location `file:line:col` of the user's calling line (cached per line)."""
    f = user_frame()
    cache = getattr(_local, "locs", None)
    if cache is None or len(cache) > 10000:  # also lets an old context go
        cache = _local.locs = {}
    if f is None:
        key = None
    else:
        key = (f.f_code.co_filename, f.f_lineno)
    ctx = ir.Context.current
    loc = cache.get((key, ctx))
    if loc is None:
        if key is None:
            loc = ir.Location.unknown()
        else:
            loc = ir.Location.file(key[0], key[1], 1)
        cache[(key, ctx)] = loc
    return loc


def type_error(message: str) -> TypeError:
    return TypeError(f"{message}\n  at {user_location_str()}")


def value_error(message: str) -> ValueError:
    return ValueError(f"{message}\n  at {user_location_str()}")


def index_error(message: str) -> IndexError:
    return IndexError(f"{message}\n  at {user_location_str()}")
