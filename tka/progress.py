"""Progress reporting from long stages to whoever listens (the CLI's progress bar), without coupling to it."""

from __future__ import annotations

import threading
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


_counts: dict[tuple[str, str], int] = {}
_counts_lock = threading.Lock()


def start_count(stage: str, key: str, total: int) -> None:
    """Start counting ``stage`` of ``key`` (e.g. a run) from 0 of ``total``, for work finished on many threads."""
    with _counts_lock:
        _counts[(stage, key)] = 0
    report(stage, 0, total)


def add_count(stage: str, key: str, n: int, total: int) -> None:
    """``n`` more units of ``stage`` of ``key`` are finished (on any thread): report the sum so far."""
    with _counts_lock:
        _counts[(stage, key)] = done = _counts.get((stage, key), 0) + n
    report(stage, done, total)


def end_count(stage: str, key: str) -> None:
    """Forget the count of ``stage`` of ``key``."""
    with _counts_lock:
        _counts.pop((stage, key), None)
