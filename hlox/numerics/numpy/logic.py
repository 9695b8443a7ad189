"""Logic functions on whole arrays and on types: isclose allclose array_equal array_equiv,
isscalar iscomplex isreal iscomplexobj isrealobj iterable."""
from __future__ import annotations

import numpy as np

from hlox.frontend import dtypes, lax
from hlox.frontend.jit import eager_jit
from hlox.numerics.numpy import elementwise, elementwise as ufuncs, reductions
from hlox.numerics.numpy._util import ArrayTypes, asarray, check_arraylike, promote_args_inexact

__all__ = ["isclose", "allclose", "array_equal", "array_equiv", "isscalar", "iscomplexobj",
           "isrealobj", "iscomplex", "isreal", "iterable"]


# -- whole-array comparisons ------------------------------------------------------------
@eager_jit(static_argnames=("equal_nan",))
def isclose(a, b, rtol=1e-05, atol=1e-08, equal_nan=False):
    a, b = promote_args_inexact("isclose", a, b)
    real = dtypes.real_dtype(a.dtype)
    rtol = lax.convert_element_type(asarray(rtol), real)
    atol = lax.convert_element_type(asarray(atol), real)
    in_range = ufuncs.less_equal(lax.abs(lax.sub(a, b)),
                                 ufuncs.add(atol, ufuncs.multiply(rtol, lax.abs(b))))
    out = lax.or_(lax.eq(a, b), lax.and_(ufuncs.isfinite(b), in_range))
    return lax.or_(out, lax.and_(ufuncs.isnan(a), ufuncs.isnan(b))) if equal_nan else out


def allclose(a, b, rtol=1e-05, atol=1e-08, equal_nan=False):
    check_arraylike("allclose", a, b)
    return reductions.all(isclose(a, b, rtol, atol, equal_nan))


def array_equal(a1, a2, equal_nan=False):
    a1, a2 = asarray(a1), asarray(a2)
    if a1.shape != a2.shape:
        return lax.asarray(False)
    eq = ufuncs.equal(a1, a2)
    if equal_nan:
        eq = lax.or_(eq, lax.and_(ufuncs.isnan(a1), ufuncs.isnan(a2)))
    return reductions.all(eq)


def array_equiv(a1, a2):
    a1, a2 = asarray(a1), asarray(a2)
    try:
        eq = ufuncs.equal(a1, a2)
    except ValueError:
        return lax.asarray(False)
    return reductions.all(eq)


# -- type queries --------------------------------------------------------------------------
def isscalar(element):
    if np.isscalar(element):
        return True
    if isinstance(element, (np.ndarray, *ArrayTypes)):
        return element.ndim == 0
    if getattr(element, "__jax_array__", None) is not None:
        return asarray(element).ndim == 0
    return False


def iscomplexobj(x):
    if isinstance(x, (complex, np.complexfloating)):
        return True
    if x is None or isinstance(x, (bool, int, float, str, np.generic)):
        return False
    kind = getattr(x, "dtype", None)
    return np.dtype(kind if kind is not None else asarray(x).dtype).kind == "c"


def isrealobj(x):
    return not iscomplexobj(x)


def _imag_compare(name, compare):
    def fn(x, /):
        i = elementwise.imag(x)
        return compare(i, lax.full_like(i, 0))
    fn.__name__ = name
    return fn


iscomplex = _imag_compare("iscomplex", lax.ne)


isreal = _imag_compare("isreal", lax.eq)


iterable = np.iterable
