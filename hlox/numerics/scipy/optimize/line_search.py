"""A line search for the strong Wolfe conditions (Nocedal & Wright, Algorithms 3.5 and 3.6),
with SciPy's choice of trial steps inside the bracket: the minimiser of a cubic, else of a
quadratic, else the midpoint. It runs as one `while_loop`, so it works under jit and vmap.

`line_search` returns `_LineSearchResults`; its status is 0 on success, 1 when the zoom
failed (its bracket shrank to nothing or it ran out of steps) and 3 when the bracketing phase
ran out of steps."""
from __future__ import annotations

from typing import NamedTuple

from hlox.frontend.control_flow import while_loop
from hlox.lowering.array import Array
from hlox.numerics.numpy import namespace as jnp
from hlox.transforms.autodiff import value_and_grad

_ZOOM_MAX_STEPS = 30
_CUBIC_MARGIN = 0.2  # a cubic step must stay this fraction of the bracket away from its ends
_QUADRATIC_MARGIN = 0.1

STATUS_ZOOM_FAILED = 1
STATUS_MAX_ITERATIONS = 3


class _LineSearchResults(NamedTuple):
    """Outcome of a line search: the accepted step `a_k`, the function's value `f_k` and
    gradient `g_k` there, and how much work it took."""
    failed: bool | Array
    nit: int | Array
    nfev: int | Array
    ngev: int | Array
    k: int | Array
    a_k: int | Array
    f_k: Array
    g_k: Array
    status: bool | Array


class _SearchState(NamedTuple):
    done: Array
    failed: Array
    zooming: Array
    i: Array  # trial steps taken while bracketing
    j: Array  # trial steps taken while zooming
    a_next: Array  # the next bracketing step
    a_prev: Array  # the previous bracketing step and phi, phi' there
    phi_prev: Array
    dphi_prev: Array
    a_lo: Array  # the zoom's bracket: lo has the smaller phi and satisfies sufficient decrease
    phi_lo: Array
    dphi_lo: Array
    a_hi: Array
    phi_hi: Array
    a_rec: Array  # the point the bracket end dropped last, for the cubic
    phi_rec: Array
    a_star: Array
    phi_star: Array
    dphi_star: Array
    g_star: Array
    nfev: Array
    ngev: Array


def _cubic_minimiser(a, fa, fpa, b, fb, c, fc):
    """The minimiser of the cubic through (a, fa) with slope fpa there, (b, fb) and (c, fc);
    NaN where there is none."""
    db, dc = b - a, c - a
    denom = (db * dc) ** 2 * (db - dc)
    rb, rc = fb - fa - fpa * db, fc - fa - fpa * dc
    cubic = (dc ** 2 * rb - db ** 2 * rc) / denom
    square = (-dc ** 3 * rb + db ** 3 * rc) / denom
    radical = square * square - 3 * cubic * fpa
    return a + (-square + jnp.sqrt(radical)) / (3 * cubic)


def _quadratic_minimiser(a, fa, fpa, b, fb):
    """The minimiser of the quadratic through (a, fa) with slope fpa there and (b, fb)."""
    db = b - a
    curvature = (fb - fa - fpa * db) / (db * db)
    return a - fpa / (2 * curvature)


def _inside(x, lo, hi, margin):
    return (x > lo + margin) & (x < hi - margin)


def _zoom_trial(s: _SearchState):
    width = s.a_hi - s.a_lo
    lo, hi = jnp.minimum(s.a_lo, s.a_hi), jnp.maximum(s.a_lo, s.a_hi)
    cubic = _cubic_minimiser(s.a_lo, s.phi_lo, s.dphi_lo, s.a_hi, s.phi_hi, s.a_rec, s.phi_rec)
    quadratic = _quadratic_minimiser(s.a_lo, s.phi_lo, s.dphi_lo, s.a_hi, s.phi_hi)
    use_cubic = (s.j > 0) & _inside(cubic, lo, hi, _CUBIC_MARGIN * jnp.abs(width))
    use_quadratic = _inside(quadratic, lo, hi, _QUADRATIC_MARGIN * jnp.abs(width))
    midpoint = s.a_lo + 0.5 * width
    return jnp.where(use_cubic, cubic, jnp.where(use_quadratic, quadratic, midpoint))


def _select(pred, new: _SearchState, old: _SearchState) -> _SearchState:
    return _SearchState(*(jnp.where(pred, n, o) for n, o in zip(new, old)))


def _accept(s: _SearchState, a, phi, dphi, g) -> _SearchState:
    return s._replace(done=jnp.asarray(True), a_star=a, phi_star=phi, dphi_star=dphi, g_star=g)


def _start_zoom(s: _SearchState, phi_0, lo, hi) -> _SearchState:
    (a_lo, phi_lo, dphi_lo), (a_hi, phi_hi) = lo, hi
    return s._replace(zooming=jnp.asarray(True), a_lo=a_lo, phi_lo=phi_lo, dphi_lo=dphi_lo,
                      a_hi=a_hi, phi_hi=phi_hi, a_rec=jnp.zeros_like(a_lo), phi_rec=phi_0,
                      a_star=a_hi)


