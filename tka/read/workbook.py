"""Turn file bytes into plain grids of cell values, one per sheet: python-calamine first, other engines as fallback.

A grid is a list of rows (row 0 = Excel row 1) of Python values: str ('' for blank), float, int, bool,
datetime.date/datetime. Merged ranges come as ((row0, col0), (row1, col1)), 0-based inclusive, when the engine
knows them.
"""

from __future__ import annotations

import codecs
import csv
import io
import re
import xml.etree.ElementTree as ET
import zipfile
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Literal, cast

import python_calamine as calamine

from tka.read import sparse
from tka.read.sniff import Quarantine, ReadLimits, utf16_without_bom

Merge = tuple[tuple[int, int], tuple[int, int]]


@dataclass
class RawSheet:
    """One sheet as read: its grid, merged ranges and, if not read, why it was skipped."""

    name: str
    rows: list[list[object]] = field(default_factory=list)
    merges: list[Merge] = field(default_factory=list)
    row_numbers: list[int] | None = None  # CSV: line numbers; None means index + 1
    skipped: str | None = None

    def __post_init__(self) -> None:
        # Every row as wide as the widest, so callers index columns without bounds checks (calamine already is).
        width = max(map(len, self.rows), default=0)
        if any(len(row) != width for row in self.rows):
            self.rows = [row + [""] * (width - len(row)) for row in self.rows]

    def row_number(self, index: int) -> int:
        """Row number as the user sees it (Excel row, CSV line)."""
        return self.row_numbers[index] if self.row_numbers is not None else index + 1


@dataclass
class RawBook:
    """All sheets of a file and the engine that produced them."""

    sheets: list[RawSheet]
    engine: str


SheetFilter = Callable[[str], "str | None"]  # sheet name -> reason to skip it, or None to read it


def load_book(data: bytes, fmt: str, name: str, limits: ReadLimits, skip: SheetFilter) -> RawBook:
    """Read every sheet of ``data`` (format from sniff) into grids; raise Quarantine on failure or excess.

    Sizes are decided on the cells actually present: a sheet whose extent is huge but whose data fits the limits
    is read cell by cell into a compact grid (``tka.read.sparse``) instead of by a library that allocates the extent.
    """
    if fmt == "csv":
        return RawBook([read_csv_grid(data, name, limits)], "csv")
    sparse = _sparse_book(data, fmt, name, limits, skip)
    if sparse is not None:
        return sparse
    try:
        return _load_calamine(data, name, limits, skip)
    except Quarantine:
        raise
    except calamine.PasswordError as exc:
        raise Quarantine("encrypted", f"{name}: password-protected / berkas berkata sandi") from exc
    except Exception as first:  # noqa: BLE001 - calamine raises several error types; any failure -> fallback
        fallback = {"xlsx": load_openpyxl, "xls": load_xlrd, "ods": load_odf}[fmt]
        try:
            return fallback(data, name, limits, skip)
        except Quarantine:
            raise
        except MemoryError:
            raise
        except Exception as exc:
            if "encrypt" in f"{first} {exc}".casefold() or "password" in f"{first} {exc}".casefold():
                raise Quarantine("encrypted", f"{name}: password-protected ({exc}) / berkas berkata sandi") from exc
            raise Quarantine("corrupt", f"{name}: cannot be opened ({type(first).__name__}: {first}; "
                                        f"{type(exc).__name__}: {exc}) / berkas rusak") from exc


def _sparse_book(data: bytes, fmt: str, name: str, limits: ReadLimits, skip: SheetFilter) -> RawBook | None:
    """Check present cells against the limits; read the book sparsely if some sheet's extent is beyond them."""
    if fmt not in ("xlsx", "ods"):
        return None
    try:
        return _scan_and_read(data, fmt, name, limits, skip)
    except (ET.ParseError, ValueError, KeyError, IndexError, zipfile.BadZipFile, EOFError, OSError):
        return None  # broken XML: the libraries decide (and their failure is the verdict "corrupt")


