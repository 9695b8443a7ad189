"""Every op hlox emits or accepts, with the dtypes it takes and the traits its rules rely on.

The primitives of `hlox.frontend.ops` with the plain elementwise shape rule are built from
the `generic` rows; the passes derive their elementwise and non-differentiable sets from
this table, and `tests/test_op_catalog.py` checks that every row has its JVP, VJP and
batching rules or says why not. Custom-call targets are rows too (`lapack.getrf`,
`callback`): the passes find a call's row with `custom_call_op`.
"""
from __future__ import annotations

import re
from dataclasses import dataclass

from hlox.frontend import dtypes as _dtypes
from hlox.lowering import callbacks as _callbacks

DTYPE_CATEGORIES = {
    "float": _dtypes.is_inexact,
    "real_float": _dtypes.is_float,
    "complex": _dtypes.is_complex,
    "real": lambda d: not _dtypes.is_complex(d),
    "int_or_bool": lambda d: _dtypes.is_integer(d) or _dtypes.is_bool(d),
    "int": _dtypes.is_integer,
    "numeric": lambda d: not _dtypes.is_bool(d),
    "signed": lambda d: _dtypes.is_signed(d) or _dtypes.is_inexact(d),
    "any": lambda d: True,
}


@dataclass(frozen=True)
class Op:
    """One op. A non-empty reason string sets a trait:

    zero_derivative: its results carry no derivative (the passes give them zero tangents);
    no_derivative: differentiating it raises, as JAX does;
    per_example: batching runs it once per example on purpose;
    unbatched: it has no operands, so batching copies it unchanged.
    """
    name: str
    dtypes: str = "any"
    arity: int = 0
    elementwise: bool = False
    generic: bool = False         # ops.py builds it with the plain elementwise shape rule
    primitive: bool = True        # hlox emits it through a Primitive (else: accepted only)
    custom_call: bool = False     # a stablehlo.custom_call target, not an op name
    zero_derivative: str = ""
    no_derivative: str = ""
    per_example: str = ""
    unbatched: str = ""

    @property
    def short(self):
        return self.name.split(".", 1)[1]


_PIECEWISE = "piecewise constant: the derivative is zero almost everywhere"
_BITS = "an integer or bit operation: integers have no tangents"
_BOOLEAN = "a boolean result"
_NO_OPERANDS = "no operands: the result is the same for every example"


def _ew(name, dtypes, arity, **traits):
    return Op(name, dtypes, arity, elementwise=True, generic=True, **traits)


def _special(name, dtypes, arity, **traits):
    """Elementwise with a shape rule of its own (result dtype differs, scalar operands...)."""
    return Op(name, dtypes, arity, elementwise=True, **traits)