def _bracket_step(s: _SearchState, a, phi, dphi, g, phi_0, dphi_0, c1, c2) -> _SearchState:
    """Algorithm 3.5: accept `a`, or bracket a step that satisfies the Wolfe conditions, or
    double the step."""
    too_high = (phi > phi_0 + c1 * a * dphi_0) | ((phi >= s.phi_prev) & (s.i > 0))
    flat_enough = jnp.abs(dphi) <= -c2 * dphi_0
    rising = dphi >= 0
    advanced = s._replace(i=s.i + 1, a_prev=a, phi_prev=phi, dphi_prev=dphi, a_next=2 * a)
    previous, current = (s.a_prev, s.phi_prev, s.dphi_prev), (a, phi, dphi)
    out = _select(rising, _start_zoom(advanced, phi_0, current, previous[:2]), advanced)
    out = _select(flat_enough, _accept(advanced, a, phi, dphi, g), out)
    return _select(too_high, _start_zoom(advanced, phi_0, previous, current[:2]), out)


def _zoom_step(s: _SearchState, a, phi, dphi, g, phi_0, dphi_0, c1, c2) -> _SearchState:
    """Algorithm 3.6: shrink the bracket [a_lo, a_hi] around `a`, or accept `a`."""
    s = s._replace(j=s.j + 1)
    too_high = (phi > phi_0 + c1 * a * dphi_0) | (phi >= s.phi_lo)
    new_hi = s._replace(a_rec=s.a_hi, phi_rec=s.phi_hi, a_hi=a, phi_hi=phi)
    flat_enough = jnp.abs(dphi) <= -c2 * dphi_0
    flip = dphi * (s.a_hi - s.a_lo) >= 0
    flipped = s._replace(a_rec=s.a_hi, phi_rec=s.phi_hi, a_hi=s.a_lo, phi_hi=s.phi_lo)
    kept = s._replace(a_rec=s.a_lo, phi_rec=s.phi_lo)
    new_lo = _select(flip, flipped, kept)._replace(a_lo=a, phi_lo=phi, dphi_lo=dphi)
    out = _select(flat_enough, _accept(s, a, phi, dphi, g), new_lo)
    out = _select(too_high, new_hi, out)
    return out._replace(failed=out.failed | (~out.done & (out.j >= _ZOOM_MAX_STEPS)))


def _collapse_threshold(dtype):
    return 1e-5 if jnp.finfo(dtype).bits < 64 else 1e-10


def _initial_step(phi_0, old_phi_0, dphi_0):
    """SciPy's first trial step: the one a quadratic model predicts from the last decrease."""
    if old_phi_0 is None:
        return jnp.ones_like(phi_0)
    guess = jnp.minimum(1.0, 1.01 * 2 * (phi_0 - old_phi_0) / dphi_0)
    return jnp.where((dphi_0 != 0) & (guess > 0), guess, 1.0).astype(phi_0.dtype)


def line_search(f, xk, pk, old_fval=None, old_old_fval=None, gfk=None, c1=1e-4, c2=0.9,
                maxiter=20):
    """Find a step `a` along `pk` from `xk` at which `f` satisfies the strong Wolfe conditions
    (sufficient decrease with `c1`, curvature with `c2`)."""
    xk, pk = jnp.asarray(xk), jnp.asarray(pk)

    def phi_and_grad(a):
        value, grad = value_and_grad(f)(xk + a.astype(xk.dtype) * pk)
        return value, jnp.real(jnp.dot(grad, pk)), grad

    extra_evaluations = 0
    if old_fval is None or gfk is None:
        phi_0, _, gfk = phi_and_grad(jnp.zeros((), jnp.real(xk).dtype))
        extra_evaluations = 1
    else:
        phi_0 = jnp.asarray(old_fval)
    dphi_0 = jnp.real(jnp.dot(gfk, pk))
    zero = jnp.zeros_like(phi_0)
    count = jnp.asarray(extra_evaluations)
    init = _SearchState(
        done=jnp.asarray(False), failed=jnp.asarray(False), zooming=jnp.asarray(False),
        i=jnp.asarray(0), j=jnp.asarray(0),
        a_next=_initial_step(phi_0, old_old_fval, dphi_0),
        a_prev=zero, phi_prev=phi_0, dphi_prev=dphi_0,
        a_lo=zero, phi_lo=phi_0, dphi_lo=dphi_0, a_hi=zero, phi_hi=phi_0,
        a_rec=zero, phi_rec=phi_0,
        a_star=zero, phi_star=phi_0, dphi_star=dphi_0, g_star=jnp.asarray(gfk),
        nfev=count, ngev=count)
    threshold = _collapse_threshold(phi_0.dtype)

    def keep_going(s):
        return ~s.done & ~s.failed & (s.zooming | (s.i < maxiter))

    def step(s):
        # As JAX's: the zoom fails once a_hi - a_lo (signed) is below the threshold, which
        # includes every bracket whose ends are in decreasing order; the step still happens.
        collapsed = s.zooming & ((s.a_hi - s.a_lo) <= threshold)
        a = jnp.where(s.zooming, _zoom_trial(s), s.a_next)
        phi, dphi, g = phi_and_grad(a)
        args = (a, phi, dphi, g, phi_0, dphi_0, c1, c2)
        out = _select(s.zooming, _zoom_step(s, *args), _bracket_step(s, *args))
        return out._replace(failed=out.failed | collapsed, nfev=s.nfev + 1, ngev=s.ngev + 1)

    s = while_loop(keep_going, step, init)
    failed = s.failed | ~s.done
    status = jnp.where(s.failed, STATUS_ZOOM_FAILED,
                       jnp.where(~s.done, STATUS_MAX_ITERATIONS, 0))
    return _LineSearchResults(failed=failed, nit=s.i, nfev=s.nfev, ngev=s.ngev, k=s.i,
                              a_k=s.a_star, f_k=s.phi_star, g_k=s.g_star, status=status)
