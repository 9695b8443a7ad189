"""`hlox.scipy.signal`: jax.scipy.signal's names are not yet implemented in hlox's own code
(see the PENDING list in tests/test_public_api.py)."""
__all__: list[str] = []
