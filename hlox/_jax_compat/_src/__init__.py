"""`jax._src` under `hlox.install_as_jax()`: the private JAX modules that libraries import."""
