"""Meshes, partition specs and shardings, as `jax.sharding` has them.

`NamedSharding` is a Python subclass of jaxlib's C++ `GSPMDSharding`: jaxlib's own
`NamedSharding` imports `jax._src.named_sharding` from C++ when it is built, which hlox
must never do, while `GSPMDSharding` (device list + HLO sharding) is what jaxlib's
device_put, arrays and executables consume natively. The mesh and spec ride on top.
"""
from __future__ import annotations

import abc
import enum
import itertools
import math
import re
import threading
from collections import OrderedDict

import numpy as np
from jaxlib import _jax, xla_client

from hlox.lowering.mlir import ir



class AxisType(enum.Enum):
    Auto = enum.auto()
    Explicit = enum.auto()
    Manual = enum.auto()

    def __repr__(self):
        return self.name


class PartitionSpec(tuple):
    """How each array dimension is split over mesh axes: None, an axis name, or a tuple of
    names (split over their product, major to minor)."""

    UNCONSTRAINED = "unconstrained"  # let the partitioner choose this dimension

    def __new__(cls, *partitions):
        for p in partitions:
            if not (p is None or p is cls.UNCONSTRAINED or isinstance(p, str)
                    or (isinstance(p, tuple) and all(isinstance(a, str) for a in p))):
                raise TypeError(f"PartitionSpec entries must be None, an axis name or a tuple "
                                f"of axis names, got {p!r}")
        return super().__new__(cls, partitions)

    def __repr__(self):
        return "P" + tuple.__repr__(self)

    def __eq__(self, other):
        if isinstance(other, tuple):
            return _normalized(self) == _normalized(other)
        return NotImplemented

    def __ne__(self, other):
        equal = self.__eq__(other)
        return equal if equal is NotImplemented else not equal

    def __hash__(self):
        return hash(_normalized(self))

    def __reduce__(self):
        return (PartitionSpec, tuple(self))


def _normalized(spec):
    parts = [tuple(p) if isinstance(p, tuple) and len(p) != 1 else
             (p[0] if isinstance(p, tuple) else p) for p in spec]
    parts = [None if p == () else p for p in parts]
    while parts and parts[-1] is None:
        parts.pop()
    return tuple(parts)


def axes_of(partition):
    """The mesh axes one spec entry names, in order."""
    if partition is None or partition is PartitionSpec.UNCONSTRAINED:
        return ()
    return (partition,) if isinstance(partition, str) else tuple(partition)


_mesh_context = threading.local()


def current_mesh():
    """The mesh of the innermost `with mesh:` / `use_mesh(mesh)` block, or None."""
    stack = getattr(_mesh_context, "stack", None)
    return stack[-1] if stack else None


class _MeshBase:
    axis_names: tuple
    axis_sizes: tuple
    axis_types: tuple

    @property
    def shape(self):
        return OrderedDict(zip(self.axis_names, self.axis_sizes))

    @property
    def shape_tuple(self):
        return tuple(zip(self.axis_names, self.axis_sizes))

    @property
    def size(self):
        return math.prod(self.axis_sizes)

    @property
    def empty(self):
        return self.size == 0

    def axis_size(self, name):
        return self.shape[name]

    def _axis_types_repr(self):
        return "(" + ", ".join(t.name for t in self.axis_types) + \
            ("," if len(self.axis_types) == 1 else "") + ")"

    def __enter__(self):
        stack = getattr(_mesh_context, "stack", None)
        if stack is None:
            stack = _mesh_context.stack = []
        stack.append(self)
        return self

    def __exit__(self, *exc):
        _mesh_context.stack.pop()
        return False


def _axis_types(axis_types, n):
    if axis_types is None:
        return (AxisType.Auto,) * n
    if isinstance(axis_types, AxisType):
        return (axis_types,) * n
    axis_types = tuple(axis_types)
    if len(axis_types) != n:
        raise ValueError(f"Number of axis names should match the number of axis_types. Got "
                         f"axis_names of length {n} and axis_types={axis_types}")
    return axis_types


