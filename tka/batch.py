"""Read many files, each in an isolated reader process with limits, reusing earlier parses of unchanged content.

The parse cache holds JSON only (never pickle: a drive user who can write a cache entry must not run code) in a
private folder (0700, files 0600), each entry signed with a key kept in that folder; a tampered, torn or foreign
entry is a miss. A cache that cannot be written is a warning, not a failure.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import json
import logging
import os
import shutil
import sys
from collections.abc import Callable
from dataclasses import asdict
from importlib import metadata
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from tka.contract import RUN_ID
from tka.read.isolate import Failure, IsolationLimits, ReaderPool
from tka.read.sniff import DEFAULT_LIMITS, ReadLimits

log = logging.getLogger(__name__)

CACHE_FORMAT = "tka-read-json-1"
# The libraries whose behaviour is part of a parse; their versions are part of the reader fingerprint.
READER_PACKAGES = ("python-calamine", "openpyxl", "xlrd", "odfpy", "pandas", "numpy", "msoffcrypto-tool",
                   "olefile", "charset-normalizer")
_TKA = Path(__file__).resolve().parent
# Every tka module the read path imports (tests/tka/test_batch.py checks this covers what tka.read imports).
READER_CODE = ("read", "__init__.py", "batch.py", "contract.py", "names.py", "settings.py")


def reader_code_files() -> list[Path]:
    """The source files of the read path, whose bytes are part of the reader fingerprint."""
    files: list[Path] = []
    for entry in READER_CODE:
        path = _TKA / entry
        files.extend(sorted(path.rglob("*.py")) if path.is_dir() else [path])
    return files


def reader_fingerprint(config_fingerprint: str) -> str:
    """Identify reader code, reader libraries and layout config: a cached parse is reused only if all are unchanged."""
    digest = hashlib.sha256(config_fingerprint.encode())
    digest.update(sys.version.encode())
    for path in reader_code_files():
        digest.update(path.relative_to(_TKA).as_posix().encode() + b"\0" + path.read_bytes())
    for package in READER_PACKAGES:
        try:
            version = metadata.version(package)
        except metadata.PackageNotFoundError:
            version = "-"
        digest.update(f"{package}={version};".encode())
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


def private_dir(path: Path) -> Path:
    """Create ``path`` (and parents) and make it owner-only (0700); raise PermissionError if someone else owns it."""
    path.mkdir(parents=True, exist_ok=True, mode=0o700)
    info = path.stat()
    if hasattr(os, "getuid") and info.st_uid != os.getuid():
        raise PermissionError(f"{path} belongs to another user / folder milik pengguna lain")
    if info.st_mode & 0o077:
        path.chmod(0o700)
    return path


def write_private(path: Path, data: bytes) -> None:
    """Write ``data`` to ``path`` atomically as an owner-only (0600) file."""
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC | getattr(os, "O_NOFOLLOW", 0), 0o600)
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
        tmp.replace(path)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise


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


# --- ReadResult <-> JSON ------------------------------------------------------------------------------------
def _encode_column(values: pd.Series) -> dict[str, Any]:
    if values.dtype != object:
        return {"dtype": str(values.dtype), "values": values.tolist()}
    cells = values.tolist()
    kinds = {type(v) for v in cells if v is not None}
    if kinds <= {str, int, float, bool} and len(kinds) <= 1:
        return {"dtype": "object", "values": cells}
    if kinds == {dt.date}:
        return {"dtype": "date", "values": [None if v is None else v.isoformat() for v in cells]}
    return {"dtype": "tagged", "values": [_tag(v) for v in cells]}


def _tag(value: Any) -> list[Any]:
    if value is None:
        return ["n", None]
    if isinstance(value, dt.datetime):
        return ["dt", value.isoformat()]
    if isinstance(value, dt.date):
        return ["d", value.isoformat()]
    if isinstance(value, bool):
        return ["b", value]
    if isinstance(value, int):
        return ["i", value]
    if isinstance(value, float):
        return ["f", value]
    if isinstance(value, str):
        return ["s", value]
    raise TypeError(f"cannot cache a {type(value).__name__} cell")


def _untag(tagged: list[Any]) -> Any:
    kind, value = tagged
    if kind == "dt":
        return dt.datetime.fromisoformat(value)
    if kind == "d":
        return dt.date.fromisoformat(value)
    if kind == "f":
        return float(value)
    return value


def _decode_column(spec: dict[str, Any]) -> np.ndarray:
    dtype, values = spec["dtype"], spec["values"]
    if dtype == "date":
        values = [None if v is None else dt.date.fromisoformat(v) for v in values]
    elif dtype == "tagged":
        values = [_untag(v) for v in values]
    elif dtype != "object":
        return np.array(values, dtype=dtype)
    array = np.empty(len(values), dtype=object)
    array[:] = values
    return array


def result_to_json(result: Any) -> dict[str, Any]:
    """A ReadResult as plain JSON data (rows column by column, types kept)."""
    return {
        "rows": {"columns": [[name, _encode_column(result.rows[name])] for name in result.rows.columns],
                 "length": len(result.rows)},
        "quarantine": result.quarantine, "detail": result.detail, "format": result.format,
        "drift": {name: asdict(d) for name, d in result.drift.sheets.items()},
        "sheets": [asdict(s) for s in result.sheets], "columns": result.columns,
    }


def result_from_json(data: dict[str, Any]) -> Any:
    """The ReadResult that ``result_to_json`` encoded."""
    from tka.read.reader import HeaderDrift, ReadResult, SheetDrift, SheetInfo

    names = [name for name, _ in data["rows"]["columns"]]
    arrays = [_decode_column(spec) for _, spec in data["rows"]["columns"]]
    if any(len(a) != data["rows"]["length"] for a in arrays):
        raise ValueError("cached columns differ in length")
    # dtype=object as the reader makes them (pandas would otherwise infer its string dtype for text columns).
    rows = pd.DataFrame({n: a if a.dtype == object else a.astype(object) for n, a in zip(names, arrays, strict=True)},
                        columns=names, index=pd.RangeIndex(data["rows"]["length"]), dtype=object)
    for position, array in enumerate(arrays):
        if array.dtype != object:
            rows.isetitem(position, array)
    drift = HeaderDrift({name: SheetDrift(tuple(d["missing"]), tuple(d["unexpected"]))
                         for name, d in data["drift"].items()})
    return ReadResult(rows, data["quarantine"], data["detail"], drift, [SheetInfo(**s) for s in data["sheets"]],
                      data["columns"], data["format"])


class ParseCache:
    """Cache of read results: key = ``cache_key`` (content SHA-256 and place on the drive) + reader fingerprint."""

    def __init__(self, folder: Path, fingerprint: str) -> None:
        self.folder = folder / "read" / fingerprint
        self.usable = True
        try:
            private_dir(folder)
            private_dir(folder / "read")
            private_dir(self.folder)
            self._key = self._signing_key(folder / "read" / "cache.key")
        except OSError as exc:
            log.warning("Parse cache %s unusable, reading every file (%s)", self.folder, exc)
            self.usable = False
            self._key = b""

    @staticmethod
    def _signing_key(path: Path) -> bytes:
        try:
            key = path.read_bytes()
            if len(key) == 32 and not path.stat().st_mode & 0o077:
                return key
        except FileNotFoundError:
            pass
        key = os.urandom(32)
        write_private(path, key)
        return key

    def _path(self, key: str) -> Path:
        return self.folder / f"{key}.json"

    def _digest(self, key: str, body: bytes) -> str:
        return hmac.new(self._key, key.encode() + b"\0" + body, hashlib.sha256).hexdigest()

    def get(self, key: str) -> Any | None:
        """The cached result under ``key``, or None (missing, torn, tampered or stale entries are misses)."""
        if not self.usable:
            return None
        try:
            head, body = self._path(key).read_bytes().split(b"\n", 1)
            envelope = json.loads(head)
            if envelope.get("format") != CACHE_FORMAT or not hmac.compare_digest(
                    str(envelope.get("digest")), self._digest(key, body)):
                return None
            return result_from_json(json.loads(body))
        except (OSError, ValueError, KeyError, TypeError):
            return None

    def put(self, key: str, result: Any) -> None:
        """Store a result atomically; a failure to write is logged as a warning and otherwise ignored."""
        if not self.usable:
            return
        try:
            body = json.dumps(result_to_json(result), ensure_ascii=False, separators=(",", ":")).encode()
            head = json.dumps({"format": CACHE_FORMAT, "digest": self._digest(key, body)}).encode()
            write_private(self._path(key), head + b"\n" + body)
        except (OSError, TypeError, ValueError) as exc:
            log.warning("Parse cache entry not written (%s): %s", self._path(key).name, exc)


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


def read_many(fs: Any, root: str, files: list[Any], config: Any, run_id: str, *, cache: ParseCache | None,
              workers: int | None = None, progress: Callable[[int, int], None] | None = None,
              limits: ReadLimits = DEFAULT_LIMITS, timeout_s: float = 120.0, memory_mb: int = 2048,
              tmp_dir: Path | None = None) -> dict[str, Any]:
    """Read ``files`` (path -> ReadResult): cached parses are reused, the rest read in isolated reader processes.

    ``workers`` reader processes (None: min(CPUs, 4)); 0 reads in this process (tiny runs, tests), without the
    time and memory limits but with every size check. ``tmp_dir`` holds the readers' private scratch files.
    """
    from tka.read.reader import read_file

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

    def finished(file: Any, result: Any) -> None:
        nonlocal done
        results[file.path] = result
        if cache is not None and result.quarantine not in NOT_CACHED:
            cache.put(cache_key(file), result)
        done += 1
        if progress:
            progress(done, total)

    if workers is None:
        workers = min(os.cpu_count() or 1, 4)
    if workers == 0 or not todo:
        for file in todo:
            finished(file, read_file(fs, root, file, config, limits))
    else:
        local = _is_local(fs)
        scratch = tmp_dir or (run_temp_dir(cache.folder.parent.parent, run_id) if cache and cache.usable
                              else None)
        own_scratch = scratch is None
        if scratch is None:
            import tempfile

            scratch = Path(tempfile.mkdtemp(prefix="tka-read-"))
        try:
            def job(index: int) -> tuple[Any, ...]:
                file = todo[index]
                if local:
                    return (fs, root, file, config, limits, None)
                where = f"{root.rstrip('/')}/{file.drive_path or file.path}"
                return (None, root, file, config, limits, fs.cat_file(where))

            with ReaderPool(min(workers, len(todo)), IsolationLimits(timeout_s, memory_mb), scratch,
                            "tka.batch:read_in_child") as pool:
                for index, outcome in pool.run(job, [f.path for f in todo]):
                    file = todo[index]
                    if isinstance(outcome, Failure):
                        log.warning("Quarantined %s: %s (%s)", file.path, outcome.reason, outcome.detail)
                        outcome = _failed(file, outcome)
                    finished(file, outcome)
        finally:
            if own_scratch:
                shutil.rmtree(scratch, ignore_errors=True)
    for result in results.values():
        if len(result.rows):
            result.rows[RUN_ID] = run_id
    return {f.path: results[f.path] for f in files}

