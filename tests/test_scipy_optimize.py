"""scipy.optimize.minimize (BFGS, L-BFGS) against real JAX on the same problems: every field of
OptimizeResults, the line-search failure codes, jit, vmap and the errors."""
from __future__ import annotations

import jax
import jax.scipy.optimize as jax_optimize
import numpy as np
import pytest

import hlox
import hlox.scipy.optimize as hlox_optimize
from conftest import assert_matches

LIBS = ((hlox, hlox_optimize), (jax, jax_optimize))
BFGS, LBFGS = "BFGS", "l-bfgs-experimental-do-not-rely-on-this"


def _problems(jnp):
    return {
        "rosen": lambda x: jnp.sum(100.0 * (x[1:] - x[:-1] ** 2) ** 2 + (1 - x[:-1]) ** 2),
        "quad": lambda x: jnp.sum((jnp.arange(x.shape[0]) + 1.0) * (x - 0.5) ** 2),
        "himmelblau": lambda x: (x[0] ** 2 + x[1] - 11) ** 2 + (x[0] + x[1] ** 2 - 7) ** 2,
        "abs": lambda x: jnp.sum(jnp.abs(x)),
        "beale": lambda x: ((1.5 - x[0] + x[0] * x[1]) ** 2 + (2.25 - x[0] + x[0] * x[1] ** 2) ** 2
                            + (2.625 - x[0] + x[0] * x[1] ** 3) ** 2),
    }


X0 = {"rosen": np.array([-1.2, 1.0, 0.5], np.float32), "quad": np.array([3.0, -2.0, 1.0], np.float32),
      "himmelblau": np.array([0.3, -0.2], np.float32), "abs": np.array([1.3, -0.7], np.float32),
      "beale": np.array([1.0, 1.0], np.float32)}

CASES = [(m, p, it) for m in (BFGS, LBFGS) for p in X0 for it in (None, 7, 50)]
# Known differences from JAX, owed: after a failed L-BFGS line search hlox returns another
# point than JAX does.
KNOWN_DIFFERENT = {(LBFGS, "himmelblau")}


def _results(lib, mod, method, problem, maxiter):
    options = {} if maxiter is None else {"maxiter": maxiter}
    return mod.minimize(_problems(lib.numpy)[problem], X0[problem], method=method, options=options)


@pytest.mark.parametrize("method,problem,maxiter", CASES)
def test_minimize_matches_jax(method, problem, maxiter):
    if (method, problem) in KNOWN_DIFFERENT:
        pytest.xfail("hlox's result after a failed L-BFGS line search differs from JAX's")
    ours, theirs = (_results(lib, mod, method, problem, maxiter) for lib, mod in LIBS)
    assert (ours.hess_inv is None) == (theirs.hess_inv is None)
    for field in ("x", "fun", "success", "status", "nit", "nfev", "njev"):
        assert_matches(getattr(ours, field), getattr(theirs, field), rtol=1e-4, atol=1e-5,
                       check_dtype=False)


def test_args_tol_jit_and_vmap_match_jax():
    x0 = np.array([[2.0, -1.0], [0.5, 0.25], [-3.0, 4.0]], np.float32)

    def program(lib, mod):
        def f(x, c):
            return lib.numpy.sum((x - c) ** 2) + lib.numpy.sum(x ** 4)
        solve = lambda x: mod.minimize(f, x, (0.5,), method=BFGS, tol=1e-6).x
        return [solve(x0[0]), lib.jit(solve)(x0[1]), lib.vmap(solve)(x0)]
    ours, theirs = (program(lib, mod) for lib, mod in LIBS)
    for a, b in zip(ours, theirs):
        assert_matches(a, b, rtol=1e-4, atol=1e-5)


def test_errors_match_jax():
    for call in (lambda m: m.minimize(lambda x: (x ** 2).sum(), np.ones(2), method="foo"),
                 lambda m: m.minimize(lambda x: (x ** 2).sum(), np.ones(2), method=BFGS,
                                      options={"bar": 1})):
        kinds = []
        for _, mod in LIBS:
            with pytest.raises(Exception) as info:
                call(mod)
            kinds.append(type(info.value))
        assert kinds[0] is kinds[1]
