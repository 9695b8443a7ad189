"""`hlox.debug`: printing and callbacks that run when a (compiled) program runs, as jax.debug."""
from hlox.frontend.callbacks import debug_callback as callback
from hlox.frontend.callbacks import debug_print as print  # noqa: A001  (JAX's name)

__all__ = ["callback", "print"]
