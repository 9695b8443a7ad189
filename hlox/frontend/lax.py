"""`hlox.lax`: JAX's lax signatures over the primitives of `ops`.

lax is strict like JAX's: operands of binary ops share a dtype (Python scalars
take the other operand's dtype), shapes are explicit, and nothing broadcasts
except rank-0 scalars.
"""
from __future__ import annotations

import builtins
import enum
import functools
import operator
from collections import namedtuple

import numpy as np

from hlox import config
from hlox.frontend import dtypes, errors, ops, primitives
from hlox.frontend.ad_annotations import stop_gradient  # noqa: F401  (lax.stop_gradient)
from hlox.lowering.avals import ShapedArray
from hlox.frontend.core import aval_of, to_array, current_trace, Tracer
from hlox.lowering import pytree
from hlox.lowering.array import Array


# -- converting inputs ----------------------------------------------------------
def asarray(x, dtype=None):
    """A Tracer or Array for `x` (Python scalars and numpy arrays become constants)."""
    if isinstance(x, (Tracer, Array)) and (dtype is None or x.dtype == dtype):
        return x
    if isinstance(x, (Tracer, Array)):
        return convert_element_type(x, dtype)
    if dtype is None:
        dtype, weak = dtypes.dtype_of(x)
    else:
        dtype, weak = dtypes.canonicalize(dtype), False
    trace = current_trace()
    host = np.asarray(x)
    if host.dtype.kind == "O":
        raise errors.type_error(f"cannot convert {type(x).__name__} to an array")
    if trace is not None and not primitives.COMPILE_TIME_EVAL[0]:
        aval = ShapedArray(host.shape, dtype, weak)
        return Tracer(trace, aval, trace.constant(host.astype(dtype, copy=False), dtype))
    return to_array(x if dtypes.is_python_scalar(x) else host, dtype, weak)


def _scalar_like(x, ref):
    """A Python scalar operand of a lax op takes the other operand's dtype and shape."""
    if ref is None:
        return asarray(x)
    dtype, weak = dtypes.dtype_of(x)
    common, _ = dtypes.promote([(dtype, weak), (ref.dtype, False)])
    if common != ref.dtype:
        raise errors.type_error(f"lax operation requires arguments of one dtype, got "
                                f"{ref.dtype.name} and a Python {type(x).__name__} ({x!r})")
    value = asarray(np.asarray(x).astype(ref.dtype), ref.dtype)
    value = _as_weak(value, weak)
    return broadcast(value, ref.shape) if ref.shape else value


def _operand_like(x, dtype):
    """A non-array operand (a Python scalar, a numpy value) as `dtype`; arrays unchanged."""
    if isinstance(x, (Tracer, Array)):
        return x
    return asarray(np.asarray(x).astype(dtype), dtype)


def _as_weak(x, weak):
    """The same value with its weak-type flag set: no op, only a new abstract value."""
    if x.aval.weak_type == weak:
        return x
    aval = x.aval.update(weak_type=weak)
    if isinstance(x, Tracer):
        return Tracer(x._trace, aval, x.value)
    return Array(x._buf, aval)


def _binary_operands(x, y):
    xa = None if dtypes.is_python_scalar(x) else asarray(x)
    ya = None if dtypes.is_python_scalar(y) else asarray(y)
    if xa is None:
        xa = _scalar_like(x, ya)
    if ya is None:
        ya = _scalar_like(y, xa)
    # rank-0 operands broadcast against the other one, as in JAX's lax
    if xa.ndim == 0 and ya.ndim:
        xa = broadcast(xa, ya.shape)
    elif ya.ndim == 0 and xa.ndim:
        ya = broadcast(ya, xa.shape)
    return xa, ya


def _binary(name):
    prim = ops.binary[name]

    def fn(x, y):
        x, y = _binary_operands(x, y)
        return prim.bind(x, y)
    return fn


def _unary(prim):
    def fn(x):
        return prim.bind(asarray(x))
    return fn


