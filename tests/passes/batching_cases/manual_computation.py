"""Cases for shard_map's sdy.manual_computation (format: README.md).

A mesh of one device (the harness runs on one): the batched manual computation gets the
batch dimension unsharded in front of every batched operand and result, and its body is
batched (a psum over the mesh axis stays a psum, on the batched value). Many devices are
checked against jax.vmap in tests/multidevice/test_shard_map.py.
"""
from __future__ import annotations

from hlox import lax
from hlox.sharding import PartitionSpec as P

from autodiff_cases.manual_computation import _one_device_shard_map
from batching_cases import Case, rand


CASES = {
    "sdy.manual_computation": [
        Case(_one_device_shard_map(lambda a, b: lax.psum(lax.sin(a) * b, "x"),
                                   (P("x"), P()), P()), (rand(3, 2, 3), rand(3, 2, 3)),
             name="psum"),
        Case(_one_device_shard_map(lambda a: lax.exp(a) * a, P(None, "x"), P(None, "x")),
             (rand(3, 3, 2),), name="sharded-output"),
    ],
}
