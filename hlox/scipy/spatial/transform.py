"""`hlox.scipy.spatial.transform`: jax.scipy.spatial.transform's names (Rotation, Slerp) are not
yet implemented in hlox's own code (see the PENDING list in tests/test_public_api.py)."""
__all__: list[str] = []
