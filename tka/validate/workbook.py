"""Review workbooks: the per-file feedback workbook for the sending agency and the steward's month export."""

from __future__ import annotations

import io
import json
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import PurePosixPath
from typing import Any

import pandas as pd
from openpyxl import Workbook
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE, Cell
from openpyxl.comments import Comment
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.worksheet import Worksheet

from tka.contract import QUARANTINE_REASONS, RAW, ROW_NUMBER, RULES, SHEET
from tka.privacy import mask_issue_value

ERROR_RGB = "FFFFC7CE"    # light red: the row is rejected until corrected
WARNING_RGB = "FFFFEB9C"  # light yellow: loaded, please check
ERROR_FILL = PatternFill(fill_type="solid", start_color=ERROR_RGB, end_color=ERROR_RGB)
WARNING_FILL = PatternFill(fill_type="solid", start_color=WARNING_RGB, end_color=WARNING_RGB)
HEADER_FONT = Font(bold=True)
# A spreadsheet treats text starting with these as a formula (CSV/formula injection, OWASP).
FORMULA_PREFIXES: tuple[str, ...] = ("=", "+", "-", "@", "\t", "\r")
SHEET_COLUMN, ROW_COLUMN, PROBLEM_COLUMN = "Lembar", "Baris Excel", "Masalah"
SEVERITY_ID: dict[str, str] = {"error": "Kesalahan", "warning": "Peringatan"}
COMMENT_AUTHOR = "Kesbangpol Kukar"


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
    """Drive path of a file's feedback workbook: ``_review/<period>/<source_kind>/<stem>__umpan_balik.xlsx``."""
    return f"_review/{period}/{source_kind}/{PurePosixPath(file_path).stem}__umpan_balik.xlsx"


def _cell_value(value: Any) -> Any:
    """A value openpyxl can store: None for missing, text cleaned of control characters."""
    if value is None or value is pd.NA or (isinstance(value, float) and pd.isna(value)):
        return None
    if isinstance(value, str):
        return ILLEGAL_CHARACTERS_RE.sub("", value)
    if isinstance(value, (int, float, bool)) or hasattr(value, "isoformat"):
        return value
    return str(value)


def put(ws: Worksheet, row: int, column: int, value: Any) -> Cell:
    """Write one cell; text that looks like a formula is stored as plain text, never evaluated."""
    cell = ws.cell(row=row, column=column, value=_cell_value(value))
    if isinstance(cell.value, str) and cell.value.startswith(FORMULA_PREFIXES):
        cell.data_type = "s"
    return cell


def _write_table(ws: Worksheet, columns: Sequence[str], records: Iterable[Sequence[Any]], start_row: int = 1) -> int:
    """Header + rows from ``start_row``; returns the last row written."""
    for j, name in enumerate(columns, start=1):
        put(ws, start_row, j, name).font = HEADER_FONT
    last = start_row
    for i, record in enumerate(records, start=start_row + 1):
        for j, value in enumerate(record, start=1):
            put(ws, i, j, value)
        last = i
    for j, name in enumerate(columns, start=1):
        ws.column_dimensions[get_column_letter(j)].width = min(max(12, len(str(name)) + 2), 40)
    ws.freeze_panes = ws.cell(row=start_row + 1, column=1)
    return last


def _raw_dict(raw: Any) -> dict[str, Any]:
    if isinstance(raw, str):
        try:
            raw = json.loads(raw)
        except json.JSONDecodeError:
            return {}
    return dict(raw) if isinstance(raw, Mapping) else {}


