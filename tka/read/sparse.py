"""Size a workbook by the cells actually present, and read sparse sheets cell by cell into compact grids.

A sheet's declared ``<dimension>``, a stray formatted cell at XFD1048576 or an ODS row repeated 999,999,999 times
says nothing about how much data there is: these scanners stream the sheet XML (bounded memory, no grid) and
count the cells that hold a value. A sheet whose extent is huge but whose data is small is read here, keeping the
true Excel row numbers, instead of by a library that would allocate the whole extent.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import functools
import posixpath
import re
import xml.etree.ElementTree as ET
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import IO, Any

MAIN_TYPES = ("spreadsheetml.sheet.main+xml", "ms-excel.sheet.macroEnabled.main+xml",
              "spreadsheetml.template.main+xml", "ms-excel.template.macroEnabled.main+xml")
WORKSHEET_TYPE = "spreadsheetml.worksheet+xml"
_CELL_REF = re.compile(r"^\$?([A-Za-z]{1,3})\$?(\d+)$")
_DIMENSION = re.compile(r"^\$?([A-Za-z]{1,3})?\$?(\d+)?(?::\$?([A-Za-z]{1,3})\$?(\d+))?$")
_DATE_CODE = re.compile(r"[dmyhs]", re.IGNORECASE)
_QUOTED = re.compile(r'"[^"]*"|\[[^\]]*\]|\\.')
BUILTIN_DATE_FORMATS = frozenset({*range(14, 23), 27, 30, 36, 45, 46, 47, 50, 57})
ODS_NS = {"table": "urn:oasis:names:tc:opendocument:xmlns:table:1.0",
          "office": "urn:oasis:names:tc:opendocument:xmlns:office:1.0",
          "text": "urn:oasis:names:tc:opendocument:xmlns:text:1.0"}


def _local(tag: str) -> str:
    return tag.rsplit("}", 1)[-1]


def _attr(elem: ET.Element, name: str) -> str | None:
    for key, value in elem.attrib.items():
        if _local(key) == name:
            return value
    return None


def column_index(letters: str) -> int:
    """1-based column number of Excel letters."""
    number = 0
    for char in letters.upper():
        number = number * 26 + ord(char) - 64
    return number


@dataclass
class SheetExtent:
    """What a sheet really holds: distinct rows/columns with a value, and how far any cell (or the dimension) goes."""

    present_rows: int = 0
    present_cols: int = 0
    extent_rows: int = 0  # last row of any cell element, styled-empty included, or of the declared dimension
    extent_cols: int = 0


@dataclass
class XlsxSheet:
    """One worksheet of an xlsx: its name, visibility and zip part."""

    name: str
    part: str
    state: str = "visible"


@dataclass
class XlsxLayout:
    """Where the parts of an xlsx are (found through [Content_Types].xml and the relationships, any part names)."""

    workbook: str
    sheets: list[XlsxSheet] = field(default_factory=list)
    shared_strings: str | None = None
    styles: str | None = None
    date1904: bool = False


def _parse_small(archive: zipfile.ZipFile, part: str, limit: int = 64 << 20) -> ET.Element:
    with archive.open(part) as handle:
        data = handle.read(limit + 1)
    if len(data) > limit:
        raise ValueError(f"{part} larger than {limit} bytes")
    return ET.fromstring(data)


def _rels(archive: zipfile.ZipFile, part: str, names: set[str]) -> dict[str, tuple[str, str]]:
    folder, base = posixpath.split(part)
    rels_part = posixpath.join(folder, "_rels", base + ".rels")
    if rels_part not in names:
        return {}
    out = {}
    for rel in _parse_small(archive, rels_part):
        target = rel.get("Target", "")
        resolved = target.lstrip("/") if target.startswith("/") else posixpath.normpath(posixpath.join(folder, target))
        out[rel.get("Id", "")] = (rel.get("Type", ""), resolved)
    return out


def xlsx_layout(archive: zipfile.ZipFile) -> XlsxLayout | None:
    """The workbook's parts, or None when the zip holds no spreadsheetml workbook."""
    names = set(archive.namelist())
    workbook = None
    if "[Content_Types].xml" in names:
        for item in _parse_small(archive, "[Content_Types].xml"):
            if _local(item.tag) == "Override" and item.get("ContentType", "").endswith(MAIN_TYPES):
                workbook = item.get("PartName", "").lstrip("/")
                break
    if workbook is None or workbook not in names:
        for kind, target in _rels(archive, "", names).values():
            if kind.endswith("/officeDocument") and target in names and target.endswith(".xml"):
                workbook = target
    if (workbook is None or workbook not in names) and "xl/workbook.xml" in names:
        workbook = "xl/workbook.xml"
    if workbook is None or workbook not in names:
        return None
    rels = _rels(archive, workbook, names)
    root = _parse_small(archive, workbook)
    if _local(root.tag) != "workbook":
        return None
    layout = XlsxLayout(workbook)
    for elem in root.iter():
        tag = _local(elem.tag)
        if tag == "workbookPr":
            layout.date1904 = (elem.get("date1904") or "").lower() in ("1", "true")
        elif tag == "sheet":
            kind, target = rels.get(_attr(elem, "id") or "", ("", ""))
            if kind.endswith("/worksheet") and target in names:
                layout.sheets.append(XlsxSheet(elem.get("name", ""), target, elem.get("state", "visible")))
    for kind, target in rels.values():
        if kind.endswith("/sharedStrings") and target in names:
            layout.shared_strings = target
        elif kind.endswith("/styles") and target in names:
            layout.styles = target
    return layout


