"""The house rules of DESIGN.md's "Layout", checked on the code itself: the import-linter
contracts in pyproject.toml (layer order, no jaxlib outside hlox.lowering, no jax), no
import cycle between any two hlox modules (function-local imports count), and modules of a
readable size."""
from __future__ import annotations

import pathlib
import subprocess
import sys

import grimp
import pytest

ROOT = pathlib.Path(__file__).resolve().parents[1]
MAX_MODULE_LINES = 800


def _lint_imports():
    return pathlib.Path(sys.executable).with_name("lint-imports")


def test_import_linter_contracts_hold():
    result = subprocess.run([str(_lint_imports()), "--no-cache"], cwd=ROOT, capture_output=True,
                            text=True, timeout=600)
    assert result.returncode == 0, result.stdout[-6000:] + result.stderr[-2000:]
    assert "broken" not in result.stdout.split("Contracts:")[-1].split("\n")[0] or \
        " 0 broken" in result.stdout


def _cycles(graph) -> list[list[str]]:
    """Strongly connected components with more than one module (Tarjan, iteratively)."""
    index, low, on_stack, stack, found = {}, {}, set(), [], []
    counter = 0
    for root in sorted(graph.modules):
        if root in index:
            continue
        work = [(root, iter(sorted(graph.find_modules_directly_imported_by(root))))]
        index[root] = low[root] = counter
        counter += 1
        stack.append(root)
        on_stack.add(root)
        while work:
            node, children = work[-1]
            child = next(children, None)
            if child is not None:
                if child not in index:
                    index[child] = low[child] = counter
                    counter += 1
                    stack.append(child)
                    on_stack.add(child)
                    work.append((child, iter(sorted(graph.find_modules_directly_imported_by(child)))))
                elif child in on_stack:
                    low[node] = min(low[node], index[child])
                continue
            work.pop()
            if work:
                low[work[-1][0]] = min(low[work[-1][0]], low[node])
            if low[node] == index[node]:
                component = []
                while True:
                    member = stack.pop()
                    on_stack.discard(member)
                    component.append(member)
                    if member == node:
                        break
                if len(component) > 1:
                    found.append(sorted(component))
    return found


def test_no_import_cycles_counting_function_local_imports():
    graph = grimp.build_graph("hlox", cache_dir=None)
    cycles = _cycles(graph)
    assert cycles == [], "\n".join(" <-> ".join(c) for c in cycles)


def test_cycle_finder_finds_a_cycle():
    graph = grimp.ImportGraph()
    for name in ("p", "p.a", "p.b", "p.c"):
        graph.add_module(name)
    graph.add_import(importer="p.a", imported="p.b")
    graph.add_import(importer="p.b", imported="p.a")
    graph.add_import(importer="p.c", imported="p.a")
    assert _cycles(graph) == [["p.a", "p.b"]]


@pytest.mark.parametrize("path", sorted(str(p.relative_to(ROOT)) for p in (ROOT / "hlox").rglob("*.py")))
def test_module_is_of_readable_size(path):
    lines = len((ROOT / path).read_text().splitlines())
    assert lines <= MAX_MODULE_LINES, f"{path} has {lines} lines: split it by topic"


_RUN_WITHOUT_JAX = """
import sys
import numpy as np
import hlox, hlox.numpy as jnp
x = jnp.arange(4.0)
float((x * 2).sum()); np.asarray(x[1:3]); x.device; x.sharding
hlox.jit(lambda a: a + 1)(x); hlox.grad(lambda a: (a ** 2).sum())(x); hlox.vmap(jnp.sin)(x)
hlox.random.normal(hlox.random.PRNGKey(0), (3,)); jnp.linalg.inv(jnp.eye(3))
hlox.device_put(np.ones(3)); hlox.lax.cond(x[0] > 0, jnp.sin, jnp.cos, x)
print(sorted(m for m in sys.modules if m == "jax" or m.startswith("jax.")))
"""


def test_hlox_runs_without_importing_jax():
    """Not only the sources: jaxlib's C++ imports jax modules when some of its paths run
    (disassembling results into single-device arrays), and hlox must not take them."""
    out = subprocess.run([sys.executable, "-c", _RUN_WITHOUT_JAX], capture_output=True,
                         text=True, timeout=300)
    assert out.returncode == 0, out.stderr[-3000:]
    assert out.stdout.strip() == "[]", out.stdout
