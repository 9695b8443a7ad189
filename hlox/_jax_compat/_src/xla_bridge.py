"""`jax._src.xla_bridge`: the backends (PJRT clients) of the process, as hlox's runtime holds
them. `_backends` is the dict of those started so far (chex reads it to tell whether the CPU
device count can still change)."""
from __future__ import annotations

from hlox._jax_compat._src._names import missing_names
from hlox.lowering import runtime

_missing = missing_names("jax._src.xla_bridge")


def __getattr__(name):
    if name == "_backends":
        return dict(runtime._clients)  # the live set, read anew each time
    return _missing(name)


def get_backend(platform=None):
    """The PJRT client of `platform` (default: the default backend), started if need be."""
    return runtime.get_client(getattr(platform, "platform", platform))


def backends():
    """The started backends by platform (the default one started first)."""
    runtime.get_client()
    return dict(runtime._clients)


def default_backend() -> str:
    return runtime.default_backend()


def devices(backend=None):
    return runtime.devices(backend)
