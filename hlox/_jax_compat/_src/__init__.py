"""`jax._src` under `hlox.install_as_jax()`: the private JAX modules that libraries import.
Those that libraries reach as attributes (`jax._src.xla_bridge._backends`) load with it."""
from hlox._jax_compat._src import xla_bridge  # noqa: F401
