"""`hlox.ad_checkpoint`: JAX's jax.ad_checkpoint namespace."""
from hlox.frontend.checkpoint import (Offloadable, Recompute, Saveable, checkpoint,  # noqa: F401
                                     checkpoint_name, checkpoint_policies, print_saved_residuals,
                                     remat)

__all__ = ["Offloadable", "Recompute", "Saveable", "checkpoint", "checkpoint_name",
           "checkpoint_policies", "print_saved_residuals", "remat"]
from hlox.numerics import array_methods as _array_methods  # noqa: E402,F401  (attaches the operators of Arrays and tracers)
