# Copyright 2020 The JAX Authors. Licensed under the Apache License, Version 2.0.
# Ported from jax/_src/third_party/scipy/signal_helper.py (JAX 0.10.2) onto hlox; that file
# is itself derived from SciPy (BSD-3-Clause).
"""Window triage and the median bias of scipy.signal's spectral estimates (for signal.py)."""
from __future__ import annotations

from typing import Any
import warnings

import numpy as np

from hlox.lowering.array import Array
from hlox.numerics.numpy import namespace as jnp

ArrayLike = DTypeLike = Any


def _triage_segments(window: ArrayLike | str | tuple[Any, ...], nperseg: int | None,
                     input_length: int, dtype: DTypeLike) -> tuple[Array, int]:
  """Parses window and nperseg arguments for spectrogram and _spectral_helper."""
  if isinstance(window, (str, tuple)):
    nperseg_int = input_length if nperseg is None else int(nperseg)
    if nperseg_int > input_length:
      warnings.warn(f'nperseg={nperseg_int} is greater than {input_length=},'
                    f' using nperseg={input_length}')
      nperseg_int = input_length
    if window == 'hann':
      # Implement the default case without scipy
      win = jnp.array([1.0]) if nperseg_int == 1 else jnp.sin(jnp.linspace(0, np.pi, nperseg_int, endpoint=False)) ** 2
    else:
      # TODO(jakevdp): implement get_window() in JAX to remove optional scipy dependency
      try:
        from scipy.signal import get_window  # pyrefly: ignore[missing-import]
      except ImportError as err:
        raise ImportError(f"scipy must be available to use {window=}") from err
      win = get_window(window, nperseg_int)
    win = jnp.array(win, dtype=dtype)
  else:
    win = jnp.asarray(window, dtype=dtype)
    nperseg_int = win.size if nperseg is None else int(nperseg)
    if win.ndim != 1:
      raise ValueError('window must be 1-D')
    if input_length < win.size:
      raise ValueError('window is longer than input signal')
    if nperseg_int != win.size:
      raise ValueError("value specified for nperseg is different from length of window")
  return win, nperseg_int


def _median_bias(n: int) -> Array:
  """Returns the bias of the median of a set of periodograms relative to"""
  ii_2 = jnp.arange(2., n, 2)
  return 1 + jnp.sum(1. / (ii_2 + 1) - 1. / ii_2)
