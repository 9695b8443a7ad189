"""Device-level API: devices, device_put/device_get, block_until_ready, eval_shape."""
from __future__ import annotations

import contextlib
import gc

import numpy as np

from hlox import config
from hlox.frontend import dtypes, errors, primitives, sharding_ir
from hlox.frontend.core import Tracer, to_array
from hlox.frontend.jit import JitFunction, jit
from hlox.lowering import executable, pytree, runtime
from hlox.lowering import sharding as sharding_lib
from hlox.lowering.array import Array


def devices(backend=None):
    return list(runtime.devices(backend))


def local_devices(process_index=None, backend=None):
    return devices(backend)


def device_count(backend=None):
    return len(runtime.devices(backend))


local_device_count = device_count


def default_backend():
    return runtime.default_backend()


def _target_device(device):
    if device is None:
        return None
    if not isinstance(device, (runtime.Device, sharding_lib.Sharding)):
        raise errors.value_error(
            "`jax.device_put` only accepts `None`, `jax.sharding.Sharding`, `jax.Device`, "
            "`Format`, `jax.memory.Space` or a pytree of these values. Received invalid "
            f"value: {device}")
    if isinstance(device, sharding_lib.Sharding) and len(device._device_assignment) == 1:
        return device._device_assignment[0]
    return device


def _put_leaf(leaf, target):
    if isinstance(leaf, Tracer):
        return leaf
    if isinstance(target, sharding_lib.Sharding):  # several devices
        if isinstance(leaf, Array) and leaf.sharding == target:
            return leaf
        sharding_lib.check_divisible(target, np.shape(leaf), "the device_put arguments")
        return sharding_ir.put_sharded(leaf, target)
    if isinstance(leaf, Array):
        if target is None or leaf.device == target:
            return leaf
        host = np.asarray(leaf)
        return Array.from_host(host, leaf.dtype, leaf.weak_type, target, committed=True)
    dtype, weak = dtypes.dtype_of(leaf)
    if target is None:
        return to_array(leaf, dtype, weak)
    return Array.from_host(np.asarray(leaf), dtype, weak, target, committed=True)


def device_put(x, device=None, *, src=None, donate=False, may_alias=None):
    """Put every leaf of `x` on `device`: a device, a sharding, or a pytree prefix of them."""
    leaves, tree = pytree.flatten(x)
    if device is None or isinstance(device, (runtime.Device, sharding_lib.Sharding)):
        targets = [_target_device(device)] * len(leaves)
    else:
        targets = [_target_device(t) for t in pytree.broadcast_prefix(device, x)]
    return tree.unflatten([_put_leaf(l, t) for l, t in zip(leaves, targets)])


def device_get(x):
    leaves, tree = pytree.flatten(x)
    return tree.unflatten([np.asarray(l) if isinstance(l, Array) else l for l in leaves])


def block_until_ready(x):
    leaves, _ = pytree.flatten(x)
    for leaf in leaves:
        if isinstance(leaf, Array):
            leaf.block_until_ready()
    return x


def eval_shape(fun, *args, **kwargs):
    return jit(fun).eval_shape(*args, **kwargs)


def named_call(fun, *, name=None):
    """The function itself (hlox's locations already name the user's source lines)."""
    return fun


class named_scope:  # noqa: N801  (JAX's name)
    """A context manager that names a scope in JAX; here a no-op kept for compatibility."""

    def __init__(self, name):
        if not isinstance(name, str):
            raise TypeError("named_scope name argument must be a string.")
        self.name = name

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        return False


def process_index():
    return 0


def process_count():
    return 1


# -- context managers ----------------------------------------------------------------------------
def disable_jit(disable=True):
    """Within the block `hlox.jit` functions run op by op, as plain Python."""
    return config.flag("jax_disable_jit", disable)


@contextlib.contextmanager
def ensure_compile_time_eval():
    """Within the block, ops whose operands are all concrete run now, even while tracing."""
    old = primitives.COMPILE_TIME_EVAL[0]
    primitives.COMPILE_TIME_EVAL[0] = True
    try:
        yield
    finally:
        primitives.COMPILE_TIME_EVAL[0] = old


def default_device(device):
    """Within the block, new arrays and computations go to `device` (or a platform's first)."""
    return config.flag("jax_default_device", device)


def enable_x64(new_val=True):
    return config.flag("jax_enable_x64", bool(new_val))


# -- caches and arrays ---------------------------------------------------------------------------
def clear_caches():
    """Forget every compiled executable and every traced jit signature."""
    executable._cache.clear()
    primitives._eager_cache.clear()
    for obj in gc.get_objects():
        if isinstance(obj, JitFunction):
            obj.clear_cache()


def live_arrays(platform=None):
    """Every hlox Array that is alive and not deleted (on `platform`, when given)."""
    return [a for a in gc.get_objects() if type(a) is Array and not a.is_deleted()
            and (platform is None or a.device.platform == platform)]


def typeof(x):
    """The abstract value (shape, dtype, weak type) of `x`, as `jax.typeof`."""
    from hlox.frontend.core import aval_of
    return aval_of(x)


def checking_leaks():
    """`with hlox.checking_leaks():` turns jax_check_tracer_leaks on inside the block."""
    return config.state("jax_check_tracer_leaks")(True)
