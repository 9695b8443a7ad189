"""What the distributions share: promotion, the standard-variable and unit-interval wrappers,
and one compiled program per eager call."""
from __future__ import annotations

import numpy as np

from hlox.frontend import lax
from hlox.numerics.numpy._util import promote_args_inexact
from hlox.numerics.scipy.arguments import const
from hlox.frontend.jit import eager_jit
from hlox.numerics.numpy import elementwise as ew


def jit_public(namespace, static_argnames=None):
    """Wrap each public function of a module with eager_jit, as JAX's stats run compiled."""
    static_argnames = static_argnames or {}
    for name in namespace["__all__"]:
        namespace[name] = eager_jit(namespace[name], static_argnames=static_argnames.get(name, ()))


def reflected(name, fn):
    """fn(-x, -loc, scale): the survival function from the cdf of a symmetric distribution."""
    def survival(x, loc=0, scale=1):
        x, loc, scale = promote_args_inexact(name, x, loc, scale)
        return fn(-x, -loc, scale)
    survival.__name__ = name.split(".")[-1]
    return survival


def on_standard_variable(name, fn):
    """fn(z, scale) of z = (x - loc) / scale, NaN where scale <= 0 (the Gumbel family's rule)."""
    def wrapped(x, loc=0, scale=1):
        x, loc, scale = promote_args_inexact(name, x, loc, scale)
        z = lax.div(lax.sub(x, loc), scale)
        return ew.where(lax.gt(scale, const(scale, 0)), fn(z, scale), np.nan)
    wrapped.__name__ = name.split(".")[-1]
    return wrapped


def on_open_unit_interval(name, fn):
    """fn(p, loc, scale), NaN unless 0 < p < 1 (quantile functions)."""
    def wrapped(p, loc=0, scale=1):
        p, loc, scale = promote_args_inexact(name, p, loc, scale)
        ok = lax.bitwise_and(lax.gt(p, const(p, 0)), lax.lt(p, const(p, 1)))
        return ew.where(ok, fn(p, loc, scale), np.nan)
    wrapped.__name__ = name.split(".")[-1]
    return wrapped
