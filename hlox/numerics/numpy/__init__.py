"""numpy semantics on top of lax; `hlox.numpy` re-exports every module's `__all__`."""
