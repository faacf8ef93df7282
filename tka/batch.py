"""Read many files, each in an isolated reader process with limits, reusing stored parses of unchanged content.

Parses live in the artifact store (tka.artifacts: Parquet rows and a signed JSON sidecar, never pickle, private
folders): a tampered, torn or foreign entry is a miss, and a store that cannot be written is a warning.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import logging
import os
import shutil
import sys
from collections.abc import Callable, Mapping
from dataclasses import asdict
from pathlib import Path
from typing import Any

import pandas as pd

from tka.artifacts import ArtifactStore, Json, artifact_key, library_versions, private_dir
from tka.contract import RUN_ID
from tka.read.isolate import Failure, IsolationLimits, ReaderPool
from tka.read.sniff import DEFAULT_LIMITS, ReadLimits

log = logging.getLogger(__name__)

READ_STAGE = "read"
# The libraries whose behaviour is part of a parse; their versions are part of the reader fingerprint.
READER_PACKAGES = ("python-calamine", "openpyxl", "xlrd", "odfpy", "pandas", "numpy", "msoffcrypto-tool",
                   "olefile", "charset-normalizer")
_TKA = Path(__file__).resolve().parent
# Every tka module the read path imports (tests/tka/test_batch.py checks this covers what tka.read imports).
READER_CODE = ("read", "__init__.py", "artifacts.py", "batch.py", "contract.py", "names.py", "settings.py")


def reader_code_files() -> list[Path]:
    """The source files of the read path, whose bytes are part of the reader fingerprint."""
    files: list[Path] = []
    for entry in READER_CODE:
        path = _TKA / entry
        files.extend(sorted(path.rglob("*.py")) if path.is_dir() else [path])
    return files


def reader_code_fingerprint() -> str:
    """sha256 of the read path's source files and the Python version."""
    digest = hashlib.sha256(sys.version.encode())
    for path in reader_code_files():
        digest.update(path.relative_to(_TKA).as_posix().encode() + b"\0" + path.read_bytes())
    return digest.hexdigest()


def reader_fingerprint(config_fingerprint: str) -> str:
    """Identify reader code, reader libraries and layout config: a stored parse is reused only if all are unchanged."""
    return artifact_key(READ_STAGE, reader_code_fingerprint(), config_fingerprint,
                        library_versions(READER_PACKAGES), [])


def cache_key(file: Any) -> str:
    """Input key of one file's parse: its content and everything the reader takes from where the file lies.

    Read rows carry the file's path, source and file-name defaults (e.g. the company NIB), so the same content at
    another path (a workbook re-sent unchanged in a later month, or filed under another company) is read again
    rather than handed the first path's rows.
    """
    place = json.dumps([file.path, file.source_kind, file.source_id, getattr(file, "source", None),
                        sorted((getattr(file, "defaults", None) or {}).items())])
    return hashlib.sha256(f"{file.sha256}|{place}".encode()).hexdigest()


def run_temp_dir(cache_dir: Path, run_id: str = "") -> Path:
    """A private temporary folder for this process under ``cache_dir``; folders of dead processes are removed.

    Where ``cache_dir`` cannot hold it, a private folder of the system's temporary area (with a warning).
    """
    try:
        return _run_temp_dir(cache_dir, run_id)
    except OSError as exc:
        import tempfile

        log.warning("Temporary folder under %s not usable (%s); using the system's", cache_dir, exc)
        return Path(tempfile.mkdtemp(prefix="tka-run-"))


def _run_temp_dir(cache_dir: Path, run_id: str) -> Path:
    base = private_dir(cache_dir / "tmp")
    for entry in base.iterdir():
        pid = entry.name.split("-", 1)[0]
        if not (pid.isdigit() and _alive(int(pid))):
            shutil.rmtree(entry, ignore_errors=True) if entry.is_dir() else entry.unlink(missing_ok=True)
    safe_run = "".join(c for c in run_id if c.isalnum() or c in "-_")[:40]
    return private_dir(base / f"{os.getpid()}-{safe_run or 'run'}")


def _alive(pid: int) -> bool:
    if pid == os.getpid():
        return True
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


# --- ReadResult <-> artifact --------------------------------------------------------------------------------
def result_meta(result: Any) -> dict[str, Json]:
    """The non-tabular part of a ReadResult, as JSON data."""
    return {"quarantine": result.quarantine, "detail": result.detail, "format": result.format,
            "drift": {name: _json(asdict(d)) for name, d in result.drift.sheets.items()},
            "sheets": [_json(asdict(s)) for s in result.sheets], "columns": _json(result.columns)}


def _json(value: Any) -> Json:
    return json.loads(json.dumps(value))  # tuples become lists, as they come back from a sidecar


def stored_result(store: ArtifactStore, key: str) -> Any | None:
    """The ReadResult stored under ``key``, or None when it is missing or no longer decodes."""
    hit = store.get(key)
    if hit is None:
        return None
    try:
        return result_from_artifact(hit.frame, hit.meta)
    except (KeyError, TypeError, ValueError):
        return None


def result_from_artifact(rows: pd.DataFrame, meta: Mapping[str, Any]) -> Any:
    """The ReadResult stored as ``rows`` and ``result_meta``."""
    from tka.read.reader import HeaderDrift, ReadResult, SheetDrift, SheetInfo

    drift = HeaderDrift({name: SheetDrift(tuple(d["missing"]), tuple(d["unexpected"]),
                                          tuple(tuple(g) for g in d.get("guessed", ())))
                         for name, d in meta["drift"].items()})
    return ReadResult(rows, meta["quarantine"], meta["detail"], drift, [SheetInfo(**s) for s in meta["sheets"]],
                      meta["columns"], meta["format"])


