"""Review workbooks: the per-file feedback workbook for the sending agency and the steward's month export.

Written with xlsxwriter's public API in constant_memory mode (rows streamed out in order, no cell objects kept).
Text is always a string cell (``write_string``): a value the agency typed never becomes a formula, a link or a
number.
"""

from __future__ import annotations

import calendar
import datetime as dt
import io
import json
import math
import os
import re
import shutil
import tempfile
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from functools import lru_cache
from itertools import chain
from pathlib import PurePosixPath
from typing import IO, Any, Self

import pandas as pd
import xlsxwriter
from xlsxwriter.format import Format
from xlsxwriter.worksheet import Worksheet

from tka.contract import QUARANTINE_REASONS, RAW, RECORD_KEY, ROW_NUMBER, RULES, SHEET
from tka.frames import frame_records
from tka.privacy import mask_issue_value

# Bump when the content or layout of a feedback workbook changes: the review manifest then rewrites them all.
# 2: A4 print setup, duplicate and date hints; 3: the Data sheet holds the rows with issues only
WRITER_VERSION = "xlsxwriter-3"
ERROR_RGB = "FFFFC7CE"    # light red: the row is rejected until corrected
WARNING_RGB = "FFFFEB9C"  # light yellow: loaded, please check
# A spreadsheet treats text starting with these as a formula (CSV/formula injection, OWASP). Every text cell is
# written with ``write_string`` (and the workbook has strings_to_formulas off), so such text stays plain text.
FORMULA_PREFIXES: tuple[str, ...] = ("=", "+", "-", "@", "\t", "\r")
# Control characters an xlsx file cannot hold (the same set openpyxl rejects); they are dropped from every text.
ILLEGAL_CHARACTERS_RE = re.compile(r"[\000-\010]|[\013-\014]|[\016-\037]")
SHEET_COLUMN, ROW_COLUMN, PROBLEM_COLUMN = "Lembar", "Baris Excel", "Masalah"
SEVERITY_ID: dict[str, str] = {"error": "Kesalahan", "warning": "Peringatan"}
COMMENT_AUTHOR = "Kesbangpol Kukar"
COMMENT_WIDTH = 320  # pixels; height 40 + 40 per note
# xlsxwriter streams rows and the workbook's parts through temporary files: in memory (tmpfs) where there is one.
TMPDIR: str | None = "/dev/shm" if os.path.isdir("/dev/shm") and os.access("/dev/shm", os.W_OK) else None
WORKBOOK_OPTIONS: dict[str, Any] = {
    "constant_memory": True,        # rows are written in order and streamed out: no per-cell objects kept
    "tmpdir": TMPDIR,
    "strings_to_formulas": False,   # belt and braces: even write() never makes a formula from text
    "strings_to_urls": False,
    "strings_to_numbers": False,
    "nan_inf_to_errors": True,
    "remove_timezone": True,
}
BOLD: dict[str, Any] = {"bold": True}  # header cells
WRAP: dict[str, Any] = {"text_wrap": True, "valign": "top"}  # the Masalah column
DATE_FORMATS: dict[type, str] = {dt.datetime: "yyyy-mm-dd h:mm:ss", dt.date: "yyyy-mm-dd", dt.time: "h:mm:ss"}


@dataclass(frozen=True)
class FileMeta:
    """The file a feedback workbook is about."""

    file_path: str
    source_kind: str
    period: str
    source_id: str | None = None
    quarantine_reason: str | None = None

    @classmethod
    def coerce(cls, meta: FileMeta | Mapping[str, Any]) -> FileMeta:
        """A FileMeta from itself or a mapping (``file_path``/``path``, ``quarantine_reason``/``quarantine``)."""
        if isinstance(meta, FileMeta):
            return meta
        file_path = meta.get("file_path") or meta.get("path")
        if not file_path or not meta.get("period"):
            raise ValueError("file meta needs 'file_path' (or 'path') and 'period'")
        # the source kind is the folder under the period when not given
        parts = PurePosixPath(str(file_path)).parts
        kind = meta.get("source_kind") or (parts[-2] if len(parts) >= 2 else "")
        return cls(file_path=str(file_path), source_kind=str(kind), period=str(meta["period"]),
                   source_id=meta.get("source_id"),
                   quarantine_reason=meta.get("quarantine_reason") or meta.get("quarantine"))


