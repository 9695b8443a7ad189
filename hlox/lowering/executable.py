"""Compilation (MLIR module -> PJRT executable), its cache, and execution."""
from __future__ import annotations

import io
from collections import OrderedDict

import numpy as np
from jaxlib import _jax, xla_client
from jaxlib.mlir.passmanager import PassManager

from hlox.lowering import callbacks, runtime
from hlox.lowering import sharding as sharding_lib
from hlox.lowering.mlir import ir


def module_bytecode(module: ir.Module) -> bytes:
    buf = io.BytesIO()
    module.operation.write_bytecode(buf)
    return buf.getvalue()


def xla_computation(module: ir.Module):
    """The module as XLA's HLO (jaxlib's XlaComputation: `as_hlo_text()`, protos), what
    `Lowered.compiler_ir("hlo")` returns in JAX."""
    return _jax.mlir.mlir_module_to_xla_computation(module_bytecode(module),
                                                     use_tuple_args=False, return_tuple=False)


class Executable:
    """A compiled module on a set of devices; `execute` maps device buffers to device buffers."""

    __slots__ = ("loaded", "device", "n_outputs", "_handlers", "mesh", "output_shardings")

    def __init__(self, loaded, device, n_outputs, mesh=None):
        self.loaded = loaded
        self.device = device
        self.n_outputs = n_outputs
        self.mesh = mesh  # the Mesh a partitioned (SPMD) executable runs on
        self._handlers = None
        self.output_shardings = None

    def set_output_avals(self, avals):
        """Build jaxlib's C++ result handlers once, so outputs need no Python per call."""
        if self.mesh is None:
            sharding = runtime.sharding_for(self.device)
            self._handlers = [_jax.array_result_handler(a, sharding, False, _skip_checks=True)
                              for a in avals]
            return
        hlos = _hlo_shardings(self.loaded.get_output_shardings(), len(avals))
        self.output_shardings = [sharding_lib.named_sharding_from_hlo(self.mesh, h, len(a.shape))
                                 for h, a in zip(hlos, avals)]
        self._handlers = [_jax.array_result_handler(a, s, True, _skip_checks=True)
                          for a, s in zip(avals, self.output_shardings)]

    def input_shardings(self, avals):
        """The shardings the partitioned executable expects of its arguments."""
        hlos = _hlo_shardings(self.loaded.get_parameter_shardings(), len(avals))
        return [sharding_lib.named_sharding_from_hlo(self.mesh, h, len(a.shape))
                for h, a in zip(hlos, avals)]

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


def _hlo_shardings(protos, n):
    """XLA's shardings of parameters or outputs (None from a one-device partitioning)."""
    if protos is None:
        return [xla_client.HloSharding.replicate()] * n
    return [xla_client.HloSharding.from_proto(p) for p in protos]


# Compiled executables by module bytecode, least recently used dropped first: a long-running
# process (a test suite, a notebook) would otherwise keep every executable it ever compiled.
_cache: "OrderedDict" = OrderedDict()
CACHE_SIZE = 512


def compile_module(module: ir.Module, n_outputs: int, device=None, mesh=None) -> Executable:
    """Compile `module` (handed to PJRT as bytecode); identical modules compile once. With a
    `mesh` the module is partitioned by XLA's SPMD partitioner (Shardy) over its devices."""
    if device is None:
        device = runtime.default_device() if mesh is None else mesh._flat_devices_tuple[0]
    code = module_bytecode(module)
    key = (code, device, mesh)
    exe = _cache.get(key)
    if exe is not None:
        _cache.move_to_end(key)
    if exe is None:
        client = device.client
        options = xla_client.CompileOptions()
        devices = [device]
        if mesh is not None:
            devices = mesh._flat_devices_tuple
            options.num_partitions = len(devices)
            options.num_replicas = 1
            build = options.executable_build_options
            build.use_spmd_partitioning = True
            build.use_shardy_partitioner = True
            build.device_assignment = xla_client.DeviceAssignment.create(
                np.array([[d.id for d in devices]], np.int32))  # one replica, N partitions
            module, code = _inlined(module)
        try:
            loaded = _compile(client, module, code, runtime.device_list(devices), options)
        except Exception as e:
            raise RuntimeError(f"XLA failed to compile the module: {e}") from None
        exe = _cache[key] = Executable(loaded, device, n_outputs, mesh)
        while len(_cache) > CACHE_SIZE:
            _cache.popitem(last=False)
    return exe


def _inlined(module):
    """A copy of `module` with its private functions inlined: Shardy's import for XLA needs
    the manual computations that a derived function holds in the entry function."""
    with module.context:
        copy = ir.Module.parse(module_bytecode(module))
        PassManager.parse("builtin.module(inline,symbol-dce)").run(copy.operation)
    return copy, module_bytecode(copy)


def _compile(client, module, code, devices, options):
    if not callbacks.uses_callbacks(code):
        return client.compile_and_load(code, devices, options)
    # the executable holds the callables of its callback sites (jaxlib's host_callbacks)
    prepared, host_callbacks = callbacks.prepare(module, code, client.platform)
    return client.compile_and_load(prepared, devices, options, host_callbacks=host_callbacks)


def cache_size() -> int:
    return len(_cache)