class Mesh(_MeshBase):
    """An array of devices with a name for each of its axes."""

    def __init__(self, devices, axis_names, axis_types=None):
        if isinstance(axis_names, str):
            axis_names = (axis_names,)
        devices = np.asarray(devices, dtype=object)
        axis_names = tuple(axis_names)
        if devices.ndim != len(axis_names):
            raise ValueError(f"Mesh requires the ndim of its first argument (`devices`) to equal "
                             f"the length of its second argument (`axis_names`), but got "
                             f"devices.ndim == {devices.ndim} and len(axis_names) == "
                             f"{len(axis_names)}.")
        if len(set(axis_names)) != len(axis_names):
            raise ValueError(f"Mesh axis names must be unique, got {axis_names}")
        self.devices = devices
        self.axis_names = axis_names
        self.axis_sizes = tuple(devices.shape)
        self.axis_types = _axis_types(axis_types, len(axis_names))
        self._flat_devices_tuple = tuple(devices.flat)
        self._internal_device_list = xla_client.DeviceList(self._flat_devices_tuple)

    @property
    def device_ids(self):
        return np.vectorize(lambda d: d.id, otypes=[int])(self.devices)

    @property
    def local_devices(self):
        return [d for d in self._flat_devices_tuple
                if d.process_index == d.client.process_index()]

    @property
    def local_mesh(self):
        return self

    @property
    def is_multi_process(self):
        return len(self.local_devices) != self.size

    @property
    def abstract_mesh(self):
        return AbstractMesh(self.axis_sizes, self.axis_names, self.axis_types)

    def __eq__(self, other):
        return (isinstance(other, Mesh) and self.axis_names == other.axis_names
                and self.axis_types == other.axis_types
                and self._flat_devices_tuple == other._flat_devices_tuple
                and self.axis_sizes == other.axis_sizes)

    def __hash__(self):
        return hash((self.axis_names, self.axis_types, self._flat_devices_tuple, self.axis_sizes))

    def __str__(self):
        shape = ", ".join(f"'{n}': {s}" for n, s in zip(self.axis_names, self.axis_sizes))
        return f"Mesh({shape}, axis_types={self._axis_types_repr()})"

    def __repr__(self):
        return (f"Mesh(axis_sizes={self.axis_sizes}, axis_names={self.axis_names}, "
                f"axis_types={self._axis_types_repr()})")

    def sdy_mesh_text(self):
        """The `#sdy.mesh` attribute of this mesh (device ids listed unless in iota order)."""
        axes = ", ".join(f'"{n}"={s}' for n, s in zip(self.axis_names, self.axis_sizes))
        ids = [d.id for d in self._flat_devices_tuple]
        order = sorted(ids)
        logical = [order.index(i) for i in ids]
        suffix = "" if logical == list(range(len(ids))) else \
            ", device_ids=[" + ", ".join(map(str, logical)) + "]"
        return f"#sdy.mesh<[{axes}]{suffix}>"


class AbstractMesh(_MeshBase):
    """A mesh's axis names and sizes without devices (for tracing)."""

    def __init__(self, axis_sizes, axis_names, axis_types=None):
        self.axis_sizes = tuple(axis_sizes)
        self.axis_names = tuple(axis_names)
        if len(self.axis_sizes) != len(self.axis_names):
            raise ValueError("AbstractMesh needs as many axis sizes as axis names")
        self.axis_types = _axis_types(axis_types, len(self.axis_names))

    @property
    def abstract_mesh(self):
        return self

    def __eq__(self, other):
        return (isinstance(other, AbstractMesh) and self.shape_tuple == other.shape_tuple
                and self.axis_types == other.axis_types)

    def __hash__(self):
        return hash((self.shape_tuple, self.axis_types))

    def __repr__(self):
        shape = ", ".join(f"'{n}': {s}" for n, s in zip(self.axis_names, self.axis_sizes))
        return f"AbstractMesh({shape}, axis_types={self._axis_types_repr()})"