def feedback_path(period: str, source_kind: str, file_path: str) -> str:
    """Drive path of a file's feedback workbook: ``_review/<period>/<source_kind>/<stem>__umpan_balik.xlsx``.

    The name is made safe and short (``tka.names.safe_output_name``): any name the drive holds gives a
    workbook name the drive can hold.
    """
    from tka.names import safe_output_name

    folder = safe_output_name(str(source_kind or "lainnya"))
    return f"_review/{period}/{folder}/{safe_output_name(PurePosixPath(file_path).stem, '__umpan_balik.xlsx')}"


def clean_text(text: str) -> str:
    """``text`` without the control characters an xlsx cannot hold."""
    return ILLEGAL_CHARACTERS_RE.sub("", text)


def _cell_value(value: Any) -> Any:
    """A value a cell can hold: None for missing, text cleaned of control characters, numpy scalars unboxed."""
    if value is None or value is pd.NA or value is pd.NaT:
        return None
    if isinstance(value, str):
        return clean_text(value) or None  # an empty text is an empty cell, as openpyxl wrote it
    if isinstance(value, (bool, int, float, dt.date, dt.time)):
        return None if isinstance(value, float) and math.isnan(value) else value  # NaN is missing
    if hasattr(value, "item") and hasattr(value, "dtype"):  # numpy scalar
        return _cell_value(value.item())
    return clean_text(str(value)) or None


class _Book:
    """An xlsxwriter workbook with the few formats the review workbooks use, made once each."""

    def __init__(self, target: IO[bytes], tmpdir: str | None = None) -> None:
        # tmpdir: a private (0700) run folder, so rows with passports never sit in a shared temp folder after a kill.
        # Each workbook streams into a folder of its own there, removed with whatever xlsxwriter left in it.
        self.scratch = tempfile.mkdtemp(prefix="xlsx-", dir=tmpdir or WORKBOOK_OPTIONS["tmpdir"])
        self.wb = xlsxwriter.Workbook(target, {**WORKBOOK_OPTIONS, "tmpdir": self.scratch})
        self._formats: dict[tuple[tuple[str, Any], ...], Format] = {}

    def fmt(self, **props: Any) -> Format | None:
        """The format with ``props`` (None for no properties)."""
        if not props:
            return None
        key = tuple(sorted(props.items()))
        if key not in self._formats:
            self._formats[key] = self.wb.add_format(props)
        return self._formats[key]

    def put(self, ws: Worksheet, row: int, col: int, value: Any, style: Mapping[str, Any] | None = None) -> None:
        """Write one cell (0-based) with the format properties ``style``; text is always a string cell, never a
        formula, link or number; a date gets the number format openpyxl gave it."""
        value = _cell_value(value)
        if value is None:
            if style:
                ws.write_blank(row, col, None, self.fmt(**style))
        elif isinstance(value, str):
            ws.write_string(row, col, value, self.fmt(**style) if style else None)
        elif isinstance(value, bool):
            ws.write_boolean(row, col, value, self.fmt(**style) if style else None)
        elif isinstance(value, (int, float)):
            ws.write_number(row, col, value, self.fmt(**style) if style else None)
        else:  # datetime, date or time
            kind = dt.datetime if isinstance(value, dt.datetime) else dt.date if isinstance(value, dt.date) \
                else dt.time
            ws.write_datetime(row, col, value, self.fmt(**(style or {}), num_format=DATE_FORMATS[kind]))

    def table(self, ws: Worksheet, columns: Sequence[str], records: Iterable[Sequence[Any]],
              start_row: int = 0) -> int:
        """Bold header + rows from ``start_row`` (0-based), widths from the headers; returns the last row."""
        for j, name in enumerate(columns):
            self.put(ws, start_row, j, name, BOLD)
        last = start_row
        for i, record in enumerate(records, start=start_row + 1):
            for j, value in enumerate(record):
                self.put(ws, i, j, value)
            last = i
        for j, name in enumerate(columns):
            ws.set_column(j, j, header_width(name))
        return last

    def __enter__(self) -> Self:
        return self

    def __exit__(self, exc_type: type[BaseException] | None, *_: object) -> None:
        """Write the xlsx (unless the block failed), then remove the temporary files xlsxwriter left behind: it
        keeps those of an empty sheet in constant_memory mode, and all of them when the workbook is not closed."""
        try:
            if exc_type is None:
                self.wb.close()
        finally:
            shutil.rmtree(self.scratch, ignore_errors=True)


