# Copyright 2020 The JAX Authors. Licensed under the Apache License, Version 2.0.
# Ported from jax/_src/scipy/optimize/minimize.py (JAX 0.10.2) onto hlox.
"""scipy.optimize's minimize, as JAX's."""
from __future__ import annotations

from collections.abc import Callable, Mapping
from functools import partial
from typing import Any, NamedTuple

import numpy as np

from hlox.frontend import dtypes, lax
from hlox.lowering.array import Array
from hlox.numerics.numpy import linalg as jnp_linalg
from hlox.numerics.numpy import namespace as jnp
from hlox.numerics.numpy._util import promote_dtypes_inexact
from hlox.transforms.autodiff import value_and_grad
from hlox.numerics.scipy.optimize.bfgs import minimize_bfgs
from hlox.numerics.scipy.optimize.lbfgs import _minimize_lbfgs

__all__ = ["OptimizeResults", "minimize"]


class OptimizeResults(NamedTuple):
  """Object holding optimization results."""
  x: Array
  success: bool | Array
  status: int | Array
  fun: Array
  jac: Array
  hess_inv: Array | None
  nfev: int | Array
  njev: int | Array
  nit: int | Array


def minimize(
    fun: Callable,
    x0: Array,
    args: tuple = (),
    *,
    method: str,
    tol: float | None = None,
    options: Mapping[str, Any] | None = None,
) -> OptimizeResults:
  """Minimization of scalar function of one or more variables."""
  if options is None:
    options = {}

  if not isinstance(args, tuple):
    msg = "args argument to jax.scipy.optimize.minimize must be a tuple, got {}"
    raise TypeError(msg.format(args))

  fun_with_args = lambda x: fun(x, *args)

  if method.lower() == 'bfgs':
    results = minimize_bfgs(fun_with_args, x0, **options)
    success = results.converged & jnp.logical_not(results.failed)
    return OptimizeResults(x=results.x_k,
                           success=success,
                           status=results.status,
                           fun=results.f_k,
                           jac=results.g_k,
                           hess_inv=results.H_k,
                           nfev=results.nfev,
                           njev=results.ngev,
                           nit=results.k)

  if method.lower() == 'l-bfgs-experimental-do-not-rely-on-this':
    results = _minimize_lbfgs(fun_with_args, x0, **options)
    success = results.converged & jnp.logical_not(results.failed)
    return OptimizeResults(x=results.x_k,
                           success=success,
                           status=results.status,
                           fun=results.f_k,
                           jac=results.g_k,
                           hess_inv=None,
                           nfev=results.nfev,
                           njev=results.ngev,
                           nit=results.k)

  raise ValueError(f"Method {method} not recognized")
