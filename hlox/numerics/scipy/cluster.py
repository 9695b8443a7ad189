# Copyright 2022 The JAX Authors. Licensed under the Apache License, Version 2.0.
# Ported from jax/_src/scipy/cluster/vq.py (JAX 0.10.2) onto hlox.
"""`hlox.numerics.scipy.cluster`, as jax.scipy.cluster.vq."""
from __future__ import annotations

import operator

from hlox.lowering.array import Array
from hlox.numerics.numpy import linalg as jnp_linalg
from hlox.numerics.numpy import namespace as jnp
from hlox.numerics.numpy._util import check_arraylike, promote_dtypes_inexact
from hlox.transforms.vmap import vmap

ArrayLike = Array

__all__ = ["vq"]


def vq(obs: ArrayLike, code_book: ArrayLike, check_finite: bool = True) -> tuple[Array, Array]:
  """Assign codes from a code book to a set of observations."""
  del check_finite  # unused
  check_arraylike("scipy.cluster.vq.vq", obs, code_book)
  obs_arr, cb_arr = promote_dtypes_inexact(obs, code_book)
  if obs_arr.ndim != cb_arr.ndim:
      raise ValueError("Observation and code_book should have the same rank")
  if obs_arr.ndim == 1:
      obs_arr, cb_arr = obs_arr[..., None], cb_arr[..., None]
  if obs_arr.ndim != 2:
      raise ValueError("ndim different than 1 or 2 are not supported")
  dist = vmap(lambda ob: jnp_linalg.norm(ob[None] - cb_arr, axis=-1))(obs_arr)
  code = jnp.argmin(dist, axis=-1)
  dist_min = vmap(operator.getitem)(dist, code)
  return code, dist_min