class Sharding(abc.ABC):
    """`jax.sharding.Sharding`: what every hlox sharding answers, from its device assignment
    and HLO sharding. jaxlib's C++ sharding types take one base only, so `sharding_class`
    gives them these methods and registers them as subclasses."""

    @property
    def num_devices(self):
        return len(self._device_assignment)

    @property
    def addressable_devices(self):
        return {d for d in self._device_assignment
                if d.process_index == d.client.process_index()}

    @property
    def is_fully_addressable(self):
        return len(self.addressable_devices) == len(self._device_assignment)

    def addressable_devices_indices_map(self, global_shape):
        return {d: i for d, i in self.devices_indices_map(global_shape).items()
                if d in self.addressable_devices}

    def shard_shape(self, global_shape):
        index = next(iter(self.devices_indices_map(global_shape).values()))
        return tuple(len(range(*s.indices(n))) for s, n in zip(index, global_shape))

    def is_equivalent_to(self, other, ndim):
        try:
            return (self._device_assignment == other._device_assignment
                    and self.memory_kind == other.memory_kind
                    and self._to_xla_hlo_sharding(ndim) == other._to_xla_hlo_sharding(ndim))
        except AttributeError:
            return False


def sharding_class(cls):
    for name, value in vars(Sharding).items():
        if not name.startswith("__") and name not in vars(cls):
            setattr(cls, name, value)
    Sharding.register(cls)
    return cls


