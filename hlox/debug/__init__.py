"""`hlox.debug`: printing and callbacks that run when a (compiled) program runs, as jax.debug."""
from hlox.frontend.callbacks import debug_callback as callback
from hlox.frontend.callbacks import debug_print as print  # noqa: A001  (JAX's name)

__all__ = ["callback", "print"]
from hlox.numerics import array_methods as _array_methods  # noqa: E402,F401  (attaches the operators of Arrays and tracers)
