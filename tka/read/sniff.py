"""What a file really is, and whether it is safe to open: magic bytes, encryption, zip bombs, sheet dimensions.

All checks here look at the container (zip directory, content types and relationships, OLE directory) before any
spreadsheet library decompresses or parses the content; sheet sizes are decided later on the cells actually present
(``tka.read.sparse``), never on a declared dimension.
"""

from __future__ import annotations

import io
import xml.etree.ElementTree as ET
import zipfile
from dataclasses import dataclass

import msoffcrypto
import olefile

from tka.read.sparse import xlsx_layout

ZIP_MAGIC = b"PK\x03\x04"
ZIP_EMPTY_MAGIC = b"PK\x05\x06"
CFB_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
TEXT_EXTENSIONS = (".csv", ".txt", ".tsv")
ODS_MIMETYPE = b"application/vnd.oasis.opendocument.spreadsheet"
DEFAULT_PASSWORD = "VelvetSweatshop"  # Excel's key for files "protected" without a password typed
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
    """The detected format ("xlsx" covers xlsm/xlsb too), the workbook's date system and any decrypted bytes."""

    format: str
    date1904: bool = False
    content: bytes | None = None  # the bytes to read when they differ from the file's (decrypted with Excel's key)


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
        return _sniff_cfb(data, name, limits)
    if name.casefold().endswith(TEXT_EXTENSIONS) and _looks_like_text(data):
        return Sniffed("csv")
    raise Quarantine("not_spreadsheet", f"{name}: not xlsx/xls/ods/csv (first bytes {data[:8]!r}) / "
                                        "bukan lembar kerja")


def utf16_without_bom(head: bytes) -> str | None:
    """ "utf-16-le" / "utf-16-be" when the NUL pattern of mostly-ASCII text says so, else None."""
    sample = head[: len(head) // 2 * 2]
    if len(sample) < 4:
        return None
    even, odd = sample[0::2], sample[1::2]
    even_nul, odd_nul = even.count(0) / len(even), odd.count(0) / len(odd)
    if odd_nul > 0.6 and even_nul < 0.05:
        return "utf-16-le"
    if even_nul > 0.6 and odd_nul < 0.05:
        return "utf-16-be"
    return None


def _looks_like_text(data: bytes) -> bool:
    head = data[:8192]
    if head.startswith((b"\xff\xfe", b"\xfe\xff")) or utf16_without_bom(head):
        return True  # UTF-16 has NUL bytes by design
    controls = sum(head.count(bytes([b])) for b in range(32) if b not in (9, 10, 12, 13))
    return head.count(0) <= len(head) // 100 and controls <= len(head) // 20


def _default_key(data: bytes) -> bytes | None:
    """The decrypted bytes when Excel's built-in key ("VelvetSweatshop", no password typed) opens the file."""
    try:
        office = msoffcrypto.OfficeFile(io.BytesIO(data))
        office.load_key(password=DEFAULT_PASSWORD)
        out = io.BytesIO()
        office.decrypt(out)
    except Exception:  # noqa: BLE001 - any failure means a real password (or an unknown scheme) is needed
        return None
    return out.getvalue() or None


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
        if "META-INF/manifest.xml" in names and ("content.xml" in names or "mimetype" in names):
            manifest = _read_head(archive, "META-INF/manifest.xml", 1 << 20)
            if b"encryption-data" in manifest:
                raise Quarantine("encrypted", f"{name}: password-protected ODS / berkas berkata sandi")
        try:
            layout = xlsx_layout(archive)
        except (ET.ParseError, ValueError, KeyError, zipfile.BadZipFile, OSError, EOFError) as exc:
            if "xl/workbook.xml" in names or "[Content_Types].xml" in names:
                raise Quarantine("corrupt", f"{name}: broken workbook parts ({type(exc).__name__}: {exc}) / "
                                            "berkas rusak") from exc
            layout = None
        if layout is not None:
            if len(layout.sheets) > limits.max_sheets:
                raise Quarantine("too_large", f"{name}: {len(layout.sheets)} sheets, limit {limits.max_sheets} / "
                                              "terlalu banyak lembar kerja")
            return Sniffed("xlsx", layout.date1904)
        if "xl/workbook.bin" in names:
            return Sniffed("xlsx")
        if "mimetype" in names and _read_head(archive, "mimetype", 128).strip() == ODS_MIMETYPE:
            return Sniffed("ods")
        if "content.xml" in names and "META-INF/manifest.xml" in names:
            return Sniffed("ods")
    raise Quarantine("not_spreadsheet", f"{name}: zip file without a workbook (docx/pdf/other?) / "
                                        "bukan lembar kerja")


def _read_head(archive: zipfile.ZipFile, part: str, size: int) -> bytes:
    with archive.open(part) as handle:  # decompresses only as much as is read
        return handle.read(size)


def _sniff_cfb(data: bytes, name: str, limits: ReadLimits) -> Sniffed:
    try:
        ole = olefile.OleFileIO(io.BytesIO(data))
    except OSError as exc:
        raise Quarantine("corrupt", f"{name}: broken OLE container ({exc}) / berkas rusak") from exc
    with ole:
        package = ole.exists("EncryptionInfo") or ole.exists("EncryptedPackage")
        workbook = ole.exists("Workbook") or ole.exists("Book")
    if package:  # an encrypted xlsx: readable only if Excel's default key opens it
        decrypted = _default_key(data)
        if decrypted is None or not decrypted.startswith(ZIP_MAGIC):
            raise Quarantine("encrypted", f"{name}: password-protected Office file / berkas berkata sandi")
        inner = _sniff_zip(decrypted, name, limits)
        return Sniffed(inner.format, inner.date1904, decrypted)
    if not workbook:
        raise Quarantine("not_spreadsheet", f"{name}: OLE file without a workbook (doc/msg?) / "
                                            "bukan lembar kerja")
    try:
        encrypted = msoffcrypto.OfficeFile(io.BytesIO(data)).is_encrypted()
    except Exception:  # noqa: BLE001 - the probe knows fewer BIFF variants than the readers: let them decide
        encrypted = False
    if encrypted:
        decrypted = _default_key(data)
        if decrypted is None:
            raise Quarantine("encrypted", f"{name}: password-protected xls / berkas berkata sandi")
        return Sniffed("xls", content=decrypted)
    return Sniffed("xls")
