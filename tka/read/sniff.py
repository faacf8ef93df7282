"""What a file really is, and whether it is safe to open: magic bytes, encryption, zip bombs, sheet dimensions.

All checks here look at the container (zip directory, OLE directory, the first bytes of each sheet XML) before
any spreadsheet library decompresses or parses the content, so a hostile file costs bounded time and memory.
"""

from __future__ import annotations

import io
import re
import zipfile
from dataclasses import dataclass

import msoffcrypto
import olefile

ZIP_MAGIC = b"PK\x03\x04"
ZIP_EMPTY_MAGIC = b"PK\x05\x06"
CFB_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
TEXT_EXTENSIONS = (".csv", ".txt", ".tsv")
ODS_MIMETYPE = b"application/vnd.oasis.opendocument.spreadsheet"
SHEET_XML_HEAD_BYTES = 16_384  # <dimension> sits near the top of every worksheet part
_DIMENSION_RE = re.compile(rb"<(?:\w+:)?dimension\s+ref=\"([A-Z]{1,3})(\d+)(?::([A-Z]{1,3})(\d+))?\"")
_DATE1904_RE = re.compile(rb"<(?:\w+:)?workbookPr\b[^>]*\bdate1904=\"(?:1|true)\"")
_SMALL_ZIP_BYTES = 8 * 2**20  # below this, a high ratio is just a sparse sheet, not a bomb


@dataclass(frozen=True)
class ReadLimits:
    """Bounds on what the reader will open; anything beyond is quarantined instead of read."""

    max_file_bytes: int = 64 * 2**20
    max_uncompressed_bytes: int = 512 * 2**20
    max_compression_ratio: float = 100.0
    max_rows: int = 100_000
    max_cols: int = 256
    max_sheets: int = 50
    header_scan_rows: int = 30


DEFAULT_LIMITS = ReadLimits()


class Quarantine(Exception):
    """A file-level verdict: ``reason`` is a key of ``tka.contract.QUARANTINE_REASONS``."""

    def __init__(self, reason: str, detail: str) -> None:
        super().__init__(f"{reason}: {detail}")
        self.reason = reason
        self.detail = detail


@dataclass(frozen=True)
class Sniffed:
    """The detected format ("xlsx" covers xlsm/xlsb too) and, for xlsx, the workbook's date system."""

    format: str
    date1904: bool = False


def column_number(letters: bytes | str) -> int:
    """1-based number of a column from its letters ("A" -> 1, "XFD" -> 16384)."""
    number = 0
    for char in letters.decode() if isinstance(letters, bytes) else letters:
        number = number * 26 + (ord(char.upper()) - 64)
    return number


def sniff(data: bytes, name: str, limits: ReadLimits) -> Sniffed:
    """Detect the format of ``data`` (named ``name``) and enforce the container limits; raise Quarantine."""
    if not data.strip():
        raise Quarantine("empty", f"{name}: 0 byte / berkas kosong")
    if data.startswith((ZIP_MAGIC, ZIP_EMPTY_MAGIC)):
        return _sniff_zip(data, name, limits)
    if data.startswith(CFB_MAGIC):
        return _sniff_cfb(data, name)
    if name.casefold().endswith(TEXT_EXTENSIONS) and _looks_like_text(data):
        return Sniffed("csv")
    raise Quarantine("not_spreadsheet", f"{name}: not xlsx/xls/ods/csv (first bytes {data[:8]!r}) / "
                                        "bukan lembar kerja")


def _looks_like_text(data: bytes) -> bool:
    head = data[:8192]
    if head.startswith((b"\xff\xfe", b"\xfe\xff")):
        return True  # UTF-16 has NUL bytes by design
    return b"\x00" not in head