add = _binary("add")
sub = _binary("subtract")
mul = _binary("multiply")
div = _binary("divide")
rem = _binary("remainder")
pow = _binary("power")  # noqa: A001
_COMPLEX_ORDER = {"maximum": "GT", "minimum": "LT"}


def _complex_minmax(x, y, direction):
    """max/min of complex numbers as JAX orders them: by real part, then imaginary part."""
    pick = _compare(direction)
    rx, ry = real(x), real(y)
    return select(select(eq(rx, ry), pick(imag(x), imag(y)), pick(rx, ry)), x, y)


def _minmax(name):
    prim = ops.binary[name]

    def fn(x, y):
        x, y = _binary_operands(x, y)
        if dtypes.is_complex(x.dtype):
            return _complex_minmax(x, y, _COMPLEX_ORDER[name])
        return prim.bind(x, y)
    return fn


max = _minmax("maximum")  # noqa: A001
min = _minmax("minimum")  # noqa: A001
atan2 = _binary("atan2")
bitwise_and = and_ = _binary("and")
bitwise_or = or_ = _binary("or")
bitwise_xor = xor = _binary("xor")
shift_left = _binary("shift_left")
shift_right_arithmetic = _binary("shift_right_arithmetic")
shift_right_logical = _binary("shift_right_logical")

neg = _unary(ops.unary["negate"])
abs = _unary(ops.unary["abs"])  # noqa: A001
sign = _unary(ops.unary["sign"])
sqrt = _unary(ops.unary["sqrt"])
rsqrt = _unary(ops.unary["rsqrt"])
cbrt = _unary(ops.unary["cbrt"])
exp = _unary(ops.unary["exponential"])
expm1 = _unary(ops.unary["exponential_minus_one"])
log = _unary(ops.unary["log"])
log1p = _unary(ops.unary["log_plus_one"])
sin = _unary(ops.unary["sine"])
cos = _unary(ops.unary["cosine"])
tan = _unary(ops.unary["tan"])
tanh = _unary(ops.unary["tanh"])
logistic = _unary(ops.unary["logistic"])
floor = _unary(ops.unary["floor"])
ceil = _unary(ops.unary["ceil"])
bitwise_not = not_ = _unary(ops.unary["not"])
clz = _unary(ops.unary["count_leading_zeros"])
population_count = _unary(ops.unary["popcnt"])
is_finite = _unary(ops.is_finite)
real = _unary(ops.real)
imag = _unary(ops.imag)
sinh = _unary(ops.chlo_unary["sinh"])
cosh = _unary(ops.chlo_unary["cosh"])
asin = _unary(ops.chlo_unary["asin"])
acos = _unary(ops.chlo_unary["acos"])
atan = _unary(ops.chlo_unary["atan"])
asinh = _unary(ops.chlo_unary["asinh"])
acosh = _unary(ops.chlo_unary["acosh"])
atanh = _unary(ops.chlo_unary["atanh"])
erf = _unary(ops.chlo_unary["erf"])
erfc = _unary(ops.chlo_unary["erfc"])
lgamma = _unary(ops.chlo_unary["lgamma"])
digamma = _unary(ops.chlo_unary["digamma"])
erf_inv = _unary(ops.chlo_unary["erf_inv"])


def _chlo_binary(name):
    prim = ops.chlo_binary[name]

    def fn(x, y):
        x, y = _binary_operands(x, y)
        return prim.bind(x, y)
    fn.__name__ = name
    return fn


polygamma = _chlo_binary("polygamma")
zeta = _chlo_binary("zeta")
nextafter = _chlo_binary("next_after")


class RoundingMethod:
    AWAY_FROM_ZERO = 0
    TO_NEAREST_EVEN = 1


def round(x, rounding_method=RoundingMethod.AWAY_FROM_ZERO):  # noqa: A001
    op = "round_nearest_even" if rounding_method == RoundingMethod.TO_NEAREST_EVEN else "round_nearest_afz"
    return ops.unary[op].bind(asarray(x))


