"""`hlox.install_as_jax()`: from then on `import jax` (and every `jax.X`) means hlox in this process.

As `pymysql.install_as_MySQLdb()` serves code written for another module, a finder on
`sys.meta_path` maps module names:

- `jax` is `hlox._jax_compat`, a thin module that is not `hlox` itself: it reports the JAX
  version whose API hlox implements (`jax.__version__ == "0.10.2"`, while `hlox.__version__`
  stays hlox's own) and forwards every other attribute to `hlox` (`jax.jit is hlox.jit`);
- `jax._src.*` and `jax.version` (the private modules that libraries import) are served from
  that compatibility package, `hlox._jax_compat._src.*`, never from hlox's own modules;
- every other `jax.X.Y` is `hlox.X.Y`, the same module object (`jax.numpy is hlox.numpy`).

It refuses when real JAX is already imported in the process: two JAXes cannot share one.
"""
from __future__ import annotations

import importlib
import importlib.abc
import importlib.machinery
import sys

JAX_VERSION = "0.10.2"  # the JAX whose API hlox implements

# jax names served by the compatibility package; everything else under `jax.` is hlox's
_COMPAT_PREFIXES = ("jax._src", "jax.version")
_FACADE = "hlox._jax_compat"


def hlox_name_of(jax_name: str) -> str | None:
    """The hlox module that serves the JAX module `jax_name`, or None if it is not a JAX name."""
    if jax_name == "jax":
        return _FACADE
    if not jax_name.startswith("jax."):
        return None
    if any(jax_name == p or jax_name.startswith(p + ".") for p in _COMPAT_PREFIXES):
        return _FACADE + jax_name[len("jax"):]
    return "hlox" + jax_name[len("jax"):]


class _AliasLoader(importlib.abc.Loader):
    """Loads `jax.X` as the already importable hlox module: the same object, its own spec kept."""

    def __init__(self, target: str):
        self.target = target
        self._target_spec = None

    def create_module(self, spec):
        module = importlib.import_module(self.target)
        self._target_spec = getattr(module, "__spec__", None)
        return module

    def exec_module(self, module):
        # importlib sets `module.__spec__` to the `jax.X` spec; the module stays hlox's
        if self._target_spec is not None:
            module.__spec__ = self._target_spec


class JaxFinder(importlib.abc.MetaPathFinder):
    """The `sys.meta_path` entry that `install_as_jax` adds."""

    def find_spec(self, fullname, path=None, target=None):
        hlox_name = hlox_name_of(fullname)
        if hlox_name is None:
            return None
        if importlib.util.find_spec(hlox_name) is None:
            return None  # no such module: the import fails as `jax.X` would without it
        is_package = importlib.util.find_spec(hlox_name).submodule_search_locations is not None
        return importlib.machinery.ModuleSpec(fullname, _AliasLoader(hlox_name), is_package=is_package)


def _real_jax_modules() -> list[str]:
    facade = sys.modules.get(_FACADE)
    return sorted(name for name, module in list(sys.modules.items())
                  if (name == "jax" or name.startswith("jax.")) and module is not None
                  and not (facade is not None and _is_served(name, module)))


def _is_served(name, module) -> bool:
    hlox_name = hlox_name_of(name)
    return hlox_name is not None and sys.modules.get(hlox_name) is module


def installed() -> bool:
    return any(isinstance(finder, JaxFinder) for finder in sys.meta_path)


def install_as_jax() -> None:
    """Make `import jax` and every `jax.X` resolve to hlox's modules in this process.

    Raises RuntimeError when real JAX is already imported (its modules and hlox's cannot
    both be `jax`). Calling it again is a no-op."""
    real = _real_jax_modules()
    if real:
        raise RuntimeError(
            "hlox.install_as_jax(): real JAX is already imported in this process "
            f"({', '.join(real[:5])}{', ...' if len(real) > 5 else ''}); call install_as_jax() "
            "before anything imports jax, or run the program with `python -m hlox.as_jax`")
    if installed():
        return
    sys.meta_path.insert(0, JaxFinder())
    importlib.import_module("jax")
