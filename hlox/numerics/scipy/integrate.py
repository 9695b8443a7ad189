# Copyright 2023 The JAX Authors. Licensed under the Apache License, Version 2.0.
# Ported from jax/_src/scipy/integrate.py (JAX 0.10.2) onto hlox.
"""`hlox.numerics.scipy.integrate`, as jax.scipy.integrate."""
from __future__ import annotations

from hlox.frontend.jit import jit
from hlox.lowering.array import Array
from hlox.numerics.numpy import namespace as lax_numpy

ArrayLike = Array

__all__ = ["trapezoid"]


@jit(static_argnames=('axis',))
def trapezoid(y: ArrayLike, x: ArrayLike | None = None, dx: ArrayLike = 1.0,
              axis: int = -1) -> Array:
  """Integrate along the given axis using the composite trapezoidal rule."""
  return lax_numpy.trapezoid(y, x, dx, axis)