def header_width(name: Any) -> int:
    """Column width for a header: its length + 2, at least 12 and at most 40 characters."""
    return min(max(12, len(str(name)) + 2), 40)


def _raw_dict(raw: Any) -> dict[str, Any]:
    if isinstance(raw, str):
        try:
            raw = json.loads(raw)
        except json.JSONDecodeError:
            return {}
    return raw if isinstance(raw, dict) else dict(raw) if isinstance(raw, Mapping) else {}


def _missing(value: Any) -> bool:
    return value is None or value is pd.NA or (isinstance(value, float) and math.isnan(value))


def _instructions(book: _Book, meta: FileMeta, n_rows: int, issues: Sequence[Mapping[str, Any]]) -> None:
    """The "Petunjuk" sheet: what was found and how to correct and re-send the file, in Indonesian."""
    ws = book.wb.add_worksheet("Petunjuk")
    folder = PurePosixPath(meta.file_path).parent
    rows_with = {severity: {i.get("record_key") for i in issues if i["severity"] == severity
                            and not _missing(i.get("record_key"))} for severity in ("error", "warning")}
    rejected, warned = len(rows_with["error"]), len(rows_with["warning"])
    lines: list[Any] = [
        "UMPAN BALIK VALIDASI DATA TENAGA KERJA ASING (TKA)",
        "",
        f"Berkas: {meta.file_path}",
        f"Periode laporan: {meta.period}",
        f"Sumber: {meta.source_id or meta.source_kind}",
        "",
    ]
    if meta.quarantine_reason:
        reason = QUARANTINE_REASONS.get(meta.quarantine_reason, meta.quarantine_reason)
        lines += [f"Berkas ini TIDAK DAPAT DIPROSES: {reason}",
                  "Tidak ada baris dari berkas ini yang dimuat. Perbaiki berkas lalu kirim ulang.", ""]
    else:
        lines += [f"Jumlah baris data dibaca: {n_rows}",
                  f"Baris ditolak (ada kesalahan): {rejected}",
                  f"Baris dimuat dengan peringatan: {warned}", ""]
    lines += [
        "CARA MEMPERBAIKI",
        ("1. Buka lembar 'Data': isinya hanya baris yang bermasalah. Sel MERAH berisi kesalahan: baris itu belum "
         "dimuat sampai diperbaiki."),
        "2. Sel KUNING berisi peringatan: baris sudah dimuat, tetapi mohon diperiksa kebenarannya.",
        "3. Arahkan kursor ke sel berwarna untuk membaca catatan; kolom 'Masalah' merangkum semua catatan baris.",
        "4. Kolom 'Lembar' dan 'Baris Excel' menunjukkan letak baris pada berkas asli Anda.",
        "5. Perbaiki data pada berkas asli Anda (bukan pada berkas umpan balik ini).",
        (f"6. Kirim ulang seluruh berkas ke folder yang sama ({folder}) dengan nama yang sama; "
        "versi baru menggantikan versi lama pada pemrosesan berikutnya."),
        "7. Tanggal ditulis dengan format HH-BB-TTTT (contoh 05-08-2025); jangan kosongkan kolom wajib.",
        "",
    ]
    for i, line in enumerate(lines):
        if line:
            book.put(ws, i, 0, line, {"bold": True, "font_size": 13} if i == 0 else None)
    counts = Counter((i["rule"], i["severity"]) for i in issues
                     if not _missing(i["rule"]) and not _missing(i["severity"]))
    table = [(SEVERITY_ID.get(severity, severity), rule, n,
              RULES[rule].message_id if rule in RULES else QUARANTINE_REASONS.get(rule[5:], ""))
             for (rule, severity), n in sorted(counts.items())]
    book.table(ws, ["Tingkat", "Aturan", "Jumlah", "Penjelasan"], table, start_row=len(lines))
    ws.set_column(0, 0, 16)
    ws.set_column(3, 3, 70)
    print_a4(ws, landscape=False)


