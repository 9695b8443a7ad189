"""`hlox.config`, JAX's `jax.config`: every option of JAX 0.10.2 (the table in config_options),
read as attributes (`hlox.config.jax_enable_x64`), set with `update`, read with `read`, and
set for a block or a function with the context managers (`hlox.debug_nans(True)`).

Options hlox acts on are in ACTED_ON; every other option is accepted, validated and stored
with JAX's rules, and has no effect (NO_EFFECT). Other hlox modules subscribe to changes
with `on_update(listener)`: `listener(name, value)` runs when the value this thread sees
changes (an update, or a context manager's enter and exit).
"""
from __future__ import annotations

import contextlib
import itertools
import sys
import threading
import types

from hlox import config_options as _table
from hlox import config_state as _state

_HOLDERS = _state.make_holders()
_ACTIVE = _state.ACTIVE
_CONTEXTMANAGER_FLAGS = {n for n, (_, _, _, cm) in _table.OPTIONS.items() if cm}
CONTEXT_MANAGERS = _table.CONTEXT_MANAGERS  # hlox.<name> -> option, as jax.<name>
NumpyDtypePromotion = _state.ENUM_CLASSES["NumpyDtypePromotion"]
State, Flag = _state.State, _state.Flag

ACTED_ON = frozenset({
    "jax_enable_x64", "jax_platforms", "jax_default_device", "jax_disable_jit", "jax_num_cpu_devices",
    "jax_numpy_dtype_promotion", "jax_numpy_rank_promotion", "jax_debug_nans", "jax_debug_infs",
    "jax_default_matmul_precision", "jax_default_prng_impl", "jax_threefry_partitionable",
})
NO_EFFECT = frozenset(_HOLDERS) - ACTED_ON

# options a traced function depends on: part of every jit cache key (with the x64 policy)
_TRACE_OPTIONS = tuple(_HOLDERS[n] for n in (
    "jax_numpy_dtype_promotion", "jax_numpy_rank_promotion", "jax_default_matmul_precision",
    "jax_default_prng_impl", "jax_threefry_partitionable"))
_TRACE_NAMES = frozenset(h.name for h in _TRACE_OPTIONS)
# [version, process-wide values of _TRACE_OPTIONS, (x64, those values)], current while version
# is config_state.VERSION
_global_context = [None, None, None]
_VERSION = _state.VERSION

# jax.config's other attributes
use_absl = False
meta = {n: ({"bool": bool, "int": int, "float": float, "enum": "enum", "oenum": "enum",
             "enum_class": "enum_class"}.get(kind, str) if kind != "flag" else type(d), [],
            {"enum_values": list(extra)} if kind in ("enum", "oenum") else
            {"enum_class": _state.ENUM_CLASSES[extra]} if kind == "enum_class" else {})
        for n, (kind, d, extra, _) in _table.OPTIONS.items()}
_value_holders = _HOLDERS
_contextmanager_flags = _CONTEXTMANAGER_FLAGS


def update(name, val):
    if name not in _HOLDERS:
        raise AttributeError(f"Unrecognized config option: {name}")
    _HOLDERS[name]._set(val)


def read(name):
    if name in _CONTEXTMANAGER_FLAGS:
        raise AttributeError(
            "For flags with a corresponding contextmanager, read their value "
            f"via e.g. `config.{name}` rather than `config.FLAGS.{name}`.")
    return _read(name)


def _read(name):
    try:
        return _HOLDERS[name].value
    except KeyError:
        raise AttributeError(f"Unrecognized config option: {name}") from None


def add_option(name, holder, opt_type, meta_args, meta_kwargs):
    if name in _HOLDERS:
        raise Exception(f"Config option {name} already defined")
    _HOLDERS[name] = holder
    meta[name] = (opt_type, meta_args, meta_kwargs)
    setattr(_ConfigModule, name, property(lambda _, h=holder: h.value))


def state(name):
    """The holder of option `name` (a State is also its context manager)."""
    return _HOLDERS[name]


def flag(name, value):
    """`with config.flag("jax_enable_x64", True): ...` sets an option for a block, in this thread."""
    return _HOLDERS[name](value)


def on_update(listener):
    """Call `listener(name, value)` whenever an option's value changes (the runtime mirrors x64
    into jaxlib)."""
    _state._listeners.append(listener)
    return listener


class _ConfigModule(types.ModuleType):
    """The module's class: each option is a property, as on JAX's Config (fast to read)."""

    @property
    def values(self):
        return {n: h.value for n, h in _HOLDERS.items()}