def complex(x, y):  # noqa: A001
    x, y = _binary_operands(x, y)
    return ops.complex_.bind(x, y)


def conj(x):
    x = asarray(x)
    if not dtypes.is_complex(x.dtype):
        return x
    return complex(real(x), neg(imag(x)))


def square(x):
    x = asarray(x)
    return mul(x, x)


def reciprocal(x):
    return div(1, asarray(x))


def integer_pow(x, y):
    """x ** y for a static integer y, by repeated squaring (as JAX lowers it)."""
    x = asarray(x)
    if y == 0:
        return full_like(x, 1)
    negative, y = y < 0, builtins.abs(y)
    acc, base = None, x
    while y:
        if y & 1:
            acc = base if acc is None else mul(acc, base)
        y >>= 1
        if y:
            base = mul(base, base)
    return div(_scalar_like(1, acc), acc) if negative else acc


# -- comparisons and selection ----------------------------------------------------
def _compare(direction):
    def fn(x, y):
        x, y = _binary_operands(x, y)
        return ops.compare.bind(x, y, direction=direction)
    return fn


eq = _compare("EQ")
ne = _compare("NE")
lt = _compare("LT")
le = _compare("LE")
gt = _compare("GT")
ge = _compare("GE")


def select(pred, on_true, on_false):
    on_true, on_false = _binary_operands(on_true, on_false)
    return ops.select.bind(asarray(pred), on_true, on_false)


def select_n(which, *cases):
    """cases[which]: `which` boolean (two cases) or int32 index."""
    if not cases:
        raise ValueError("select_n needs at least one case")
    which = asarray(which)
    if len(cases) == 1:
        return asarray(cases[0])
    if which.dtype == dtypes.bool_:
        if len(cases) != 2:
            raise TypeError("select_n with a boolean predicate takes exactly two cases")
        return select(which, cases[1], cases[0])
    mid = len(cases) // 2
    lo, hi = select_n(which, *cases[:mid]), select_n(sub(which, mid), *cases[mid:])
    return select(lt(which, _scalar_like(mid, which)), lo, hi)


def clamp(min, x, max):  # noqa: A002
    x = asarray(x)
    return ops.clamp.bind(_operand_like(min, x.dtype), x, _operand_like(max, x.dtype))


# -- conversions -----------------------------------------------------------------
def convert_element_type(operand, new_dtype, weak_type=False):
    new_dtype = dtypes.canonicalize(dtypes.to_dtype(new_dtype))
    x = asarray(operand)
    if x.dtype == new_dtype:
        return _as_weak(x, weak_type)
    if dtypes.is_complex(x.dtype) and not dtypes.is_complex(new_dtype):
        x = real(x)
    if x.dtype == new_dtype:
        return _as_weak(x, weak_type)
    if new_dtype == dtypes.bool_ and x.dtype != dtypes.bool_:
        return _as_weak(ne(x, _scalar_like(0, x)), weak_type)
    return ops.convert.bind(x, new_dtype=new_dtype, weak_type=weak_type)


def bitcast_convert_type(operand, new_dtype):
    return ops.bitcast_convert.bind(asarray(operand), new_dtype=dtypes.canonicalize(new_dtype))


# -- shapes ------------------------------------------------------------------------
def broadcast_in_dim(operand, shape, broadcast_dimensions):
    x = asarray(operand)
    shape, dims = tuple(int(d) for d in shape), tuple(int(d) for d in broadcast_dimensions)
    if x.shape == shape and dims == tuple(range(len(shape))):
        return x
    return ops.broadcast_in_dim.bind(x, shape=shape, broadcast_dimensions=dims)


def broadcast(operand, sizes):
    x = asarray(operand)
    sizes = tuple(sizes)
    return broadcast_in_dim(x, sizes + x.shape, range(len(sizes), len(sizes) + x.ndim))


def reshape(operand, new_sizes, dimensions=None):
    x = asarray(operand)
    if dimensions is not None and tuple(dimensions) != tuple(range(x.ndim)):
        x = transpose(x, dimensions)
    new_sizes = tuple(int(d) for d in new_sizes)
    if x.shape == new_sizes:
        return x
    return ops.reshape.bind(x, new_sizes=new_sizes)