def _iter_cells(handle: IO[bytes]) -> Iterator[tuple[Any, ...]]:
    """Stream a worksheet part: ("dim", ref) once, then ("c", row, col, type, style, value) for every cell."""
    row = 0
    col = 0
    parent: ET.Element | None = None
    for event, elem in ET.iterparse(handle, events=("start", "end")):
        tag = _local(elem.tag)
        if event == "start":
            if tag == "row":
                row = int(elem.get("r") or row + 1)
                col = 0
            elif tag == "sheetData":
                parent = elem
            continue
        if tag == "c":
            ref = elem.get("r")
            match = _CELL_REF.match(ref) if ref else None
            if match:
                col, row = column_index(match[1]), int(match[2])
            else:
                col += 1
            value = None
            kind = elem.get("t", "n")
            for child in elem:
                child_tag = _local(child.tag)
                if child_tag == "v":
                    value = child.text
                elif child_tag == "is":
                    value = "".join(t.text or "" for t in child.iter() if _local(t.tag) == "t")
            yield ("c", row, col, kind, elem.get("s"), value)
        elif tag == "row" and parent is not None:
            parent.clear()  # only the current row is ever held
        elif tag == "dimension":
            yield ("dim", elem.get("ref") or "")
        elif tag == "sheetData":
            elem.clear()


def _present(kind: str, value: Any) -> bool:
    if value is None or kind == "e":
        return False
    return bool(value.strip()) if kind in ("str", "inlineStr") else True


_DIMENSION_TAG = re.compile(rb'<(?:\w+:)?dimension\s[^>]*?\bref="([^"]*)"')
_SHEET_DATA = re.compile(rb"<(\w+:)?sheetData\b")
_SCAN_CHUNK = 1 << 20
_MAX_PENDING = 64 << 20


@functools.cache
def _cell_patterns(prefix: bytes) -> tuple[re.Pattern[bytes], re.Pattern[bytes], bytes]:
    """Cell-reference and valued-cell patterns for the sheet's namespace prefix (a literal start scans fast)."""
    p = re.escape(prefix)
    ref = re.compile(rb"<" + p + rb'c\s[^>]*?\br="([A-Za-z]{1,3})(\d+)"')
    # A cell with a value: its first child (after an optional formula) is <v> or <is>.
    value = re.compile(rb"<" + p + rb'c\s[^>]*?\br="([A-Za-z]{1,3})(\d+)"[^>]*(?<!/)>(?:<' + p
                       + rb"f\b[^>]*?(?:/>|>[^<]*</" + p + rb"f>))?<" + p + rb"(?:v|is)\b")
    return ref, value, b"</" + prefix + b"row>"


