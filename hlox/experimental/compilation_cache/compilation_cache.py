"""`compilation_cache.set_cache_dir` / `reset_cache`, as JAX's: they set the
`jax_compilation_cache_dir` option. hlox keeps its compiled executables in memory only, so the
option (like JAX's other persistent-cache options) is accepted and has no effect (see
`hlox.config.NO_EFFECT`)."""
from hlox import config

__all__ = ["reset_cache", "set_cache_dir"]


def set_cache_dir(path) -> None:
    """Sets the persistent compilation cache directory (the `jax_compilation_cache_dir` option)."""
    config.update("jax_compilation_cache_dir", path)


def reset_cache() -> None:
    """Resets the persistent compilation cache (hlox has none on disk: nothing to drop)."""
