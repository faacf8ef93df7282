"""Read one discovered file into the canonical read-rows frame, or quarantine it whole.

``read_file`` never raises: every failure becomes a quarantine reason of ``tka.contract.QUARANTINE_REASONS``
with a detail naming file, sheet and, where relevant, row and column. Nothing of a quarantined file is returned.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass, field

import fsspec
import pandas as pd

from tka.contract import (DATE_FIELDS, PROVENANCE_COLUMNS, QUARANTINE_REASONS, RAW, RECORD_KEY, REGISTRY_FIELDS,
                          ROW_NUMBER, WORKER_FIELDS, SourceKind, record_key)
from tka.read import normalize as nz
from tka.read.config import Reference, SourcesConfig
from tka.read.drive import DiscoveredFile
from tka.read.headers import Header, detect_header, row_kind, row_texts, trimmed
from tka.read.sniff import Quarantine, ReadLimits, sniff
from tka.read.workbook import RawSheet, load_book

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
UNPARSED_COLUMNS: tuple[str, ...] = tuple(f"{f}_unparsed" for f in DATE_FIELDS)
WORKER_COLUMNS: tuple[str, ...] = (*PROVENANCE_COLUMNS, *WORKER_FIELDS, *UNPARSED_COLUMNS,
                                   "nationality_unknown", "kecamatan_unknown")
REGISTRY_COLUMNS: tuple[str, ...] = (*PROVENANCE_COLUMNS, *REGISTRY_FIELDS, "kecamatan_unknown")


def frame_columns(source_kind: str | None) -> tuple[str, ...]:
    """Columns of the read-rows frame of a source kind (registry or worker layout)."""
    return REGISTRY_COLUMNS if source_kind == SourceKind.REGISTRY else WORKER_COLUMNS


@dataclass(frozen=True)
class SheetDrift:
    """How one sheet's header differs from the expected layout."""

    missing: tuple[str, ...]  # required fields of the source kind that the header lacks
    unexpected: tuple[str, ...]  # header texts that match no synonym (with duplicates of a matched field)


@dataclass(frozen=True)
class HeaderDrift:
    """Header drift per read sheet."""

    sheets: dict[str, SheetDrift] = field(default_factory=dict)

    @property
    def has_drift(self) -> bool:
        """True when some sheet misses a required field or has unknown columns."""
        return any(d.missing or d.unexpected for d in self.sheets.values())


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
    return pd.DataFrame({c: pd.Series([], dtype="int64" if c == ROW_NUMBER else object)
                         for c in frame_columns(source_kind)})


def read_file(fs: fsspec.AbstractFileSystem, root: str, file: DiscoveredFile, config: SourcesConfig,
              limits: ReadLimits = ReadLimits(), run_id: str = "") -> ReadResult:
    """Read ``file`` into canonical rows; any failure quarantines the whole file (this never raises)."""
    fmt = None
    try:
        if file.source_kind is None:
            raise Quarantine("unknown_source", f"{file.path}: folder is not a known source in sources.yaml / "
                                               "folder tidak dikenal")
        size = file.size or fs.size(_full(root, file.path))
        if size > limits.max_file_bytes:
            raise Quarantine("too_large", f"{file.path}: {size} bytes, limit {limits.max_file_bytes} / "
                                          "berkas terlalu besar")
        data = fs.cat_file(_full(root, file.path))
        sniffed = sniff(data, file.path, limits)
        fmt = sniffed.format
        return _read_book(data, sniffed.format, sniffed.date1904, file, config, limits, run_id)
    except Quarantine as q:
        return _quarantined(file, q.reason, q.detail, fmt)
    except Exception as exc:  # noqa: BLE001 - the contract: a file that breaks the reader is quarantined
        return _quarantined(file, "read_error", f"{file.path}: {type(exc).__name__}: {exc}", fmt)


def _full(root: str, rel: str) -> str:
    return f"{root.rstrip('/')}/{rel}"


def _quarantined(file: DiscoveredFile, reason: str, detail: str, fmt: str | None) -> ReadResult:
    assert reason in QUARANTINE_REASONS, reason
    return ReadResult(empty_frame(file.source_kind), reason, detail, format=fmt)


