"""PJRT clients, devices, shardings and host<->device transfer.

The only module that talks to jaxlib's `_jax`/`xla_client`; jaxlib's Python
surface is internal and moves between releases, so it stays behind these calls.
"""
from __future__ import annotations

import os
import threading

import numpy as np
from jaxlib import _jax, utils, xla_client
from jaxlib._jax import jax_jit

from hlox import config
from hlox.lowering.sharding import SingleDeviceSharding

# PJRT logs INFO lines on stderr when a client starts; JAX shows none, so neither do we
# (TF_CPP_MIN_LOG_LEVEL, when set, decides instead).
if "TF_CPP_MIN_LOG_LEVEL" not in os.environ:
    utils.absl_set_min_log_level(1)

# jaxlib's device_put consults a process-wide x64 flag object; keep it alive and in sync.
_x64_flag = _jax.config.Config("hlox_enable_x64", config.x64_enabled(),
                               include_in_jit_key=True, include_in_trace_context=True)
jax_jit.set_enable_x64_state(_x64_flag)


@config.on_update
def _on_config_update(name, value):
    if name == "jax_enable_x64":
        _x64_flag.set_global(bool(value))
    if name in _created_with and value is not None and value != _created_with[name]:
        raise RuntimeError(f"{name} config should be updated before backends are initialized "
                           "i.e. before any JAX operation is executed. You should initialize "
                           "this config immediately after `import jax`.")


# options the CPU client is created with (JAX refuses them once its backends exist)
_FIXED_ONCE_BACKENDS_EXIST = ("jax_num_cpu_devices", "jax_cpu_get_global_topology_timeout_minutes",
                              "jax_cpu_get_local_topology_timeout_minutes")


_created_with: dict = {}  # those options' values when the CPU client was made
_lock = threading.Lock()
_clients: dict[str, object] = {}
_PLATFORM_ALIASES = {"gpu": "cuda"}


def _make_client(platform: str):
    if platform == "cpu":
        wanted = config.jax_num_cpu_devices  # else XLA_FLAGS' device count, else 1
        return xla_client.make_cpu_client(num_devices=wanted) if wanted > 0 \
            else xla_client.make_cpu_client()
    if platform in ("cuda", "rocm", "tpu"):
        return _make_plugin_client(platform)
    raise RuntimeError(f"unknown platform {platform!r}; expected cpu, cuda, rocm or tpu")


def _make_plugin_client(platform: str):
    try:
        if not xla_client.pjrt_plugin_loaded(platform):
            import importlib
            plugin = {"cuda": ("jax_plugins.xla_cuda13", "jax_plugins.xla_cuda12"),
                      "rocm": ("jax_plugins.xla_rocm7",), "tpu": ("libtpu",)}[platform]
            for mod in plugin:
                try:
                    m = importlib.import_module(mod)
                except ImportError:
                    continue
                path = m._get_library_path() if hasattr(m, "_get_library_path") else m.get_library_path()
                xla_client.load_pjrt_plugin_dynamically(platform, str(path))
                break
            else:
                raise RuntimeError(f"Unknown backend: {platform!r} requested, but no PJRT plugin for "
                                   f"{platform} is installed (JAX's words: no platforms that are "
                                   f"instances of {platform} are present)")
        xla_client.initialize_pjrt_plugin(platform)
        return xla_client.make_c_api_client(platform)
    except Exception as e:  # jaxlib raises many types here; one clear message instead
        raise RuntimeError(f"could not start the {platform} backend: {e}") from e


def get_client(platform: str | None = None):
    """The process-wide PJRT client for `platform` (default: JAX_PLATFORMS or cpu)."""
    if platform is None:
        platform = default_platform()
    platform = _PLATFORM_ALIASES.get(platform, platform)
    client = _clients.get(platform)
    if client is None:
        with _lock:
            client = _clients.get(platform)
            if client is None:
                client = _clients[platform] = _make_client(platform)
                if platform == "cpu":
                    _created_with.update((n, getattr(config, n)) for n in _FIXED_ONCE_BACKENDS_EXIST)
    return client


def default_platform() -> str:
    wanted = config.jax_platforms
    if wanted:
        return _PLATFORM_ALIASES.get(wanted.split(",")[0], wanted.split(",")[0])
    return "cpu"


def devices(platform: str | None = None):
    return get_client(platform).devices()


def default_device():
    chosen = config.jax_default_device  # hlox.default_device(...) / config.update
    return chosen if chosen is not None and not isinstance(chosen, str) else devices(chosen)[0]


def default_backend() -> str:
    return get_client().platform


_shardings: dict = {}


def sharding_for(device) -> SingleDeviceSharding:
    s = _shardings.get(device)
    if s is None:
        s = _shardings[device] = SingleDeviceSharding(device)
    return s


def to_device(host: np.ndarray, aval, device=None, committed=False, x64=None):
    """Copy a host array (already of aval.dtype) to `device`; returns jaxlib's buffer.

    `x64=True` keeps 64-bit data 64-bit whatever the flag says (tools that run a
    module's own signature need that)."""
    if device is None:
        device = default_device()
    enable_x64 = config.x64_enabled() if x64 is None else x64
    return _jax.batched_device_put(aval, sharding_for(device), [host], [device], committed,
                                   enable_x64=enable_x64)


def to_devices(host: np.ndarray, aval, sharding, committed=True):
    """Split a host array over `sharding`'s devices (one piece per device); returns jaxlib's
    multi-device buffer."""
    index_map = sharding.devices_indices_map(host.shape)
    devices_ = list(index_map)
    pieces = [np.ascontiguousarray(host[index]) for index in index_map.values()]
    return _jax.batched_device_put(aval, sharding, pieces, devices_, committed,
                                   enable_x64=config.x64_enabled())


def from_single_device_buffers(aval, sharding, buffers, committed=True):
    """One multi-device buffer of `sharding` from per-device buffers (in device order)."""
    return _jax.ArrayImpl(aval, sharding, list(buffers), committed, _skip_checks=True)


def to_host(buffer) -> np.ndarray:
    return np.asarray(buffer)


def device_list(devices_):
    return xla_client.DeviceList(tuple(devices_))


Buffer = _jax.ArrayImpl
Device = _jax.Device
JaxRuntimeError = _jax.JaxRuntimeError  # what a failing execution raises