@sharding_class
class NamedSharding(_jax.GSPMDSharding):
    """A mesh and a PartitionSpec saying how each dimension is split over its axes."""

    def __init__(self, mesh, spec, *, memory_kind=None):
        if not isinstance(spec, PartitionSpec):
            if spec is None:
                spec = PartitionSpec()
            elif isinstance(spec, (tuple, list)):
                spec = PartitionSpec(*spec)
            else:
                raise TypeError(f"NamedSharding expects a PartitionSpec, got {spec!r}")
        check_spec(mesh, spec)
        self.mesh = mesh
        self.spec = spec
        if isinstance(mesh, AbstractMesh):
            raise ValueError("NamedSharding over an AbstractMesh has no devices; use a Mesh")
        super().__init__(mesh._internal_device_list, _hlo_sharding(mesh, spec, len(spec)),
                         memory_kind)
        self._hlo_by_rank = {}
        self._hash = hash((mesh, spec, self._memory_kind))

    @property
    def memory_kind(self):
        return self._memory_kind

    @property
    def _internal_device_list(self):
        return self.mesh._internal_device_list

    @property
    def _device_assignment(self):
        return self.mesh._flat_devices_tuple

    @property
    def device_set(self):
        return set(self.mesh._flat_devices_tuple)

    def _to_xla_hlo_sharding(self, num_dimensions):
        hlo = self._hlo_by_rank.get(num_dimensions)
        if hlo is None:
            hlo = self._hlo_by_rank[num_dimensions] = _hlo_sharding(self.mesh, self.spec,
                                                                    num_dimensions)
        return hlo

    def check_compatible_aval(self, shape):
        if len(shape) < len(self.spec):
            extra = " For scalars the PartitionSpec should be P()" if not shape else ""
            raise ValueError(f"Sharding {self} is only valid for values of rank at least "
                             f"{len(self.spec)}, but was applied to a value of rank "
                             f"{len(shape)}.{extra}")

    @property
    def is_fully_replicated(self):
        return all(not axes_of(p) for p in self.spec) or \
            math.prod(self.mesh.shape[a] for p in self.spec for a in axes_of(p)) == 1

    def devices_indices_map(self, global_shape):
        self.check_compatible_aval(global_shape)
        sizes = self.mesh.shape
        positions = np.ndindex(*self.mesh.axis_sizes)
        result = {}
        for device, position in zip(self.mesh._flat_devices_tuple, positions):
            where = dict(zip(self.mesh.axis_names, position))
            index = []
            for dim, n in enumerate(global_shape):
                axes = axes_of(self.spec[dim]) if dim < len(self.spec) else ()
                parts, block = 1, 0
                for a in axes:
                    block = block * sizes[a] + where[a]
                    parts *= sizes[a]
                if parts == 1:
                    index.append(slice(None))
                else:
                    step = -(-n // parts)
                    index.append(slice(block * step, min((block + 1) * step, n)))
            result[device] = tuple(index)
        return result

    def sdy_sharding_text(self, ndim, mesh_symbol="mesh"):
        """`#sdy.sharding<@mesh, [{"data"}, {}]>` for a value of rank `ndim`."""
        dims = []
        for dim in range(ndim):
            p = self.spec[dim] if dim < len(self.spec) else None
            if p is PartitionSpec.UNCONSTRAINED:
                dims.append("{?}")
            else:
                dims.append("{" + ", ".join(f'"{a}"' for a in axes_of(p)) + "}")
        return f"#sdy.sharding<@{mesh_symbol}, [{', '.join(dims)}]>"

    def with_memory_kind(self, kind):
        return NamedSharding(self.mesh, self.spec, memory_kind=kind)

    def update(self, **kwargs):
        return NamedSharding(kwargs.pop("mesh", self.mesh), kwargs.pop("spec", self.spec),
                             memory_kind=kwargs.pop("memory_kind", self.memory_kind))

    def __eq__(self, other):
        return self is other or (isinstance(other, NamedSharding) and self._hash == other._hash
                                 and self.mesh == other.mesh and self.spec == other.spec
                                 and self.memory_kind == other.memory_kind)

    def __hash__(self):
        return self._hash

    def __reduce__(self):
        return (_named_sharding, (self.mesh, self.spec, self.memory_kind))

    def __repr__(self):
        memory = "" if self.memory_kind is None else f", memory_kind={self.memory_kind}"
        return f"NamedSharding(mesh={self.mesh}, spec={self.spec}{memory})"


DEVICE_IDS_ATTR = "hlox.device_ids"  # on an sdy.mesh op hlox made: the devices, by id


def sdy_mesh_axes(mesh_op):
    """[(axis name, size)] of an `sdy.mesh` op."""
    return [(a, int(n)) for a, n in re.findall(r'"([^"]+)"=(\d+)', str(mesh_op.attributes["mesh"]))]


def mesh_ops(module):
    """The `sdy.mesh` ops of a module (an ir.Module or its operation), by symbol name."""
    body = module.body if isinstance(module, ir.Module) else module.regions[0].blocks[0]
    return {ir.StringAttr(op.attributes["sym_name"]).value: op.operation
            for op in body.operations if op.operation.name == "sdy.mesh"}


def mesh_of_op(mesh_op, devices):
    """The Mesh an `sdy.mesh` op describes: over the devices hlox recorded on it, else over
    `devices` (in order); an AbstractMesh when `devices` is None and none are recorded."""
    axes = sdy_mesh_axes(mesh_op)
    names, sizes = [a for a, _ in axes], [n for _, n in axes]
    if DEVICE_IDS_ATTR in mesh_op.attributes and devices is not None:
        by_id = {d.id: d for d in devices}
        ids = list(ir.DenseI64ArrayAttr(mesh_op.attributes[DEVICE_IDS_ATTR]))
        devices = [by_id[i] for i in ids]
    if devices is None:
        return AbstractMesh(sizes, names)
    return Mesh(np.array(list(devices)[:math.prod(sizes)], dtype=object).reshape(sizes), names)


def _named_sharding(mesh, spec, memory_kind):
    return NamedSharding(mesh, spec, memory_kind=memory_kind)


def check_spec(mesh, spec):
    """JAX's checks of a PartitionSpec against a mesh: every axis exists, none used twice."""
    seen = set()
    for p in spec:
        for a in axes_of(p):
            if a not in mesh.axis_names:
                raise ValueError(f"Resource axis: {a} of {spec} is not found in mesh: "
                                 f"{tuple(mesh.axis_names)}.")
            if a in seen:
                raise ValueError(f"A single NamedSharding spec specification can map every mesh "
                                 f"axis to at most one positional dimension, but {spec} has "
                                 f"duplicate entries for `{a}`")
            seen.add(a)


def check_divisible(sharding, shape, what):
    """A ValueError naming `what`, the spec and the shape when a dimension does not divide."""
    if not isinstance(sharding, NamedSharding):
        return
    sharding.check_compatible_aval(shape)
    for dim, p in enumerate(sharding.spec):
        parts = math.prod(sharding.mesh.shape[a] for a in axes_of(p))
        if parts > 1 and shape[dim] % parts:
            raise ValueError(f"One of {what} was given the sharding of {sharding}, which implies "
                             f"that the global size of its dimension {dim} should be divisible "
                             f"by {parts}, but it is equal to {shape[dim]} (full shape: "
                             f"{tuple(shape)})")


def named_sharding_from_hlo(mesh, hlo, ndim):
    """The NamedSharding on `mesh` whose HLO sharding is `hlo` (as JAX reports the shardings
    XLA chose); a replicated one when no spec over the mesh's axes matches."""
    if hlo.is_replicated():
        return NamedSharding(mesh, PartitionSpec())
    for spec in _specs(mesh.axis_names, ndim):
        candidate = NamedSharding(mesh, spec)
        if candidate._to_xla_hlo_sharding(ndim) == hlo:
            return candidate
    raise ValueError(f"the compiled sharding {hlo} is not a sharding over the mesh {mesh}")


def _specs(axis_names, ndim):
    """Every PartitionSpec of rank `ndim` over `axis_names` (each axis on one dimension at most,
    in every order): few for the meshes people use."""
    names = list(axis_names)
    for placement in itertools.product(range(ndim + 1), repeat=len(names)):
        per_dim = [[n for n, d in zip(names, placement) if d == dim] for dim in range(ndim)]
        for orders in itertools.product(*[list(itertools.permutations(p)) for p in per_dim]):
            yield PartitionSpec(*[None if not o else (o[0] if len(o) == 1 else tuple(o))
                                  for o in orders])


def _hlo_sharding(mesh, spec, ndim):
    sizes = mesh.shape
    used = [a for dim in range(min(ndim, len(spec))) for a in axes_of(spec[dim])]
    if math.prod(sizes[a] for a in used) == 1:
        return xla_client.HloSharding.replicate()
    unused = [a for a in mesh.axis_names if a not in used]
    logical = np.arange(mesh.size).reshape(mesh.axis_sizes)
    order = [mesh.axis_names.index(a) for a in used + unused]
    tiles = [math.prod(sizes[a] for a in axes_of(spec[dim])) if dim < len(spec) else 1
             for dim in range(ndim)]
    replicated = math.prod(sizes[a] for a in unused)
    proto = xla_client.OpSharding()
    proto.type = xla_client.OpSharding.Type.OTHER
    proto.tile_assignment_dimensions = tiles + ([replicated] if replicated > 1 else [])
    proto.tile_assignment_devices = [int(i) for i in logical.transpose(order).flat]
    proto.replicate_on_last_tile_dim = replicated > 1
    return xla_client.HloSharding.from_proto(proto)


@sharding_class
class SingleDeviceSharding(_jax.SingleDeviceSharding):
    """Data on one device (`jax.sharding.SingleDeviceSharding`), what jaxlib's device_put and
    executables expect of a sharding."""

    @property
    def _device_assignment(self):
        return (self._device,)

    def _to_xla_hlo_sharding(self, num_dimensions):
        return xla_client.HloSharding.replicate()

    @property
    def _internal_device_list(self):
        return xla_client.DeviceList((self._device,))

    @property
    def memory_kind(self):
        return self._memory_kind

    @property
    def device_set(self):
        return {self._device}

    @property
    def is_fully_replicated(self):
        return True

    def devices_indices_map(self, global_shape):
        return {self._device: (slice(None),) * len(global_shape)}

    def __repr__(self):
        return f"SingleDeviceSharding(device={self._device!r})"


P = PartitionSpec
