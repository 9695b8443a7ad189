"""`jax._src.compiler`: libraries import it to patch JAX's compile entry points. hlox compiles
in `hlox.lowering.executable`, which this module does not expose: `backend_compile_and_load`
and `backend_compile` are absent, so code that looks for them (chex's `restrict_backends`)
sees a JAX without them."""
from __future__ import annotations

from hlox._jax_compat._src._names import missing_names

__getattr__ = missing_names("jax._src.compiler")
