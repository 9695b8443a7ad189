"""Compilation (MLIR module -> PJRT executable), its cache, and execution."""
from __future__ import annotations

import io
from collections import OrderedDict

from jaxlib import _jax, xla_client

from hlox.lowering import callbacks, runtime
from hlox.lowering.mlir import ir


def module_bytecode(module: ir.Module) -> bytes:
    buf = io.BytesIO()
    module.operation.write_bytecode(buf)
    return buf.getvalue()


class Executable:
    """A compiled module on a set of devices; `execute` maps device buffers to device buffers."""

    __slots__ = ("loaded", "device", "n_outputs", "_handlers")

    def __init__(self, loaded, device, n_outputs):
        self.loaded = loaded
        self.device = device
        self.n_outputs = n_outputs
        self._handlers = None

    def set_output_avals(self, avals):
        """Build jaxlib's C++ result handlers once, so outputs need no Python per call."""
        sharding = runtime.sharding_for(self.device)
        self._handlers = [_jax.array_result_handler(a, sharding, False, _skip_checks=True)
                          for a in avals]

    def execute(self, buffers):
        if self._handlers is not None:
            return self.loaded.execute_sharded(buffers).consume_with_handlers(self._handlers)
        results = self.loaded.execute_sharded(buffers).disassemble_into_single_device_arrays()
        return [r[0] for r in results]

    def as_text(self) -> str:
        return self.loaded.hlo_modules()[0].to_string()

    def cost_analysis(self):
        return self.loaded.cost_analysis()

    def memory_analysis(self):
        return self.loaded.get_compiled_memory_stats()


# Compiled executables by module bytecode, least recently used dropped first: a long-running
# process (a test suite, a notebook) would otherwise keep every executable it ever compiled.
_cache: "OrderedDict" = OrderedDict()
CACHE_SIZE = 512


def compile_module(module: ir.Module, n_outputs: int, device=None) -> Executable:
    """Compile `module` (handed to PJRT as bytecode); identical modules compile once."""
    if device is None:
        device = runtime.default_device()
    code = module_bytecode(module)
    key = (code, device)
    exe = _cache.get(key)
    if exe is not None:
        _cache.move_to_end(key)
    if exe is None:
        client = device.client
        options = xla_client.CompileOptions()
        try:
            loaded = _compile(client, module, code, runtime.device_list([device]), options)
        except Exception as e:
            raise RuntimeError(f"XLA failed to compile the module: {e}") from None
        exe = _cache[key] = Executable(loaded, device, n_outputs)
        while len(_cache) > CACHE_SIZE:
            _cache.popitem(last=False)
    return exe


def _compile(client, module, code, devices, options):
    if not callbacks.uses_callbacks(code):
        return client.compile_and_load(code, devices, options)
    # the executable holds the callables of its callback sites (jaxlib's host_callbacks)
    prepared, host_callbacks = callbacks.prepare(module, code, client.platform)
    return client.compile_and_load(prepared, devices, options, host_callbacks=host_callbacks)


def cache_size() -> int:
    return len(_cache)
