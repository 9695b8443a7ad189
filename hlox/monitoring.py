"""`hlox.monitoring`, as jax.monitoring: a small in-process bus for named events, durations,
time spans and scalars. Libraries record them; metrics collectors register listeners, which are
called synchronously, in registration order, with the event name and its keyword metadata."""
from __future__ import annotations

from typing import Protocol

__all__ = ["clear_event_listeners", "record_event", "record_event_duration_secs",
           "record_event_time_span", "record_scalar", "register_event_duration_secs_listener",
           "register_event_listener", "register_event_time_span_listener",
           "register_scalar_listener", "unregister_event_duration_listener",
           "unregister_event_listener", "unregister_event_time_span_listener",
           "unregister_scalar_listener"]


class EventListenerWithMetadata(Protocol):
    def __call__(self, event: str, **kwargs: str | int) -> None: ...


class EventDurationListenerWithMetadata(Protocol):
    def __call__(self, event: str, duration_secs: float, **kwargs: str | int) -> None: ...


class EventTimeSpanListenerWithMetadata(Protocol):
    def __call__(self, event: str, start_time: float, end_time: float,
                 **kwargs: str | int) -> None: ...


class ScalarListenerWithMetadata(Protocol):
    def __call__(self, event: str, value: float | int, **kwargs: str | int) -> None: ...


# One list of callbacks per kind of record; a callback registered twice is called twice.
_LISTENERS: dict[str, list] = {"event": [], "duration": [], "time_span": [], "scalar": []}


def _notify(kind: str, *args, **kwargs) -> None:
    for callback in list(_LISTENERS[kind]):
        callback(*args, **kwargs)


def _unregister(kind: str, callback) -> None:
    """Remove one registration of `callback`; unknown callbacks are an AssertionError, as in
    JAX."""
    listeners = _LISTENERS[kind]
    assert callback in listeners, f"{callback} is not a registered {kind} listener"
    listeners.remove(callback)


def record_event(event: str, **kwargs: str | int) -> None:
    """Tell every event listener that `event` happened."""
    _notify("event", event, **kwargs)


def record_event_duration_secs(event: str, duration: float, **kwargs: str | int) -> None:
    """Tell every duration listener that `event` took `duration` seconds."""
    _notify("duration", event, duration, **kwargs)


def record_event_time_span(event: str, start_time: float, end_time: float,
                           **kwargs: str | int) -> None:
    """Tell every time-span listener that `event` ran from `start_time` to `end_time`."""
    _notify("time_span", event, start_time, end_time, **kwargs)


def record_scalar(event: str, value: float | int, **kwargs: str | int) -> None:
    """Tell every scalar listener that `event` measured `value`."""
    _notify("scalar", event, value, **kwargs)


def register_event_listener(callback: EventListenerWithMetadata) -> None:
    _LISTENERS["event"].append(callback)


def register_event_time_span_listener(callback: EventTimeSpanListenerWithMetadata) -> None:
    _LISTENERS["time_span"].append(callback)


def register_event_duration_secs_listener(callback: EventDurationListenerWithMetadata) -> None:
    _LISTENERS["duration"].append(callback)


def register_scalar_listener(callback: ScalarListenerWithMetadata) -> None:
    _LISTENERS["scalar"].append(callback)


def get_event_listeners() -> list[EventListenerWithMetadata]:
    return list(_LISTENERS["event"])


def get_event_duration_listeners() -> list[EventDurationListenerWithMetadata]:
    return list(_LISTENERS["duration"])


def get_event_time_span_listeners() -> list[EventTimeSpanListenerWithMetadata]:
    return list(_LISTENERS["time_span"])


def get_scalar_listeners() -> list[ScalarListenerWithMetadata]:
    return list(_LISTENERS["scalar"])


def clear_event_listeners() -> None:
    """Forget every listener of every kind."""
    for listeners in _LISTENERS.values():
        listeners.clear()


def unregister_event_listener(callback: EventListenerWithMetadata) -> None:
    _unregister("event", callback)


def unregister_event_duration_listener(callback: EventDurationListenerWithMetadata) -> None:
    _unregister("duration", callback)


def unregister_event_time_span_listener(callback: EventTimeSpanListenerWithMetadata) -> None:
    _unregister("time_span", callback)


def unregister_scalar_listener(callback: ScalarListenerWithMetadata) -> None:
    _unregister("scalar", callback)
