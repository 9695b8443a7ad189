"""The case format of the autodiff rule tests (see README.md) and helpers to build points."""
from __future__ import annotations

import dataclasses
import importlib
import pathlib
from typing import Callable

import numpy as np

_rng = np.random.default_rng(20240404)


@dataclasses.dataclass
class Case:
    fn: Callable
    args: tuple
    wrt: tuple | None = None
    kinks_ok: bool = False
    order: int = 2
    rtol: float = 1e-5
    atol: float = 1e-5
    name: str | None = None

    def __post_init__(self):
        self.args = tuple(np.asarray(a) for a in self.args)
        if self.wrt is None:
            self.wrt = tuple(i for i, a in enumerate(self.args) if a.dtype.kind in "fc")
        if not self.wrt:
            raise ValueError("a case needs at least one float or complex argument to differentiate")


def rand(*shape, lo=-1.0, hi=1.0):
    return _rng.uniform(lo, hi, shape).astype(np.float64)


def positive(*shape, lo=0.5, hi=2.0):
    return rand(*shape, lo=lo, hi=hi)


def distinct(*shape, gap=0.05):
    n = int(np.prod(shape, dtype=np.int64))
    grid = (np.arange(n) - n / 2) * gap * 2 + _rng.uniform(-gap / 2, gap / 2, n)
    return _rng.permutation(grid).reshape(shape).astype(np.float64)


def crand(*shape):
    return (rand(*shape) + 1j * rand(*shape)).astype(np.complex128)


def ints(hi, *shape):
    return _rng.integers(0, hi, shape).astype(np.int32)


def raw_op(op_name, dtype=None):
    """x -> `op_name`(x) of x's shape (and x's dtype unless given), for op forms that no frontend
    function emits (chlo.tan, a complex-to-real stablehlo.convert)."""
    def fn(x):
        from hlox.frontend.core import Tracer, current_trace
        from hlox.frontend.primitives import emit
        trace = current_trace()
        aval = x.aval if dtype is None else x.aval.update(dtype=np.dtype(dtype), weak_type=False)
        op = emit(trace, op_name, [trace.value_of(x)], [aval])
        return Tracer(trace, aval, op.results[0])
    return fn


def collect_cases(package, folder):
    """{op_name: [Case, ...]} from every case file of a case folder, in file order."""
    cases: dict = {}
    for path in sorted(pathlib.Path(folder).glob("*.py")):
        if path.name == "__init__.py":
            continue
        module = importlib.import_module(f"{package}.{path.stem}")
        for op_name, op_cases in module.CASES.items():
            cases.setdefault(op_name, []).extend(op_cases)
    return cases


def load_cases():
    return collect_cases(__name__, pathlib.Path(__file__).parent)


__all__ = ["Case", "collect_cases", "crand", "distinct", "ints", "load_cases", "positive", "rand", "raw_op"]
