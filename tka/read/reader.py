"""Read one discovered file into the canonical read-rows frame, or quarantine it whole.

``read_file`` never raises: every failure becomes a quarantine reason of ``tka.contract.QUARANTINE_REASONS``
with a detail naming file, sheet and, where relevant, row and column. Nothing of a quarantined file is returned.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from itertools import chain

import fsspec
import numpy as np
import pandas as pd

from tka.contract import ROW_NUMBER
from tka.read.config import SourcesConfig
from tka.read.drive import DiscoveredFile
from tka.read.headers import Header, detect_header
from tka.read.rows import SheetColumns, frame_columns
from tka.read.sniff import DEFAULT_LIMITS, Quarantine, ReadLimits, sniff
from tka.read.workbook import load_book

# Synonym fields that feed other canonical columns (a required field is satisfied by any of its sources).
DERIVED_SOURCES: dict[str, tuple[str, ...]] = {
    "birth_date": ("birth_place_date",),
    "birth_place": ("birth_place_date",),
    "rptka_start": ("rptka_range",),
    "rptka_end": ("rptka_range",),
}
# Canonical columns a file-name default fills, by the synonym field it stands for.
DEFAULT_FIELDS: dict[str, str] = {"kecamatan_code": "kecamatan", "company_nib": "company_nib"}
# Which canonical columns each synonym field feeds (for the header map the validator uses).
FIELD_COLUMNS: dict[str, tuple[str, ...]] = {
    "birth_place_date": ("birth_place", "birth_date"),
    "rptka_range": ("rptka_start", "rptka_end"),
    "kecamatan": ("kecamatan_code",),
}


@dataclass(frozen=True)
class SheetDrift:
    """How one sheet's header differs from the expected layout."""

    missing: tuple[str, ...]  # required fields of the source kind that the header lacks
    unexpected: tuple[str, ...]  # header texts that match no synonym (with duplicates of a matched field)
    guessed: tuple[tuple[str, str, float], ...] = ()  # (header text, field, score) matched by words, not spelling


@dataclass(frozen=True)
class HeaderDrift:
    """Header drift per read sheet."""

    sheets: dict[str, SheetDrift] = field(default_factory=dict)

    @property
    def has_drift(self) -> bool:
        """True when some sheet misses a required field, has unknown columns or guessed ones."""
        return any(d.missing or d.unexpected or d.guessed for d in self.sheets.values())


@dataclass(frozen=True)
class SheetInfo:
    """What happened to one sheet: "read" (with its data-row count) or "skipped" and why."""

    name: str
    status: str
    reason: str | None
    rows: int = 0


@dataclass
class ReadResult:
    """Outcome of reading one file: canonical rows, or a quarantine reason with nothing loaded."""

    rows: pd.DataFrame
    quarantine: str | None = None
    detail: str = ""
    drift: HeaderDrift = field(default_factory=HeaderDrift)
    sheets: list[SheetInfo] = field(default_factory=list)
    columns: dict[str, dict[str, str]] = field(default_factory=dict)  # sheet -> canonical column -> header text
    format: str | None = None


def empty_frame(source_kind: str | None) -> pd.DataFrame:
    """A read-rows frame with no rows and all columns of the source kind."""
    return _frame({c: [] for c in frame_columns(source_kind)})


def read_file(fs: fsspec.AbstractFileSystem, root: str, file: DiscoveredFile, config: SourcesConfig,
              limits: ReadLimits = DEFAULT_LIMITS, run_id: str = "") -> ReadResult:
    """Read ``file`` into canonical rows; any failure quarantines the whole file (this never raises)."""
    try:
        if file.source_kind is not None:
            size = file.size or fs.size(_full(root, file.drive_path or file.path))
            if size > limits.max_file_bytes:
                raise Quarantine("too_large", f"{file.path}: {size} bytes, limit {limits.max_file_bytes} / "
                                              "berkas terlalu besar")
        content = b"" if file.source_kind is None else fs.cat_file(_full(root, file.drive_path or file.path))
    except Quarantine as q:
        return ReadResult(empty_frame(file.source_kind), q.reason, q.detail)
    except MemoryError:
        return ReadResult(empty_frame(file.source_kind), "memory_limit", f"{file.path}: out of memory / "
                                                                         "memori tidak cukup")
    except Exception as exc:  # noqa: BLE001 - the contract: a file that breaks the reader is quarantined
        return ReadResult(empty_frame(file.source_kind), "read_error", f"{file.path}: {type(exc).__name__}: {exc}")
    return read_bytes(content, file, config, limits, run_id)