def scan_xlsx_sheet(archive: zipfile.ZipFile, part: str, max_rows: int, max_cols: int) -> SheetExtent:
    """Count present rows/columns and the extent of one worksheet part (stops counting once past the limits).

    Regular expressions over the decompressed XML, a row-complete chunk at a time: first the extent of all cell
    references (and the declared dimension); only when that is beyond the limits a second pass counts the cells
    that hold a value. A sheet whose cells lack their ``r`` reference is walked with the XML parser instead.
    """
    extent = SheetExtent()
    for refs, _ in _chunks(archive, part, extent, values=False):
        if refs is None:
            return scan_xlsx_sheet_xml(archive, part, max_rows, max_cols)
        if refs:
            extent.extent_rows = max(extent.extent_rows, *map(int, {r for _, r in refs}))
            extent.extent_cols = max(extent.extent_cols, *map(column_index, {c.decode() for c, _ in refs}))
    if extent.extent_rows <= max_rows and extent.extent_cols <= max_cols:
        extent.present_rows, extent.present_cols = extent.extent_rows, extent.extent_cols  # at most that many
        return extent
    rows: set[bytes] = set()
    cols: set[bytes] = set()
    for _, values in _chunks(archive, part, SheetExtent(), values=True):
        for col, row in values or ():
            rows.add(row)
            cols.add(col.upper())
        if len(rows) > max_rows or len(cols) > max_cols:
            break
    extent.present_rows, extent.present_cols = len(rows), len(cols)
    return extent


def _chunks(archive: zipfile.ZipFile, part: str, extent: SheetExtent,
            values: bool) -> Iterator[tuple[list[tuple[bytes, bytes]] | None, list[tuple[bytes, bytes]] | None]]:
    """Per row-complete chunk: (cell references, or None when some cell has none; valued cells if asked)."""
    pending = b""
    patterns: tuple[re.Pattern[bytes], re.Pattern[bytes], bytes] | None = None
    with archive.open(part) as handle:
        while True:
            chunk = handle.read(_SCAN_CHUNK)
            data = pending + chunk
            if patterns is None:
                found = _SHEET_DATA.search(data)
                if found is None and chunk and len(data) <= _MAX_PENDING:
                    pending = data
                    continue
                if found is None:
                    return
                dimension = _DIMENSION_TAG.search(data, 0, found.start())
                if dimension:
                    _extend_by_dimension(extent, dimension[1].decode("ascii", "replace"))
                patterns = _cell_patterns(found[1] or b"")
            ref_cell, value_cell, row_end = patterns
            if chunk:
                cut = data.rfind(row_end)
                if cut < 0:
                    if len(data) > _MAX_PENDING:
                        yield None, None
                        return
                    pending = data
                    continue
                cut += len(row_end)
                data, pending = data[:cut], data[cut:]
            if values:
                yield [], value_cell.findall(data)
            else:
                start = b"<" + row_end[2:-4]
                refs = ref_cell.findall(data)
                cells = data.count(start + b"c ") + data.count(start + b"c>") + data.count(start + b"c/>")
                yield (refs if len(refs) == cells else None), None
            if not chunk:
                return


def _extend_by_dimension(extent: SheetExtent, ref: str) -> None:
    match = _DIMENSION.match(ref.strip())
    if match and match[4]:
        extent.extent_rows = max(extent.extent_rows, int(match[4]))
        extent.extent_cols = max(extent.extent_cols, column_index(match[3]))
    elif match and match[2]:
        extent.extent_rows = max(extent.extent_rows, int(match[2]))
        extent.extent_cols = max(extent.extent_cols, column_index(match[1] or "A"))


def scan_xlsx_sheet_xml(archive: zipfile.ZipFile, part: str, max_rows: int, max_cols: int) -> SheetExtent:
    """``scan_xlsx_sheet`` with the XML parser: slower, but needs no cell references."""
    extent = SheetExtent()
    rows: set[int] = set()
    cols: set[int] = set()
    with archive.open(part) as handle:
        for item in _iter_cells(handle):
            if item[0] == "dim":
                _extend_by_dimension(extent, item[1])
                continue
            _, row, col, kind, _, value = item
            extent.extent_rows = max(extent.extent_rows, row)
            extent.extent_cols = max(extent.extent_cols, col)
            if _present(kind, value):
                rows.add(row)
                cols.add(col)
                if len(rows) > max_rows or len(cols) > max_cols:
                    break
    extent.present_rows, extent.present_cols = len(rows), len(cols)
    return extent


