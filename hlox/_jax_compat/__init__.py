"""The module that is `jax` under `hlox.install_as_jax()`.

It is not `hlox` itself, so that `jax.__version__` can report the JAX API hlox implements
while `hlox.__version__` stays hlox's own; every other attribute is hlox's (`jax.jit is
hlox.jit`, `jax.numpy is hlox.numpy`). Its subpackage `_src` holds the private JAX modules
that libraries import (`jax._src.traceback_util`, ...): small adapters over hlox, kept
here so that hlox's own modules never carry JAX's private names.
"""
from __future__ import annotations

import hlox as _hlox
from hlox._jax_compat import _src, version  # noqa: F401  (jax._src, jax.version)
from hlox.as_jax import JAX_VERSION as _JAX_VERSION

__version__ = _JAX_VERSION
__version_info__ = tuple(int(part) for part in _JAX_VERSION.split("."))


def __getattr__(name):
    try:
        return getattr(_hlox, name)
    except AttributeError:
        raise AttributeError(f"module 'jax' has no attribute {name!r}") from None


def __dir__():
    return sorted(set(globals()) | set(dir(_hlox)) - {"install_as_jax"})
