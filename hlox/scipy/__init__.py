"""`hlox.scipy`: the jax.scipy-compatible namespace (linalg, special, stats)."""
from hlox.scipy import linalg, special, stats  # noqa: F401

__all__ = ["linalg", "special", "stats"]
from hlox.numerics import array_methods as _array_methods  # noqa: E402,F401  (attaches the operators of Arrays and tracers)
