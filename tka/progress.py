"""Progress reporting from long stages to whoever listens (the CLI's progress bar), without coupling to it."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager

Listener = Callable[[str, int, int], None]  # (stage, done, total)
_listeners: list[Listener] = []


def report(stage: str, done: int, total: int) -> None:
    """Tell every listener that ``done`` of ``total`` units of ``stage`` are finished."""
    for listener in _listeners.copy():  # a listener may unregister while being called
        listener(stage, done, total)


@contextmanager
def listening(listener: Listener) -> Iterator[None]:
    """Register ``listener`` for the duration of the block (in-process flow runs only)."""
    _listeners.append(listener)
    try:
        yield
    finally:
        _listeners.remove(listener)
