"""`hlox.experimental.compilation_cache`, as jax.experimental.compilation_cache."""
from hlox.experimental.compilation_cache import compilation_cache  # noqa: F401

__all__ = ["compilation_cache"]
