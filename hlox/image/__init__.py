"""`hlox.image`, as jax.image: not yet implemented in hlox's own code (resize,
scale_and_translate and ResizeMethod are on tests/test_public_api.py's PENDING list)."""
__all__: list[str] = []
