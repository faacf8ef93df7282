"""A content-addressed store of stage results: a Parquet file of rows plus a small signed JSON sidecar.

A stage's result is stored under a key computed from everything it depends on (stage name, the stage's code,
the configuration, library versions and the inputs' SHA-256 or keys), so a retried or repeated run reuses it
exactly when nothing it was computed from changed. Neither Parquet nor JSON can carry code (never pickle: a drive
user who can write an entry must not run code); folders are private (0700, files 0600); each sidecar is signed
with a key kept in the store and names the SHA-256 of its Parquet file, so a torn, tampered or foreign entry is a
miss. Both files are written atomically (temp + rename), the sidecar last: an entry exists once its sidecar does.

Rows keep their pandas dtypes exactly: an object column (the reader's text, dates and numbers, with None for an
empty cell) is stored as the Arrow type of its values and comes back as Python objects again; a column of mixed
kinds is stored as tagged JSON text.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import io
import json
import logging
import os
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from importlib import metadata
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq

log = logging.getLogger(__name__)

STORE_FORMAT = "tka-artifact-1"
# JSON values a sidecar's non-tabular part may hold.
Json = None | bool | int | float | str | list["Json"] | dict[str, "Json"]


def library_versions(packages: Iterable[str]) -> dict[str, str]:
    """Installed version of each package ("-" when absent): part of a stage key where a library shapes results."""
    out: dict[str, str] = {}
    for package in packages:
        try:
            out[package] = metadata.version(package)
        except metadata.PackageNotFoundError:
            out[package] = "-"
    return out


def artifact_key(stage: str, code: str, config: str, libraries: Mapping[str, str], inputs: Iterable[str]) -> str:
    """sha256 of a stage's name, code fingerprint, config fingerprint, library versions and input keys."""
    payload = json.dumps({"format": STORE_FORMAT, "stage": stage, "code": code, "config": config,
                          "libraries": sorted(libraries.items()), "inputs": list(inputs)}, sort_keys=True)
    return hashlib.sha256(payload.encode()).hexdigest()


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
    tmp = path.with_name(f".{path.name}.{os.getpid()}.{os.urandom(4).hex()}.tmp")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC | getattr(os, "O_NOFOLLOW", 0), 0o600)
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
        tmp.replace(path)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise


# --- frames <-> Arrow, dtypes kept ---------------------------------------------------------------------------
def _tag(value: object) -> list[Json]:
    if value is None:
        return ["n", None]
    if isinstance(value, dt.datetime):
        return ["dt", value.isoformat()]
    if isinstance(value, dt.date):
        return ["d", value.isoformat()]
    if isinstance(value, bool | np.bool_):
        return ["b", bool(value)]
    if isinstance(value, int | np.integer):
        return ["i", int(value)]
    if isinstance(value, float | np.floating):
        return ["f", float(value)]
    if isinstance(value, str):
        return ["s", value]
    raise TypeError(f"cannot store a {type(value).__name__} cell")


def _untag(tagged: list[Any]) -> object:
    kind, value = tagged
    if kind == "dt":
        return dt.datetime.fromisoformat(value)
    if kind == "d":
        return dt.date.fromisoformat(value)
    if kind == "f":
        return float(value)
    return value


# Object columns whose values are all of one kind (or None) are stored as that Arrow type.
_PLAIN: dict[type, tuple[str, pa.DataType]] = {
    str: ("object:str", pa.string()), bool: ("object:bool", pa.bool_()), int: ("object:int", pa.int64()),
    float: ("object:float", pa.float64()), dt.date: ("object:date", pa.date32())}


def _encode(values: pd.Series) -> tuple[str, pa.Array]:
    """(encoding, Arrow array) of one column."""
    if isinstance(values.dtype, pd.StringDtype):
        # pandas-stubs has no overload for na_value=None, which pandas documents and accepts
        texts = values.to_numpy(dtype=object, na_value=None)  # type: ignore[call-overload]
        return f"pandas:{values.dtype}", pa.array(texts, type=pa.string())
    if values.dtype != object:
        if values.dtype.kind not in "biufM":
            raise TypeError(f"cannot store a column of dtype {values.dtype}")
        return str(values.dtype), pa.array(values.to_numpy())
    cells = values.tolist()
    kinds = {type(v) for v in cells if v is not None}
    if not kinds:
        return "object:none", pa.nulls(len(cells))
    if len(kinds) == 1 and (kind := next(iter(kinds))) in _PLAIN:
        name, arrow_type = _PLAIN[kind]
        try:
            return name, pa.array(cells, type=arrow_type, from_pandas=False)
        except (pa.ArrowInvalid, OverflowError):
            pass  # an int beyond 64 bits: tagged below
    return "object:tagged", pa.array([json.dumps(_tag(v), ensure_ascii=False) for v in cells], type=pa.string())


def _objects(values: list[object]) -> np.ndarray:
    array = np.empty(len(values), dtype=object)
    array[:] = values
    return array


