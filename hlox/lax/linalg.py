"""`hlox.lax.linalg`: JAX's lax.linalg namespace (implemented in hlox.frontend.lax_linalg)."""
from hlox.frontend.lax_linalg import cholesky, triangular_solve  # noqa: F401

__all__ = ["cholesky", "triangular_solve"]
