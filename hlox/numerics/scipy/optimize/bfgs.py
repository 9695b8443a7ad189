"""BFGS (Nocedal & Wright, Algorithm 6.1): a quasi-Newton method that keeps a dense estimate
of the inverse Hessian and steps along it with a strong-Wolfe line search."""
from __future__ import annotations

from typing import NamedTuple

from hlox.frontend.control_flow import while_loop
from hlox.lowering.array import Array
from hlox.numerics.numpy import namespace as jnp
from hlox.numerics.scipy.optimize.line_search import line_search
from hlox.transforms.autodiff import value_and_grad


class _BFGSResults(NamedTuple):
    """The state of a BFGS run; after it, `status` is 0 when converged, 1 when it ran out of
    iterations, 2 + the line search's status when that failed, and -1 otherwise."""
    converged: bool | Array
    failed: bool | Array
    k: int | Array
    nfev: int | Array
    ngev: int | Array
    nhev: int | Array
    x_k: Array
    f_k: Array
    g_k: Array
    H_k: Array
    old_old_fval: Array
    status: int | Array
    line_search_status: int | Array


def _updated_inverse_hessian(H, s, y):
    """The BFGS update H+ = (I - rho s y^T) H (I - rho y s^T) + rho s s^T, rho = 1 / y^T s;
    H itself where the curvature y^T s vanishes."""
    rho = jnp.reciprocal(jnp.real(jnp.dot(y, s)))
    w = jnp.eye(s.shape[0], dtype=H.dtype) - rho * jnp.outer(s, y)
    updated = w @ H @ w.T + rho * jnp.outer(s, s)
    return jnp.where(jnp.isfinite(rho), updated, H)


def minimize_bfgs(fun, x0, maxiter=None, norm=jnp.inf, gtol=1e-5, line_search_maxiter=10):
    """Minimise `fun` from `x0` with BFGS until the `norm` of the gradient is below `gtol`.
    `maxiter` defaults to 200 times the number of variables."""
    x0 = jnp.asarray(x0)
    if maxiter is None:
        maxiter = x0.size * 200
    f_0, g_0 = value_and_grad(fun)(x0)
    init = _BFGSResults(
        converged=jnp.linalg.norm(g_0, ord=norm) < gtol, failed=jnp.asarray(False),
        k=jnp.asarray(0), nfev=jnp.asarray(1), ngev=jnp.asarray(1), nhev=jnp.asarray(0),
        x_k=x0, f_k=f_0, g_k=g_0, H_k=jnp.eye(x0.shape[0], dtype=x0.dtype),
        old_old_fval=f_0 + jnp.linalg.norm(g_0) / 2,
        status=jnp.asarray(0), line_search_status=jnp.asarray(0))

    def keep_going(state):
        return ~state.converged & ~state.failed & (state.k < maxiter)

    def step(state):
        direction = -(state.H_k @ state.g_k)
        searched = line_search(fun, state.x_k, direction, old_fval=state.f_k,
                               old_old_fval=state.old_old_fval, gfk=state.g_k,
                               maxiter=line_search_maxiter)
        s = searched.a_k.astype(direction.dtype) * direction
        return state._replace(
            converged=jnp.linalg.norm(searched.g_k, ord=norm) < gtol,
            failed=searched.failed, k=state.k + 1,
            nfev=state.nfev + searched.nfev, ngev=state.ngev + searched.ngev,
            x_k=state.x_k + s, f_k=searched.f_k, g_k=searched.g_k,
            H_k=_updated_inverse_hessian(state.H_k, s, searched.g_k - state.g_k),
            old_old_fval=state.f_k, line_search_status=searched.status)

    state = while_loop(keep_going, step, init)
    status = jnp.where(state.converged, 0,
                       jnp.where(state.k == maxiter, 1,
                                 jnp.where(state.failed, 2 + state.line_search_status, -1)))
    return state._replace(status=status)
