"""Automatic differentiation as passes over StableHLO (see DESIGN.md, "Pass conventions").

`forward.jvp`, `reverse.vjp` and `reverse.grad` each add a new `func.func` to a
module; the rule tables live in `common` and are filled by `rules`.
"""
from hlox.passes.autodiff import rules  # noqa: F401  (fills the rule tables)
from hlox.passes.autodiff.common import JVP_RULES, NON_DIFFERENTIABLE, VJP_RULES  # noqa: F401
from hlox.passes.autodiff.forward import jvp  # noqa: F401
from hlox.passes.autodiff.reverse import grad, vjp  # noqa: F401
