"""Derivatives of elementwise ops.

Unary ops are a table of `f'(x)` (given x and y = f(x)); binary ops a table of the
two partials. One table serves both modes: JVP is `t * f'`, VJP is `ct * f'`.
"""
from __future__ import annotations

import numpy as np

from hlox.frontend import dtypes, lax, lax_special
from hlox.passes.autodiff.common import add_maybe, jvp_rule, vjp_rule, zeros_like


def _c(x, value):
    """A constant shaped like x."""
    return lax.full(x.shape, value, x.dtype)


UNARY_DERIVATIVES = {
    "stablehlo.exponential": lambda x, y: y,
    "stablehlo.exponential_minus_one": lambda x, y: lax.add(y, _c(y, 1)),
    "stablehlo.log": lambda x, y: lax.div(_c(x, 1), x),
    "stablehlo.log_plus_one": lambda x, y: lax.div(_c(x, 1), lax.add(x, _c(x, 1))),
    "stablehlo.sine": lambda x, y: lax.cos(x),
    "stablehlo.cosine": lambda x, y: lax.neg(lax.sin(x)),
    "stablehlo.tan": lambda x, y: lax.add(_c(y, 1), lax.mul(y, y)),
    "stablehlo.tanh": lambda x, y: lax.sub(_c(y, 1), lax.mul(y, y)),
    "stablehlo.logistic": lambda x, y: lax.mul(y, lax.sub(_c(y, 1), y)),
    "stablehlo.sqrt": lambda x, y: lax.div(_c(y, 0.5), y),
    "stablehlo.rsqrt": lambda x, y: lax.mul(_c(y, -0.5), lax.div(y, x)),
    "stablehlo.cbrt": lambda x, y: lax.div(_c(y, 1 / 3), lax.mul(y, y)),
    "chlo.square": lambda x, y: lax.mul(_c(x, 2), x),
    "chlo.sinh": lambda x, y: lax.cosh(x),
    "chlo.cosh": lambda x, y: lax.sinh(x),
    "chlo.tan": lambda x, y: lax.add(_c(y, 1), lax.mul(y, y)),
    "chlo.asin": lambda x, y: lax.rsqrt(lax.sub(_c(x, 1), lax.mul(x, x))),
    "chlo.acos": lambda x, y: lax.neg(lax.rsqrt(lax.sub(_c(x, 1), lax.mul(x, x)))),
    "chlo.atan": lambda x, y: lax.div(_c(x, 1), lax.add(_c(x, 1), lax.mul(x, x))),
    "chlo.asinh": lambda x, y: lax.rsqrt(lax.add(lax.mul(x, x), _c(x, 1))),
    "chlo.acosh": lambda x, y: lax.rsqrt(lax.mul(lax.sub(x, _c(x, 1)), lax.add(x, _c(x, 1)))),
    "chlo.atanh": lambda x, y: lax.div(_c(x, 1), lax.sub(_c(x, 1), lax.mul(x, x))),
    "chlo.erf": lambda x, y: lax.mul(_c(x, 2 / np.sqrt(np.pi)), lax.exp(lax.neg(lax.mul(x, x)))),
    "chlo.erfc": lambda x, y: lax.mul(_c(x, -2 / np.sqrt(np.pi)), lax.exp(lax.neg(lax.mul(x, x)))),
    "chlo.erf_inv": lambda x, y: lax.mul(_c(x, np.sqrt(np.pi) / 2), lax.exp(lax.mul(y, y))),
    "chlo.lgamma": lambda x, y: lax.digamma(x),
    "chlo.digamma": lambda x, y: lax.polygamma(_c(x, 1), x),
    "chlo.bessel_i1e": lambda x, y: lax_special.bessel_i1e_derivative(x, y),
}


def _unary_jvp(site, tangents):
    (t,) = tangents
    x, y = site.inputs[0], site.outputs[0]
    return [lax.mul(t, UNARY_DERIVATIVES[site.name](x, y))]


def _unary_vjp(site, cts):
    (ct,) = cts
    x, y = site.inputs[0], site.outputs[0]
    return [lax.mul(ct, UNARY_DERIVATIVES[site.name](x, y))]


for _name in UNARY_DERIVATIVES:
    jvp_rule(_name)(_unary_jvp)
    vjp_rule(_name)(_unary_vjp)


@jvp_rule("stablehlo.abs")
def _abs_jvp(site, tangents):
    (t,) = tangents
    x, y = site.inputs[0], site.outputs[0]
    if not dtypes.is_complex(x.dtype):
        return [lax.mul(t, lax.sign(x))]
    # d|z| = Re(conj(z) t) / |z|
    safe = lax.select(lax.eq(y, _c(y, 0)), lax.full_like(y, 1), y)
    return [lax.div(lax.real(lax.mul(lax.conj(x), t)), safe)]


