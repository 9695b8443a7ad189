"""Process-wide configuration, JAX's flag names: `hlox.config.update("jax_enable_x64", True)`."""
from __future__ import annotations

import contextlib
import os
import threading

_FLAGS = {
    "jax_enable_x64": os.environ.get("JAX_ENABLE_X64", "0").lower() in ("1", "true"),
    "jax_platforms": os.environ.get("JAX_PLATFORMS", ""),
    "jax_default_matmul_precision": None,
    "jax_numpy_rank_promotion": "allow",
    "jax_disable_jit": False,
    "jax_default_device": None,
    "jax_num_cpu_devices": int(os.environ.get("JAX_NUM_CPU_DEVICES", "-1")),
}
_listeners = []


class _Config:
    def update(self, name, value):
        if name not in _FLAGS:
            raise AttributeError(f"unrecognized config option {name!r}; known: {sorted(_FLAGS)}")
        _FLAGS[name] = value
        for listener in _listeners:
            listener(name, value)

    def read(self, name):
        return _FLAGS[name]

    def __getattr__(self, name):
        if name in _FLAGS:
            return _FLAGS[name]
        raise AttributeError(name)


config = _Config()


_thread_policy = threading.local()


def x64_enabled() -> bool:
    """Whether this thread's tracing keeps 64-bit dtypes: the user's flag, unless a pass on this
    thread has set its own dtype policy (see `dtype_policy`)."""
    keep_64 = getattr(_thread_policy, "keep_64", None)
    return _FLAGS["jax_enable_x64"] if keep_64 is None else keep_64


@contextlib.contextmanager
def dtype_policy(keep_64: bool):
    """Within this thread only, trace as if x64 were `keep_64`: a pass emits the dtypes of the IR
    it reads, whatever the user's setting, without touching the process-wide flag."""
    old = getattr(_thread_policy, "keep_64", None)
    _thread_policy.keep_64 = keep_64
    try:
        yield
    finally:
        _thread_policy.keep_64 = old


class _Flag:
    """`with config.flag("jax_enable_x64", True): ...` sets a flag for a block."""

    def __init__(self, name, value):
        self.name, self.value = name, value

    def __enter__(self):
        self.old = _FLAGS[self.name]
        if self.old != self.value:
            config.update(self.name, self.value)

    def __exit__(self, *exc):
        if _FLAGS[self.name] != self.old:
            config.update(self.name, self.old)


def flag(name, value):
    return _Flag(name, value)


def on_update(listener):
    """Call `listener(name, value)` whenever a flag changes (the runtime mirrors x64 into jaxlib)."""
    _listeners.append(listener)
    return listener


update = config.update
read = config.read


def __getattr__(name):
    if name in _FLAGS:
        return _FLAGS[name]
    raise AttributeError(f"module 'hlox.config' has no attribute {name!r}")
