"""`hlox.ad_checkpoint`: JAX's jax.ad_checkpoint namespace."""
from hlox.frontend.checkpoint import checkpoint, checkpoint_name, checkpoint_policies, remat  # noqa: F401

__all__ = ["checkpoint", "checkpoint_name", "checkpoint_policies", "remat"]
