"""`jax.test_util`: autodiff checked against central finite differences in one random
direction (`check_grads`, `check_jvp`, `check_vjp`), with JAX's tolerances and seeds."""
from __future__ import annotations

import functools
import operator

import ml_dtypes
import numpy as np

from hlox import config
from hlox.frontend import dtypes as _dtypes
from hlox.lowering import pytree
from hlox.transforms import autodiff

__all__ = ["check_grads", "check_jvp", "check_vjp"]

EPS = 1e-4

_FP8 = ("float8_e3m4", "float8_e4m3", "float8_e4m3b11fnuz", "float8_e4m3fn", "float8_e4m3fnuz",
        "float8_e5m2", "float8_e5m2fnuz")
_CUSTOM_FLOATS = [np.dtype(getattr(ml_dtypes, n)) for n in _FP8 + ("bfloat16", "float4_e2m1fn",
                                                                      "float8_e8m0fnu")
                  if hasattr(ml_dtypes, n)]
_INTN = [np.dtype(getattr(ml_dtypes, n)) for n in ("int2", "int4", "uint2", "uint4") if hasattr(ml_dtypes, n)]

_default_tolerance = {np.dtype(t): 0 for t in (np.bool_, np.int8, np.int16, np.int32, np.int64,
                                                np.uint8, np.uint16, np.uint32, np.uint64)}
_default_tolerance.update({d: 0 for d in _INTN})
_default_tolerance[_dtypes.float0] = 0
_default_tolerance.update({np.dtype(getattr(ml_dtypes, n)): 1e-1 for n in _FP8 if hasattr(ml_dtypes, n)})
_default_tolerance.update({np.dtype(getattr(ml_dtypes, n)): 1e0 for n in ("float4_e2m1fn", "float8_e8m0fnu")
                           if hasattr(ml_dtypes, n)})
_default_tolerance.update({np.dtype(ml_dtypes.bfloat16): 1e-2, np.dtype(np.float16): 1e-3,
                           np.dtype(np.float32): 1e-6, np.dtype(np.float64): 1e-15,
                           np.dtype(np.complex64): 1e-6, np.dtype(np.complex128): 1e-15})

default_gradient_tolerance = {d: t for d, t in _default_tolerance.items() if d in _CUSTOM_FLOATS and t}
default_gradient_tolerance.update({np.dtype(ml_dtypes.bfloat16): 1e-1, np.dtype(np.float16): 1e-2,
                                   np.dtype(np.float32): 2e-3, np.dtype(np.float64): 1e-5,
                                   np.dtype(np.complex64): 1e-3, np.dtype(np.complex128): 1e-5})

_PYTHON_SCALAR_DTYPES = {bool: np.dtype(np.bool_), int: np.dtype(np.int64), float: np.dtype(np.float64),
                         complex: np.dtype(np.complex128)}


def _tree_map(f, *trees):
    leaves, treedef = pytree.flatten(trees[0], None)
    rest = [treedef.flatten_up_to(t) for t in trees[1:]]
    return treedef.unflatten([f(*xs) for xs in zip(leaves, *rest)])


def _tree_reduce(f, tree):
    return functools.reduce(f, pytree.flatten(tree, None)[0])


def _dtype(x):
    if hasattr(x, "dtype"):
        return np.dtype(x.dtype)
    return _PYTHON_SCALAR_DTYPES.get(type(x)) or np.asarray(x).dtype


def _is_python_scalar(val):
    return not isinstance(val, np.generic) and isinstance(val, (bool, int, float, complex))


def tolerance(dtype, tol=None):
    tol = {} if tol is None else tol
    if not isinstance(tol, dict):
        return tol
    tol = {np.dtype(key): value for key, value in tol.items()}
    dtype = _dtypes.canonicalize(np.dtype(dtype))
    return tol.get(dtype, _default_tolerance[dtype])


