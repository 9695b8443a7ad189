"""The sine and cosine integrals sici, as jax.scipy.special computes them (Cephes' rational
approximations: a series up to 4, auxiliary functions f and g up to 1e9, their limits beyond)."""
from __future__ import annotations

import numpy as np

from hlox.frontend import errors
from hlox.frontend.custom_derivatives import custom_jvp
from hlox.numerics.numpy import elementwise as ew, indexing_routines, polynomial as poly
from hlox.numerics.numpy._util import promote_args_inexact

__all__ = ["sici"]

_COEFFS = {
    "SN": [-8.391678279103039e-11, 4.625917144270128e-08, -9.757593038436328e-06,
           0.0009769454381704354, -0.04134703162294066, 1.0],
    "SD": [2.0326926619595193e-12, 1.279978911799433e-09, 4.418278428012189e-07,
           9.964121220438756e-05, 0.01420852393261499, 1.0],
    "CN": [2.0252400238910228e-11, -1.3524950491579076e-08, 3.593250514199931e-06,
           -0.0004740072068734079, 0.028915965260755523, -1.0],
    "CD": [4.077460400618806e-12, 3.067809975818878e-09, 1.2321035568588342e-06,
           0.00031744202477503275, 0.051002805623644606, 4.0],
    "FN4": [4.236128628922166, 5.4593771716181285, 1.6208328770153833, 0.16700661183132304,
            0.006810201324725182, 0.00010893658065032867, 5.489002234213736e-07],
    "FD4": [1, 8.16496634205391, 7.308288225055645, 1.867922579501842, 0.1787920529631499,
            0.007017106683227897, 0.00011003435715391573, 5.489002527562557e-07],
    "GN4": [0.08710016989731142, 0.6113791099522193, 0.3971802963923375, 0.07485277376284691,
            0.005388686814621773, 0.00016199979459893403, 1.9796387414096365e-06,
            7.825790407440903e-09],
    "GD4": [1, 1.6440220241335535, 0.666296701268988, 0.09887717612776888, 0.006223963454417684,
            0.0001732210814741771, 2.0265918208634397e-06, 7.825792189335346e-09],
    "FN8": [0.4558808734704653, 0.7137152741001467, 0.16030015822231947, 0.01160642294081244,
            0.00034955644244785906, 4.8621543082645475e-06, 3.200927900910049e-08,
            9.41779576128513e-11, 9.70507110881952e-14],
    "FD8": [1.0, 0.9174636118736841, 0.17868554533207454, 0.012225359477197129,
            0.00035869648188185157, 4.924350643178815e-06, 3.21956939101046e-08,
            9.437205903502767e-11, 9.70507110881952e-14],
    "GN8": [0.6973599534432762, 0.33041097930563207, 0.03848787676499743, 0.001717182390523479,
            3.4894116550227946e-05, 3.471311670841167e-07, 1.7040445278204452e-09,
            3.859459254302766e-12, 3.1404009894636335e-15],
    "GD8": [1.0, 1.6854889881101165, 0.48785225869530496, 0.04679131942596258,
            0.0019028442667439953, 3.684755044425611e-05, 3.5704322344374083e-07,
            1.7269374896631615e-09, 3.878301660239547e-12, 3.1404009894636335e-15],
}


def _ratio(num, den, t, dtype, den_factor=None):
    """num(t) / den(t), or num(t) / (den_factor * den(t)) in JAX's order of rounding."""
    denominator = poly.polyval(np.array(_COEFFS[den], dtype=dtype), t)
    if den_factor is not None:
        denominator = den_factor * denominator
    return poly.polyval(np.array(_COEFFS[num], dtype=dtype), t) / denominator


def _series(x):
    t = x * x
    si = x * _ratio("SN", "SD", t, x.dtype)
    ci = np.euler_gamma + ew.log(x) + t * _ratio("CN", "CD", t, x.dtype)
    return ew.where(x == 0, 0.0, si), ew.where(x == 0, -np.inf, ci)


def _asymptotic(x):
    s, c, z = ew.sin(x), ew.cos(x), 1.0 / (x * x)
    below_8 = x < 8.0
    f = ew.where(below_8, _ratio("FN4", "FD4", z, x.dtype, x), _ratio("FN8", "FD8", z, x.dtype, x))
    g = ew.where(below_8, z * _ratio("GN4", "GD4", z, x.dtype),
                  z * _ratio("GN8", "GD8", z, x.dtype))
    return np.pi / 2 - f * c - g * s, f * s - g * c


def _limit(x):
    si, ci = np.pi / 2 - ew.cos(x) / x, ew.sin(x) / x
    return ew.where(ew.isposinf(x), np.pi / 2, si), ew.where(ew.isposinf(x), 0.0, ci)


@custom_jvp
def sici(x):
    (x,) = promote_args_inexact("sici", x)
    if np.issubdtype(x.dtype, np.complexfloating):
        raise errors.value_error(f"Argument `x` to sici must be real-valued. Got dtype "
                                 f"{x.dtype}.")
    x_abs = ew.abs(x)
    (si_series, ci_series), (si_asymp, ci_asymp) = _series(x_abs), _asymptotic(x_abs)
    si_limit, ci_limit = _limit(x_abs)
    conds = [x_abs <= 4, (x_abs > 4) & (x_abs <= 1000000000.0)]
    si = ew.sign(x) * indexing_routines.select(conds, [si_series, si_asymp], si_limit)
    ci = ew.where(ew.isneginf(x), np.nan, indexing_routines.select(conds, [ci_series, ci_asymp], ci_limit))
    return si, ci


@sici.defjvp
def _sici_jvp(primals, tangents):
    (p,), (t,) = primals, tangents
    return sici(p), (ew.sinc(p / np.pi) * t, ew.cos(p) / p * t)
