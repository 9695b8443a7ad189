"""JAX's public API, complete (issue 11): walk JAX 0.10.2's public modules and check that every
public name exists in hlox's module of the same path (`jax.X.Y` -> `hlox.X.Y`), apart from the
short list of exclusions below, each with its reason.

Real JAX and hlox are listed in two separate subprocesses, so neither sees the other's modules
(importing a JAX submodule makes it an attribute of its parent; both walks import the same set).

`.venv/bin/python tests/test_public_api.py` prints the missing names per module with counts.
"""
from __future__ import annotations

import fnmatch
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

# Names hlox will not have, each with its reason ("module:name").
EXCLUDED = {
    # Another issue owns these (issue 11 says so): the multi-process runtime.
    "jax:distributed": "the multi-process issue (jax.distributed)",
    "jax:make_array_from_process_local_data": "the multi-process issue",
    "jax:process_indices": "the multi-process issue",
    # Deprecated in JAX 0.10.2 (calling them warns), kept there only for old code.
    "jax:host_count": "deprecated alias of process_count (warns in JAX 0.10.2)",
    "jax:host_id": "deprecated alias of process_index (warns in JAX 0.10.2)",
    "jax:host_ids": "deprecated alias of process_indices (warns in JAX 0.10.2)",
}

# Not an exclusion: the names still owed, by module, as (reason, names) with "*" for a whole
# module and fnmatch patterns allowed. test_pending_names_are_still_missing fails when an entry
# is done, so this list only shrinks.
_PRIMITIVES = ("JAX's Primitive objects (add_p, ...), for jaxpr interpreters and rule tables: "
               "the extension API (jax.extend, jax.interpreters) that issue 11 serves on the IR",
               "*_p")
PENDING = {
    "jax": [("not done yet: the extension API (ad, api_util, interpreters, ffi, lib, make_jaxpr: "
             "issue 11's install_as_jax part), mutable refs (Ref, ref, new_ref, ...), the "
             "modules still pending below, and small ones",
        'Ref Shard ad api_util copy_to_host_async custom_batching dlpack ds '
        'effects_barrier empty_ref export ffi float0 free_ref freeze fwd_and_bwd interpreters lib '
        'make_jaxpr make_user_context memory new_ref print_environment_info profiler ref reshard '
        'smap stages transfer_guard version')],
    "jax.numpy": [("not done yet",
        'array_repr array_str einsum_path from_dlpack fromfile frompyfunc poly polyfit roots ufunc')],
    "jax.lax": [_PRIMITIVES,
                ("lax ops and types not done yet (ragged_dot, DotAlgorithm, tokens, psend/precv, ...)",
        'AccuracyMode DotAlgorithm DotAlgorithmPreset PrecisionLike RaggedDotDimensionNumbers '
        'Tolerance after_all composite conv_general_dilated_local create_token dce_sink dtype '
        'empty index_take mulhi pcast platform_dependent precv psend pshuffle ragged_all_to_all '
        'ragged_dot ragged_dot_general reduce_precision rng_bit_generator rng_uniform scaled_dot '
        'scatter_apply shape_as_value stack stage')],
    "jax.lax.linalg": [_PRIMITIVES,
                       ("lax.linalg decompositions not done yet (schur, hessenberg, tridiagonal, ...)",
        'EigImplementation EighImplementation SvdAlgorithm cholesky_update hessenberg ormqr qdwh '
        'schur symmetric_product tridiagonal tridiagonal_solve')],
    "jax.nn": [("not done yet",
        'get_scaled_dot_general_config scaled_dot_general scaled_matmul sparse_sigmoid')],
    "jax.scipy": [("jax.scipy.sparse (linalg.cg/gmres/bicgstab) not ported yet",
        'sparse')],
    "jax.scipy.special": [("not done yet",
        'bessel_jn fresnel hyp2f1 owens_t sph_harm_y wofz')],
    "jax.scipy.linalg": [("need lax.linalg.schur/hessenberg (not done yet)",
        'eigh_tridiagonal funm hessenberg polar qr_multiply rsf2csf schur solve_sylvester sqrtm'),
                         ("not yet implemented in hlox's own code",
        'block_diag circulant companion convolution_matrix dft expm expm_frechet fiedler '
        'fiedler_companion hadamard hankel helmert hilbert invhilbert invpascal leslie pascal '
        'toeplitz')],
    "jax.image": [("not yet implemented in hlox's own code", "*")],
    "jax.scipy.stats": [("not done yet",
        'gaussian_kde gennorm mode rankdata sem truncnorm vonmises wrapcauchy')],
    "jax.stages": [("jit's ahead-of-time classes under jax.stages' names (hlox's "
                    "jit(f).lower()/.compile() objects are not these classes yet)", "*")],
    "jax.export": [("issue 11's jax.export section (Exported, serialize/deserialize "
                    "interoperable with JAX)", "*")],
    "jax.debug": [("not done yet",
        'DebugEffect OrderedDebugEffect breakpoint log')],
    "jax.profiler": [("issue 11's profiler item (trace/start_trace/TraceAnnotation on "
                      "jaxlib's profiler)", "*")],
    "jax.custom_batching": [("issue 11's custom_vmap as an IR-level rule", "*")],
    "jax.dlpack": [("DLPack exchange (from_dlpack) on hlox Arrays", "*")],
    "jax.experimental": [("JAX's extended-dtype and mutable-ref internals, not done yet",
        'EArray cur_qdd primal_tangent_dtype')],
    "jax.scipy.signal": [("not yet implemented in hlox's own code",
        'convolve convolve2d correlate correlate2d csd detrend fftconvolve istft stft welch')],
    "jax.scipy.spatial.transform": [("not yet implemented in hlox's own code",
        'Rotation Slerp')],
    "jax.scipy.stats.gennorm": [("distribution not ported yet", "*")],
    "jax.scipy.stats.poisson": [("not done yet",
        'entropy')],
    "jax.scipy.stats.truncnorm": [("distribution not ported yet", "*")],
    "jax.scipy.stats.vonmises": [("distribution not ported yet", "*")],
    "jax.scipy.stats.wrapcauchy": [("distribution not ported yet", "*")],
    "jax.random": [_PRIMITIVES],
    "jax.custom_derivatives": [_PRIMITIVES],
}