def _assert_numpy_allclose(a, b, atol=None, rtol=None, err_msg=""):
    if a.dtype == b.dtype == _dtypes.float0:
        np.testing.assert_array_equal(a, b, err_msg=err_msg)
        return

    def upcast(x):
        if x.dtype in _CUSTOM_FLOATS:
            return x.astype(np.float32)
        if x.dtype in _INTN:
            return x.astype(np.int8 if ml_dtypes.iinfo(x.dtype).min < 0 else np.uint8)
        return x

    kw = {}
    if atol:
        kw["atol"] = atol
    if rtol:
        kw["rtol"] = rtol
    with np.errstate(invalid="ignore"):
        np.testing.assert_allclose(upcast(a), upcast(b), **kw, err_msg=err_msg)


def _assert_numpy_close(a, b, atol=None, rtol=None, err_msg=""):
    a, b = np.asarray(a), np.asarray(b)
    assert a.shape == b.shape
    atol = max(tolerance(a.dtype, atol), tolerance(b.dtype, atol))
    rtol = max(tolerance(a.dtype, rtol), tolerance(b.dtype, rtol))
    _assert_numpy_allclose(a, b, atol=atol * a.size, rtol=rtol * b.size, err_msg=err_msg)


def check_close(xs, ys, atol=None, rtol=None, err_msg=""):
    _tree_map(functools.partial(_assert_numpy_close, atol=atol, rtol=rtol, err_msg=err_msg), xs, ys)


def _check_dtypes_match(xs, ys):
    def match(x, y):
        if config.read("jax_enable_x64"):
            assert _dtype(x) == _dtype(y)
        else:
            assert _dtypes.canonicalize(_dtype(x)) == _dtypes.canonicalize(_dtype(y))
    _tree_map(match, xs, ys)


def inner_prod(xs, ys):
    def contract(x, y):
        return np.real(np.dot(np.conj(x).reshape(-1), np.asarray(y).reshape(-1)))
    return _tree_reduce(np.add, _tree_map(contract, xs, ys))


def _preserve_input_types(f):
    def wrapped(*args):
        result = np.array(f(*args), dtype=_dtype(args[0]))
        return result.item() if all(_is_python_scalar(a) for a in args) else result
    return wrapped


def _safe_subtract(x, y, *, dtype):
    """x - y with inf - inf == 0."""
    with np.errstate(invalid="ignore"):
        return np.where(np.equal(x, y), np.array(0, dtype), np.subtract(x, y, dtype=dtype))


def _add(xs, ys):
    return _tree_map(_preserve_input_types(operator.add), xs, ys)


def _sub(xs, ys):
    return _tree_map(_preserve_input_types(operator.sub), xs, ys)


def _conj(xs):
    return _tree_map(_preserve_input_types(np.conj), xs)


def scalar_mul(xs, a):
    def mul(x):
        dtype = _dtype(x)
        result = np.multiply(x, np.array(a, dtype=dtype), dtype=dtype)
        return result.item() if _is_python_scalar(x) else result
    return _tree_map(mul, xs)


def rand_like(rng, x):
    shape, dtype = np.shape(x), _dtype(x)

    def randn():
        return np.asarray(rng.randn(*shape), dtype=dtype)
    result = randn() + dtype.type(1.0j) * randn() if np.issubdtype(dtype, np.complexfloating) else randn()
    return result.item() if _is_python_scalar(x) else result


def numerical_jvp(f, primals, tangents, eps=EPS):
    delta = scalar_mul(tangents, eps)
    f_pos = f(*_add(primals, delta))
    f_neg = f(*_sub(primals, delta))
    diff = _tree_map(lambda x, y: _safe_subtract(x, y, dtype=_dtype(x)), f_pos, f_neg)
    return scalar_mul(diff, 0.5 / eps)


def _merge_tolerance(tol, default):
    if tol is None:
        return default
    if not isinstance(tol, dict):
        return tol
    out = dict(default)
    out.update({np.dtype(k): v for k, v in tol.items()})
    return out


