"""hlox: a JAX-compatible array library whose transformations are passes over StableHLO.

The namespaces and functions below load on first use (PEP 562), so tools that need
only the passes (hlox-opt) do not import the numerical libraries.
"""
from __future__ import annotations

import importlib

from hlox import config  # noqa: F401  (hlox.config.update(...), as jax.config)

__version__ = "0.1.0"

_HOMES = {
    "hlox.frontend.errors": ("ConcretizationTypeError", "TracerArrayConversionError",
                             "TracerIntegerConversionError", "UnexpectedTracerError"),
    "hlox.frontend.jit": ("ShapeDtypeStruct", "jit"),
    "hlox.transforms.autodiff": ("grad", "hessian", "jacfwd", "jacobian", "jacrev", "jvp", "linear_transpose",
                                 "linearize", "value_and_grad", "vjp"),
    "hlox.frontend.custom_derivatives": ("closure_convert", "custom_gradient", "custom_jvp", "custom_vjp"),
    "hlox.frontend.checkpoint": ("checkpoint", "checkpoint_policies", "remat"),
    "hlox.transforms.vmap": ("vmap",),
    "hlox.frontend.callbacks": ("pure_callback",),
    "hlox.frontend.api": ("clear_caches", "disable_jit", "ensure_compile_time_eval",
                          "live_arrays", "block_until_ready", "default_backend", "device_count", "device_get",
                          "device_put", "devices", "eval_shape", "local_device_count", "local_devices",
                          "named_call", "named_scope", "process_count", "process_index", "typeof",
                          "checking_leaks"),
    "hlox.frontend.array_type": ("Array",),
    "hlox.frontend.sharding_api": ("make_mesh", "make_array_from_callback",
                                   "make_array_from_single_device_arrays", "set_mesh"),
    "hlox.lowering.sharding": ("NamedSharding", "P"),
    "hlox.frontend.shard_map": ("pmap", "shard_map"),
    "hlox.lowering.runtime": ("Device",),
    "hlox.as_jax": ("install_as_jax",),
}
_CONTEXT_MANAGERS = config.CONTEXT_MANAGERS
_HOME_OF = {name: module for module, names in _HOMES.items() for name in names}
_NAMESPACES = ("sharding", "experimental", "numpy", "lax", "tree_util", "tree", "nn", "scipy", "random", "ad_checkpoint", "ops", "debug",
               "dtypes", "errors", "typing", "flatten_util", "core", "test_util",
               "custom_derivatives", "image", "monitoring")


def __getattr__(name):
    if name in _CONTEXT_MANAGERS:  # jax.debug_nans, jax.enable_x64, ...: the options' holders
        value = globals()[name] = config.state(_CONTEXT_MANAGERS[name])
        return value
    if name not in _HOME_OF and name not in _NAMESPACES:
        raise AttributeError(f"module 'hlox' has no attribute {name!r}")
    importlib.import_module("hlox.numerics.array_methods")  # Arrays and tracers get their operators first
    if name in _NAMESPACES:
        value = importlib.import_module(f"hlox.{name}")
    else:
        value = getattr(importlib.import_module(_HOME_OF[name]), name)
    globals()[name] = value
    return value


def __dir__():
    return sorted(set(globals()) | set(_HOME_OF) | set(_NAMESPACES) | set(_CONTEXT_MANAGERS))