def _scan_and_read(data: bytes, fmt: str, name: str, limits: ReadLimits, skip: SheetFilter) -> RawBook | None:
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        if fmt == "ods":
            if "content.xml" not in archive.namelist() or not sparse.ods_repeats_beyond(archive, limits.max_rows,
                                                                                         limits.max_cols):
                return None  # no row or column is repeated past the limits: the XML's own size bounds the grid
            extents = sparse.scan_ods(archive, limits.max_rows, limits.max_cols)
            for table, extent in extents.items():
                _check_present(name, table, extent, limits)
            if all(e.extent_rows <= limits.max_rows and e.extent_cols <= limits.max_cols for e in extents.values()):
                return None
            _check_sheet_count(name, len(extents), limits)
            sheets = [RawSheet(t, skipped=reason) if (reason := skip(t)) else RawSheet(t, grid, [], numbers)
                      for t, grid, numbers in sparse.read_ods(archive)]
            return RawBook(sheets, "sparse")
        layout = sparse.xlsx_layout(archive)
        if layout is None:
            return None
        wanted = [s for s in layout.sheets if s.state == "visible" and not skip(s.name)]
        huge = False
        for sheet in wanted:
            extent = sparse.scan_xlsx_sheet(archive, sheet.part, limits.max_rows, limits.max_cols)
            _check_present(name, sheet.name, extent, limits)
            huge = huge or extent.extent_rows > limits.max_rows or extent.extent_cols > limits.max_cols
        if not huge:
            return None
        strings, dates = sparse.xlsx_tables(archive, layout)
        sheets = []
        for sheet in layout.sheets:
            reason = ("hidden sheet / lembar tersembunyi" if sheet.state != "visible" else None) or skip(sheet.name)
            if reason:
                sheets.append(RawSheet(sheet.name, skipped=reason))
                continue
            grid, numbers = sparse.read_xlsx_sheet(archive, sheet.part, strings, dates, layout.date1904)
            sheets.append(RawSheet(sheet.name, grid, [], numbers))
        return RawBook(sheets, "sparse")


def _check_present(name: str, sheet: str, extent: sparse.SheetExtent, limits: ReadLimits) -> None:
    if extent.present_rows > limits.max_rows or extent.present_cols > limits.max_cols:
        raise Quarantine("too_large", f"{name}: sheet '{sheet}' holds data in more than {limits.max_rows} rows or "
                                      f"{limits.max_cols} columns ({extent.present_rows} rows x "
                                      f"{extent.present_cols} columns counted) / lembar '{sheet}' terlalu besar")


def _check_size(name: str, sheet: str, rows: int, cols: int, limits: ReadLimits) -> None:
    if rows > limits.max_rows or cols > limits.max_cols:
        raise Quarantine("too_large", f"{name}: sheet '{sheet}' has {rows} rows x {cols} columns (limits "
                                      f"{limits.max_rows} x {limits.max_cols}) / lembar '{sheet}' terlalu besar")


def _check_sheet_count(name: str, count: int, limits: ReadLimits) -> None:
    if count > limits.max_sheets:
        raise Quarantine("too_large", f"{name}: {count} sheets, limit {limits.max_sheets} / "
                                      "terlalu banyak lembar kerja")


def _load_calamine(data: bytes, name: str, limits: ReadLimits, skip: SheetFilter) -> RawBook:
    book = calamine.CalamineWorkbook.from_filelike(io.BytesIO(data))
    try:
        metas = book.sheets_metadata
        _check_sheet_count(name, len(metas), limits)
        sheets = []
        for meta in metas:
            reason = None
            if meta.typ != calamine.SheetTypeEnum.WorkSheet:
                reason = "not a worksheet / bukan lembar data"
            elif meta.visible != calamine.SheetVisibleEnum.Visible:
                reason = "hidden sheet / lembar tersembunyi"
            reason = reason or skip(meta.name)
            if reason:
                sheets.append(RawSheet(meta.name, skipped=reason))
                continue
            sheet = book.get_sheet_by_name(meta.name)
            if sheet.end is None:
                sheets.append(RawSheet(meta.name))
                continue
            _check_size(name, meta.name, sheet.end[0] + 1, sheet.end[1] + 1, limits)
            merges = list(sheet.merged_cell_ranges or [])
            # calamine's cell union is narrower than RawSheet's object cells; lists are invariant, so say so.
            grid = cast("list[list[object]]", sheet.to_python(skip_empty_area=False))
            sheets.append(RawSheet(meta.name, grid, merges))
        return RawBook(sheets, "calamine")
    finally:
        book.close()