def read_bytes(content: bytes, file: DiscoveredFile, config: SourcesConfig, limits: ReadLimits = DEFAULT_LIMITS,
               run_id: str = "") -> ReadResult:
    """Read the bytes of ``file`` (fetched by the caller); the same verdicts as ``read_file`` (never raises).

    The bytes parsed are hashed here: if they are not the content discovered (``file.sha256``), the file changed
    while the run was going, and it is quarantined rather than loaded under the old hash.
    """
    fmt = None
    try:
        if file.source_kind is None:
            raise Quarantine("unknown_source", f"{file.path}: folder is not a known source in sources.yaml / "
                                               "folder tidak dikenal")
        if len(content) > limits.max_file_bytes:
            raise Quarantine("too_large", f"{file.path}: {len(content)} bytes, limit {limits.max_file_bytes} / "
                                          "berkas terlalu besar")
        if file.sha256 and hashlib.sha256(content).hexdigest() != file.sha256:
            raise Quarantine("changed_during_run", f"{file.path}: content changed after it was listed (SHA-256 "
                                                   "differs) / berkas berubah saat dibaca")
        sniffed = sniff(content, file.path, limits)
        fmt = sniffed.format
        if sniffed.content is not None:
            content = sniffed.content
        return _read_book(content, sniffed.format, sniffed.date1904, file, config, limits, run_id)
    except Quarantine as q:
        return ReadResult(empty_frame(file.source_kind), q.reason, q.detail, format=fmt)
    except MemoryError:
        return ReadResult(empty_frame(file.source_kind), "memory_limit", f"{file.path}: out of memory / "
                                                                         "memori tidak cukup", format=fmt)
    except Exception as exc:  # noqa: BLE001 - the contract: a file that breaks the reader is quarantined
        return ReadResult(empty_frame(file.source_kind), "read_error", f"{file.path}: {type(exc).__name__}: {exc}",
                          format=fmt)


def _full(root: str, rel: str) -> str:
    return f"{root.rstrip('/')}/{rel}"


NO_HEADER = "no header recognised / judul kolom tidak dikenali"