def transpose(operand, permutation):
    x = asarray(operand)
    permutation = tuple(int(p) for p in permutation)
    if permutation == tuple(range(x.ndim)):
        return x
    return ops.transpose.bind(x, permutation=permutation)


def squeeze(array, dimensions):
    x = asarray(array)
    dims = {d % x.ndim if x.ndim else d for d in dimensions}
    for d in dims:
        if x.shape[d] != 1:
            raise errors.value_error(f"cannot squeeze dimension {d} of size {x.shape[d]} "
                                     f"(shape {x.shape})")
    return reshape(x, [s for i, s in enumerate(x.shape) if i not in dims])


def expand_dims(array, dimensions):
    x = asarray(array)
    ndim = x.ndim + len(dimensions)
    dims = sorted(d % ndim for d in dimensions)
    shape = list(x.shape)
    for d in dims:
        shape.insert(d, 1)
    return reshape(x, shape)


def slice(operand, start_indices, limit_indices, strides=None):  # noqa: A001
    x = asarray(operand)
    strides = (1,) * x.ndim if strides is None else tuple(strides)
    start, limit = tuple(int(s) for s in start_indices), tuple(int(s) for s in limit_indices)
    if start == (0,) * x.ndim and limit == x.shape and strides == (1,) * x.ndim:
        return x
    return ops.slice_.bind(x, start_indices=start, limit_indices=limit, strides=strides)


def slice_in_dim(operand, start_index, limit_index, stride=1, axis=0):
    x = asarray(operand)
    axis = axis % x.ndim
    n = x.shape[axis]
    start = 0 if start_index is None else (start_index + n if start_index < 0 else start_index)
    limit = n if limit_index is None else (limit_index + n if limit_index < 0 else limit_index)
    starts, limits, strides = [0] * x.ndim, list(x.shape), [1] * x.ndim
    starts[axis], limits[axis], strides[axis] = start, limit, stride
    return slice(x, starts, limits, strides)


def index_in_dim(operand, index, axis=0, keepdims=True):
    x = asarray(operand)
    axis = axis % x.ndim
    index = index + x.shape[axis] if index < 0 else index
    out = slice_in_dim(x, index, index + 1, 1, axis)
    return out if keepdims else squeeze(out, [axis])


def _index_scalar(i):
    i = asarray(i)
    if i.ndim:
        raise errors.type_error(f"index must be a scalar, got {i.aval.str_short()}")
    if not dtypes.is_integer(i.dtype):
        raise errors.type_error(f"index must be an integer, got {i.aval.str_short()}")
    return i


def _common_index_dtype(indices):
    idx = [_index_scalar(i) for i in indices]
    if not idx:
        return idx
    dtype = dtypes.promote([(i.dtype, i.aval.weak_type) for i in idx])[0]
    return [convert_element_type(i, dtype) for i in idx]


def dynamic_slice(operand, start_indices, slice_sizes):
    x = asarray(operand)
    starts = _common_index_dtype(list(start_indices))
    return ops.dynamic_slice.bind(x, *starts, slice_sizes=tuple(int(s) for s in slice_sizes))


def dynamic_update_slice(operand, update, start_indices):
    x = asarray(operand)
    starts = _common_index_dtype(list(start_indices))
    return ops.dynamic_update_slice.bind(x, asarray(update, x.dtype), *starts)


def dynamic_slice_in_dim(operand, start_index, slice_size, axis=0):
    x = asarray(operand)
    starts = [0] * x.ndim
    starts[axis] = start_index
    sizes = list(x.shape)
    sizes[axis] = slice_size
    return dynamic_slice(x, starts, sizes)


def dynamic_index_in_dim(operand, index, axis=0, keepdims=True):
    out = dynamic_slice_in_dim(operand, index, 1, axis)
    return out if keepdims else squeeze(out, [axis])


