"""`hlox.scipy`: the jax.scipy-compatible namespace (special functions so far)."""
from hlox.scipy import linalg, special  # noqa: F401

__all__ = ["linalg", "special"]