def _shared_strings(archive: zipfile.ZipFile, part: str | None) -> list[str]:
    if part is None:
        return []
    strings: list[str] = []
    with archive.open(part) as handle:
        for _, elem in ET.iterparse(handle, events=("end",)):
            if _local(elem.tag) == "si":
                strings.append("".join(t.text or "" for t in elem.iter() if _local(t.tag) == "t"
                                       and not _in_phonetic(elem, t)))
                elem.clear()
    return strings


def _in_phonetic(si: ET.Element, target: ET.Element) -> bool:
    return any(_local(p.tag) == "rPh" and any(t is target for t in p.iter()) for p in si)


def _date_styles(archive: zipfile.ZipFile, part: str | None) -> set[int]:
    if part is None:
        return set()
    root = _parse_small(archive, part)
    custom: dict[int, str] = {}
    styles: set[int] = set()
    for elem in root.iter():
        if _local(elem.tag) == "numFmt":
            custom[int(elem.get("numFmtId", "0"))] = elem.get("formatCode", "")
    for container in root.iter():
        if _local(container.tag) != "cellXfs":
            continue
        for index, xf in enumerate(x for x in container if _local(x.tag) == "xf"):
            fmt = int(xf.get("numFmtId", "0"))
            code = custom.get(fmt)
            if (code is None and fmt in BUILTIN_DATE_FORMATS) or (
                    code is not None and _DATE_CODE.search(_QUOTED.sub("", code))):
                styles.add(index)
    return styles


def excel_serial(value: float, date1904: bool) -> dt.date | dt.datetime:
    """The date (whole days) or datetime of an Excel serial number."""
    base = dt.datetime(1904, 1, 1) if date1904 else dt.datetime(1899, 12, 30)
    moment = base + dt.timedelta(days=value)
    return moment.date() if value == int(value) else moment


def _xlsx_value(kind: str, style: str | None, raw: str | None, strings: list[str], dates: set[int],
                date1904: bool) -> object:
    if raw is None:
        return ""
    if kind == "s":
        index = int(raw)
        return strings[index] if 0 <= index < len(strings) else ""
    if kind in ("str", "inlineStr"):
        return raw
    if kind == "b":
        return raw.strip() in ("1", "true")
    if kind == "e":
        return ""
    if kind == "d":
        try:
            return dt.datetime.fromisoformat(raw)
        except ValueError:
            return raw
    try:
        number = float(raw)
    except ValueError:
        return raw
    if style is not None and style.isdigit() and int(style) in dates and 0 <= number < 2_958_466:
        return excel_serial(number, date1904)
    return number


def compact(cells: dict[int, dict[int, object]]) -> tuple[list[list[object]], list[int]]:
    """A grid of the rows and columns that hold a value, with the true 1-based row numbers of its rows."""
    used_rows = sorted(r for r, row in cells.items() if any(v != "" for v in row.values()))
    used_cols = sorted({c for r in used_rows for c, v in cells[r].items() if v != ""})
    grid = [[cells[r].get(c, "") for c in used_cols] for r in used_rows]
    return grid, used_rows


def read_xlsx_sheet(archive: zipfile.ZipFile, part: str, strings: list[str], dates: set[int],
                    date1904: bool) -> tuple[list[list[object]], list[int]]:
    """Read one worksheet part cell by cell into a compact grid and its row numbers."""
    cells: dict[int, dict[int, object]] = {}
    with archive.open(part) as handle:
        for item in _iter_cells(handle):
            if item[0] != "c":
                continue
            _, row, col, kind, style, raw = item
            value = _xlsx_value(kind, style, raw, strings, dates, date1904)
            if isinstance(value, str):
                value = value if value.strip() else ""
            if value != "":
                cells.setdefault(row, {})[col] = value
    return compact(cells)


def xlsx_tables(archive: zipfile.ZipFile, layout: XlsxLayout) -> tuple[list[str], set[int]]:
    """Shared strings and date style indexes of a workbook (for ``read_xlsx_sheet``)."""
    return _shared_strings(archive, layout.shared_strings), _date_styles(archive, layout.styles)


# --- ODS ------------------------------------------------------------------------------------------------------
def _q(prefix: str, name: str) -> str:
    return f"{{{ODS_NS[prefix]}}}{name}"


_ROW, _CELL, _COVERED, _TABLE = _q("table", "table-row"), _q("table", "table-cell"), \
    _q("table", "covered-table-cell"), _q("table", "table")
