"""`hlox.scipy`: the jax.scipy-compatible namespace (linalg, special, stats)."""
from hlox.scipy import linalg, special, stats  # noqa: F401

__all__ = ["linalg", "special", "stats"]
