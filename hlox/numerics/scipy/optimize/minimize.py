"""scipy.optimize.minimize for the methods hlox has: "BFGS" and
"l-bfgs-experimental-do-not-rely-on-this", and the `OptimizeResults` they return."""
from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any, NamedTuple

from hlox.lowering.array import Array
from hlox.numerics.scipy.optimize.bfgs import minimize_bfgs
from hlox.numerics.scipy.optimize.lbfgs import _minimize_lbfgs

__all__ = ["OptimizeResults", "minimize"]


class OptimizeResults(NamedTuple):
    """Object holding optimization results.

    Parameters:
      x: final solution.
      success: ``True`` if optimization succeeded.
      status: integer solver specific return code. 0 means converged (nominal),
        1=max BFGS iters reached, 3=zoom failed, 4=saddle point reached,
        5=max line search iters reached, -1=undefined
      fun: final function value.
      jac: final jacobian array.
      hess_inv: final inverse Hessian estimate.
      nfev: integer number of function calls used.
      njev: integer number of gradient evaluations.
      nit: integer number of iterations of the optimization algorithm.
    """
    x: Array
    success: bool | Array
    status: int | Array
    fun: Array
    jac: Array
    hess_inv: Array | None
    nfev: int | Array
    njev: int | Array
    nit: int | Array


def minimize(fun: Callable, x0: Array, args: tuple = (), *, method: str, tol: float | None = None,
             options: Mapping[str, Any] | None = None) -> OptimizeResults:
    """Minimization of scalar function of one or more variables, as
    :func:`scipy.optimize.minimize`: ``fun(x, *args)`` is differentiated automatically, and
    ``method`` (required) is ``"BFGS"`` or ``"l-bfgs-experimental-do-not-rely-on-this"``.
    ``tol`` sets the gradient tolerance; ``options`` are the solver's keyword arguments
    (``maxiter``, ``norm``, ``gtol``, ...)."""
    options = dict(options or {})
    if tol is not None:
        options.setdefault("gtol", tol)

    def objective(x):
        return fun(x, *args)

    name = method.lower()
    if name == "bfgs":
        state = minimize_bfgs(objective, x0, **options)
        hess_inv = state.H_k
    elif name == "l-bfgs-experimental-do-not-rely-on-this":
        state = _minimize_lbfgs(objective, x0, **options)
        hess_inv = None
    else:
        raise ValueError(f"Method {method} not recognized")
    return OptimizeResults(x=state.x_k, success=state.converged & ~state.failed,
                           status=state.status, fun=state.f_k, jac=state.g_k, hess_inv=hess_inv,
                           nfev=state.nfev, njev=state.ngev, nit=state.k)
