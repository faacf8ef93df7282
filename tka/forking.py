"""Process pools that fork: keep the parent's memory shared with its children."""

from __future__ import annotations

import gc
from collections.abc import Iterator
from contextlib import contextmanager


@contextmanager
def shared_with_forks() -> Iterator[None]:
    """Freeze the parent's objects while forked workers run, then release them.

    A forked child shares the parent's pages until it writes to them, and a garbage collection in the child
    writes to every object it scans: without this, each reader process soon holds a private copy of the
    parent's heap (national month: about 200 MB more at the read stage's peak). See ``gc.freeze``.
    """
    gc.collect()  # free what is already garbage, so the frozen pages hold live objects only
    gc.freeze()
    try:
        yield
    finally:
        gc.unfreeze()