def print_a4(ws: Worksheet, landscape: bool, header_rows: int = 0) -> None:
    """Print setup: A4, fit to one page wide, the header row repeated on every page."""
    ws.set_paper(9)  # A4
    if landscape:
        ws.set_landscape()
    ws.fit_to_pages(1, 0)
    ws.set_margins(left=0.4, right=0.4, top=0.5, bottom=0.5)
    if header_rows:
        ws.repeat_rows(0, header_rows - 1)


_DATE_RE = re.compile(r"^\s*(\d{1,2})[\s./-]+([A-Za-z]+|\d{1,2})[\s./-]+(\d{4})\s*$")
MONTH_NAMES_ID = ("Januari", "Februari", "Maret", "April", "Mei", "Juni", "Juli", "Agustus", "September",
                  "Oktober", "November", "Desember")


@lru_cache(maxsize=1)
def _month_words() -> dict[str, int]:
    """Month words of config/reference.yaml (Indonesian, old spellings, abbreviations) -> month number."""
    import yaml

    from tka.settings import PROJECT_ROOT

    ref = yaml.safe_load((PROJECT_ROOT / "config" / "reference.yaml").read_text(encoding="utf-8"))
    return {str(w).lower(): int(m) for m, words in ref["months"].items() for w in words}


def date_hint(raw: object) -> str | None:
    """A hint for an unreadable date that already has a day-month-year form: which part cannot exist."""
    found = _DATE_RE.match(str(raw)) if isinstance(raw, str) else None
    if not found:
        return None
    day, month_text, year = int(found[1]), found[2], int(found[3])
    month = int(month_text) if month_text.isdigit() else _month_words().get(month_text.lower())
    if month is None:
        return f"Nama bulan '{month_text}' tidak dikenali; tulis bulan dengan angka atau nama bulan Indonesia."
    if not 1 <= month <= 12:
        if 1 <= day <= 12 and month <= 31:
            return f"Bulan {month} tidak ada; tulis hari dulu, lalu bulan (HH-BB-TTTT)."
        return f"Bulan {month} tidak ada."
    last = calendar.monthrange(year, month)[1]
    if not 1 <= day <= last:
        return f"Tanggal {day} tidak ada di bulan {MONTH_NAMES_ID[month - 1]} {year} (hanya sampai tanggal {last})."
    return None


def _comment_text(issue: Mapping[str, Any]) -> str:
    rule = RULES.get(issue["rule"])
    message = rule.message_id if rule else str(issue.get("message_id") or issue["rule"])
    hint = date_hint(issue.get("raw_value")) if issue["rule"] == "date_unparsed" else None
    if hint:  # the general "use DD-MM-YYYY" would repeat the form the value already has
        message = f"Tanggal tidak dapat dibaca: {hint}"
    if issue.get("duplicate_of"):
        message = f"{message} Sama dengan {issue['duplicate_of']}."
    raw = issue.get("raw_value")
    shown = "(kosong)" if raw is None or (isinstance(raw, float) and pd.isna(raw)) else f"'{raw}'"
    return clean_text(f"{SEVERITY_ID.get(issue['severity'], issue['severity'])}: {message} Nilai tertulis: {shown}.")


# Columns of a read row that say where it came from, not what the agency wrote: not shown without raw cells.
_PROVENANCE = frozenset({"run_id", "source_kind", "source_id", "file_path", "file_sha256", SHEET, ROW_NUMBER, RAW,
                         "record_key", "status", "flags"})


def shown_columns(rows: pd.DataFrame) -> list[str]:
    """The columns of ``rows`` a feedback workbook reads: where each row is, its key and its raw cells (or, when
    the reader kept no raw cells, the canonical fields)."""
    columns = [c for c in (SHEET, ROW_NUMBER, RECORD_KEY) if c in rows.columns]
    if RAW in rows.columns:
        if any(_raw_dict(raw) for raw in rows[RAW]):  # stops at the first row with raw cells
            return [*columns, RAW]
        columns.append(RAW)
    return [*columns, *(c for c in rows.columns if c not in _PROVENANCE)]


