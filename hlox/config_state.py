"""The holders behind `hlox.config`, as JAX's: a `State` has a process-wide value set by
`config.update` and a per-thread value set by its context manager (`with hlox.debug_nans(True):`),
which wins while it is set; a `Flag` (JAX's absl-style options) has only the process-wide value.
Values are checked as JAX checks them, with JAX's error types and messages.
"""
from __future__ import annotations

import enum
import functools
import os
import threading

from hlox import config_options as table

# JAX's enums that also take member names: ExplicitX64Mode("warn"), RuntimeTracebackMode("FULL")
_BY_NAME = {"ExplicitX64Mode": str.lower, "RuntimeTracebackMode": str.upper}


def _enum_class(name, base, members):
    cls = (enum.StrEnum if base == "str" else enum.IntEnum)(name, list(members), module="hlox.config")
    if name in _BY_NAME:
        def _missing_(value, members=dict(members), spell=_BY_NAME[name]):
            for member in members:
                if isinstance(value, str) and value == spell(member) or (
                        spell is str.upper and isinstance(value, str) and value.upper() == member):
                    return cls[member]
            return None
        cls._missing_ = staticmethod(_missing_)
    return cls


ENUM_CLASSES = {name: _enum_class(name, base, members)
                for name, (base, members) in table.ENUM_CLASSES.items()}

_NO_DEFAULT = object()  # a context manager called without a value
_UNSET = object()  # no thread-local value
_local = threading.local()  # .values: {option name: this thread's value}
_listeners = []
# how many thread-local values (and dtype policies) are set in all threads: while none is,
# an option's value is its process-wide value and the hot paths read that directly
ACTIVE = [0]
VERSION = [0]  # bumped by every change of a process-wide value (for caches of them)
_active_lock = threading.Lock()


def count_active(delta):
    with _active_lock:
        ACTIVE[0] += delta


def notify(name, value):
    for listener in list(_listeners):
        listener(name, value)


def local_values():
    """This thread's context-manager values ({} or None when there are none)."""
    return getattr(_local, "values", None)


# -- JAX's parsers ------------------------------------------------------------------
def _parse_int(v):
    if v is not None and not isinstance(v, int):
        raise ValueError(f"new int config value must be None or of type int, got {v} of type {type(v)}")
    return v


def _parse_float(v):
    if v is not None and not isinstance(v, (float, int)):
        raise ValueError(f"new float config value must be None or of type float, got {v} of type {type(v)}")
    return v


def _parse_str(v):
    if not isinstance(v, str):
        raise TypeError(f"new string config value must be of type str, got {v} of type {type(v)}.")
    return v


def _parse_ostr(v):
    if v is not None and not isinstance(v, str):
        raise ValueError(f"new string config value must be None or of type str, got {v} of type {type(v)}.")
    return v


def _parse_ostr_dict(v):
    if v is not None and not isinstance(v, (str, dict)):
        raise ValueError("new string config value must be None or of type dict | str,"
                         f" got {v} of type {type(v)}.")
    return v


def _parse_device(v):
    if v is not None and v not in ("cpu", "gpu", "tpu") and "Device" not in str(type(v)):
        raise ValueError("jax.default_device must be passed either a Device object (e.g. "
                         "`jax.devices('cpu')[0]`) or a platform name string like 'cpu' or 'gpu'"
                         f", got: {v!r}")
    return v


def _enum_parser(values, optional):
    values = list(values)

    def parse(v):
        if optional and v is None:
            return v
        if type(v) is not str or v not in values:
            none = "None or " if optional else ""
            raise ValueError(f"new enum value must be {none}in {values}, got {v} of type {type(v)}.")
        return v
    return parse


def _enum_class_parser(cls):
    def parse(v):
        if isinstance(v, str):
            return cls(v)
        if not isinstance(v, cls):
            raise TypeError(f"new enum value must be an instance of {cls}, got {v} of type {type(v)}.")
        return v
    return parse


def parser(kind, extra):
    return {"bool": lambda: bool, "int": lambda: _parse_int, "float": lambda: _parse_float,
            "str": lambda: _parse_str, "ostr": lambda: _parse_ostr, "ostr_dict": lambda: _parse_ostr_dict, "device": lambda: _parse_device,
            "enum": lambda: _enum_parser(extra, False), "oenum": lambda: _enum_parser(extra, True),
            "enum_class": lambda: _enum_class_parser(ENUM_CLASSES[extra]),
            "flag": lambda: None}[kind]()


# -- defaults from the environment, as JAX reads them --------------------------------------
def bool_env(varname, default):
    val = os.getenv(varname, str(default)).lower()
    if val in ("y", "yes", "t", "true", "on", "1"):
        return True
    if val in ("n", "no", "f", "false", "off", "0"):
        return False
    raise ValueError(f"invalid truth value {val!r} for environment {varname!r}")