_ELEMENTWISE = [
    _special("stablehlo.abs", "signed", 1),
    _ew("stablehlo.negate", "numeric", 1),
    _ew("stablehlo.sign", "signed", 1, zero_derivative=_PIECEWISE),
    _ew("stablehlo.sqrt", "float", 1),
    _ew("stablehlo.rsqrt", "float", 1),
    _ew("stablehlo.cbrt", "real_float", 1),
    _ew("stablehlo.exponential", "float", 1),
    _ew("stablehlo.exponential_minus_one", "float", 1),
    _ew("stablehlo.log", "float", 1),
    _ew("stablehlo.log_plus_one", "float", 1),
    _ew("stablehlo.sine", "float", 1),
    _ew("stablehlo.cosine", "float", 1),
    _ew("stablehlo.tan", "float", 1),
    _ew("stablehlo.tanh", "float", 1),
    _ew("stablehlo.logistic", "float", 1),
    _ew("stablehlo.floor", "real_float", 1, zero_derivative=_PIECEWISE),
    _ew("stablehlo.ceil", "real_float", 1, zero_derivative=_PIECEWISE),
    _ew("stablehlo.round_nearest_even", "real_float", 1, zero_derivative=_PIECEWISE),
    _ew("stablehlo.round_nearest_afz", "real_float", 1, zero_derivative=_PIECEWISE),
    _ew("stablehlo.not", "int_or_bool", 1, zero_derivative=_BITS),
    _ew("stablehlo.count_leading_zeros", "int", 1, zero_derivative=_BITS),
    _ew("stablehlo.popcnt", "int", 1, zero_derivative=_BITS),
    _special("stablehlo.is_finite", "real_float", 1, zero_derivative=_BOOLEAN),
    _special("stablehlo.real", "complex", 1),
    _special("stablehlo.imag", "complex", 1),
    _special("stablehlo.convert", "any", 1),
    _ew("stablehlo.add", "numeric", 2),
    _ew("stablehlo.subtract", "numeric", 2),
    _ew("stablehlo.multiply", "numeric", 2),
    _ew("stablehlo.divide", "numeric", 2),
    _ew("stablehlo.remainder", "numeric", 2),
    _ew("stablehlo.power", "numeric", 2),
    _ew("stablehlo.maximum", "any", 2),
    _ew("stablehlo.minimum", "any", 2),
    _ew("stablehlo.atan2", "float", 2),
    _ew("stablehlo.and", "int_or_bool", 2, zero_derivative=_BITS),
    _ew("stablehlo.or", "int_or_bool", 2, zero_derivative=_BITS),
    _ew("stablehlo.xor", "int_or_bool", 2, zero_derivative=_BITS),
    _ew("stablehlo.shift_left", "int", 2, zero_derivative=_BITS),
    _ew("stablehlo.shift_right_arithmetic", "int", 2, zero_derivative=_BITS),
    _ew("stablehlo.shift_right_logical", "int", 2, zero_derivative=_BITS),
    _special("stablehlo.complex", "real_float", 2),
    _special("stablehlo.compare", "any", 2, zero_derivative=_BOOLEAN),
    _special("stablehlo.select", "any", 3),
    _special("stablehlo.clamp", "any", 3),
    _ew("chlo.sinh", "float", 1),
    _ew("chlo.cosh", "float", 1),
    _ew("chlo.asin", "float", 1),
    _ew("chlo.acos", "float", 1),
    _ew("chlo.atan", "float", 1),
    _ew("chlo.asinh", "float", 1),
    _ew("chlo.acosh", "float", 1),
    _ew("chlo.atanh", "float", 1),
    _ew("chlo.erf", "real_float", 1),
    _ew("chlo.erfc", "real_float", 1),
    _ew("chlo.lgamma", "real_float", 1),
    _ew("chlo.digamma", "real_float", 1),
    _ew("chlo.erf_inv", "real_float", 1),
    _ew("chlo.bessel_i1e", "real_float", 1),
    _ew("chlo.polygamma", "real_float", 2),
    _ew("chlo.zeta", "real_float", 2,
        no_derivative="JAX defines no derivative of zeta (its JVP raises NotImplementedError)"),
    _ew("chlo.next_after", "real_float", 2,
        no_derivative="JAX defines no derivative of nextafter (its JVP raises "
                      "NotImplementedError)"),
    _special("chlo.square", "numeric", 1, primitive=False),
    _special("chlo.tan", "float", 1, primitive=False),
]

_LAPACK_NOT_DIFFERENTIATED = ("JAX differentiates {} above the kernel (hlox's lax_linalg wraps "
                              "it in custom_jvp): a raw call has no rule, as in JAX's exports")


def _lapack(kernel, decomposition=None):
    reason = _LAPACK_NOT_DIFFERENTIATED.format(decomposition) if decomposition else ""
    return Op(f"lapack.{kernel}", "float", custom_call=True, no_derivative=reason)