def _instructions(ws: Worksheet, meta: FileMeta, rows: pd.DataFrame, issues: pd.DataFrame) -> None:
    """The "Petunjuk" sheet: what was found and how to correct and re-send the file, in Indonesian."""
    folder = PurePosixPath(meta.file_path).parent
    rejected = issues.loc[issues["severity"] == "error", "record_key"].dropna().nunique()
    warned = issues.loc[issues["severity"] == "warning", "record_key"].dropna().nunique()
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
        lines += [f"Jumlah baris data dibaca: {len(rows)}",
                  f"Baris ditolak (ada kesalahan): {rejected}",
                  f"Baris dimuat dengan peringatan: {warned}", ""]
    lines += [
        "CARA MEMPERBAIKI",
        "1. Buka lembar 'Data'. Sel MERAH berisi kesalahan: baris itu belum dimuat sampai diperbaiki.",
        "2. Sel KUNING berisi peringatan: baris sudah dimuat, tetapi mohon diperiksa kebenarannya.",
        "3. Arahkan kursor ke sel berwarna untuk membaca catatan; kolom 'Masalah' merangkum semua catatan baris.",
        "4. Kolom 'Lembar' dan 'Baris Excel' menunjukkan letak baris pada berkas asli Anda.",
        "5. Perbaiki data pada berkas asli Anda (bukan pada berkas umpan balik ini).",
        (f"6. Kirim ulang seluruh berkas ke folder yang sama ({folder}) dengan nama yang sama; "
        "versi baru menggantikan versi lama pada pemrosesan berikutnya."),
        "7. Tanggal ditulis dengan format HH-BB-TTTT (contoh 05-08-2025); jangan kosongkan kolom wajib.",
        "",
    ]
    for i, line in enumerate(lines, start=1):
        put(ws, i, 1, line)
    ws.cell(row=1, column=1).font = Font(bold=True, size=13)
    counts = issues.groupby(["rule", "severity"], sort=True).size().reset_index(name="n") if len(issues) else \
        pd.DataFrame(columns=["rule", "severity", "n"])
    table = [(SEVERITY_ID.get(r.severity, r.severity), r.rule, int(r.n),
              RULES[r.rule].message_id if r.rule in RULES else QUARANTINE_REASONS.get(r.rule[5:], ""))
             for r in counts.itertuples()]
    _write_table(ws, ["Tingkat", "Aturan", "Jumlah", "Penjelasan"], table, start_row=len(lines) + 1)
    ws.freeze_panes = None
    ws.column_dimensions["A"].width = 16
    ws.column_dimensions["D"].width = 70


def _comment_text(issue: Mapping[str, Any]) -> str:
    rule = RULES.get(issue["rule"])
    message = rule.message_id if rule else str(issue.get("message_id") or issue["rule"])
    raw = issue.get("raw_value")
    shown = "(kosong)" if raw is None or (isinstance(raw, float) and pd.isna(raw)) else f"'{raw}'"
    return f"{SEVERITY_ID.get(issue['severity'], issue['severity'])}: {message} Nilai tertulis: {shown}."