def write_feedback_workbook(rows_of_one_file: pd.DataFrame, issues_of_that_file: pd.DataFrame,
                            file_meta: FileMeta | Mapping[str, Any], tmpdir: str | None = None) -> bytes:
    """The xlsx sent back to the agency: Petunjuk sheet, then its rows with failing cells highlighted."""
    buffer = io.BytesIO()
    write_feedback_to(buffer, rows_of_one_file, issues_of_that_file, file_meta, tmpdir)
    return buffer.getvalue()


def _mark(issues: Sequence[Mapping[str, Any]]) -> dict[str, Any]:
    """Format properties of a cell with ``issues``: light red with any error, light yellow with warnings only."""
    if not issues:
        return {}
    rgb = ERROR_RGB if any(f["severity"] == "error" for f in issues) else WARNING_RGB
    return {"bg_color": f"#{rgb[2:]}", "pattern": 1}


def write_feedback_to(target: IO[bytes], rows_of_one_file: pd.DataFrame, issues_of_that_file: pd.DataFrame,
                      file_meta: FileMeta | Mapping[str, Any], tmpdir: str | None = None) -> None:
    """Write the feedback workbook (see ``write_feedback_workbook``) into the binary file ``target``."""
    with _Book(target, tmpdir) as book:
        _feedback_sheets(book, rows_of_one_file, frame_records(issues_of_that_file), FileMeta.coerce(file_meta))


def _feedback_sheets(book: _Book, rows_of_one_file: pd.DataFrame, issues: list[dict[str, Any]],
                     file_meta: FileMeta) -> None:
    _instructions(book, file_meta, len(rows_of_one_file), issues)
    ws = book.wb.add_worksheet("Data")

    rows = rows_of_one_file.sort_values([SHEET, ROW_NUMBER], kind="stable")
    originals = _duplicate_originals(rows, issues)
    if originals:
        issues = [{**i, "duplicate_of": originals.get(i.get(RECORD_KEY))} if i["rule"] == "duplicate_row" else i
                  for i in issues]
    row_issues: dict[Any, list[dict[str, Any]]] = {}
    for issue in issues:
        if not _missing(issue.get(RECORD_KEY)):
            row_issues.setdefault(issue[RECORD_KEY], []).append(issue)
    raws = [_raw_dict(r) for r in rows[RAW]] if RAW in rows.columns else [{} for _ in range(len(rows))]
    headers: list[str] = list(dict.fromkeys(chain.from_iterable(raws)))  # the file's columns, from every row
    by_raw = bool(headers)
    if not by_raw:  # no raw cells kept: show the canonical fields that have any value
        headers = [c for c in rows.columns if c not in _PROVENANCE and rows[c].notna().any()]
    # Only the rows with issues (the agency finds them in its own file by Lembar and Baris Excel): the rest of a
    # big file would be most of the cells, and of the time, of its workbook.
    shown = [i for i, key in enumerate(rows[RECORD_KEY].tolist()) if key in row_issues]
    rows = rows.iloc[shown]
    if by_raw:
        values_of = [[raws[i].get(h) for h in headers] for i in shown]
    else:
        values_of = rows[headers].astype(object).to_numpy().tolist() if headers else [[] for _ in shown]
    columns = [SHEET_COLUMN, ROW_COLUMN, *headers, PROBLEM_COLUMN]
    position = {h: j for j, h in enumerate(columns)}  # 0-based; a repeated header name: the last one
    row_column, problem = position[ROW_COLUMN], len(columns) - 1

    # Column widths and the Masalah column's format first: a streamed row takes the column format when written.
    for j, name in enumerate(columns):
        ws.set_column(j, j, 60 if j == problem else header_width(name), book.fmt(**WRAP) if j == problem else None)
    for j, name in enumerate(columns):
        book.put(ws, 0, j, name, BOLD)
    put, write_string = book.put, ws.write_string
    for i, (sheet, number, key, values) in enumerate(
            zip(rows[SHEET].tolist(), rows[ROW_NUMBER].tolist(), rows[RECORD_KEY].tolist(), values_of, strict=True),
            start=1):
        found = row_issues.get(key, ())
        by_cell: dict[int, list[Mapping[str, Any]]] = {}
        for issue in found:
            # The cell under the issue's header; a row-level issue (or unknown header) marks the row number.
            at = position.get(issue.get("header") or "")
            if at is None and not by_raw:
                at = position.get(issue["column"])
            by_cell.setdefault(row_column if at is None else at, []).append(issue)
        for j, value in enumerate((sheet, number, *values)):
            marked = by_cell.get(j)
            if marked is None and value.__class__ is str:  # most cells: plain text, written as put() would
                text = value if value.isprintable() else clean_text(value)
                if text:
                    write_string(i, j, text)
            elif marked is not None or value is not None:
                put(ws, i, j, value, _mark(marked) if marked else None)
        if found:  # (a raw header named "Masalah" puts its marks on this cell)
            marked = by_cell.get(problem)
            put(ws, i, problem, "\n".join(_comment_text(f) for f in found), {**WRAP, **_mark(marked or ())})
        for j, marked in by_cell.items():
            ws.write_comment(i, j, "\n".join(_comment_text(f) for f in marked),
                             {"author": COMMENT_AUTHOR, "width": COMMENT_WIDTH, "height": 40 + 40 * len(marked)})
    ws.freeze_panes(1, 0)
    ws.autofilter(0, 0, len(rows), len(columns) - 1)
    print_a4(ws, landscape=len(columns) > 6, header_rows=1)