def load_openpyxl(data: bytes, name: str, limits: ReadLimits, skip: SheetFilter) -> RawBook:
    """Fallback for xlsx that calamine rejects: openpyxl in read-only mode (merges are not available)."""
    import openpyxl

    book = openpyxl.load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    try:
        _check_sheet_count(name, len(book.sheetnames), limits)
        sheets = []
        for ws in book.worksheets:
            reason = ("hidden sheet / lembar tersembunyi" if ws.sheet_state != "visible" else None) or skip(ws.title)
            if reason:
                sheets.append(RawSheet(ws.title, skipped=reason))
                continue
            grid: list[list[object]] = []
            for row in ws.iter_rows(values_only=True):
                if len(grid) >= limits.max_rows or len(row) > limits.max_cols:
                    _check_size(name, ws.title, len(grid) + 1, len(row), limits)
                grid.append(["" if v is None else v for v in row])
            sheets.append(RawSheet(ws.title, grid))
        return RawBook(sheets, "openpyxl")
    finally:
        book.close()


def load_xlrd(data: bytes, name: str, limits: ReadLimits, skip: SheetFilter) -> RawBook:
    """Fallback for xls that calamine rejects: xlrd (dates converted with the book's date mode)."""
    import xlrd

    book = xlrd.open_workbook(file_contents=data, on_demand=True, formatting_info=False)
    try:
        _check_sheet_count(name, book.nsheets, limits)
        sheets = []
        for index, sheet_name in enumerate(book.sheet_names()):
            if reason := skip(sheet_name):
                sheets.append(RawSheet(sheet_name, skipped=reason))
                continue
            ws = book.sheet_by_index(index)
            _check_size(name, sheet_name, ws.nrows, ws.ncols, limits)
            grid = [[_xlrd_value(cell, book.datemode) for cell in ws.row(r)] for r in range(ws.nrows)]
            sheets.append(RawSheet(sheet_name, grid))
        return RawBook(sheets, "xlrd")
    finally:
        book.release_resources()


def _xlrd_value(cell: object, datemode: Literal[0, 1]) -> object:
    import xlrd

    ctype, value = cell.ctype, cell.value  # type: ignore[attr-defined]
    if ctype == xlrd.XL_CELL_DATE:
        return xlrd.xldate_as_datetime(value, datemode)
    if ctype == xlrd.XL_CELL_BOOLEAN:
        return bool(value)
    if ctype in (xlrd.XL_CELL_EMPTY, xlrd.XL_CELL_BLANK, xlrd.XL_CELL_ERROR):
        return ""
    return value


def load_odf(data: bytes, name: str, limits: ReadLimits, skip: SheetFilter) -> RawBook:
    """Fallback for ods that calamine rejects: pandas with odfpy."""
    import pandas as pd

    frames = pd.read_excel(io.BytesIO(data), engine="odf", sheet_name=None, header=None, dtype=object)
    _check_sheet_count(name, len(frames), limits)
    sheets = []
    for sheet_name, frame in frames.items():
        if reason := skip(str(sheet_name)):
            sheets.append(RawSheet(str(sheet_name), skipped=reason))
            continue
        _check_size(name, str(sheet_name), frame.shape[0], frame.shape[1], limits)
        grid = [["" if pd.isna(v) else (v.to_pydatetime() if isinstance(v, pd.Timestamp) else v) for v in row]
                for row in frame.itertuples(index=False)]
        sheets.append(RawSheet(str(sheet_name), grid))
    return RawBook(sheets, "odf")


# --- CSV ----------------------------------------------------------------------------------------------------
_BOMS = ((codecs.BOM_UTF8, "utf-8-sig"), (codecs.BOM_UTF16_LE, "utf-16"), (codecs.BOM_UTF16_BE, "utf-16"))
_DELIMITERS = ";,\t|"


_HIGH_RUN = re.compile(rb"[\x80-\xff]+")
_CHUNK = 1 << 20


