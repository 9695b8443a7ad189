"""`jax.version` under `hlox.install_as_jax()`: the JAX version whose API hlox implements."""
from __future__ import annotations

from hlox.as_jax import JAX_VERSION

__version__ = _version = JAX_VERSION
__version_info__ = tuple(int(part) for part in JAX_VERSION.split("."))