def _duplicate_originals(rows: pd.DataFrame, issues: Sequence[Mapping[str, Any]]) -> dict[Any, str]:
    """record_key of each duplicate_row issue -> "baris N (lembar S)" of the earlier row it repeats."""
    keys = {i.get(RECORD_KEY) for i in issues if i["rule"] == "duplicate_row"}
    if not keys or RECORD_KEY not in rows.columns:
        return {}
    from tka.validate.derive import canonical_fields

    kind = "registry" if "kbli" in rows.columns and "passport_no" not in rows.columns else "worker"
    fields = [c for c in canonical_fields(kind) if c in rows.columns]
    first: dict[tuple[Any, ...], tuple[Any, Any]] = {}
    out: dict[Any, str] = {}
    for record in rows[[SHEET, ROW_NUMBER, RECORD_KEY, *fields]].astype(object).itertuples(index=False, name=None):
        sheet, number, key, *values = record
        signature = tuple(None if _missing(v) else v for v in values)
        if key in keys and signature in first:
            out[key] = f"baris {first[signature][1]} (lembar {first[signature][0]})"
        first.setdefault(signature, (sheet, number))
    return out


MONTH_ISSUE_COLUMNS: tuple[str, ...] = (
    "issue_id", "status", "severity", "rule", "message_id", "file_path", "sheet", "row_number", "column",
    "header", "raw_value", "record_key", "decided_by", "decided_at", "decision_note",
)


# The month export speaks Indonesian: headers, status values, kecamatan by name (English stays in the warehouse).
EXPORT_HEADERS: dict[str, str] = {
    "issue_id": "ID masalah", "status": "Status", "severity": "Tingkat", "rule": "Aturan", "message_id": "Penjelasan",
    "file_path": "Berkas", "sheet": "Lembar", "row_number": "Baris Excel", "column": "Kolom", "header": "Judul kolom",
    "raw_value": "Nilai tertulis", "record_key": "Kunci baris", "decided_by": "Diputuskan oleh",
    "decided_at": "Waktu keputusan", "decision_note": "Catatan keputusan", "period": "Periode", "company_nib": "NIB",
    "in_registry": "Di registri", "must_report": "Wajib lapor", "files": "Jumlah berkas", "rows": "Baris",
    "rows_accepted": "Baris diterima", "consecutive_missed": "Bulan berturut tidak lapor",
    "escalation_level": "Tingkat eskalasi", "name": "Nama perusahaan", "kbli": "KBLI", "kecamatan_code": "Kecamatan",
    "source_kind": "Sumber", "source_id": "ID sumber", "rejected": "Ditolak",
    "tingkat": "Tingkat", "aturan": "Aturan", "jumlah": "Jumlah",
}
STATUS_ID: dict[str, str] = {
    "open": "terbuka", "waived": "dikecualikan", "fixed": "diperbaiki", "replaced": "digantikan versi baru",
    "received": "sudah lapor", "late": "terlambat", "missing": "belum lapor", "pending": "belum jatuh tempo",
    "received_all_rejected": "lapor, semua baris ditolak", "not_required": "tidak wajib",
}