def _sniff_zip(data: bytes, name: str, limits: ReadLimits) -> Sniffed:
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
        infos = archive.infolist()
    except (zipfile.BadZipFile, OSError, ValueError) as exc:
        raise Quarantine("corrupt", f"{name}: broken zip container ({exc}) / berkas rusak") from exc
    total = sum(i.file_size for i in infos)
    ratio = total / max(len(data), 1)
    if total > limits.max_uncompressed_bytes or (total > _SMALL_ZIP_BYTES and ratio > limits.max_compression_ratio):
        raise Quarantine("zip_bomb", f"{name}: {total} bytes uncompressed, ratio {ratio:.0f} "
                                     f"(limits {limits.max_uncompressed_bytes} bytes, ratio "
                                     f"{limits.max_compression_ratio:.0f}) / isi terkompresi melebihi batas")
    names = {i.filename for i in infos}
    with archive:
        if "xl/workbook.xml" in names or "xl/workbook.bin" in names:
            sheets = sorted(n for n in names if n.startswith("xl/worksheets/") and n.endswith((".xml", ".bin")))
            if len(sheets) > limits.max_sheets:
                raise Quarantine("too_large", f"{name}: {len(sheets)} sheets, limit {limits.max_sheets} / "
                                              "terlalu banyak lembar kerja")
            for part in sheets:
                if part.endswith(".xml"):
                    _check_dimension(archive, part, name, limits)
            date1904 = "xl/workbook.xml" in names and bool(
                _DATE1904_RE.search(_read_head(archive, "xl/workbook.xml", 1 << 20)))
            return Sniffed("xlsx", date1904)
        if "mimetype" in names and _read_head(archive, "mimetype", 128).strip() == ODS_MIMETYPE:
            return Sniffed("ods")
        if "content.xml" in names and "META-INF/manifest.xml" in names:
            return Sniffed("ods")
    raise Quarantine("not_spreadsheet", f"{name}: zip file without a workbook (docx/pdf/other?) / "
                                        "bukan lembar kerja")


def _read_head(archive: zipfile.ZipFile, part: str, size: int) -> bytes:
    with archive.open(part) as handle:  # decompresses only as much as is read
        return handle.read(size)


def _check_dimension(archive: zipfile.ZipFile, part: str, name: str, limits: ReadLimits) -> None:
    match = _DIMENSION_RE.search(_read_head(archive, part, SHEET_XML_HEAD_BYTES))
    if match is None:
        return  # no declaration: the uncompressed-size limit and the row check after loading still apply
    last_col, last_row = (match[3], match[4]) if match[3] else (match[1], match[2])
    rows, cols = int(last_row), column_number(last_col)
    if rows > limits.max_rows or cols > limits.max_cols:
        raise Quarantine("too_large", f"{name}: {part.rsplit('/', 1)[-1]} declares {rows} rows x {cols} "
                                      f"columns (limits {limits.max_rows} x {limits.max_cols}) / "
                                      "ukuran lembar kerja melebihi batas")


def _sniff_cfb(data: bytes, name: str) -> Sniffed:
    try:
        ole = olefile.OleFileIO(io.BytesIO(data))
    except OSError as exc:
        raise Quarantine("corrupt", f"{name}: broken OLE container ({exc}) / berkas rusak") from exc
    with ole:
        if ole.exists("EncryptionInfo") or ole.exists("EncryptedPackage"):
            raise Quarantine("encrypted", f"{name}: password-protected Office file / berkas berkata sandi")
        if not (ole.exists("Workbook") or ole.exists("Book")):
            raise Quarantine("not_spreadsheet", f"{name}: OLE file without a workbook (doc/msg?) / "
                                                "bukan lembar kerja")
    try:
        encrypted = msoffcrypto.OfficeFile(io.BytesIO(data)).is_encrypted()
    except Exception as exc:
        raise Quarantine("corrupt", f"{name}: unreadable xls ({type(exc).__name__}: {exc}) / berkas rusak") from exc
    if encrypted:
        raise Quarantine("encrypted", f"{name}: password-protected xls / berkas berkata sandi")
    return Sniffed("xls")
