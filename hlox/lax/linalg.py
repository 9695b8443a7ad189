"""`hlox.lax.linalg`: JAX's lax.linalg namespace (implemented in hlox.frontend.lax_linalg)."""
from hlox.frontend.lax_linalg import (cholesky, eig, eigh, geqrf, householder_product, lu,  # noqa: F401
                                      lu_pivots_to_permutation, qr, svd, triangular_solve)

__all__ = ["cholesky", "eig", "eigh", "geqrf", "householder_product", "lu",
           "lu_pivots_to_permutation", "qr", "svd", "triangular_solve"]