def _read_book(content: bytes, fmt: str, date1904: bool, file: DiscoveredFile, config: SourcesConfig,
               limits: ReadLimits, run_id: str) -> ReadResult:
    def skip(sheet_name: str) -> str | None:
        hit = next((p.pattern for p in config.skip_sheet_patterns if p.search(sheet_name)), None)
        return f"matches skip_sheets {hit} / lembar ringkasan" if hit else None

    # Sheets named like summaries ("Rekap", "Ringkasan") are read only when no other sheet holds the data:
    # offices name their one data sheet "Rekap WNA" too.
    book = load_book(content, fmt, file.path, limits, lambda _name: None)
    summaries = {sheet.name: reason for sheet in book.sheets if (reason := skip(sheet.name))}
    ordered = [s for s in book.sheets if s.name not in summaries] + [s for s in book.sheets if s.name in summaries]
    spec = config.sources[file.source] if file.source else config.spec_for(str(file.source_kind))
    builder = SheetColumns(file, config.reference, date1904, run_id)
    collected: dict[str, list[object]] = {c: [] for c in frame_columns(file.source_kind)}
    infos: list[SheetInfo] = []
    drifts: dict[str, SheetDrift] = {}
    columns: dict[str, dict[str, str]] = {}
    found_fields: set[str] = set()
    for sheet in ordered:
        if sheet.skipped:
            infos.append(SheetInfo(sheet.name, "skipped", sheet.skipped))
            continue
        if sheet.name in summaries and drifts:
            infos.append(SheetInfo(sheet.name, "skipped", summaries[sheet.name]))
            continue
        if not any(any(v != "" for v in row) for row in sheet.rows):
            infos.append(SheetInfo(sheet.name, "skipped", "empty sheet / lembar kosong"))
            continue
        header = detect_header(sheet.rows, sheet.merges, config.header_lookup, limits.header_scan_rows,
                               config.header_vocabulary)
        if header is None:
            infos.append(SheetInfo(sheet.name, "skipped", NO_HEADER))
            continue
        present = _present_fields(header, file.defaults)
        found_fields |= present
        drifts[sheet.name] = SheetDrift(tuple(f for f in spec.required if f not in present),
                                        header.unexpected + header.duplicates,
                                        tuple((header.texts[i], header.fields[i], score)
                                              for i, score in sorted(header.guessed.items())))
        columns[sheet.name] = _column_headers(header, frame_columns(file.source_kind))
        sheet_columns = builder.build(sheet, header)
        for name, values in sheet_columns.items():
            collected[name].extend(values)
        infos.append(SheetInfo(sheet.name, "read", None, len(sheet_columns[ROW_NUMBER])))

    order = {sheet.name: i for i, sheet in enumerate(book.sheets)}
    infos.sort(key=lambda info: order.get(info.name, len(order)))

    def outcome(reason: str | None, detail: str = "") -> ReadResult:
        rows = _frame(collected) if reason is None else empty_frame(file.source_kind)
        return ReadResult(rows, reason, detail, HeaderDrift(drifts), infos, columns, fmt)

    if not drifts:  # no sheet with a recognised header
        reason = "no_header" if any(i.reason == NO_HEADER for i in infos) else "empty"
        return outcome(reason, f"{file.path}: {_sheet_summary(infos)}")
    # Only the identity fields must be in a header (of at least one data sheet): a missing non-identifying
    # column is drift, reported per sheet, and its rows load without that field.
    missing = spec.identity.missing(found_fields)
    if missing:
        sheets = ", ".join(f"'{name}'" for name in drifts)
        return outcome("missing_required_columns",
                       f"{file.path}: identity column(s) {', '.join(missing)} not found in sheet(s) {sheets} / "
                       f"kolom identitas tidak ada: {', '.join(missing)}")
    if not collected[ROW_NUMBER]:
        return outcome("no_data_rows", f"{file.path}: header found but no data rows / tidak ada baris data")
    return outcome(None)


def _sheet_summary(infos: list[SheetInfo]) -> str:
    return "; ".join(f"sheet '{i.name}' {i.status}" + (f" ({i.reason})" if i.reason else "") for i in infos) \
        or "no sheets / tidak ada lembar kerja"


def _present_fields(header: Header, defaults: dict[str, str]) -> set[str]:
    mapped = set(header.fields.values())
    present = set(mapped)
    for target, sources in DERIVED_SOURCES.items():
        if mapped.intersection(sources):
            present.add(target)
    present.update(DEFAULT_FIELDS[k] for k in defaults if k in DEFAULT_FIELDS)
    return present


def _column_headers(header: Header, columns: tuple[str, ...]) -> dict[str, str]:
    mapping: dict[str, str] = {}
    for index, fld in header.fields.items():
        for column in FIELD_COLUMNS.get(fld, (fld,)):
            if column in columns:
                mapping.setdefault(column, header.texts[index])
    return mapping


def _frame(columns: dict[str, list[object]]) -> pd.DataFrame:
    names = list(columns)
    n = len(columns[ROW_NUMBER])
    if any(len(values) != n for values in columns.values()):
        raise ValueError("read-rows columns differ in length")
    # One object block filled by np.fromiter (which, unlike pd.DataFrame(dict of lists), does not inspect every
    # cell): dtype object keeps None (not NaN) and datetime.date values as the contract requires.
    cells = np.fromiter(chain.from_iterable(columns.values()), dtype=object, count=len(names) * n)
    frame = pd.DataFrame(cells.reshape(len(names), n).T, columns=names, dtype=object, copy=False)
    frame.isetitem(names.index(ROW_NUMBER), np.array(columns[ROW_NUMBER], dtype="int64"))
    return frame