def text_encoding(data: bytes, name: str = "csv") -> tuple[str, bytes]:
    """The encoding of CSV bytes by evidence, and the bytes to decode with it (BOM kept, stray NULs removed).

    BOM, then UTF-16 without BOM (NUL pattern), strict UTF-8, then GB18030 or cp1252: GBK text (Chinese-language
    Windows) comes in runs of high bytes two at a time that decode to CJK; cp1252 text has single accented letters
    among ASCII. When neither reading is clearly right the file is quarantined as ``encoding_unknown`` rather than
    loaded as mojibake. Checks decode chunk by chunk, so no second copy of a big file is held.
    """
    for bom, encoding in _BOMS:
        if data.startswith(bom):
            return _checked(data, encoding, name), data
    utf16 = utf16_without_bom(data[:8192])
    if utf16:
        return _checked(data, utf16, name), data
    if b"\x00" in data:
        data = data.replace(b"\x00", b"")  # stray NULs (a few, or sniff would have said binary) carry no text
    if _decodes(data, "utf-8"):
        return "utf-8", data
    runs = _HIGH_RUN.findall(data)
    if sum(len(r) % 2 == 0 for r in runs) >= 0.9 * len(runs) and _decodes(data, "gb18030", _mostly_cjk):
        return "gb18030", data
    if sum(len(r) == 1 for r in runs) >= 0.9 * len(runs) and _decodes(data, "cp1252"):
        return "cp1252", data
    raise Quarantine("encoding_unknown", f"{name}: text is neither UTF-8, GBK nor cp1252 with certainty / "
                                         "pengkodean huruf tidak dapat dipastikan; simpan ulang sebagai CSV UTF-8")


def _mostly_cjk(text: str, counts: list[int]) -> None:
    for char in text:
        if ord(char) > 0x7F:
            counts[0] += 1
            counts[1] += "\u3000" <= char <= "\u9fff" or "\uff00" <= char <= "\uffef"


def _decodes(data: bytes, encoding: str, tally: Callable[[str, list[int]], None] | None = None) -> bool:
    decoder = codecs.getincrementaldecoder(encoding)()
    counts = [0, 0]  # non-ASCII characters, CJK among them
    try:
        for start in range(0, len(data), _CHUNK):
            text = decoder.decode(data[start:start + _CHUNK])
            if tally:
                tally(text, counts)
        decoder.decode(b"", final=True)
    except UnicodeDecodeError:
        return False
    return tally is None or counts[1] >= 0.3 * counts[0]  # CJK a good part of the non-ASCII text


def _checked(data: bytes, encoding: str, name: str) -> str:
    if not _decodes(data, encoding):
        raise Quarantine("encoding_unknown", f"{name}: not valid {encoding} / pengkodean huruf tidak dapat dipastikan")
    return encoding


def decode_text(data: bytes, name: str = "csv") -> str:
    """Decode CSV bytes with the encoding ``text_encoding`` finds by evidence (or raise Quarantine)."""
    encoding, data = text_encoding(data, name)
    return data.decode(encoding)


def sniff_delimiter(text: str) -> str:
    """The delimiter of a CSV text: csv.Sniffer on the first lines, else the most frequent of ; , tab |."""
    sample = "\n".join(text[:65536].splitlines()[:50])
    try:
        return csv.Sniffer().sniff(sample, delimiters=_DELIMITERS).delimiter
    except csv.Error:
        counts = {d: sample.count(d) for d in _DELIMITERS}
        return max(counts, key=counts.__getitem__) if any(counts.values()) else ","


def read_csv_grid(data: bytes, name: str, limits: ReadLimits) -> RawSheet:
    """Parse a CSV file into one sheet (named after the file) whose row numbers are line numbers."""
    encoding, data = text_encoding(data, name)
    # Decoded as it is parsed: a big file is never held as one string (nor twice, as StringIO would copy it).
    stream = io.TextIOWrapper(io.BytesIO(data), encoding=encoding, newline="")
    delimiter = sniff_delimiter(stream.read(65536))
    stream.seek(0)
    reader = csv.reader(stream, delimiter=delimiter)
    grid: list[list[object]] = []
    numbers: list[int] = []
    line = 1
    for row in reader:
        if len(grid) >= limits.max_rows or len(row) > limits.max_cols:
            _check_size(name, "csv", len(grid) + 1, len(row), limits)
        grid.append([cell.strip() for cell in row])
        numbers.append(line)
        line = reader.line_num + 1
    return RawSheet(re.sub(r"\.[^.]*$", "", name.rsplit("/", 1)[-1]), grid, [], numbers)