def _read_book(data: bytes, fmt: str, date1904: bool, file: DiscoveredFile, config: SourcesConfig,
               limits: ReadLimits, run_id: str) -> ReadResult:
    def skip(sheet_name: str) -> str | None:
        hit = next((p.pattern for p in config.skip_sheet_patterns if p.search(sheet_name)), None)
        return f"matches skip_sheets {hit} / lembar ringkasan" if hit else None

    book = load_book(data, fmt, file.path, limits, skip)
    spec = config.sources[file.source] if file.source else config.spec_for(str(file.source_kind))
    builder = RowBuilder(file, config.reference, date1904, run_id)
    infos, drifts, columns, records = [], {}, {}, []
    found_fields: set[str] = set()
    for sheet in book.sheets:
        if sheet.skipped:
            infos.append(SheetInfo(sheet.name, "skipped", sheet.skipped))
            continue
        if not any(any(v != "" for v in row) for row in sheet.rows):
            infos.append(SheetInfo(sheet.name, "skipped", "empty sheet / lembar kosong"))
            continue
        header = detect_header(sheet.rows, sheet.merges, config.header_lookup, limits.header_scan_rows)
        if header is None:
            infos.append(SheetInfo(sheet.name, "skipped", "no header recognised / judul kolom tidak dikenali"))
            continue
        present = _present_fields(header, file.defaults)
        found_fields |= present
        drifts[sheet.name] = SheetDrift(tuple(f for f in spec.required if f not in present),
                                        header.unexpected + header.duplicates)
        columns[sheet.name] = _column_headers(header, frame_columns(file.source_kind))
        sheet_records = builder.sheet_rows(sheet, header)
        records.extend(sheet_records)
        infos.append(SheetInfo(sheet.name, "read", None, len(sheet_records)))
    result = ReadResult(empty_frame(file.source_kind), None, "", HeaderDrift(drifts), infos, columns, fmt)
    if not any(i.status == "read" for i in infos):
        reason = "no_header" if any(i.status == "skipped" and "header" in (i.reason or "") for i in infos) \
            else "empty"
        return _fail(result, reason, f"{file.path}: {_sheet_summary(infos)}")
    missing = [f for f in spec.required if f not in found_fields]
    if missing:
        sheets = ", ".join(f"'{name}'" for name in drifts)
        return _fail(result, "missing_required_columns",
                     f"{file.path}: required column(s) {', '.join(missing)} not found in sheet(s) {sheets} / "
                     f"kolom wajib tidak ada: {', '.join(missing)}")
    if not records:
        return _fail(result, "no_data_rows", f"{file.path}: header found but no data rows / tidak ada baris data")
    result.rows = _frame(records, file.source_kind)
    return result


def _fail(result: ReadResult, reason: str, detail: str) -> ReadResult:
    result.quarantine, result.detail = reason, detail
    return result


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


def _frame(records: list[dict[str, object]], source_kind: str | None) -> pd.DataFrame:
    # Column-wise with dtype object: absent values stay None (not NaN) as the contract requires.
    frame = pd.DataFrame({c: [r.get(c) for r in records] for c in frame_columns(source_kind)}, dtype=object)
    frame[ROW_NUMBER] = frame[ROW_NUMBER].astype("int64")
    return frame


