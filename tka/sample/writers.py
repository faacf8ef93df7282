"""Turn planned sheets into file bytes (xlsx, xls, ods, csv) and make the broken files, all byte-reproducible
but the encrypted ones.

xlsx: xlsxwriter (fixed docProps dates; it stamps zip entries 1980-01-01). xls: xlwt. ods: odfpy, whose zip
entries carry the wall clock, so the archive is rewritten with fixed timestamps. Encryption: msoffcrypto-tool;
an encrypted file has fresh random bytes each time, its plaintext is reproducible.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import re
import zipfile
from collections.abc import Callable
from dataclasses import dataclass, field

import xlsxwriter
import xlwt
from msoffcrypto.format.ooxml import OOXMLFile
from odf.opendocument import OpenDocumentSpreadsheet
from odf.table import CoveredTableCell, Table, TableCell, TableRow
from odf.text import P

FIXED_TIME = dt.datetime(2025, 9, 5, 8, 0, 0)  # document "created" stamp; the period is not known here
ZIP_EPOCH = (1980, 1, 1, 0, 0, 0)
Merge = tuple[int, int, int, int]  # first row, first col, last row, last col (0-based, inclusive)


@dataclass(frozen=True)
class Serial:
    """A date stored as a bare Excel serial number (General format), as agencies' exports often do."""

    value: int


@dataclass
class SheetPlan:
    """One sheet: its grid of cell values (None = blank), merged ranges and which rows are header rows."""

    name: str
    rows: list[list[object]] = field(default_factory=list)
    merges: list[Merge] = field(default_factory=list)
    bold_rows: set[int] = field(default_factory=set)

    def add(self, cells: list[object], bold: bool = False) -> int:
        """Append a row; return its 1-based Excel row number."""
        self.rows.append(cells)
        if bold:
            self.bold_rows.add(len(self.rows) - 1)
        return len(self.rows)


@dataclass
class BookPlan:
    """A workbook: sheets in order, and whether it uses the 1904 date system (xlsx only)."""

    sheets: list[SheetPlan]
    date1904: bool = False


def serial_of(day: dt.date, date1904: bool = False) -> int:
    """Excel serial of ``day`` in the 1900 or 1904 date system."""
    return (day - (dt.date(1904, 1, 1) if date1904 else dt.date(1899, 12, 30))).days


# --- xlsx ----------------------------------------------------------------------------------------------------
def xlsx_bytes(book: BookPlan) -> bytes:
    """The workbook as xlsx bytes (same plan -> same bytes)."""
    buffer = io.BytesIO()
    workbook = xlsxwriter.Workbook(buffer, {"in_memory": True, "strings_to_urls": False,
                                            "strings_to_numbers": False, "date_1904": book.date1904})
    workbook.set_properties({"created": FIXED_TIME, "author": "Kesbangpol", "title": "Data TKA"})
    date_fmt = workbook.add_format({"num_format": "dd-mm-yyyy"})
    bold = workbook.add_format({"bold": True, "align": "center", "valign": "vcenter", "text_wrap": True})
    for plan in book.sheets:
        sheet = workbook.add_worksheet(plan.name)
        merged: dict[tuple[int, int], Merge] = {(m[0], m[1]): m for m in plan.merges}
        covered = {(r, c) for m in plan.merges for r in range(m[0], m[2] + 1) for c in range(m[1], m[3] + 1)}
        for r, cells in enumerate(plan.rows):
            style = bold if r in plan.bold_rows else None
            for c, value in enumerate(cells):
                if (r, c) in merged:
                    m = merged[(r, c)]
                    sheet.merge_range(m[0], m[1], m[2], m[3], value if value is not None else "", style)
                    continue
                if value is None or (r, c) in covered:
                    continue
                if isinstance(value, Serial):
                    sheet.write_number(r, c, value.value)
                elif isinstance(value, dt.date):
                    sheet.write_datetime(r, c, dt.datetime.combine(value, dt.time()), date_fmt)
                elif isinstance(value, str):
                    sheet.write_string(r, c, value, style)
                else:
                    sheet.write_number(r, c, value, style)
        sheet.set_column(0, 0, 5)
        sheet.set_column(1, 30, 18)
    workbook.close()
    return buffer.getvalue()


# --- xls -----------------------------------------------------------------------------------------------------
def xls_bytes(book: BookPlan) -> bytes:
    """The workbook as BIFF8 .xls bytes (xlwt; the 1900 date system)."""
    workbook = xlwt.Workbook(encoding="utf-8")
    date_style = xlwt.easyxf(num_format_str="DD-MM-YYYY")
    bold = xlwt.easyxf("font: bold on; align: horiz center, vert center, wrap on")
    plain = xlwt.XFStyle()
    for plan in book.sheets:
        sheet = workbook.add_sheet(plan.name, cell_overwrite_ok=True)
        merged = {(m[0], m[1]): m for m in plan.merges}
        covered = {(r, c) for m in plan.merges for r in range(m[0], m[2] + 1) for c in range(m[1], m[3] + 1)}
        for r, cells in enumerate(plan.rows):
            style = bold if r in plan.bold_rows else plain
            for c, value in enumerate(cells):
                if (r, c) in merged:
                    m = merged[(r, c)]
                    sheet.write_merge(m[0], m[2], m[1], m[3], value if value is not None else "", style)
                    continue
                if value is None or (r, c) in covered:
                    continue
                if isinstance(value, Serial):
                    sheet.write(r, c, value.value, plain)
                elif isinstance(value, dt.date):
                    sheet.write(r, c, dt.datetime.combine(value, dt.time()), date_style)
                else:
                    sheet.write(r, c, value, style)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


