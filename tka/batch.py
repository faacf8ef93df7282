"""Read many files: in parallel processes on a local drive, reusing earlier parses of unchanged content."""

from __future__ import annotations

import hashlib
import inspect
import json
import os
import pickle
from collections.abc import Callable
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path
from typing import Any

from tka.contract import RUN_ID
from tka.memory import shared_with_forks


def reader_fingerprint(config_fingerprint: str) -> str:
    """Identify the reader code and layout config, so a cached parse is reused only when both are unchanged."""
    import tka.read as reader

    digest = hashlib.sha256(config_fingerprint.encode())
    for path in sorted(Path(inspect.getfile(reader)).parent.glob("*.py")):
        digest.update(path.read_bytes())
    return digest.hexdigest()[:16]


def cache_key(file: Any) -> str:
    """Cache key of one file's parse: its content and everything the reader takes from where the file lies.

    Read rows carry the file's path, source and file-name defaults (e.g. the company NIB), so the same content at
    another path (a workbook re-sent unchanged in a later month, or filed under another company) is read again
    rather than handed the first path's rows.
    """
    place = json.dumps([file.path, file.source_kind, file.source_id, getattr(file, "source", None),
                        sorted((getattr(file, "defaults", None) or {}).items())])
    return hashlib.sha256(f"{file.sha256}|{place}".encode()).hexdigest()


class ParseCache:
    """Cache of read results: key = ``cache_key`` (content SHA-256 and place on the drive) + reader fingerprint."""

    def __init__(self, folder: Path, fingerprint: str) -> None:
        self.folder = folder / "read" / fingerprint
        self.folder.mkdir(parents=True, exist_ok=True)

    def _path(self, key: str) -> Path:
        return self.folder / f"{key}.pkl"

    def get(self, key: str) -> Any | None:
        """The cached result under ``key``, or None."""
        path = self._path(key)
        if not path.exists():
            return None
        try:
            with path.open("rb") as fh:
                return pickle.load(fh)
        except Exception:  # noqa: BLE001 - a torn or stale cache entry is just a miss
            return None

    def put(self, key: str, result: Any) -> None:
        """Store a result atomically (write then rename)."""
        tmp = self._path(key).with_suffix(f".{os.getpid()}.tmp")
        with tmp.open("wb") as fh:
            pickle.dump(result, fh, protocol=pickle.HIGHEST_PROTOCOL)
        tmp.replace(self._path(key))


def _read_one(args: tuple[Any, str, Any, Any, ParseCache | None]) -> Any:
    """Read one file; the process that read it also stores the parse, so the pool shares the pickling."""
    fs, root, file, config, cache = args
    from tka.read import read_file

    result = read_file(fs, root, file, config)
    if cache is not None:
        cache.put(cache_key(file), result)
    return result


def read_many(fs: Any, root: str, files: list[Any], config: Any, run_id: str, *, cache: ParseCache | None,
              workers: int = 0, progress: Callable[[int, int], None] | None = None) -> dict[str, Any]:
    """Read ``files`` (path -> ReadResult); cached parses are reused, the rest read in ``workers`` processes."""
    results: dict[str, Any] = {}
    todo = []
    for file in files:
        hit = cache.get(cache_key(file)) if cache else None
        if hit is not None:
            results[file.path] = hit
        else:
            todo.append(file)
    done = len(results)
    total = len(files)
    if progress:
        progress(done, total)
    local = getattr(fs, "protocol", "file") in ("file", ("file", "local"), "local") or "file" in fs.protocol
    workers = workers or min(os.cpu_count() or 1, 4)
    jobs = [(fs, root, f, config, cache) for f in todo]
    if local and workers > 1 and len(todo) >= 8:
        with shared_with_forks(), ProcessPoolExecutor(max_workers=workers) as pool:
            for file, result in zip(todo, pool.map(_read_one, jobs, chunksize=4), strict=True):
                results[file.path] = result
                done += 1
                if progress:
                    progress(done, total)
    else:
        for file, job in zip(todo, jobs, strict=True):
            results[file.path] = _read_one(job)
            done += 1
            if progress:
                progress(done, total)
    for result in results.values():
        if len(result.rows):
            result.rows[RUN_ID] = run_id
    return {f.path: results[f.path] for f in files}