class RowBuilder:
    """Turns the data rows of a sheet into canonical records; memoises normalisers per distinct cell value."""

    def __init__(self, file: DiscoveredFile, ref: Reference, date1904: bool, run_id: str) -> None:
        self.file, self.ref, self.date1904, self.run_id = file, ref, date1904, run_id
        self.registry = file.source_kind == SourceKind.REGISTRY
        self.columns = frame_columns(file.source_kind)
        self.defaults = {k: v for k, v in file.defaults.items() if k in self.columns}
        self._memo: dict[tuple[str, type, object], object] = {}

    def _cached(self, name: str, func: Callable[[object], object], value: object) -> object:
        key = (name, type(value), value)
        try:
            return self._memo[key]
        except KeyError:
            result = self._memo[key] = func(value)
            return result
        except TypeError:  # unhashable cell value
            return func(value)

    def sheet_rows(self, sheet: RawSheet, header: Header) -> list[dict[str, object]]:
        """Canonical records of the data rows of one sheet (junk rows dropped, stop at the signature)."""
        header_rows = frozenset(trimmed(row_texts(sheet.rows[i])) for i in header.rows)
        raw_keys = _raw_keys(header)
        records = []
        for index in range(header.first_data_row, len(sheet.rows)):
            values = sheet.rows[index]
            texts = row_texts(values)
            kind = row_kind(values, texts, header_rows)
            if kind == "signature":
                break
            if kind != "data":
                continue
            cells = {fld: values[c] for c, fld in header.fields.items() if c < len(values) and texts[c]}
            if not any(f != "row_no" for f in cells):
                continue  # only a row number or an unnamed column: a section label, not a person
            record = self.record(cells)
            row_number = sheet.row_number(index)
            record.update({
                "run_id": self.run_id, "source_kind": self.file.source_kind, "source_id": self.file.source_id,
                "file_path": self.file.path, "file_sha256": self.file.sha256, "sheet": sheet.name,
                ROW_NUMBER: row_number, RECORD_KEY: record_key(self.file.sha256, sheet.name, row_number),
                RAW: json.dumps({k: (texts[c] if c < len(texts) and texts[c] else None) for c, k in raw_keys},
                                ensure_ascii=False),
            })
            records.append(record)
        return records

    def record(self, cells: dict[str, object]) -> dict[str, object]:
        """Canonical fields of one row from {synonym field: cell value} (non-empty cells only)."""
        out: dict[str, object] = {}
        get = cells.get
        ref = self.ref

        if (v := get("kecamatan")) is not None:
            code, unknown = self._cached(f"kec|{get('address')}", lambda x: nz.normalize_kecamatan(
                x, get("address"), ref), v)  # type: ignore[misc]
            out.update(kecamatan_code=code, kecamatan_raw=nz.cell_text(v), kecamatan_unknown=unknown)
        if (v := get("company_name")) is not None:
            out["company_name_raw"] = nz.cell_text(v)
            out["company_name"] = self._cached("company", nz.normalize_company_name, v)
        if (v := get("company_nib")) is not None:
            out["company_nib"] = nz.normalize_nib(v)
        if (v := get("address")) is not None:
            out["address"] = nz.cell_text(v)
        if self.registry:
            if (v := get("kbli")) is not None:
                out["kbli"] = nz.normalize_kbli(v)
            if (v := get("must_report")) is not None:
                out["must_report"] = nz.normalize_yes_no(v)
            return self._with_defaults(out)

        if (v := get("nationality")) is not None:
            iso3, unknown = self._cached("nat", lambda x: nz.normalize_nationality(x, ref), v)  # type: ignore[misc]
            out.update(nationality=iso3, nationality_raw=nz.cell_text(v), nationality_unknown=unknown)
        if (v := get("name")) is not None:
            out.update(name=nz.normalize_person_name(v), name_raw=nz.cell_text(v))
        if (v := get("passport_no")) is not None:
            out.update(passport_no=nz.normalize_passport(v, out.get("nationality"), ref),  # type: ignore[arg-type]
                       passport_raw=nz.cell_text(v))
        if (v := get("birth_place_date")) is not None:
            place, born, bad = self._cached(
                "ttl", lambda x: nz.split_place_date(x, self.date1904, ref), v)  # type: ignore[misc]
            out.update(birth_place=place, birth_date=born, birth_date_unparsed=bad)
        if (v := get("rptka_range")) is not None:
            start, end, bad = self._cached("range", lambda x: nz.parse_date_range(x, ref), v)  # type: ignore[misc]
            out.update(rptka_start=start, rptka_end=end,
                       rptka_start_unparsed=bad if start is None else None,
                       rptka_end_unparsed=bad if end is None else None)
        for date_field in DATE_FIELDS:  # a dedicated date column wins over a combined one
            if (v := get(date_field)) is not None:
                parsed, bad = self._cached("date", lambda x: nz.parse_date(x, self.date1904, ref), v)  # type: ignore[misc]
                out[date_field], out[f"{date_field}_unparsed"] = parsed, bad
        for text_field in ("name_native", "position", "birth_place", "note"):
            if (v := get(text_field)) is not None:
                out[text_field] = nz.cell_text(v)
        for doc_field in ("rptka_no", "notifikasi_no", "kitas_no"):
            if (v := get(doc_field)) is not None:
                out[doc_field] = nz.normalize_document_no(v)
        if (v := get("sex")) is not None:
            out["sex"] = self._cached("sex", nz.normalize_sex, v)
        if (v := get("permit_type")) is not None:
            out["permit_type"] = self._cached("permit", nz.normalize_permit_type, v)
        out["person_kind"] = self._cached("kind", lambda x: nz.person_kind(x, ref), get("person_kind"))
        return self._with_defaults(out)

    def _with_defaults(self, out: dict[str, object]) -> dict[str, object]:
        # A row that names a kecamatan (even an unknown one) keeps it; the file name only fills blanks.
        names_kecamatan = out.get("kecamatan_raw") is not None
        for key, value in self.defaults.items():
            if key.startswith("kecamatan") and names_kecamatan:
                continue
            if out.get(key) is None:
                out[key] = value
        return out


def _raw_keys(header: Header) -> list[tuple[int, str]]:
    """(column index, unique header text) for every column with a header, for the ``raw`` JSON."""
    keys, seen = [], set()
    for index, text in enumerate(header.texts):
        if not text:
            continue
        key = text if text not in seen else f"{text} [{_column_letter(index)}]"
        seen.add(key)
        keys.append((index, key))
    return keys


def _column_letter(index: int) -> str:
    letters = ""
    index += 1
    while index:
        index, rem = divmod(index - 1, 26)
        letters = chr(65 + rem) + letters
    return letters