def write_feedback_workbook(rows_of_one_file: pd.DataFrame, issues_of_that_file: pd.DataFrame,
                            file_meta: FileMeta | Mapping[str, Any]) -> bytes:
    """The xlsx sent back to the agency: Petunjuk sheet, then its rows with failing cells highlighted."""
    issues = issues_of_that_file
    file_meta = FileMeta.coerce(file_meta)
    wb = Workbook()
    _instructions(wb.active, file_meta, rows_of_one_file, issues)
    wb.active.title = "Petunjuk"
    ws = wb.create_sheet("Data")

    rows = rows_of_one_file.sort_values([SHEET, ROW_NUMBER], kind="stable")
    raws = [_raw_dict(r) for r in rows[RAW]] if RAW in rows.columns else [{} for _ in range(len(rows))]
    headers: list[str] = list(dict.fromkeys(h for raw in raws for h in raw))
    by_raw = bool(headers)
    if not by_raw:  # no raw cells kept: show the canonical fields that have any value
        skip = {"run_id", "source_kind", "source_id", "file_path", "file_sha256", SHEET, ROW_NUMBER, RAW,
                "record_key", "status", "flags"}
        headers = [c for c in rows.columns if c not in skip and rows[c].notna().any()]
    columns = [SHEET_COLUMN, ROW_COLUMN, *headers, PROBLEM_COLUMN]
    row_issues = {k: g.to_dict("records") for k, g in issues[issues["record_key"].notna()].groupby("record_key")}
    records = []
    for raw, row in zip(raws, rows.to_dict("records"), strict=True):
        values = [raw.get(h) for h in headers] if by_raw else [row.get(h) for h in headers]
        found = row_issues.get(row["record_key"], [])
        records.append([row[SHEET], row[ROW_NUMBER], *values, "\n".join(_comment_text(i) for i in found) or None])
    _write_table(ws, columns, records)

    position = {h: j for j, h in enumerate(columns, start=1)}
    for i, row in enumerate(rows.to_dict("records"), start=2):
        by_cell: dict[int, list[Mapping[str, Any]]] = {}
        for issue in row_issues.get(row["record_key"], []):
            # The cell under the issue's header; a row-level issue (or unknown header) marks the row number.
            j = position.get(issue.get("header") or "") or (position.get(issue["column"]) if not by_raw else None)
            by_cell.setdefault(j or position[ROW_COLUMN], []).append(issue)
        for j, found in by_cell.items():
            cell = ws.cell(row=i, column=j)
            is_error = any(f["severity"] == "error" for f in found)
            cell.fill = ERROR_FILL if is_error else WARNING_FILL
            comment = Comment("\n".join(_comment_text(f) for f in found), COMMENT_AUTHOR)
            comment.width, comment.height = 320, 40 + 40 * len(found)
            cell.comment = comment
        ws.cell(row=i, column=position[PROBLEM_COLUMN]).alignment = Alignment(wrap_text=True, vertical="top")
    ws.column_dimensions[get_column_letter(position[PROBLEM_COLUMN])].width = 60
    ws.auto_filter.ref = ws.dimensions

    buffer = io.BytesIO()
    wb.save(buffer)
    return buffer.getvalue()


MONTH_ISSUE_COLUMNS: tuple[str, ...] = (
    "issue_id", "status", "severity", "rule", "message_id", "file_path", "sheet", "row_number", "column",
    "header", "raw_value", "record_key", "decided_by", "decided_at", "decision_note",
)


def issue_counts(issues: pd.DataFrame) -> list[dict[str, Any]]:
    """Issues counted by severity, rule and decision status: the Ringkasan when no source summary is given."""
    if issues.empty:
        return []
    frame = issues.assign(status=issues["status"] if "status" in issues.columns else "open")
    counts = frame.groupby(["severity", "rule", "status"], sort=True).size().reset_index(name="jumlah")
    return [{"tingkat": SEVERITY_ID.get(r.severity, r.severity), "aturan": r.rule, "status": r.status,
             "jumlah": int(r.jumlah)} for r in counts.itertuples()]


def write_month_export(issues: pd.DataFrame, summary_rows: Sequence[Mapping[str, Any]] | None,
                       compliance: pd.DataFrame | None) -> bytes:
    """The steward's workbook for a month: Ringkasan, Masalah (personal values masked), Kepatuhan."""
    wb = Workbook()
    ws = wb.active
    ws.title = "Ringkasan"
    summary_rows = issue_counts(issues) if summary_rows is None else summary_rows
    summary_columns = list(dict.fromkeys(k for r in summary_rows for k in r))
    _write_table(ws, summary_columns, ([r.get(c) for c in summary_columns] for r in summary_rows))

    ws = wb.create_sheet("Masalah")
    present = [c for c in MONTH_ISSUE_COLUMNS if c in issues.columns]
    records = []
    for issue in issues.to_dict("records"):
        records.append([mask_issue_value(issue.get("column"), issue[c]) if c == "raw_value" else issue[c]
                        for c in present])
    _write_table(ws, present, records)
    if records:
        ws.auto_filter.ref = ws.dimensions

    ws = wb.create_sheet("Kepatuhan")
    if compliance is None:
        put(ws, 1, 1, "Data kepatuhan pelaporan perusahaan tidak tersedia untuk periode ini.")
    else:
        _write_table(ws, [str(c) for c in compliance.columns], compliance.itertuples(index=False, name=None))
        if len(compliance):
            ws.auto_filter.ref = ws.dimensions

    buffer = io.BytesIO()
    wb.save(buffer)
    return buffer.getvalue()
