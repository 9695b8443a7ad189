"""`hlox.scipy.spatial`, as jax.scipy.spatial."""
from hlox.scipy.spatial import transform  # noqa: F401

__all__ = ["transform"]
