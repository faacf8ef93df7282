"""Writing a laid-out sheet to xlsx (xlsxwriter), xls (xlwt) or csv, and telling which Excel row got what."""

from __future__ import annotations

import csv
import datetime as dt
import io
from dataclasses import dataclass, field
from pathlib import Path

from tka.fieldsample.render import Cell

FIXED_TIME = dt.datetime(2025, 9, 3, 8, 0, 0)
PDF_BYTES = (b"%PDF-1.4\n1 0 obj << /Type /Catalog /Pages 2 0 R >> endobj\n"
             b"2 0 obj << /Type /Pages /Kids [] /Count 0 >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n")


@dataclass
class Sheet:
    """One sheet as the clerk laid it out; data rows are written in order."""

    name: str
    headers: list[str]
    rows: list[list[Cell]]
    titles: list[str] = field(default_factory=list)
    groups: list[tuple[int, int, str]] = field(default_factory=list)  # (first col, last col, text) above
    numbering: bool = False
    total: bool = False
    footer: list[str] = field(default_factory=list)
    date_format: str = "dd/mm/yyyy"


def layout(sheet: Sheet) -> tuple[list[tuple[int, list[Cell]]], list[int]]:
    """(1-based row number, cells) of every written row, and the row numbers of the data rows."""
    out: list[tuple[int, list[Cell]]] = []
    r = 1
    for title in sheet.titles:
        out.append((r, [title]))
        r += 1
    if sheet.titles:
        r += 1
    if sheet.groups:
        top: list[Cell] = list(sheet.headers)
        bottom: list[Cell] = [None] * len(sheet.headers)
        for first, last, text in sheet.groups:
            for c in range(first, last + 1):
                bottom[c] = sheet.headers[c]
                top[c] = text if c == first else None
        out.append((r, top))
        out.append((r + 1, bottom))
        r += 2
    else:
        out.append((r, list(sheet.headers)))
        r += 1
    if sheet.numbering:
        out.append((r, [f"({i + 1})" for i in range(len(sheet.headers))]))
        r += 1
    data_rows = []
    for cells in sheet.rows:
        out.append((r, cells))
        data_rows.append(r)
        r += 1
    if sheet.total:
        out.append((r, ["JUMLAH", None, f"{len(sheet.rows)} orang"]))
        r += 1
    if sheet.footer:
        r += 1
        for line in sheet.footer:
            footer: list[Cell] = [None] * max(1, len(sheet.headers) - 3)
            out.append((r, [*footer, line]))
            r += 1
    return out, data_rows


def write_xlsx(path: Path, sheets: list[Sheet]) -> list[list[int]]:
    """Write an xlsx with fixed metadata, so the same content gives the same bytes."""
    import xlsxwriter

    book = xlsxwriter.Workbook(str(path), {"strings_to_numbers": False, "strings_to_formulas": False,
                                           "strings_to_urls": False})
    book.set_properties({"created": FIXED_TIME, "author": "Staf Pelaporan"})
    wrap = book.add_format({"text_wrap": True, "bold": True, "align": "center", "valign": "vcenter"})
    result = []
    for sheet in sheets:
        ws = book.add_worksheet(sheet.name)
        datefmt = book.add_format({"num_format": sheet.date_format})
        rows, data = layout(sheet)
        header_rows = {rows[len(sheet.titles)][0]} | ({rows[len(sheet.titles)][0] + 1} if sheet.groups else set())
        for r, cells in rows:
            for c, value in enumerate(cells):
                if value is None:
                    continue
                fmt = wrap if r in header_rows else None
                if isinstance(value, dt.date):
                    ws.write_datetime(r - 1, c, dt.datetime(value.year, value.month, value.day), datefmt)
                elif isinstance(value, int | float):
                    ws.write_number(r - 1, c, value)
                else:
                    ws.write_string(r - 1, c, value, fmt)
        if sheet.groups:
            top = rows[len(sheet.titles)][0] - 1
            grouped: set[int] = set()
            for first, last, text in sheet.groups:
                ws.merge_range(top, first, top, last, text, wrap)
                grouped.update(range(first, last + 1))
            for c, text in enumerate(sheet.headers):
                if c not in grouped:
                    ws.merge_range(top, c, top + 1, c, text, wrap)
        result.append(data)
    book.close()
    return result


def write_xls(path: Path, sheets: list[Sheet]) -> list[list[int]]:
    """Write a BIFF8 .xls as older office PCs still do."""
    import xlwt

    book = xlwt.Workbook(encoding="utf-8")
    bold = xlwt.easyxf("font: bold on; align: wrap on")
    result = []
    for sheet in sheets:
        ws = book.add_sheet(sheet.name[:31])
        datefmt = xlwt.easyxf(num_format_str=sheet.date_format)
        rows, data = layout(sheet)
        skip: set[tuple[int, int]] = set()
        if sheet.groups:
            top = rows[len(sheet.titles)][0] - 1
            grouped: set[int] = set()
            for first, last, text in sheet.groups:
                ws.write_merge(top, top, first, last, text, bold)
                grouped.update(range(first, last + 1))
                skip.update((top, c) for c in range(first, last + 1))
            for c, text in enumerate(sheet.headers):
                if c not in grouped:
                    ws.write_merge(top, top + 1, c, c, text, bold)
                    skip.update({(top, c), (top + 1, c)})
        for r, cells in rows:
            for c, value in enumerate(cells):
                if value is None or (r - 1, c) in skip:
                    continue
                if isinstance(value, dt.date):
                    ws.write(r - 1, c, dt.datetime(value.year, value.month, value.day), datefmt)
                else:
                    ws.write(r - 1, c, value)
        result.append(data)
    buffer = io.BytesIO()
    book.save(buffer)
    path.write_bytes(buffer.getvalue())
    return result


def write_csv(path: Path, sheet: Sheet, *, encoding: str, delimiter: str) -> list[int]:
    """Write a CSV: the header on line 1, one line per row (no line breaks inside cells)."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=delimiter, lineterminator="\r\n")
    writer.writerow([h.replace("\n", " ") for h in sheet.headers])
    for cells in sheet.rows:
        writer.writerow(["" if v is None else v.strftime("%d/%m/%Y") if isinstance(v, dt.date) else v
                         for v in cells])
    path.write_bytes(buffer.getvalue().encode(encoding, errors="replace"))
    return list(range(2, len(sheet.rows) + 2))
