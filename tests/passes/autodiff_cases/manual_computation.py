"""Cases for shard_map's sdy.manual_computation (format: README.md).

A mesh of one device (the harness runs on one): the checks see the derived manual
computation compile and agree with finite differences, through a psum in the body and an
output replicated over the axis. Many devices are checked against JAX in
tests/multidevice/test_shard_map.py.
"""
from __future__ import annotations

import numpy as np

import hlox
from hlox import lax
from hlox.sharding import Mesh, PartitionSpec as P

from autodiff_cases import Case, rand


def _one_device_shard_map(body, in_specs, out_specs):
    mesh = Mesh(np.array(hlox.devices()[:1]), ("x",))
    return hlox.shard_map(body, mesh=mesh, in_specs=in_specs, out_specs=out_specs)


CASES = {
    "sdy.manual_computation": [
        Case(_one_device_shard_map(lambda a, b: lax.psum(lax.sin(a) * b, "x"),
                                   (P("x"), P()), P()), (rand(2, 3), rand(2, 3)), name="psum"),
        Case(_one_device_shard_map(lambda a: lax.exp(a) * a, P(None, "x"), P(None, "x")),
             (rand(3, 2),), name="sharded-output"),
    ],
}