class ReadStore:
    """Parses in the artifact store: key = stage "read", reader fingerprint, layout config, the file's ``cache_key``."""

    def __init__(self, store: ArtifactStore, config_fingerprint: str) -> None:
        self.store = store
        self.code = reader_code_fingerprint()
        self.config = config_fingerprint
        self.libraries = library_versions(READER_PACKAGES)

    @property
    def usable(self) -> bool:
        """False when the store cannot be written (every file is read)."""
        return self.store.usable

    def key(self, file: Any) -> str:
        """The artifact key of ``file``'s parse."""
        return artifact_key(READ_STAGE, self.code, self.config, self.libraries, [cache_key(file)])

    def get(self, file: Any) -> Any | None:
        """The stored parse of ``file``, or None."""
        return stored_result(self.store, self.key(file))

    def put(self, file: Any, result: Any) -> str | None:
        """Store ``file``'s parse (without the run's id: a reuse sets its own); its key, or None if not written."""
        rows = result.rows
        if RUN_ID in rows.columns and len(rows):
            rows = rows.assign(**{RUN_ID: ""})
        key = self.key(file)
        return key if self.store.put(key, rows, result_meta(result)) else None


# --- Reading ------------------------------------------------------------------------------------------------
def _is_local(fs: Any) -> bool:
    protocol = getattr(fs, "protocol", "file")
    protocols = (protocol,) if isinstance(protocol, str) else tuple(protocol)
    return bool({"file", "local"} & set(protocols))


def read_in_child(state: dict[str, Any], fs: Any, root: str, file: Any, config: Any, limits: ReadLimits,
                   content: bytes | None) -> Any:
    """Run in a reader child: read one file from the drive, or from the bytes the parent fetched."""
    from tka.read.reader import read_bytes, read_file

    if content is None:
        return read_file(fs, root, file, config, limits)
    return read_bytes(content, file, config, limits)


def _failed(file: Any, failure: Failure) -> Any:
    from tka.read.reader import ReadResult, empty_frame

    return ReadResult(empty_frame(file.source_kind), failure.reason, failure.detail)


# A verdict about the run (not the content) must not be served from the cache on the next run.
NOT_CACHED = frozenset({"memory_limit", "time_limit", "reader_crashed", "changed_during_run", "read_error"})


def reader_pool(size: int, limits: IsolationLimits, scratch: Path | None) -> ReaderPool:
    """``size`` isolated reader processes with ``limits`` and their private scratch folder."""
    if scratch is None:
        raise ValueError("reader processes need a scratch folder")
    return ReaderPool(size, limits, scratch, "tka.batch:read_in_child")


def read_many(fs: Any, root: str, files: list[Any], config: Any, run_id: str, *, cache: ReadStore | None,
              workers: int | None = None, progress: Callable[[int, int], None] | None = None,
              limits: ReadLimits = DEFAULT_LIMITS, timeout_s: float = 120.0, memory_mb: int = 2048,
              tmp_dir: Path | None = None, pool: ReaderPool | None = None) -> dict[str, Any]:
    """Read ``files`` (path -> ReadResult): cached parses are reused, the rest read in isolated reader processes.

    ``workers`` reader processes (None: min(CPUs, 4)); 0 reads in this process (tiny runs, tests), without the
    time and memory limits but with every size check. ``tmp_dir`` holds the readers' private scratch files.
    ``pool``: reader processes started earlier (``reader_pool``; its own limits), kept running afterwards.
    """
    from tka.read.reader import read_file

    results: dict[str, Any] = {}
    todo = []
    for file in files:
        hit = cache.get(file) if cache else None
        if hit is not None:
            results[file.path] = hit
        else:
            todo.append(file)
    done = len(results)
    total = len(files)
    if progress:
        progress(done, total)

    def finished(file: Any, result: Any) -> None:
        nonlocal done
        results[file.path] = result
        if cache is not None and result.quarantine not in NOT_CACHED:
            cache.put(file, result)
        done += 1
        if progress:
            progress(done, total)

    if workers is None:
        workers = min(os.cpu_count() or 1, 4)
    if (workers == 0 and pool is None) or not todo:
        for file in todo:
            finished(file, read_file(fs, root, file, config, limits))
    else:
        local = _is_local(fs)
        scratch = tmp_dir
        own_scratch = scratch is None and pool is None
        if scratch is None and pool is None:
            import tempfile

            scratch = Path(tempfile.mkdtemp(prefix="tka-read-"))
        try:
            def job(index: int) -> tuple[Any, ...]:
                file = todo[index]
                if local:
                    return (fs, root, file, config, limits, None)
                where = f"{root.rstrip('/')}/{file.drive_path or file.path}"
                return (None, root, file, config, limits, fs.cat_file(where))

            with contextlib.nullcontext(pool) if pool is not None else reader_pool(
                    min(workers, len(todo)), IsolationLimits(timeout_s, memory_mb), scratch) as readers:
                for index, outcome in readers.run(job, [f.path for f in todo]):
                    file = todo[index]
                    if isinstance(outcome, Failure):
                        log.warning("Quarantined %s: %s (%s)", file.path, outcome.reason, outcome.detail)
                        finished(file, _failed(file, outcome))
                    else:
                        finished(file, outcome)
        finally:
            if own_scratch and scratch is not None:
                shutil.rmtree(scratch, ignore_errors=True)
    for result in results.values():
        if len(result.rows):
            result.rows[RUN_ID] = run_id
    return {f.path: results[f.path] for f in files}

