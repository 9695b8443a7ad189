"""What a compatibility module does with a name it does not serve."""
from __future__ import annotations


def missing_names(module: str):
    """A module `__getattr__` for `module` (a `jax._src` path): a name it lacks is an
    AttributeError that says so (as a missing attribute of JAX's module would be)."""

    def __getattr__(name):
        raise AttributeError(f"module {module!r} has no attribute {name!r}: hlox's compatibility "
                             f"layer (hlox._jax_compat) does not serve it")

    return __getattr__


def not_implemented(qualname: str):
    """A callable standing for JAX's `qualname`, which hlox cannot do yet: calling it raises
    NotImplementedError naming it."""

    def unsupported(*args, **kwargs):
        raise NotImplementedError(f"{qualname} is not implemented by hlox")

    unsupported.__name__ = unsupported.__qualname__ = qualname.rsplit(".", 1)[-1]
    return unsupported
