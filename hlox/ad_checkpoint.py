"""`hlox.ad_checkpoint`: JAX's jax.ad_checkpoint namespace."""
from hlox.frontend.checkpoint import (checkpoint, checkpoint_name,  # noqa: F401
                                     checkpoint_policies, remat)

__all__ = ["checkpoint", "checkpoint_name", "checkpoint_policies", "remat"]
from hlox.numerics import array_methods as _array_methods  # noqa: E402,F401  (attaches the operators of Arrays and tracers)