def env_default(name, kind, default, extra):
    var = name.upper()
    if kind == "bool" or (kind == "flag" and isinstance(default, bool)):
        return bool_env(var, default)
    raw = os.getenv(var)
    if raw is None:
        return ENUM_CLASSES[extra](default) if kind == "enum_class" else default
    if kind in ("int", "float") or (kind == "flag" and isinstance(default, (int, float))):
        try:
            return (float if kind == "float" or isinstance(default, float) else int)(raw)
        except ValueError:
            raise ValueError(f'Invalid value "{raw}" for JAX flag {name}') from None
    if kind == "enum_class":
        try:
            return ENUM_CLASSES[extra](raw)
        except ValueError as e:
            raise ValueError(f'Invalid value "{raw}" for JAX flag {name}') from e
    if kind in ("enum", "oenum") and raw not in extra:
        raise ValueError(f'Invalid value "{raw}" for JAX flag {name}')
    return raw


# -- holders ------------------------------------------------------------------------------
class Flag:
    """An option without a context manager: `config.update` sets it, anything goes."""

    def __init__(self, name, default):
        self._name, self.value = name, default

    name = property(lambda self: self._name)

    def __bool__(self):
        raise TypeError("bool() not supported for instances of type 'Flag' "
                        "(did you mean to use 'Flag.value' instead?)")

    def _set(self, value):
        self.value = value
        VERSION[0] += 1
        notify(self._name, value)


class State:
    """An option with a context manager: `hlox.debug_nans(True)` as `with` block or decorator."""

    def __init__(self, name, kind, default, extra, help_text=""):
        self._name = name
        self._parser = parser(kind, extra)
        self._global = default if self._parser is None else self._parser(default)
        self._cm_default = True if kind == "bool" else _NO_DEFAULT
        self.__name__ = name[4:] if name.startswith("jax_") else name
        self.__doc__ = f"Context manager for `{name}` config option.\n\n{help_text}"

    name = property(lambda self: self._name)

    @property
    def value(self):
        if not ACTIVE[0]:
            return self._global
        local = getattr(_local, "values", None)
        if local:
            v = local.get(self._name, _UNSET)
            if v is not _UNSET:
                return v
        return self._global

    def __bool__(self):
        raise TypeError("bool() not supported for instances of type 'State' "
                        "(did you mean to use 'State.value' instead?)")

    def __repr__(self):
        return f"<hlox.config.State {self._name}={self.value!r}>"

    def parse(self, value):
        return value if self._parser is None else self._parser(value)

    def _set(self, value):
        self.set_global(self.parse(value))

    def get_global(self):
        return self._global

    def set_global(self, value):
        self._global = value
        VERSION[0] += 1
        if self._name not in (getattr(_local, "values", None) or ()):
            notify(self._name, value)

    def get_local(self):
        return (getattr(_local, "values", None) or {}).get(self._name, _UNSET)

    def set_local(self, value):
        values = getattr(_local, "values", None)
        if values is None:
            values = _local.values = {}
        had = self._name in values
        if value is _UNSET:
            values.pop(self._name, None)
        else:
            values[self._name] = value
        if had != (value is not _UNSET):
            count_active(-1 if had else 1)
        notify(self._name, self.value)

    def swap_local(self, value):
        old = self.get_local()
        self.set_local(value)
        return old

    def __call__(self, new_val=_NO_DEFAULT):
        return StateContextManager(self, new_val)


class StateContextManager:
    __slots__ = ("state", "new_val", "prev")

    def __init__(self, state, new_val):
        self.state = state
        if new_val is _NO_DEFAULT:
            if state._cm_default is _NO_DEFAULT:
                raise TypeError(f"Context manager for {state.__name__} config option requires an "
                                "argument representing the new value for the config option.")
            new_val = state._cm_default
        self.new_val = state.parse(new_val)

    def __enter__(self):
        self.prev = self.state.swap_local(self.new_val)

    def __exit__(self, *exc):
        self.state.set_local(self.prev)

    def __call__(self, func):
        @functools.wraps(func)
        def wrapper(*args, **kwargs):
            with StateContextManager(self.state, self.new_val):
                return func(*args, **kwargs)
        return wrapper


def make_holders():
    """One holder per option of the table, defaults read from the environment."""
    holders = {}
    for name, (kind, default, extra, _cm) in table.OPTIONS.items():
        default = env_default(name, kind, default, extra)
        holders[name] = Flag(name, default) if kind == "flag" else State(name, kind, default, extra)
    return holders