# --- ods -----------------------------------------------------------------------------------------------------
def ods_bytes(book: BookPlan) -> bytes:
    """The workbook as OpenDocument spreadsheet bytes, zip entries stamped 1980-01-01."""
    doc = OpenDocumentSpreadsheet()
    for plan in book.sheets:
        table = Table(name=plan.name)
        starts = {(m[0], m[1]): m for m in plan.merges}
        covered = {(r, c) for m in plan.merges for r in range(m[0], m[2] + 1) for c in range(m[1], m[3] + 1)}
        for r, cells in enumerate(plan.rows):
            row = TableRow()
            for c, value in enumerate(cells):
                if (r, c) in covered and (r, c) not in starts:
                    row.addElement(CoveredTableCell())
                    continue
                span = {}
                if (r, c) in starts:
                    m = starts[(r, c)]
                    span = {"numbercolumnsspanned": m[3] - m[1] + 1, "numberrowsspanned": m[2] - m[0] + 1}
                row.addElement(_ods_cell(value, span))
            table.addElement(row)
        doc.spreadsheet.addElement(table)
    buffer = io.BytesIO()
    doc.write(buffer)
    return normalize_zip(buffer.getvalue(), _declared_namespaces_used)


_ROOT_TAG_RE = re.compile(rb"<(?![?!])[^>]*>")
_DECLARATION_RE = re.compile(rb'\sxmlns:([\w.-]+)="([^"]*)"')
_PREFIX_RE = re.compile(rb"[<\s/]([A-Za-z][\w.-]*):[A-Za-z]")


def _declared_namespaces_used(name: str, data: bytes) -> bytes:
    """An XML part whose root declares only the namespace prefixes the part uses, in sorted order.

    odfpy declares on each root every namespace the process has met (in any document it made or read), in the
    order it met them; declaring the used ones only makes the part depend on its own content.
    """
    root = _ROOT_TAG_RE.search(data) if name.endswith(".xml") else None
    if root is None:
        return data
    declared = dict(_DECLARATION_RE.findall(root.group()))
    if not declared:
        return data
    used = set(_PREFIX_RE.findall(data)) & set(declared)
    tag = _DECLARATION_RE.sub(b"", root.group())
    end = -2 if tag.endswith(b"/>") else -1
    declarations = b"".join(b' xmlns:%s="%s"' % (prefix, declared[prefix]) for prefix in sorted(used))
    return data[:root.start()] + tag[:end] + declarations + tag[end:] + data[root.end():]


def _ods_cell(value: object, span: dict[str, int]) -> TableCell:
    if value is None:
        return TableCell(**span)
    if isinstance(value, Serial):
        cell = TableCell(valuetype="float", value=value.value, **span)
        text = str(value.value)
    elif isinstance(value, dt.date):
        cell = TableCell(valuetype="date", datevalue=value.isoformat(), **span)
        text = value.strftime("%d-%m-%Y")
    elif isinstance(value, (int, float)):
        cell = TableCell(valuetype="float", value=value, **span)
        text = str(value)
    else:
        cell = TableCell(valuetype="string", **span)
        text = str(value)
    cell.addElement(P(text=text))
    return cell


def normalize_zip(data: bytes, rewrite: Callable[[str, bytes], bytes] | None = None) -> bytes:
    """Rewrite a zip archive with every entry stamped 1980-01-01 (entry order and compression kept), each entry's
    bytes through ``rewrite(name, data)`` if given."""
    source = zipfile.ZipFile(io.BytesIO(data))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as target:
        for info in source.infolist():
            fixed = zipfile.ZipInfo(info.filename, ZIP_EPOCH)
            fixed.compress_type = info.compress_type
            fixed.external_attr = info.external_attr
            content = source.read(info.filename)
            target.writestr(fixed, rewrite(info.filename, content) if rewrite else content)
    return out.getvalue()


# --- csv -----------------------------------------------------------------------------------------------------
def csv_bytes(rows: list[list[object]], delimiter: str = ";", encoding: str = "utf-8-sig") -> bytes:
    """Rows as CSV text in ``encoding`` (cells must already be text or numbers)."""
    text = io.StringIO()
    writer = csv.writer(text, delimiter=delimiter, lineterminator="\r\n")
    for cells in rows:
        writer.writerow(["" if v is None else v for v in cells])
    return text.getvalue().encode(encoding)


# --- broken files --------------------------------------------------------------------------------------------
def truncated(data: bytes) -> bytes:
    """The first 60 % of a file: the zip central directory is gone, so the container is corrupt."""
    return data[: len(data) * 3 // 5]


def encrypted(data: bytes, password: str) -> bytes:
    """``data`` (xlsx) encrypted with ``password`` (ECMA-376 agile encryption, as Excel does).

    Not byte-reproducible: msoffcrypto draws a fresh salt and key and stamps the container with the time. What
    is reproducible is what it decrypts to, ``data``.
    """
    out = io.BytesIO()
    OOXMLFile(io.BytesIO(data)).encrypt(password, out)
    return out.getvalue()


def fake_pdf(lines: list[str]) -> bytes:
    """A small real PDF (a scanned-letter stand-in) that someone saved with a spreadsheet extension."""
    text = " ".join(lines).replace("(", "[").replace(")", "]")
    stream = f"BT /F1 11 Tf 50 780 Td ({text[:300]}) Tj ET".encode("latin-1", "replace")
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        (b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents 4 0 R "
         b"/Resources << /Font << /F1 5 0 R >> >> >>"),
        b"<< /Length %d >>\nstream\n" % len(stream) + stream + b"\nendstream",
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
    ]
    out = bytearray(b"%PDF-1.4\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % number + body + b"\nendobj\n"
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    out += b"".join(b"%010d 00000 n \n" % o for o in offsets)
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(objects) + 1, xref)
    return bytes(out)
