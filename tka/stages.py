"""The per-file read stage and its typed handles: read chunks of files into the artifact store, gather a month.

A chunk of files is read (isolated reader processes with their limits) where a task runs — a thread of the run's
process or a Dask worker on another machine — and each file's parse is stored as an artifact; the task hands back
one small ``FileRead`` per file. The month-level stages then load the artifacts (``gather_batch``). A parse whose
key is unchanged (same content at the same place, same reader code, libraries and layout config) is not read
again: a retried or repeated run of the period reuses it.
"""

from __future__ import annotations

import logging
import math
import threading
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import fsspec

from tka.artifacts import ArtifactStore
from tka.batch import NOT_CACHED, ReadStore, read_many, reader_pool, stored_result
from tka.contract import PROVENANCE_COLUMNS, REGISTRY_FIELDS, RUN_ID, WORKER_FIELDS, SourceKind
from tka.pipeline import ReadBatch, concat_rows, share_rows
from tka.read.config import SourcesConfig
from tka.read.drive import DiscoveredFile
from tka.read.isolate import IsolationLimits, ReaderPool
from tka.read.reader import ReadResult

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class ReaderSetup:
    """What a read task needs besides its files: the layouts, their fingerprint, the store and the limits."""

    sources: SourcesConfig
    config_fingerprint: str
    store_dir: Path
    timeout_s: float = 120.0
    memory_mb: int = 2048
    reuse: bool = True  # False (``--reprocess``): read every file again, still storing the parses
    n_files: int = 0  # files of the whole period (for progress)


@dataclass(frozen=True)
class FileRead:
    """Handle of one file's parse: where its rows are stored and what the month-level stages need to know."""

    path: str
    sha256: str
    source_kind: str | None
    source_id: str | None
    artifact: str | None  # key in the artifact store; None when the verdict is about this run (not stored)
    n_rows: int
    quarantine: str | None
    detail: str
    format: str | None
    has_drift: bool
    reused: bool  # served from the store, not read again
    # The parse itself when it is not stored: a verdict about this run (never reused), or a store that could not
    # be written (a warning, not a failure).
    kept: ReadResult | None = None


class ReaderPools:
    """Idle reader processes of this process, lent to one read task at a time.

    A reader process takes about a second to start (it imports the spreadsheet libraries), so the read tasks of
    a run (and, on a Dask worker, of later runs) reuse the ones earlier tasks started, with the same limits.
    """

    def __init__(self) -> None:
        self._idle: dict[IsolationLimits, list[ReaderPool]] = {}
        self._lock = threading.Lock()

    @contextmanager
    def borrow(self, limits: IsolationLimits, scratch: Path) -> Iterator[ReaderPool]:
        """One reader process with ``limits`` (an idle one, else a new one with ``scratch``), then idle again."""
        with self._lock:
            idle = self._idle.get(limits, [])
            pool = idle.pop() if idle else None
        if pool is None:
            pool = reader_pool(1, limits, scratch)
        try:
            yield pool
        except BaseException:
            pool.close()
            raise
        with self._lock:
            self._idle.setdefault(limits, []).append(pool)

    def close(self) -> None:
        """Stop every idle reader process (the flow run's reads are done)."""
        with self._lock:
            pools = [pool for idle in self._idle.values() for pool in idle]
            self._idle.clear()
        for pool in pools:
            pool.close()


READER_POOLS = ReaderPools()


def chunk_files(files: Sequence[DiscoveredFile], size: int) -> list[list[DiscoveredFile]]:
    """``files`` in consecutive chunks of at most ``size`` (one read task each); none for no files."""
    size = max(1, size)
    return [list(files[i : i + size]) for i in range(0, len(files), size)]


def chunk_size(n_files: int, workers: int, setting: int) -> int:
    """Files per read task: the setting, or (0) enough chunks to keep every worker busy, at most 16 files each."""
    if setting > 0:
        return setting
    return max(1, min(16, math.ceil(n_files / max(1, workers * 4))))