_ROWS_REPEATED, _COLS_REPEATED = _q("table", "number-rows-repeated"), _q("table", "number-columns-repeated")
_VALUE_TYPE = _q("office", "value-type")
_TEXT_P = _q("text", "p")


def _ods_value(cell: ET.Element) -> object:
    kind = cell.get(_VALUE_TYPE)
    if kind in ("float", "percentage", "currency"):
        try:
            return float(cell.get(_q("office", "value"), ""))
        except ValueError:
            return ""
    if kind == "date":
        raw = cell.get(_q("office", "date-value"), "")
        try:
            moment = dt.datetime.fromisoformat(raw)
        except ValueError:
            return raw
        return moment.date() if "T" not in raw else moment
    if kind == "boolean":
        return cell.get(_q("office", "boolean-value"), "") == "true"
    text = "\n".join("".join(p.itertext()) for p in cell if p.tag == _TEXT_P)
    return text if text.strip() else ""


def iter_ods_rows(handle: IO[bytes]) -> Iterator[tuple[str, int, int, list[tuple[int, int, object]]]]:
    """Stream content.xml: (table name, first row number, repeat, [(first col, repeat, value)] of non-empty cells)."""
    table = ""
    row_number = 0
    parents: list[ET.Element] = []
    for event, elem in ET.iterparse(handle, events=("start", "end")):
        if event == "start":
            if elem.tag == _TABLE:
                table, row_number = elem.get(_q("table", "name"), ""), 0
            parents.append(elem)
            continue
        parents.pop()
        if elem.tag != _ROW:
            if elem.tag == _TABLE:
                elem.clear()
            continue
        repeat = int(elem.get(_ROWS_REPEATED) or 1)
        col = 1
        cells = []
        for cell in elem:
            if cell.tag not in (_CELL, _COVERED):
                continue
            span = int(cell.get(_COLS_REPEATED) or 1)
            value = _ods_value(cell)
            if value != "":
                cells.append((col, span, value))
            col += span
        yield table, row_number + 1, repeat, cells
        row_number += repeat
        elem.clear()
        if parents:
            with contextlib.suppress(ValueError):
                parents[-1].remove(elem)  # only the current row is ever held


_REPEATED = re.compile(rb'number-(rows|columns)-repeated="(\d+)"')


def ods_repeats_beyond(archive: zipfile.ZipFile, max_rows: int, max_cols: int) -> bool:
    """True when content.xml repeats some row or column more often than the limits (a quick regex pass)."""
    tail = b""
    with archive.open("content.xml") as handle:
        while chunk := handle.read(_SCAN_CHUNK):
            data = tail + chunk
            for kind, count in _REPEATED.findall(data):
                if int(count) > (max_rows if kind == b"rows" else max_cols):
                    return True
            tail = data[-64:]
    return False


def scan_ods(archive: zipfile.ZipFile, max_rows: int, max_cols: int) -> dict[str, SheetExtent]:
    """Present rows/columns and extent per ODS table (repeated empty rows cost nothing, non-empty ones count)."""
    extents: dict[str, SheetExtent] = {}
    with archive.open("content.xml") as handle:
        for table, first, repeat, cells in iter_ods_rows(handle):
            extent = extents.setdefault(table, SheetExtent())
            extent.extent_rows = first + repeat - 1
            if cells:
                extent.present_rows += repeat
                extent.present_cols = max(extent.present_cols, sum(span for _, span, _ in cells))
                extent.extent_cols = max(extent.extent_cols, cells[-1][0] + cells[-1][1] - 1)
            if extent.present_rows > max_rows or extent.present_cols > max_cols:
                break
    return extents


def read_ods(archive: zipfile.ZipFile) -> list[tuple[str, list[list[object]], list[int]]]:
    """Every ODS table as (name, compact grid, row numbers); call only after ``scan_ods`` found it within limits."""
    tables: dict[str, dict[int, dict[int, object]]] = {}
    with archive.open("content.xml") as handle:
        for table, first, repeat, cells in iter_ods_rows(handle):
            grid = tables.setdefault(table, {})
            if not cells:
                continue
            for offset in range(repeat):
                row = grid.setdefault(first + offset, {})
                for col, span, value in cells:
                    for c in range(col, col + span):
                        row[c] = value
    return [(name, *compact(cells)) for name, cells in tables.items()]