@lru_cache(maxsize=1)
def _kecamatan_names() -> dict[str, str]:
    """Kecamatan code -> name, from config/reference.yaml."""
    import yaml

    from tka.settings import PROJECT_ROOT

    ref = yaml.safe_load((PROJECT_ROOT / "config" / "reference.yaml").read_text(encoding="utf-8"))
    return {str(code): str(entry["name"]) for code, entry in ref["kecamatan"].items()}


def _export_value(column: str, value: Any) -> Any:
    """A cell of the month export in Indonesian (status words, Ya/Tidak, kecamatan names)."""
    if _missing(value):
        return value
    if column == "status":
        return STATUS_ID.get(str(value), value)
    if column == "severity":
        return SEVERITY_ID.get(str(value), value)
    if column == "kecamatan_code":
        return _kecamatan_names().get(str(value), value)
    if isinstance(value, bool):
        return "Ya" if value else "Tidak"
    return value


def _export_table(book: _Book, ws: Worksheet, frame: pd.DataFrame) -> int:
    """``frame`` as an Indonesian table (headers and values); returns the last row."""
    columns = [str(c) for c in frame.columns]
    records = ([_export_value(c, v) for c, v in zip(columns, row, strict=True)]
               for row in frame.itertuples(index=False, name=None))
    return book.table(ws, [EXPORT_HEADERS.get(c, c) for c in columns], records)


def issue_counts(issues: pd.DataFrame) -> list[dict[str, Any]]:
    """Issues counted by severity, rule and decision status: the Ringkasan when no source summary is given."""
    if issues.empty:
        return []
    frame = issues.assign(status=issues["status"] if "status" in issues.columns else "open")
    counts = frame.groupby(["severity", "rule", "status"], sort=True).size().reset_index(name="jumlah")
    return [{"tingkat": SEVERITY_ID.get(r["severity"], r["severity"]), "aturan": r["rule"],
             "status": STATUS_ID.get(r["status"], r["status"]), "jumlah": int(r["jumlah"])}
            for r in frame_records(counts)]


def write_month_export(issues: pd.DataFrame, summary_rows: Sequence[Mapping[str, Any]] | None,
                       compliance: pd.DataFrame | None, tmpdir: str | None = None) -> bytes:
    """The steward's workbook for a month: Ringkasan, Masalah (personal values masked), Kepatuhan."""
    buffer = io.BytesIO()
    with _Book(buffer, tmpdir) as book:
        _month_sheets(book, issues, summary_rows, compliance)
    return buffer.getvalue()


def _month_sheets(book: _Book, issues: pd.DataFrame, summary_rows: Sequence[Mapping[str, Any]] | None,
                  compliance: pd.DataFrame | None) -> None:
    ws = book.wb.add_worksheet("Ringkasan")
    summary_rows = issue_counts(issues) if summary_rows is None else summary_rows
    summary_columns = list(dict.fromkeys(k for r in summary_rows for k in r))
    _export_table(book, ws, pd.DataFrame([[r.get(c) for c in summary_columns] for r in summary_rows],
                                         columns=summary_columns, dtype=object))
    ws.freeze_panes(1, 0)

    ws = book.wb.add_worksheet("Masalah")
    present = [c for c in MONTH_ISSUE_COLUMNS if c in issues.columns]
    masked = issues[present].astype(object)
    if "raw_value" in present and len(masked):
        masked["raw_value"] = [mask_issue_value(c, v) for c, v in
                               zip(issues["column"] if "column" in issues.columns else [None] * len(issues),
                                   issues["raw_value"], strict=True)]
    last = _export_table(book, ws, masked)
    ws.freeze_panes(1, 0)
    if last > 0:
        ws.autofilter(0, 0, last, len(present) - 1)

    ws = book.wb.add_worksheet("Kepatuhan")
    if compliance is None:
        book.put(ws, 0, 0, "Data kepatuhan pelaporan perusahaan tidak tersedia untuk periode ini.")
    else:
        last = _export_table(book, ws, compliance)
        ws.freeze_panes(1, 0)
        if last > 0:
            ws.autofilter(0, 0, last, len(compliance.columns) - 1)
