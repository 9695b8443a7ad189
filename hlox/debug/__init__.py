"""`hlox.debug`: printing and callbacks that run when a (compiled) program runs, as jax.debug."""
from hlox.frontend.callbacks import debug_callback as callback
from hlox.frontend.callbacks import debug_print as print  # noqa: A001  (JAX's name)
from hlox.debug.sharding_layout import (inspect_array_sharding, visualize_array_sharding,
                                        visualize_sharding)

__all__ = ["callback", "print", "inspect_array_sharding", "visualize_array_sharding",
           "visualize_sharding"]
from hlox.numerics import array_methods as _array_methods  # noqa: E402,F401  (attaches the operators of Arrays and tracers)