def dynamic_update_slice_in_dim(operand, update, start_index, axis):
    x = asarray(operand)
    starts = [0] * x.ndim
    starts[axis] = start_index
    return dynamic_update_slice(x, update, starts)


def dynamic_update_index_in_dim(operand, update, index, axis):
    x = asarray(operand)
    update = asarray(update)
    if update.ndim == x.ndim - 1:
        update = expand_dims(update, [axis])
    return dynamic_update_slice_in_dim(x, update, index, axis)


def concatenate(operands, dimension):
    xs = [asarray(o) for o in operands]
    if len(xs) == 1:
        return xs[0]
    return ops.concatenate.bind(*xs, dimension=int(dimension))


def pad(operand, padding_value, padding_config):
    x = asarray(operand)
    low, high, interior = zip(*padding_config) if padding_config else ((), (), ())
    return ops.pad.bind(x, _operand_like(padding_value, x.dtype), low=tuple(low), high=tuple(high), interior=tuple(interior))


def rev(operand, dimensions):
    x = asarray(operand)
    if not dimensions:
        return x
    return ops.reverse.bind(x, dimensions=tuple(int(d) for d in dimensions))


def iota(dtype, size):
    return broadcasted_iota(dtype, (size,), 0)


def broadcasted_iota(dtype, shape, dimension):
    return ops.iota.bind(dtype=dtypes.canonicalize(dtypes.to_dtype(dtype)),
                         shape=tuple(int(s) for s in shape), dimension=int(dimension))


def full(shape, fill_value, dtype=None):
    shape = tuple(int(s) for s in shape)
    if dtype is None:
        value = asarray(fill_value)
    else:
        dtype = dtypes.canonicalize(dtypes.to_dtype(dtype))
        value = convert_element_type(asarray(fill_value), dtype) if isinstance(fill_value, (Tracer, Array)) else asarray(np.asarray(fill_value).astype(dtype), dtype)
    if value.ndim:
        raise errors.type_error(f"full fill_value must be a scalar, got shape {value.shape}")
    return broadcast(value, shape)


def full_like(x, fill_value, dtype=None, shape=None):
    aval = aval_of(x)
    out = full(aval.shape if shape is None else shape, fill_value,
               aval.dtype if dtype is None else dtype)
    if dtype is None and aval.weak_type and dtypes.is_python_scalar(fill_value):
        out = _as_weak(out, True)
    return out


def zeros_like_array(x):
    return full_like(x, 0)


# -- contractions ------------------------------------------------------------------
class Precision(enum.Enum):
    """JAX's precision of a contraction: DEFAULT, HIGH, HIGHEST (or their string aliases)."""
    DEFAULT = 0
    HIGH = 1
    HIGHEST = 2

    @classmethod
    def _missing_(cls, value):
        return _PRECISION_STRINGS.get(value)

    def __repr__(self):
        return f"{type(self).__name__}.{self.name}"

    def __str__(self):
        return self.name


_PRECISION_STRINGS = {"highest": Precision.HIGHEST, "float32": Precision.HIGHEST, "high": Precision.HIGH,
                      "bfloat16_3x": Precision.HIGH, "tensorfloat32": Precision.HIGH,
                      "default": Precision.DEFAULT, "bfloat16": Precision.DEFAULT,
                      "fastest": Precision.DEFAULT, None: Precision.DEFAULT}
DotDimensionNumbers = tuple


_PRECISION_NAMES = frozenset({"default", "high", "highest", "bfloat16", "tensorfloat32", "float32"})


def _precision_name(precision):
    if precision is None:  # jax_default_matmul_precision decides, as in JAX
        precision = config.jax_default_matmul_precision
        if precision is None:
            return None
        if precision not in _PRECISION_NAMES:
            raise NotImplementedError(
                f"jax_default_matmul_precision={precision!r}: hlox does not lower "
                "lax.DotAlgorithmPreset contractions yet; use default, high or highest")
    if isinstance(precision, (tuple, list)):
        precision = precision[0]
    name = getattr(precision, "name", str(precision)).upper()
    return {"FASTEST": "DEFAULT", "BFLOAT16": "DEFAULT", "TENSORFLOAT32": "HIGH",
            "FLOAT32": "HIGHEST"}.get(name, name)