_STRUCTURAL = [
    Op("stablehlo.bitcast_convert", zero_derivative="reinterprets bits: no tangent relation"),
    Op("stablehlo.broadcast_in_dim"), Op("stablehlo.reshape"), Op("stablehlo.transpose"),
    Op("stablehlo.slice"), Op("stablehlo.dynamic_slice"), Op("stablehlo.dynamic_update_slice"),
    Op("stablehlo.concatenate"), Op("stablehlo.pad"), Op("stablehlo.reverse"),
    Op("stablehlo.iota", "numeric", zero_derivative="a constant of its shape",
       unbatched=_NO_OPERANDS),
    Op("stablehlo.dot_general", "numeric"),
    Op("stablehlo.reduce"), Op("stablehlo.reduce_window"), Op("stablehlo.sort"),
    Op("chlo.top_k", "real"), Op("stablehlo.gather"), Op("stablehlo.scatter"),
    Op("stablehlo.select_and_scatter"), Op("stablehlo.convolution", "numeric"),
    Op("stablehlo.while"), Op("stablehlo.if"), Op("stablehlo.case"),
    Op("stablehlo.optimization_barrier"),
    Op("stablehlo.rng_bit_generator", "int", zero_derivative="random bits",
       per_example="one generator state per example: each example draws from its own key"),
    Op("stablehlo.cholesky", "float"), Op("stablehlo.triangular_solve", "float"),
    Op("stablehlo.fft", "float"),
    Op("stablehlo.constant", primitive=False, zero_derivative="a constant",
       unbatched=_NO_OPERANDS),
    Op("stablehlo.rng", "numeric", primitive=False, zero_derivative="a random draw",
       per_example="a stateful draw: each example draws its own numbers"),
    Op("stablehlo.get_dimension_size", primitive=False, zero_derivative="an integer shape query",
       per_example="accepted from JAX exports only; with static shapes the per-example query "
                   "is a constant"),
    Op("stablehlo.partition_id", zero_derivative="an integer device index"),
    # the collectives over named axes (frontend/collectives.py; axis_index is a partition_id)
    Op("stablehlo.all_reduce", "numeric"), Op("stablehlo.all_gather"),
    Op("stablehlo.reduce_scatter", "numeric"), Op("stablehlo.collective_permute"),
    Op("stablehlo.all_to_all"),
    Op("stablehlo.replica_id", primitive=False, zero_derivative="an integer device index",
       unbatched=_NO_OPERANDS),
    Op("func.call", primitive=False),
    Op("stablehlo.custom_call", primitive=False),
]

_CUSTOM_CALLS = [
    _lapack("getrf"), _lapack("geqrf", "qr"), _lapack("orgqr", "qr"), _lapack("syevd"),
    _lapack("gesdd", "svd"), _lapack("geev", "eig"), _lapack("potrf"), _lapack("trsm"),
    Op("lapack.other", "float", primitive=False, custom_call=True,
       no_derivative="another LAPACK kernel of JAX's exports (gees, sytrd, ...): no rule, as "
                     "for any call target hlox does not know"),
    Op("callback", primitive=False, custom_call=True,
       no_derivative="a host function: JAX's pure_callback has no JVP (wrap it in custom_jvp)"),
]

CATALOG: dict[str, Op] = {op.name: op for op in _ELEMENTWISE + _STRUCTURAL + _CUSTOM_CALLS}


def ops_where(**traits):
    """The rows whose fields equal `traits` (`elementwise=True`, `generic=True`, ...)."""
    return [op for op in CATALOG.values()
            if all(getattr(op, k) == v for k, v in traits.items())]


ELEMENTWISE = frozenset(op.name for op in ops_where(elementwise=True))
ZERO_DERIVATIVE = frozenset(op.name for op in CATALOG.values() if op.zero_derivative)

_LAPACK_TARGET = re.compile(r"lapack_([sdcz])(\w+)_ffi$")
_LAPACK_REAL_NAMES = {"heevd": "syevd", "ungqr": "orgqr"}  # LAPACK's Hermitian names


def lapack_kernel(target: str):
    """"getrf", "syevd", ... for a LAPACK FFI target name (any of its type letters)."""
    match = _LAPACK_TARGET.match(target)
    return match and _LAPACK_REAL_NAMES.get(match.group(2), match.group(2))


def custom_call_op(target: str):
    """The catalog row of a custom_call target, or None for a target hlox does not know."""
    if target in _callbacks.TARGETS.values():
        return CATALOG["callback"]
    kernel = lapack_kernel(target)
    return CATALOG.get(f"lapack.{kernel}", CATALOG["lapack.other"]) if kernel else None
