"""The tools start fast: hlox-opt loads neither the numerical libraries nor ml_dtypes (0.6 s to
import), and `import hlox` stays lazy without changing what users can reach."""
from __future__ import annotations

import subprocess
import sys
import textwrap

import pytest

TEN_OPS = """\
func.func @main(%x: tensor<4xf32>, %y: tensor<4xf32>) -> tensor<4xf32> {
  %0 = stablehlo.add %x, %y : tensor<4xf32>
  %1 = stablehlo.multiply %0, %x : tensor<4xf32>
  %2 = stablehlo.sine %1 : tensor<4xf32>
  %3 = stablehlo.cosine %2 : tensor<4xf32>
  %4 = stablehlo.exponential %3 : tensor<4xf32>
  %5 = stablehlo.subtract %4, %y : tensor<4xf32>
  %6 = stablehlo.tanh %5 : tensor<4xf32>
  %7 = stablehlo.multiply %6, %6 : tensor<4xf32>
  %8 = stablehlo.add %7, %x : tensor<4xf32>
  %9 = stablehlo.negate %8 : tensor<4xf32>
  return %9 : tensor<4xf32>
}
"""


def _python(code: str) -> str:
    result = subprocess.run([sys.executable, "-c", textwrap.dedent(code)], capture_output=True, text=True,
                            timeout=300)
    assert result.returncode == 0, result.stderr
    return result.stdout


@pytest.mark.parametrize("args", [["--help"], ["{path}", "--hlox-vjp"], ["{path}", "--hlox-jvp"]])
def test_hlox_opt_loads_no_numerics_and_no_ml_dtypes(tmp_path, args):
    path = tmp_path / "ten.mlir"
    path.write_text(TEN_OPS)
    argv = [a.format(path=path) for a in args]
    out = _python(f"""
        import contextlib, io, sys
        from hlox.tools import opt
        with contextlib.redirect_stdout(io.TextIOWrapper(io.BytesIO())):
            rc = opt.main({argv!r})
        heavy = sorted(m for m in sys.modules if m == "ml_dtypes" or m.startswith(("hlox.numerics", "hlox.numpy",
                                                                                    "scipy")))
        print(rc, heavy)
    """)
    assert out.split("\n")[0] == "0 []"


def test_bfloat16_loads_ml_dtypes_when_it_occurs():
    out = _python("""
        import sys
        from hlox.frontend import dtypes
        before = "ml_dtypes" in sys.modules
        print(before, dtypes.promote_types("bfloat16", "float32"), dtypes.bfloat16, "ml_dtypes" in sys.modules)
    """)
    assert out.split() == ["False", "float32", "bfloat16", "True"]


@pytest.mark.parametrize("code", [
    "import hlox.numpy as jnp; print(jnp.ones(2) * 2 + 1)",
    "import hlox.lax as lax; print(lax.add(1.0, 2.0) * 2)",
    "import hlox.random as r; print(r.normal(r.PRNGKey(0), (2,)) * 0)",
    "import hlox as jax; print(jax.grad(lambda x: x * x + 1)(3.0))",
    "from hlox import jit; print(jit(lambda x: -x + 1)(2.0))",
])
def test_every_way_in_gives_arrays_with_operators(code):
    assert _python(code).strip() in ("[3. 3.]", "6.0", "[0. 0.]", "[-0. -0.]", "-1.0")


def test_lazy_namespace_lists_and_resolves_every_public_name():
    out = _python("""
        import hlox
        names = ["numpy", "lax", "random", "nn", "scipy", "tree_util", "tree", "ops", "debug", "ad_checkpoint",
                 "dtypes", "errors", "config", "grad", "jit", "vmap", "Array", "Device", "device_put"]
        print(all(n in dir(hlox) for n in names), all(getattr(hlox, n) is not None for n in names),
              hlox.numpy.float32 is hlox.numpy.float32, hasattr(hlox, "no_such_name"))
    """)
    assert out.split() == ["True", "True", "True", "False"]
