"""`hlox.scipy.cluster`, as jax.scipy.cluster."""
from hlox.scipy.cluster import vq  # noqa: F401

__all__ = ["vq"]