def dot_general(lhs, rhs, dimension_numbers, precision=None, preferred_element_type=None,
                out_sharding=None):
    lhs, rhs = asarray(lhs), asarray(rhs)
    (lc, rc), (lb, rb) = dimension_numbers
    pet = None if preferred_element_type is None else dtypes.canonicalize(dtypes.to_dtype(preferred_element_type))
    if lhs.dtype != rhs.dtype:
        common = dtypes.promote([(lhs.dtype, lhs.aval.weak_type), (rhs.dtype, rhs.aval.weak_type)])[0]
        lhs, rhs = convert_element_type(lhs, common), convert_element_type(rhs, common)
    if pet is not None and pet != lhs.dtype:
        if dtypes.is_bool(lhs.dtype) or (dtypes.is_integer(lhs.dtype) and dtypes.is_inexact(pet)):
            lhs, rhs = convert_element_type(lhs, pet), convert_element_type(rhs, pet)
    return ops.dot_general.bind(
        lhs, rhs, contracting=(tuple(lc), tuple(rc)), batch=(tuple(lb), tuple(rb)),
        preferred_element_type=pet if pet != lhs.dtype else None,
        precision=_precision_name(precision))


def dot(lhs, rhs, precision=None, preferred_element_type=None):
    lhs, rhs = asarray(lhs), asarray(rhs)
    if lhs.ndim not in (1, 2) or rhs.ndim not in (1, 2):
        raise errors.type_error(f"lax.dot takes vectors or matrices, got {lhs.aval.str_short()} "
                                f"and {rhs.aval.str_short()}")
    return dot_general(lhs, rhs, (((lhs.ndim - 1,), (0,)), ((), ())), precision,
                       preferred_element_type)


# -- reductions ----------------------------------------------------------------------
def _monoid_body(prim_name):
    def body(a, b):
        if prim_name in _COMPLEX_ORDER and dtypes.is_complex(a.dtype):
            return [_complex_minmax(a, b, _COMPLEX_ORDER[prim_name])]
        return [ops.binary[prim_name].bind(a, b)]
    return body


_MONOID_BODIES = {name: _monoid_body(name) for name in ("add", "multiply", "maximum", "minimum",
                                                         "and", "or", "xor")}


def identity_value(monoid, dtype):
    dtype = np.dtype(dtype)
    if monoid == "add" or monoid in ("or", "xor"):
        return np.zeros((), dtype)
    if monoid == "multiply":
        return np.ones((), dtype)
    if monoid == "and":
        return np.array(-1 if dtype.kind == "i" else (True if dtype == np.bool_ else np.iinfo(dtype).max), dtype)
    lowest = monoid == "maximum"
    if dtypes.is_inexact(dtype):
        return np.array(-np.inf if lowest else np.inf, dtype)
    if dtype == np.bool_:
        return np.array(not lowest, dtype)
    info = np.iinfo(dtype)
    return np.array(info.min if lowest else info.max, dtype)


def reduce_monoid(x, monoid, axes):
    x = asarray(x)
    axes = tuple(sorted(int(a) for a in axes))
    if not axes:
        return x
    init = asarray(identity_value(monoid, x.dtype), x.dtype)
    return ops.reduce.bind(x, init, dimensions=axes, body=_MONOID_BODIES[monoid])[0]


def reduce_sum(operand, axes):
    return reduce_monoid(operand, "add", axes)


def reduce_prod(operand, axes):
    return reduce_monoid(operand, "multiply", axes)


def reduce_max(operand, axes):
    return reduce_monoid(operand, "maximum", axes)


def reduce_min(operand, axes):
    return reduce_monoid(operand, "minimum", axes)


def reduce_and(operand, axes):
    return reduce_monoid(operand, "and", axes)