for _name, _holder in _HOLDERS.items():
    setattr(_ConfigModule, _name, property(lambda _, h=_holder: h.value))
sys.modules[__name__].__class__ = _ConfigModule


def __dir__():
    return sorted(set(globals()) | set(_HOLDERS) | {"values"})


# -- what tracing depends on ---------------------------------------------------------
_thread_policy = threading.local()
_ENABLE_X64 = _HOLDERS["jax_enable_x64"]


def x64_enabled() -> bool:
    """Whether this thread's tracing keeps 64-bit dtypes: the user's option, unless a pass on
    this thread has set its own dtype policy (see `dtype_policy`)."""
    if not _ACTIVE[0]:
        return _ENABLE_X64._global
    keep_64 = getattr(_thread_policy, "keep_64", None)
    return _ENABLE_X64.value if keep_64 is None else keep_64


@contextlib.contextmanager
def dtype_policy(keep_64: bool):
    """Within this thread only, trace as if x64 were `keep_64`: a pass emits the dtypes of the IR
    it reads, whatever the user's setting, without touching the user's option."""
    old = getattr(_thread_policy, "keep_64", None)
    _thread_policy.keep_64 = keep_64
    _state.count_active(1)
    try:
        yield
    finally:
        _thread_policy.keep_64 = old
        _state.count_active(-1)


def trace_context():
    """The option values a traced function depends on, for jit cache keys."""
    if _global_context[0] != _VERSION[0]:
        rest = tuple(h.get_global() for h in _TRACE_OPTIONS)
        _global_context[:] = [_VERSION[0], rest, (_ENABLE_X64.get_global(), rest)]
    if not _ACTIVE[0]:  # no thread-local value anywhere: the process-wide values
        return _global_context[2]
    local = _state.local_values()
    if local and not _TRACE_NAMES.isdisjoint(local):
        return (x64_enabled(), tuple(h.value for h in _TRACE_OPTIONS))
    return (x64_enabled(), _global_context[1])


def strict_promotion() -> bool:
    return _HOLDERS["jax_numpy_dtype_promotion"].value == NumpyDtypePromotion.STRICT


_NANS, _INFS = _HOLDERS["jax_debug_nans"], _HOLDERS["jax_debug_infs"]


def debug_checks() -> tuple[bool, bool]:
    """(jax_debug_nans, jax_debug_infs) as this thread sees them."""
    return _NANS.value, _INFS.value


def debug_checks_on() -> bool:
    """Whether jax_debug_nans or jax_debug_infs is on in this thread (the hot path's question)."""
    if not _ACTIVE[0]:
        return _NANS._global or _INFS._global
    return _NANS.value or _INFS.value


# -- absl, as jax.config has it ---------------------------------------------------------
_absl_configured = [False]


def config_with_absl():
    """Define an absl flag per option; `app.run(main)` then sets the options from the command line."""
    from absl import app, flags as absl_flags
    global use_absl, absl_flags_module
    use_absl, absl_flags_module = True, absl_flags
    defines = {bool: absl_flags.DEFINE_bool, int: absl_flags.DEFINE_integer,
               float: absl_flags.DEFINE_float, str: absl_flags.DEFINE_string,
               "enum": absl_flags.DEFINE_enum, "enum_class": absl_flags.DEFINE_enum_class}
    for name, (flag_type, meta_args, meta_kwargs) in meta.items():
        if name in absl_flags.FLAGS:
            continue
        value = _HOLDERS[name].value
        if flag_type == "enum" and value is None:
            absl_flags.DEFINE_string(name, None, name)
            continue
        defines.get(flag_type, absl_flags.DEFINE_string)(name, value, *meta_args,
                                                           **{"help": name, **meta_kwargs})
    app.call_after_init(lambda: complete_absl_config(absl_flags))


def complete_absl_config(absl_flags):
    for name, holder in _HOLDERS.items():
        try:
            flag_ = absl_flags.FLAGS[name]
        except KeyError:
            continue
        if flag_.present:
            holder._set(flag_.value)


def parse_flags_with_absl():
    """Parse the --jax* command-line arguments (before the first --) into the options."""
    if not _absl_configured[0]:
        import absl.flags
        argv = ["", *(a for a in itertools.takewhile(lambda a: a != "--", sys.argv)
                      if a.startswith("--jax"))]
        config_with_absl()
        absl.flags.FLAGS(argv, known_only=True)
        complete_absl_config(absl.flags)
        _absl_configured[0] = True


config = sys.modules[__name__]  # `from hlox.config import config`, as old JAX code does
