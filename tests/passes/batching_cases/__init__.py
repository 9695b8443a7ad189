"""The case format of the batching rule tests (see README.md) and helpers to build examples."""
from __future__ import annotations

import dataclasses
import pathlib
from typing import Callable

import numpy as np

from autodiff_cases import collect_cases, raw_op

B = 3  # examples per case: every argument of a case holds B of them along axis 0
_rng = np.random.default_rng(20240505)


@dataclasses.dataclass
class Case:
    fn: Callable
    args: tuple
    loop: bool = False
    rtol: float = 1e-7
    atol: float = 1e-7
    name: str | None = None

    def __post_init__(self):
        self.args = tuple(np.asarray(a) for a in self.args)
        for a in self.args:
            if a.ndim == 0 or a.shape[0] != B:
                raise ValueError(f"a case argument holds {B} examples along axis 0, got shape "
                                 f"{a.shape}")

    def example(self, b):
        """The arguments of example b."""
        return [a[b] for a in self.args]


def rand(*shape, lo=-1.0, hi=1.0):
    return _rng.uniform(lo, hi, (B,) + shape).astype(np.float64)


def positive(*shape, lo=0.5, hi=2.0):
    return rand(*shape, lo=lo, hi=hi)


def distinct(*shape, gap=0.05):
    """Values pairwise at least `gap` apart within each example (no ties)."""
    n = int(np.prod(shape, dtype=np.int64))
    grid = (np.arange(n) - n / 2) * gap * 2
    return np.stack([_rng.permutation(grid + _rng.uniform(-gap / 2, gap / 2, n)).reshape(shape)
                     for _ in range(B)]).astype(np.float64)


def crand(*shape):
    return (rand(*shape) + 1j * rand(*shape)).astype(np.complex128)


def ints(hi, *shape, lo=0, dtype=np.int32):
    return _rng.integers(lo, hi, (B,) + shape).astype(dtype)


def bools(*shape):
    return _rng.integers(0, 2, (B,) + shape).astype(bool)


def same(value):
    """One value repeated for every example (batched in the IR, equal across the batch)."""
    value = np.asarray(value)
    return np.broadcast_to(value, (B,) + value.shape).copy()


def emit_op(op_name, result_dtype=None, **attributes):
    """x -> `op_name`(x) with the given attributes (builders: () -> ir.Attribute), of x's shape
    and x's dtype unless given: for ops no frontend function emits (custom_call)."""
    def fn(x):
        from hlox.frontend.core import Tracer, current_trace
        from hlox.frontend.primitives import emit
        trace = current_trace()
        aval = x.aval if result_dtype is None else x.aval.update(dtype=np.dtype(result_dtype),
                                                                 weak_type=False)
        attrs = {k: build() for k, build in attributes.items()}
        op = emit(trace, op_name, [trace.value_of(x)], [aval], attrs)
        return Tracer(trace, aval, op.results[0])
    return fn


def load_cases():
    return collect_cases(__name__, pathlib.Path(__file__).parent)


__all__ = ["B", "Case", "bools", "crand", "distinct", "emit_op", "ints", "load_cases", "positive",
           "rand", "raw_op", "same"]