def _pending(module, name):
    return any(fnmatch.fnmatchcase(name, pattern) for _, names in PENDING.get(module, ())
               for pattern in names.split())


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
        missing[m] = [n for n in names if n not in have and f"{m}:{n}" not in EXCLUDED]
    return missing, theirs


@pytest.fixture(scope="module")
def walk():
    return missing_names()


def test_every_public_jax_name_exists_in_hlox(walk):
    missing, _ = walk
    lacking = {m: [n for n in names if not _pending(m, n)] for m, names in missing.items()}
    lacking = {m: names for m, names in lacking.items() if names}
    assert not lacking, "hlox lacks public JAX names:\n" + "\n".join(
        f"  {m} ({len(n)}): {' '.join(n)}" for m, n in lacking.items())


def test_exclusions_are_names_jax_has(walk):
    """An exclusion for a name JAX does not have is stale."""
    _, theirs = walk
    for key in EXCLUDED:
        module, name = key.split(":")
        assert module in theirs and name in theirs[module], key


def test_pending_names_are_still_missing(walk):
    """Every PENDING pattern still matches a name hlox lacks: a done entry must be removed."""
    missing, _ = walk
    for module, entries in PENDING.items():
        for _, names in entries:
            for pattern in names.split():
                assert any(fnmatch.fnmatchcase(n, pattern) for n in missing.get(module, ())), \
                    f"PENDING {module}: {pattern} is done (hlox has it): remove it from PENDING"


def main():
    """Print, per module, the public JAX names hlox lacks (exclusions left out; pending ones
    counted, since they are still missing)."""
    missing, theirs = missing_names()
    total = 0
    for m, names in missing.items():
        total += len(names)
        print(f"{m}: {len(names)} of {len(theirs[m])} missing" + (f": {' '.join(names)}" if names else ""))
    print(f"total missing: {total} of {sum(len(v) for v in theirs.values())} "
          f"({len(EXCLUDED)} names excluded)")


if __name__ == "__main__":
    main()