def _handle(file: DiscoveredFile, result: ReadResult, artifact: str | None, reused: bool) -> FileRead:
    kept = result if artifact is None else None
    return FileRead(path=file.path, sha256=file.sha256, source_kind=file.source_kind, source_id=file.source_id,
                    artifact=artifact, n_rows=len(result.rows), quarantine=result.quarantine, detail=result.detail,
                    format=result.format, has_drift=result.drift.has_drift, reused=reused, kept=kept)


def read_chunk(fs: fsspec.AbstractFileSystem, root: str, files: Sequence[DiscoveredFile], setup: ReaderSetup,
               run_id: str, *, tmp_dir: Path | None = None, workers: int = 1,
               progress: Callable[[int], None] | None = None) -> list[FileRead]:
    """Read ``files`` not already in the store, store each parse; one handle per file, in order.

    ``workers``: 1 reads in one isolated reader process (borrowed from ``READER_POOLS`` when ``tmp_dir`` is
    given), 0 in this process (tests), more in a pool of its own.
    """
    store = ReadStore(ArtifactStore(setup.store_dir), setup.config_fingerprint)
    handles: dict[str, FileRead] = {}
    todo: list[DiscoveredFile] = []
    for file in files:
        hit = store.get(file) if setup.reuse else None
        if hit is None:
            todo.append(file)
            continue
        handles[file.path] = _handle(file, hit, store.key(file), reused=True)
        if progress:
            progress(1)
    if todo:
        def read(pool: ReaderPool | None) -> dict[str, ReadResult]:
            return read_many(fs, root, todo, setup.sources, run_id, cache=None, workers=workers,
                             progress=(lambda done, total: progress(1) if done else None) if progress else None,
                             timeout_s=setup.timeout_s, memory_mb=setup.memory_mb, tmp_dir=tmp_dir, pool=pool)

        if workers == 1 and tmp_dir is not None:
            with READER_POOLS.borrow(IsolationLimits(setup.timeout_s, setup.memory_mb), tmp_dir) as pool:
                results = read(pool)
        else:
            results = read(None)
        for file in todo:
            result = results[file.path]
            key = store.put(file, result) if result.quarantine not in NOT_CACHED else None
            handles[file.path] = _handle(file, result, key, reused=False)
    return [handles[f.path] for f in files]


def load_result(handle: FileRead, store: ArtifactStore) -> ReadResult | None:
    """The parse a handle stands for, or None if its artifact is gone."""
    if handle.artifact is None:
        return handle.kept
    result: ReadResult | None = stored_result(store, handle.artifact)
    return result


def gather_batch(files: Sequence[DiscoveredFile], handles: Sequence[FileRead], setup: ReaderSetup, run_id: str,
                 reread: Callable[[list[DiscoveredFile]], dict[str, ReadResult]]) -> ReadBatch:
    """The month's ReadBatch from the handles' artifacts; a file whose artifact vanished is read again."""
    by_path = {f.path: f for f in files}
    store = ArtifactStore(setup.store_dir)
    results: dict[str, ReadResult] = {}
    lost: list[DiscoveredFile] = []
    for handle in handles:
        result = load_result(handle, store)
        if result is None:
            lost.append(by_path[handle.path])
        else:
            results[handle.path] = result
    if lost:
        log.warning("%d stored parses vanished before the month was gathered; reading them again", len(lost))
        results.update(reread(lost))
    for result in results.values():
        if len(result.rows):
            result.rows[RUN_ID] = run_id
    results = {f.path: results[f.path] for f in files}
    by_kind: dict[bool, list[str]] = {True: [], False: []}  # registry? -> paths of the files read cleanly
    for path, result in results.items():
        if not result.quarantine:
            by_kind[by_path[path].source_kind == SourceKind.REGISTRY.value].append(path)
    combined = {}
    for registry, columns in ((False, [*PROVENANCE_COLUMNS, *WORKER_FIELDS]),
                              (True, [*PROVENANCE_COLUMNS, *REGISTRY_FIELDS])):
        frames = [results[path].rows for path in by_kind[registry]]
        combined[registry] = concat_rows(frames, columns)
        for path, view in zip(by_kind[registry], share_rows(frames, combined[registry]), strict=True):
            results[path].rows = view
    return ReadBatch(files=by_path, results=results, worker_rows=combined[False], registry_rows=combined[True])
