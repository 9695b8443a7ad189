"""JAX's public API, complete (issue 11): walk JAX 0.10.2's public modules and check that every
public name exists in hlox's module of the same path (`jax.X.Y` -> `hlox.X.Y`), apart from the
short list of exclusions below, each with its reason.

Real JAX and hlox are listed in two separate subprocesses, so neither sees the other's modules
(importing a JAX submodule makes it an attribute of its parent; both walks import the same set).

`.venv/bin/python tests/test_public_api.py` prints the missing names per module with counts.
"""
from __future__ import annotations

import json
import pathlib
import subprocess
import sys

import pytest

ROOT = pathlib.Path(__file__).resolve().parents[1]

# The modules of the list. A module listed in EXPAND also has its public submodules
# walked (jax.scipy.stats.norm, ...).
MODULES = [
    "jax", "jax.numpy", "jax.numpy.linalg", "jax.numpy.fft", "jax.lax", "jax.lax.linalg",
    "jax.nn", "jax.nn.initializers", "jax.random",
    "jax.scipy", "jax.scipy.special", "jax.scipy.linalg", "jax.scipy.stats", "jax.scipy.signal",
    "jax.scipy.fft", "jax.scipy.optimize", "jax.scipy.integrate", "jax.scipy.interpolate",
    "jax.scipy.ndimage", "jax.scipy.spatial.transform", "jax.scipy.cluster", "jax.scipy.cluster.vq",
    "jax.tree_util", "jax.tree", "jax.typing", "jax.flatten_util", "jax.stages", "jax.export",
    "jax.dtypes", "jax.errors", "jax.debug", "jax.profiler", "jax.monitoring", "jax.ad_checkpoint",
    "jax.custom_derivatives", "jax.custom_batching", "jax.test_util", "jax.image", "jax.dlpack",
    "jax.ops", "jax.experimental", "jax.experimental.checkify", "jax.experimental.mesh_utils",
    "jax.experimental.shard_map", "jax.example_libraries.optimizers", "jax.example_libraries.stax",
]
EXPAND = ["jax.scipy.stats"]
# jax.custom_transpose is on the list but is not a module of JAX 0.10.2
# (`import jax.custom_transpose` fails there), so there is nothing to walk.

# name -> reason. Keys are "module:name" (or "module:*" for a whole module's names).
EXCLUDED = {
    # Other issues own these (the issue says so): the multi-process runtime and the
    # extension API served by the install_as_jax compatibility work.
    "jax:distributed": "multi-process issue (jax.distributed)",
    "jax:make_array_from_process_local_data": "multi-process issue",
    "jax:process_indices": "multi-process issue",
    # Deprecated in JAX 0.10.2 (a DeprecationWarning on use), kept there only for old code.
    "jax:host_count": "deprecated alias of process_count",
    "jax:host_id": "deprecated alias of process_index",
    "jax:host_ids": "deprecated alias of process_indices",
    # Compatibility shims for other JAX-internal tooling, not APIs for users.
    "jax:jax2tf_associative_scan_reductions": "a jax2tf (TensorFlow converter) option",
}


def _lister(prefix: str) -> str:
    """Source of a program that prints {jax module: [public names] or None} for `prefix` as the
    root (`jax` or `hlox`), with jax's module names as keys."""
    return f'''
import __future__, builtins, collections, collections.abc, functools, importlib, json, sys, types, typing, warnings
warnings.simplefilter("ignore")
STDLIB = (__future__, builtins, collections, collections.abc, functools, typing)
modules, expand, given = {MODULES!r}, {EXPAND!r}, json.loads(sys.stdin.read())
out = {{}}

def public(mod, path):
    names = []
    for n in dir(mod):
        if n.startswith("_"):
            continue
        try:
            v = getattr(mod, n)
        except Exception:
            continue
        if isinstance(v, types.ModuleType) and not v.__name__.startswith(path + "."):
            continue  # a module it imported (np, ...), not one of its submodules
        if any(getattr(lib, n, None) is v for lib in STDLIB):
            continue  # `from typing import Any`, `from functools import partial`, builtins' zip
        names.append(n)
    return names

todo = list(modules) if given is None else list(given)
while todo:
    m = todo.pop(0)
    path = "{prefix}" + m[3:]
    try:
        mod = importlib.import_module(path)
    except Exception as e:
        out[m] = None
        continue
    if given is None:
        out[m] = public(mod, path)
        if m in expand:
            todo += [m + "." + n for n in out[m] if isinstance(getattr(mod, n), types.ModuleType)]
    else:
        have = []
        for n in given.get(m) or []:
            try:
                getattr(mod, n)
                have.append(n)
            except Exception:
                pass
        out[m] = have
print(json.dumps(out))
'''


def _run(prefix, given=None):
    result = subprocess.run([sys.executable, "-c", _lister(prefix)], input=json.dumps(given),
                            capture_output=True, text=True, cwd=ROOT, timeout=600,
                            env={**__import__("os").environ, "JAX_PLATFORMS": "cpu"})
    assert result.returncode == 0, result.stderr[-4000:]
    return json.loads(result.stdout.strip().splitlines()[-1])


def missing_names():
    """{jax module: [names hlox lacks, exclusions removed]}, and the JAX listing."""
    theirs = _run("jax")
    theirs = {m: names for m, names in theirs.items() if names is not None}
    ours = _run("hlox", theirs)
    missing = {}
    for m, names in theirs.items():
        have = set(ours.get(m) or [])
        lack = [n for n in names if n not in have and f"{m}:{n}" not in EXCLUDED
                and f"{m}:*" not in EXCLUDED]
        missing[m] = lack
    return missing, theirs


@pytest.fixture(scope="module")
def walk():
    return missing_names()


def test_every_public_jax_name_exists_in_hlox(walk):
    missing, _ = walk
    lacking = {m: names for m, names in missing.items() if names}
    assert not lacking, "hlox lacks public JAX names:\n" + "\n".join(
        f"  {m} ({len(n)}): {' '.join(n)}" for m, n in lacking.items())


def test_exclusions_are_names_jax_has(walk):
    """An exclusion for a name JAX does not have (or hlox now has) is stale."""
    _, theirs = walk
    for key in EXCLUDED:
        module, name = key.split(":")
        assert module in theirs, key
        assert name == "*" or name in theirs[module], key


def main():
    missing, theirs = missing_names()
    total = 0
    for m, names in missing.items():
        total += len(names)
        print(f"{m}: {len(names)} of {len(theirs[m])} missing" + (f": {' '.join(names)}" if names else ""))
    print(f"total missing: {total} of {sum(len(v) for v in theirs.values())}")


if __name__ == "__main__":
    main()