def reduce_or(operand, axes):
    return reduce_monoid(operand, "or", axes)


def reduce_xor(operand, axes):
    return reduce_monoid(operand, "xor", axes)


_KNOWN_MONOIDS = {operator.add: "add", operator.mul: "multiply"}


def reduce(operands, init_values, computation, dimensions):
    """lax.reduce: `computation` is traced into the reduction body."""
    single = not isinstance(operands, (tuple, list))
    xs = [asarray(o) for o in ([operands] if single else operands)]
    inits = [_operand_like(i, x.dtype) for i, x in zip([init_values] if single else init_values, xs)]

    def body(*args):
        n = len(args) // 2
        acc, val = args[:n], args[n:]
        out = computation(acc[0], val[0]) if single else computation(tuple(acc), tuple(val))
        return [out] if single else list(out)
    outs = ops.reduce.bind(*xs, *inits, dimensions=tuple(int(d) for d in dimensions), body=body)
    return outs[0] if single else tuple(outs)


def _arg_reduce(operand, axis, index_dtype, better):
    x = asarray(operand)
    index_dtype = dtypes.canonicalize(dtypes.to_dtype(index_dtype))
    idx = broadcasted_iota(index_dtype, x.shape, axis)
    init_val = asarray(identity_value("maximum" if better == "GT" else "minimum", x.dtype), x.dtype)
    init_idx = asarray(np.zeros((), index_dtype), index_dtype)

    def body(av, ai, bv, bi):
        # NaN wins (like numpy), then the better value, then the lower index on ties.
        if dtypes.is_inexact(av.dtype):
            a_nan = ops.compare.bind(av, av, direction="NE")
            b_nan = ops.compare.bind(bv, bv, direction="NE")
        a_better = ops.compare.bind(av, bv, direction=better)
        eq_ = ops.compare.bind(av, bv, direction="EQ")
        lower = ops.compare.bind(ai, bi, direction="LT")
        pick_a = ops.binary["or"].bind(a_better, ops.binary["and"].bind(eq_, lower))
        if dtypes.is_inexact(av.dtype):
            pick_a = ops.binary["or"].bind(
                ops.binary["and"].bind(a_nan, ops.binary["or"].bind(
                    ops.unary["not"].bind(b_nan), lower)),
                ops.binary["and"].bind(ops.unary["not"].bind(b_nan), pick_a))
        return [ops.select.bind(pick_a, av, bv), ops.select.bind(pick_a, ai, bi)]
    return ops.reduce.bind(x, idx, init_val, init_idx, dimensions=(axis,), body=body)[1]


def argmax(operand, axis, index_dtype):
    return _arg_reduce(operand, axis, index_dtype, "GT")


def argmin(operand, axis, index_dtype):
    return _arg_reduce(operand, axis, index_dtype, "LT")


def reduce_window(operand, init_value, computation, window_dimensions, window_strides,
                  padding, base_dilation=None, window_dilation=None):
    x = asarray(operand)
    n = x.ndim
    if isinstance(padding, str):
        padding = padtype_to_pads(x.shape, window_dimensions, window_strides, padding)
    monoid = computation if isinstance(computation, str) else {
        add: "add", mul: "multiply", max: "maximum", min: "minimum"}.get(computation)
    body = _MONOID_BODIES[monoid] if monoid else (lambda a, b: [computation(a, b)])
    init = _operand_like(init_value, x.dtype)
    return ops.reduce_window.bind(
        x, init, window_dimensions=tuple(window_dimensions), window_strides=tuple(window_strides),
        base_dilations=tuple(base_dilation or (1,) * n),
        window_dilations=tuple(window_dilation or (1,) * n),
        padding=tuple(tuple(p) for p in padding), body=body)[0]