@vjp_rule("stablehlo.abs")
def _abs_vjp(site, cts):
    (ct,) = cts
    x, y = site.inputs[0], site.outputs[0]
    if not dtypes.is_complex(x.dtype):
        return [lax.mul(ct, lax.sign(x))]
    safe = lax.select(lax.eq(y, _c(y, 0)), lax.full_like(y, 1), y)
    return [lax.mul(lax.complex(lax.div(ct, safe), lax.full_like(ct, 0)), lax.conj(x))]


# -- binary: partial derivatives (d out/d x, d out/d y) as functions of x, y, out ----------
def _pow_dx(x, y, out):
    # y * x^(y-1), written to stay finite at x == 0 for y >= 1
    return lax.mul(y, lax.pow(x, lax.sub(y, _c(y, 1))))


def _pow_dy(x, y, out):
    safe_log = lax.log(lax.select(lax.eq(x, _c(x, 0)), lax.full_like(x, 1), x))
    return lax.mul(out, safe_log)


def _atan2_partials(x, y, out):
    denom = lax.add(lax.mul(x, x), lax.mul(y, y))
    return lax.div(y, denom), lax.div(lax.neg(x), denom)


def _balanced(pick_x):
    """max/min: the gradient goes to the chosen operand, split evenly on ties (as JAX)."""
    def partials(x, y, out):
        half = lax.full_like(x, 0.5)
        one, zero = lax.full_like(x, 1), lax.full_like(x, 0)
        chosen_x = lax.select(pick_x(x, y), one, zero)
        ties = lax.eq(x, y)
        wx = lax.select(ties, half, chosen_x)
        return wx, lax.sub(one, wx)
    return partials


def _polygamma_partials(m, x, out):
    """d/dx polygamma(m, x) = polygamma(m + 1, x); m is an order (JAX raises for its gradient)."""
    return None, lax.polygamma(lax.add(m, _c(m, 1)), x)


BINARY_PARTIALS = {
    "stablehlo.multiply": lambda x, y, out: (y, x),
    "stablehlo.divide": lambda x, y, out: (lax.div(_c(y, 1), y), lax.neg(lax.div(out, y))),
    "stablehlo.power": lambda x, y, out: (_pow_dx(x, y, out), _pow_dy(x, y, out)),
    "stablehlo.atan2": _atan2_partials,
    "stablehlo.remainder": lambda x, y, out: (
        lax.full_like(x, 1),
        lax.neg(lax.mul(lax.sign(lax.div(x, y)), lax.floor(lax.abs(lax.div(x, y)))))),
    "stablehlo.maximum": _balanced(lax.gt),
    "stablehlo.minimum": _balanced(lax.lt),
    "chlo.polygamma": _polygamma_partials,
}
# operands a partial is not defined for: differentiating them raises, as in JAX
UNDIFFERENTIATED_OPERANDS = {"chlo.polygamma": (0, "polygamma gradient with respect to m is "
                                                   "not supported")}


def _partials(site, wanted):
    refused = UNDIFFERENTIATED_OPERANDS.get(site.name)
    if refused and wanted[refused[0]]:
        site.fail(refused[1])
    x, y = site.inputs
    return BINARY_PARTIALS[site.name](x, y, site.outputs[0])


def _binary_jvp(site, tangents):
    tx, ty = tangents
    if site.name == "stablehlo.multiply":  # skip building the unused partial
        x, y = site.inputs
        return [add_maybe(None if tx is None else lax.mul(tx, y),
                          None if ty is None else lax.mul(x, ty))]
    dx, dy = _partials(site, [tx is not None, ty is not None])
    return [add_maybe(None if tx is None else lax.mul(tx, dx),
                      None if ty is None else lax.mul(ty, dy))]


def _binary_vjp(site, cts):
    (ct,) = cts
    if site.name == "stablehlo.multiply":
        x, y = site.inputs
        return [lax.mul(ct, y) if site.active[0] else None,
                lax.mul(x, ct) if site.active[1] else None]
    dx, dy = _partials(site, site.active)
    return [lax.mul(ct, dx) if site.active[0] else None,
            lax.mul(ct, dy) if site.active[1] else None]


for _name in BINARY_PARTIALS:
    jvp_rule(_name)(_binary_jvp)
    vjp_rule(_name)(_binary_vjp)


# -- linear elementwise ops ---------------------------------------------------------------
@jvp_rule("stablehlo.add")
def _add_jvp(site, tangents):
    return [add_maybe(*tangents)]


@vjp_rule("stablehlo.add")
def _add_vjp(site, cts):
    (ct,) = cts
    return [ct, ct]


