"""Limited-memory BFGS (Nocedal & Wright, Algorithm 7.5): the inverse Hessian is never formed;
the search direction comes from the last `maxcor` steps and gradient changes by the two-loop
recursion (Algorithm 7.4)."""
from __future__ import annotations

from typing import NamedTuple

from hlox.frontend.control_flow import while_loop
from hlox.lowering.array import Array
from hlox.numerics.numpy import namespace as jnp
from hlox.numerics.scipy.optimize.line_search import line_search
from hlox.transforms.autodiff import value_and_grad

STATUS_MAX_ITERATIONS = 1
STATUS_MAX_FUNCTION_EVALUATIONS = 2
STATUS_MAX_GRADIENT_EVALUATIONS = 3
STATUS_INSUFFICIENT_PROGRESS = 4
STATUS_LINE_SEARCH_FAILED = 5


class LBFGSResults(NamedTuple):
    """The state of an L-BFGS run. `status`: 0 nominal, 1 max iterations, 2 max function
    evaluations, 3 max gradient evaluations, 4 insufficient progress (ftol), 5 line search
    failed. The histories hold the last `maxcor` steps `s`, gradient changes `y` and
    1 / <y, s>, newest last; `gamma` scales the initial inverse Hessian."""
    converged: Array
    failed: Array
    k: int | Array
    nfev: int | Array
    ngev: int | Array
    x_k: Array
    f_k: Array
    g_k: Array
    s_history: Array
    y_history: Array
    rho_history: Array
    gamma: float | Array
    status: int | Array
    ls_status: int | Array


def _real_dot(a, b):
    return jnp.real(jnp.vdot(a, b))


def _two_loop_recursion(state: LBFGSResults):
    """The inverse-Hessian estimate times the gradient. Empty history slots have rho = 0 and
    drop out."""
    q = state.g_k
    alphas = []
    for i in reversed(range(state.s_history.shape[0])):
        alpha = state.rho_history[i] * _real_dot(state.s_history[i], q)
        q = q - alpha * state.y_history[i]
        alphas.append(alpha)
    r = state.gamma * q
    for i, alpha in zip(range(state.s_history.shape[0]), reversed(alphas)):
        beta = state.rho_history[i] * _real_dot(state.y_history[i], r)
        r = r + state.s_history[i] * (alpha - beta)
    return r


def _update_history_vectors(history, new):
    """Drop the oldest row, append `new` as the newest."""
    return jnp.concatenate([history[1:], new[None]], axis=0)


def _update_history_scalars(history, new):
    return jnp.concatenate([history[1:], jnp.asarray(new, history.dtype)[None]])


def _stop_reason(state, searched, ftol, maxiter, maxfun, maxgrad):
    status = jnp.asarray(0)
    for condition, code in ((state.k >= maxiter, STATUS_MAX_ITERATIONS),
                            (state.nfev + searched.nfev >= maxfun, STATUS_MAX_FUNCTION_EVALUATIONS),
                            (state.ngev + searched.ngev >= maxgrad, STATUS_MAX_GRADIENT_EVALUATIONS),
                            (state.f_k - searched.f_k < ftol, STATUS_INSUFFICIENT_PROGRESS),
                            (searched.failed, STATUS_LINE_SEARCH_FAILED)):
        status = jnp.where(condition, code, status)
    return status


def _minimize_lbfgs(fun, x0, maxiter=None, norm=jnp.inf, maxcor=10, ftol=2.220446049250313e-09,
                    gtol=1e-05, maxfun=None, maxgrad=None, maxls=20):
    """Minimise `fun` from `x0` with L-BFGS keeping `maxcor` corrections, until the `norm` of
    the gradient is below `gtol`, the decrease of one step is below `ftol`, or a budget
    (`maxiter`, `maxfun`, `maxgrad`: unbounded when None) runs out."""
    maxiter = jnp.inf if maxiter is None else maxiter
    maxfun = jnp.inf if maxfun is None else maxfun
    maxgrad = jnp.inf if maxgrad is None else maxgrad
    x0 = jnp.asarray(x0)
    d, dtype = x0.shape[0], x0.dtype
    real_dtype = jnp.real(x0).dtype
    f_0, g_0 = value_and_grad(fun)(x0)
    init = LBFGSResults(
        converged=jnp.linalg.norm(g_0, ord=norm) < gtol, failed=jnp.asarray(False),
        k=jnp.asarray(0), nfev=jnp.asarray(1), ngev=jnp.asarray(1),
        x_k=x0, f_k=f_0, g_k=g_0,
        s_history=jnp.zeros((maxcor, d), dtype), y_history=jnp.zeros((maxcor, d), dtype),
        rho_history=jnp.zeros((maxcor,), real_dtype), gamma=jnp.ones((), real_dtype),
        status=jnp.asarray(0), ls_status=jnp.asarray(0))

    def keep_going(state):
        return ~state.converged & ~state.failed

    def step(state):
        direction = -_two_loop_recursion(state)
        searched = line_search(fun, state.x_k, direction, old_fval=state.f_k, gfk=state.g_k,
                               maxiter=maxls)
        s = searched.a_k.astype(dtype) * direction
        y = searched.g_k - state.g_k
        curvature = _real_dot(y, s)
        status = _stop_reason(state, searched, ftol, maxiter, maxfun, maxgrad)
        converged = jnp.linalg.norm(searched.g_k, ord=norm) < gtol
        return LBFGSResults(
            converged=converged, failed=(status > 0) & ~converged, k=state.k + 1,
            nfev=state.nfev + searched.nfev, ngev=state.ngev + searched.ngev,
            x_k=state.x_k + s, f_k=searched.f_k, g_k=searched.g_k,
            s_history=_update_history_vectors(state.s_history, s),
            y_history=_update_history_vectors(state.y_history, y),
            rho_history=_update_history_scalars(state.rho_history, jnp.reciprocal(curvature)),
            gamma=(curvature / _real_dot(y, y)).astype(real_dtype),
            status=status, ls_status=searched.status)

    return while_loop(keep_going, step, init)