def _decode(encoding: str, column: pa.ChunkedArray) -> np.ndarray | pd.api.extensions.ExtensionArray:
    if encoding.startswith("pandas:"):
        dtype = pd.api.types.pandas_dtype(encoding.removeprefix("pandas:"))
        if not isinstance(dtype, pd.StringDtype):
            raise ValueError(f"unknown column encoding {encoding!r}")
        return pd.array(column.to_pylist(), dtype=dtype)
    if encoding == "object:tagged":
        return _objects([None if v is None else _untag(json.loads(v)) for v in column.to_pylist()])
    if encoding.startswith("object:"):
        return _objects(column.to_pylist())
    return column.to_numpy().astype(np.dtype(encoding), copy=False)


def frame_to_table(frame: pd.DataFrame) -> tuple[pa.Table, list[list[str]]]:
    """The frame as an Arrow table, and each column's [name, encoding] to restore its dtype."""
    if not isinstance(frame.index, pd.RangeIndex) or frame.index.start != 0 or frame.index.step != 1:
        raise ValueError("only frames with a fresh RangeIndex are stored")
    names = [str(c) for c in frame.columns]
    if len(set(names)) != len(names) or names != list(frame.columns):
        raise ValueError("column names must be unique strings")
    encoded = [_encode(frame.iloc[:, i]) for i in range(frame.shape[1])]
    table = pa.table([array for _, array in encoded], names=[f"c{i}" for i in range(len(names))])
    return table, [[name, encoding] for name, (encoding, _) in zip(names, encoded, strict=True)]


def table_to_frame(table: pa.Table, columns: list[list[str]], length: int) -> pd.DataFrame:
    """The frame ``frame_to_table`` encoded."""
    if table.num_columns != len(columns) or table.num_rows != length:
        raise ValueError("stored table does not match its sidecar")
    arrays = [_decode(encoding, table.column(i)) for i, (_, encoding) in enumerate(columns)]
    names = [name for name, _ in columns]
    # Built as one object block, then the typed columns set: pandas would otherwise infer its string dtype.
    frame = pd.DataFrame({n: a if a.dtype == object else np.empty(length, dtype=object)
                          for n, a in zip(names, arrays, strict=True)},
                         columns=names, index=pd.RangeIndex(length), dtype=object)
    for position, array in enumerate(arrays):
        if array.dtype != object:
            frame.isetitem(position, array)
    return frame


@dataclass(frozen=True)
class Artifact:
    """One stored stage result: its rows and the non-tabular rest."""

    key: str
    frame: pd.DataFrame
    meta: dict[str, Json]


class ArtifactStore:
    """Stage results by key under ``folder``; one that cannot be used is a warning, and every lookup a miss."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self.usable = True
        self._key = b""
        try:
            private_dir(folder)
            self._key = self._signing_key(folder / "store.key")
        except OSError as exc:
            log.warning("Artifact store %s unusable, every stage is computed (%s)", folder, exc)
            self.usable = False

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

    def _paths(self, key: str) -> tuple[Path, Path]:
        if len(key) != 64 or not all(c in "0123456789abcdef" for c in key):
            raise ValueError(f"not an artifact key: {key!r}")
        folder = self.folder / key[:2]
        return folder / f"{key}.parquet", folder / f"{key}.json"

    def _digest(self, key: str, body: bytes) -> str:
        return hmac.new(self._key, key.encode() + b"\0" + body, hashlib.sha256).hexdigest()

    def get(self, key: str) -> Artifact | None:
        """The artifact under ``key``, or None (missing, torn, tampered or foreign entries are misses)."""
        if not self.usable:
            return None
        try:
            parquet, sidecar = self._paths(key)
            head, body = sidecar.read_bytes().split(b"\n", 1)
            envelope = json.loads(head)
            if envelope.get("format") != STORE_FORMAT or not hmac.compare_digest(
                    str(envelope.get("digest")), self._digest(key, body)):
                return None
            info = json.loads(body)
            data = parquet.read_bytes()
            if info["key"] != key or hashlib.sha256(data).hexdigest() != info["parquet_sha256"]:
                return None
            table = pq.read_table(io.BytesIO(data))
            return Artifact(key, table_to_frame(table, info["columns"], int(info["length"])), info["meta"])
        except (OSError, ValueError, KeyError, TypeError, pa.ArrowException):
            return None

    def put(self, key: str, frame: pd.DataFrame, meta: Mapping[str, Json]) -> bool:
        """Store ``frame`` and ``meta`` under ``key``; a failure to write is a warning (returns False)."""
        if not self.usable:
            return False
        try:
            parquet, sidecar = self._paths(key)
            table, columns = frame_to_table(frame)
            buffer = io.BytesIO()
            pq.write_table(table, buffer)
            data = buffer.getvalue()
            body = json.dumps({"key": key, "parquet_sha256": hashlib.sha256(data).hexdigest(), "columns": columns,
                               "length": len(frame), "meta": dict(meta)}, ensure_ascii=False,
                              separators=(",", ":")).encode()
            head = json.dumps({"format": STORE_FORMAT, "digest": self._digest(key, body)}).encode()
            private_dir(parquet.parent)
            write_private(parquet, data)
            write_private(sidecar, head + b"\n" + body)
            return True
        except (OSError, TypeError, ValueError, pa.ArrowException) as exc:
            log.warning("Artifact %s not stored (%s)", key[:16], exc)
            return False