def padtype_to_pads(in_shape, window_shape, window_strides, padding):
    padding = padding.upper()
    if padding == "VALID":
        return [(0, 0)] * len(in_shape)
    if padding in ("SAME", "SAME_LOWER"):
        pads = []
        for d, w, s in zip(in_shape, window_shape, window_strides):
            out = -(-d // s)
            total = builtins.max((out - 1) * s + w - d, 0)
            lo = total // 2 if padding == "SAME" else -(-total // 2)
            pads.append((lo, total - lo))
        return pads
    raise RuntimeError(f"Unrecognized padding type: expected 'VALID', 'SAME', or 'SAME_LOWER', "
                       f"got {padding}.")  # JAX's error type


# -- sorting ---------------------------------------------------------------------
def _total_order_lt(a, b):
    """a < b with NaNs last and -0.0 < 0.0, as JAX's sort comparator does."""
    if dtypes.is_inexact(a.dtype):
        a, b = _positive_zero(a), _positive_zero(b)
        return ops.compare.bind(a, b, direction="LT", compare_type="TOTALORDER")
    return ops.compare.bind(a, b, direction="LT")


def _positive_zero(x):
    """-0.0 as 0.0, so that sorting keeps them in their original order (as JAX does)."""
    zero = full(x.shape, 0, x.dtype)
    return ops.select.bind(ops.compare.bind(x, zero, direction="EQ"), zero, x)


def sort(operand, dimension=-1, is_stable=True, num_keys=1):
    single = not isinstance(operand, (tuple, list))
    xs = [asarray(o) for o in ([operand] if single else operand)]
    dimension = dimension % xs[0].ndim

    def comparator(*args):
        pairs = [(args[2 * i], args[2 * i + 1]) for i in range(num_keys)]
        result = _total_order_lt(*pairs[-1])
        for a, b in reversed(pairs[:-1]):
            result = ops.binary["or"].bind(
                _total_order_lt(a, b),
                ops.binary["and"].bind(ops.compare.bind(a, b, direction="EQ") if not dtypes.is_inexact(a.dtype) else ops.unary["not"].bind(ops.binary["or"].bind(_total_order_lt(a, b), _total_order_lt(b, a))), result))
        return [result]
    outs = ops.sort.bind(*xs, dimension=dimension, is_stable=is_stable, comparator=comparator)
    return outs[0] if single else tuple(outs)


def sort_key_val(keys, values, dimension=-1, is_stable=True):
    return sort((keys, values), dimension, is_stable, num_keys=1)


# -- gather / scatter ----------------------------------------------------------------
class GatherDimensionNumbers(namedtuple("GatherDimensionNumbers", [
        "offset_dims", "collapsed_slice_dims", "start_index_map", "operand_batching_dims",
        "start_indices_batching_dims"])):
    def __new__(cls, offset_dims, collapsed_slice_dims, start_index_map,
                operand_batching_dims=(), start_indices_batching_dims=()):
        return super().__new__(cls, tuple(offset_dims), tuple(collapsed_slice_dims),
                               tuple(start_index_map), tuple(operand_batching_dims),
                               tuple(start_indices_batching_dims))


class ScatterDimensionNumbers(namedtuple("ScatterDimensionNumbers", [
        "update_window_dims", "inserted_window_dims", "scatter_dims_to_operand_dims",
        "operand_batching_dims", "scatter_indices_batching_dims"])):
    def __new__(cls, update_window_dims, inserted_window_dims, scatter_dims_to_operand_dims,
                operand_batching_dims=(), scatter_indices_batching_dims=()):
        return super().__new__(cls, tuple(update_window_dims), tuple(inserted_window_dims),
                               tuple(scatter_dims_to_operand_dims), tuple(operand_batching_dims),
                               tuple(scatter_indices_batching_dims))


# -- misc ------------------------------------------------------------------------------
def optimization_barrier(operand):
    leaves, tree = pytree.flatten(operand)
    outs = ops.optimization_barrier.bind(*[asarray(l) for l in leaves])
    return tree.unflatten(outs)




__all__ = sorted(n for n, v in list(globals().items())
                 if not n.startswith("_") and getattr(v, "__module__", None) == __name__
                 and (callable(v) or isinstance(v, type))) + ["stop_gradient"]