def check_jvp(f, f_jvp, args, atol=None, rtol=None, eps=EPS, err_msg=""):
    """Check `f_jvp` (e.g. `partial(jvp, f)`) against finite differences of `f` at `args`."""
    atol = _merge_tolerance(atol, default_gradient_tolerance)
    rtol = _merge_tolerance(rtol, default_gradient_tolerance)
    rng = np.random.RandomState(0)
    tangent = _tree_map(functools.partial(rand_like, rng), args)
    v_out, t_out = f_jvp(args, tangent)
    _check_dtypes_match(v_out, t_out)
    v_out_expected = f(*args)
    _check_dtypes_match(v_out, v_out_expected)
    t_out_expected = numerical_jvp(f, args, tangent, eps=eps)
    check_close(v_out, v_out_expected, atol=atol, rtol=rtol, err_msg=f"{err_msg} primal" if err_msg else "primal")
    check_close(t_out, t_out_expected, atol=atol, rtol=rtol,
                err_msg=f"{err_msg} tangent" if err_msg else "tangent")


def check_vjp(f, f_vjp, args, atol=None, rtol=None, eps=EPS, err_msg=""):
    """Check `f_vjp` (e.g. `partial(vjp, f)`) against finite differences of `f` at `args`."""
    atol = _merge_tolerance(atol, default_gradient_tolerance)
    rtol = _merge_tolerance(rtol, default_gradient_tolerance)
    _rand_like = functools.partial(rand_like, np.random.RandomState(0))
    v_out, vjpfun = f_vjp(*args)
    v_out_expected = f(*args)
    check_close(v_out, v_out_expected, atol=atol, rtol=rtol, err_msg=f"{err_msg} primal" if err_msg else "primal")
    tangent = _tree_map(_rand_like, args)
    tangent_out = numerical_jvp(f, args, tangent, eps=eps)
    cotangent = _tree_map(_rand_like, v_out)
    cotangent_out = _conj(vjpfun(_conj(cotangent)))
    ip = inner_prod(tangent, cotangent_out)
    ip_expected = inner_prod(tangent_out, cotangent)
    check_close(ip, ip_expected, atol=atol, rtol=rtol,
                err_msg=f"{err_msg} cotangent projection" if err_msg else "cotangent projection")


def check_grads(f, args, order, modes=("fwd", "rev"), atol=None, rtol=None, eps=None):
    """Check forward and/or reverse derivatives of `f` at `args` up to `order` against
    finite differences (in one random direction); AssertionError if they differ."""
    args = tuple(args)
    eps = eps or EPS
    jvp_check = functools.partial(check_jvp, atol=atol, rtol=rtol, eps=eps)
    vjp_check = functools.partial(check_vjp, atol=atol, rtol=rtol, eps=eps)

    def _check_grads(f, args, order, err_msg=""):
        if "fwd" in modes:
            fwd_msg = f"JVP of {err_msg}" if err_msg else "JVP"
            jvp_check(f, functools.partial(autodiff.jvp, f), args, err_msg=fwd_msg)
            if order > 1:
                _check_grads(functools.partial(autodiff.jvp, f), (args, args), order - 1, fwd_msg)
        if "rev" in modes:
            rev_msg = f"VJP of {err_msg}" if err_msg else "VJP"
            vjp_check(f, functools.partial(autodiff.vjp, f), args, err_msg=rev_msg)
            if order > 1:
                def f_vjp(*args):
                    out_primal, vjp_fn = autodiff.vjp(f, *args)
                    return vjp_fn(out_primal)
                _check_grads(f_vjp, args, order - 1, rev_msg)
        if "lin" in modes:
            lin_msg = f"LIN of {err_msg}" if err_msg else "LIN"
            jvp_check(f, functools.partial(_jvp_from_lin, f), args, err_msg=lin_msg)
            if order > 1:
                _check_grads(functools.partial(_jvp_from_lin, f), (args, args), order - 1, lin_msg)

    _check_grads(f, args, order)


def _jvp_from_lin(f, primals, tangents):
    out, f_jvp = autodiff.linearize(f, *primals)
    return out, f_jvp(*tangents)