@jvp_rule("stablehlo.subtract")
def _sub_jvp(site, tangents):
    tx, ty = tangents
    if ty is None:
        return [tx]
    return [lax.neg(ty) if tx is None else lax.sub(tx, ty)]


@vjp_rule("stablehlo.subtract")
def _sub_vjp(site, cts):
    (ct,) = cts
    return [ct, lax.neg(ct) if site.active[1] else None]


@jvp_rule("stablehlo.negate")
def _neg_jvp(site, tangents):
    return [lax.neg(tangents[0])]


@vjp_rule("stablehlo.negate")
def _neg_vjp(site, cts):
    return [lax.neg(cts[0])]


@jvp_rule("stablehlo.select")
def _select_jvp(site, tangents):
    pred, on_true, on_false = site.inputs
    _, tt, tf = tangents
    if tt is None and tf is None:
        return [None]
    return [lax.select(pred, tt if tt is not None else zeros_like(on_true),
                       tf if tf is not None else zeros_like(on_false))]


@vjp_rule("stablehlo.select")
def _select_vjp(site, cts):
    (ct,) = cts
    pred = site.inputs[0]
    zero = zeros_like(ct)
    return [None,
            lax.select(pred, ct, zero) if site.active[1] else None,
            lax.select(pred, zero, ct) if site.active[2] else None]


def _clamp_masks(site):
    lo, x, hi = site.inputs
    lo_b, hi_b = (lax.broadcast(b, x.shape) if b.ndim == 0 and x.ndim else b for b in (lo, hi))
    inside = lax.and_(lax.ge(x, lo_b), lax.le(x, hi_b))
    return lax.lt(x, lo_b), inside, lax.gt(x, hi_b), lo, hi


def _unbroadcast_scalar(t, like):
    return lax.reduce_sum(t, range(t.ndim)) if like.ndim == 0 and t.ndim else t


@jvp_rule("stablehlo.clamp")
def _clamp_jvp(site, tangents):
    below, inside, above, lo, hi = _clamp_masks(site)
    x = site.inputs[1]
    t_lo, t_x, t_hi = tangents
    out = None
    for mask, t, like in ((below, t_lo, lo), (inside, t_x, x), (above, t_hi, hi)):
        if t is not None:
            t = lax.broadcast(t, x.shape) if t.ndim == 0 and x.ndim else t
            out = add_maybe(out, lax.select(mask, t, zeros_like(x)))
    return [out]


@vjp_rule("stablehlo.clamp")
def _clamp_vjp(site, cts):
    (ct,) = cts
    below, inside, above, lo, hi = _clamp_masks(site)
    zero = zeros_like(ct)
    parts = []
    for mask, like, active in ((below, lo, site.active[0]), (inside, site.inputs[1], site.active[1]),
                               (above, hi, site.active[2])):
        parts.append(_unbroadcast_scalar(lax.select(mask, ct, zero), like) if active else None)
    return parts


@jvp_rule("stablehlo.convert")
def _convert_jvp(site, tangents):
    out = site.outputs[0]
    if not dtypes.is_inexact(site.inputs[0].dtype):
        return [None]
    return [_convert(tangents[0], out.dtype)]


@vjp_rule("stablehlo.convert")
def _convert_vjp(site, cts):
    x = site.inputs[0]
    if not dtypes.is_inexact(x.dtype):
        return [None]
    return [_convert(cts[0], x.dtype)]


def _convert(t, dtype):
    if dtypes.is_complex(t.dtype) and not dtypes.is_complex(dtype):
        t = lax.real(t)
    return lax.convert_element_type(t, dtype)


@jvp_rule("stablehlo.real")
def _real_jvp(site, tangents):
    return [lax.real(tangents[0])]


@vjp_rule("stablehlo.real")
def _real_vjp(site, cts):
    (ct,) = cts
    return [lax.complex(ct, lax.full_like(ct, 0))]


@jvp_rule("stablehlo.imag")
def _imag_jvp(site, tangents):
    return [lax.imag(tangents[0])]


@vjp_rule("stablehlo.imag")
def _imag_vjp(site, cts):
    (ct,) = cts
    return [lax.complex(lax.full_like(ct, 0), lax.neg(ct))]


@jvp_rule("stablehlo.complex")
def _complex_jvp(site, tangents):
    re, im = site.inputs
    tr, ti = tangents
    return [lax.complex(tr if tr is not None else zeros_like(re),
                        ti if ti is not None else zeros_like(im))]


@vjp_rule("stablehlo.complex")
def _complex_vjp(site, cts):
    (ct,) = cts
    return [lax.real(ct) if site.active[0] else None,
            lax.neg(lax.imag(ct)) if site.active[1] else None]
