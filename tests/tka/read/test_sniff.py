"""Bad files: each kind is generated in tmp_path and must end in its quarantine reason, with nothing loaded."""

from __future__ import annotations

import io
import zipfile
from collections.abc import Callable
from pathlib import Path

import olefile
import openpyxl
import pytest
import xlwt
from msoffcrypto.format.ooxml import OOXMLFile

from tka.contract import QUARANTINE_REASONS
from tka.read import DiscoveredFile, ReadLimits, ReadResult, SourcesConfig, open_drive, read_file
from tka.read.sniff import Quarantine, Sniffed, column_number, sniff

from .conftest import PERIOD, write_xlsx

Reader = Callable[..., ReadResult]
HEADER = ["Nama", "No. Paspor", "Kewarganegaraan", "Jabatan", "Nama Perusahaan"]
ROW = ["GAO", "E12345678", "RRT", "Mekanik", "PT A"]


def _path(drive: Path, name: str) -> Path:
    path = drive / PERIOD / "disnakertrans" / name
    path.parent.mkdir(parents=True, exist_ok=True)
    return path


def _assert_quarantined(result: ReadResult, reason: str) -> None:
    assert result.quarantine == reason, result.detail
    assert reason in QUARANTINE_REASONS
    assert result.rows.empty
    assert "disnakertrans" in result.detail  # the detail names the file


def _xlsx_bytes(rows: list[list[object]]) -> bytes:
    book = openpyxl.Workbook()
    for row in rows:
        book.active.append(row)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def test_corrupt_truncated_xlsx(drive: Path, read_one: Reader) -> None:
    data = _xlsx_bytes([HEADER, ROW])
    _path(drive, "rusak.xlsx").write_bytes(data[: len(data) // 2])
    _assert_quarantined(read_one("disnakertrans/rusak.xlsx"), "corrupt")


def test_corrupt_sheet_xml_inside_valid_zip(drive: Path, read_one: Reader) -> None:
    source = zipfile.ZipFile(io.BytesIO(_xlsx_bytes([HEADER, ROW])))
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as target:
        for item in source.infolist():
            content = source.read(item)
            if item.filename == "xl/worksheets/sheet1.xml":
                content = content[: len(content) // 2]  # cut mid-element
            target.writestr(item, content)
    _path(drive, "xml.xlsx").write_bytes(buffer.getvalue())
    _assert_quarantined(read_one("disnakertrans/xml.xlsx"), "corrupt")


def test_encrypted_xlsx(drive: Path, read_one: Reader) -> None:
    plain = io.BytesIO(_xlsx_bytes([HEADER, ROW]))
    encrypted = io.BytesIO()
    OOXMLFile(plain).encrypt("rahasia", encrypted)
    _path(drive, "sandi.xlsx").write_bytes(encrypted.getvalue())
    _assert_quarantined(read_one("disnakertrans/sandi.xlsx"), "encrypted")


def test_encrypted_xls(drive: Path, read_one: Reader) -> None:
    book = xlwt.Workbook()
    book.add_sheet("S").write(0, 0, "x")
    buffer = io.BytesIO()
    book.save(buffer)
    _path(drive, "sandi.xls").write_bytes(_mark_biff_encrypted(buffer.getvalue()))
    _assert_quarantined(read_one("disnakertrans/sandi.xls"), "encrypted")


def _mark_biff_encrypted(xls: bytes) -> bytes:
    """Turn the record after BOF into a FILEPASS (RC4) record of the same length, in place (xlwt cannot encrypt)."""
    stream = olefile.OleFileIO(xls).openstream("Workbook").read()
    bof_end = 4 + int.from_bytes(stream[2:4], "little")
    assert int.from_bytes(stream[bof_end + 2: bof_end + 4], "little") == 2  # INTERFACEHDR: 2-byte body
    patched_head = stream[:bof_end] + b"\x2f\x00\x02\x00\x01\x00" + stream[bof_end + 6: 64]
    offset = xls.index(stream[:64])
    return xls[:offset] + patched_head + xls[offset + 64:]


def test_empty_zero_bytes(drive: Path, read_one: Reader) -> None:
    _path(drive, "kosong.xlsx").write_bytes(b"")
    _assert_quarantined(read_one("disnakertrans/kosong.xlsx"), "empty")


def test_empty_workbook_without_content(drive: Path, read_one: Reader) -> None:
    write_xlsx(_path(drive, "kosong2.xlsx"), {"Sheet1": [], "Sheet2": []})
    _assert_quarantined(read_one("disnakertrans/kosong2.xlsx"), "empty")


def test_empty_csv_only_whitespace(drive: Path, read_one: Reader) -> None:
    _path(drive, "kosong.csv").write_text("\r\n  \r\n", encoding="utf-8")
    _assert_quarantined(read_one("disnakertrans/kosong.csv"), "empty")


@pytest.mark.parametrize(("name", "content"), [
    ("laporan.pdf", b"%PDF-1.7\n1 0 obj\n<<>>\nendobj\n"),
    ("laporan.xlsx", b"\x89PNG\r\n\x1a\n" + b"\x00" * 64),
    ("laporan.xls", b"<html><body><table><tr><td>Nama</td></tr></table></body></html>"),
])
def test_not_spreadsheet_by_magic_bytes(drive: Path, read_one: Reader, name: str, content: bytes) -> None:
    _path(drive, name).write_bytes(content)
    _assert_quarantined(read_one(f"disnakertrans/{name}"), "not_spreadsheet")


def test_not_spreadsheet_docx_zip(drive: Path, read_one: Reader) -> None:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("word/document.xml", "<w:document/>")
    _path(drive, "surat.docx").write_bytes(buffer.getvalue())
    _assert_quarantined(read_one("disnakertrans/surat.docx"), "not_spreadsheet")


def test_no_header(drive: Path, read_one: Reader) -> None:
    write_xlsx(_path(drive, "bebas.xlsx"), {"S": [["Laporan bulan ini nihil"], ["Terima kasih"]]})
    result = read_one("disnakertrans/bebas.xlsx")
    _assert_quarantined(result, "no_header")
    assert "'S'" in result.detail


def test_missing_required_columns(drive: Path, read_one: Reader) -> None:
    write_xlsx(_path(drive, "kurang.xlsx"), {"Data": [["Nama", "Kewarganegaraan", "Jabatan"], ["GAO", "RRT", "X"]]})
    result = read_one("disnakertrans/kurang.xlsx")
    _assert_quarantined(result, "missing_required_columns")
    assert "identity column(s) passport_no / kitas_no / notifikasi_no / rptka_no not found" in result.detail
    assert result.drift.sheets["Data"].missing == ("passport_no", "company_name")


def test_a_missing_column_that_does_not_identify_a_worker_is_drift_not_quarantine(drive: Path, read_one) -> None:
    write_xlsx(_path(drive, "tanpa_jabatan.xlsx"),
               {"Data": [["Nama", "No. Paspor", "Kewarganegaraan"], ["GAO XUEFENG", "E12345678", "RRT"]]})
    result = read_one("disnakertrans/tanpa_jabatan.xlsx")
    assert result.quarantine is None
    assert result.drift.sheets["Data"].missing == ("company_name", "position")
    assert result.rows[["name", "passport_no", "nationality", "position"]].values.tolist() == [
        ["GAO XUEFENG", "E12345678", "CHN", None]]


def test_no_data_rows(drive: Path, read_one: Reader) -> None:
    write_xlsx(_path(drive, "nihil.xlsx"), {"Data": [["Judul"], HEADER, ["JUMLAH", None, None, None, 0]]})
    _assert_quarantined(read_one("disnakertrans/nihil.xlsx"), "no_data_rows")


def test_far_cell_beyond_declared_dimension_is_read_sparsely(drive: Path, read_one: Reader) -> None:
    book = openpyxl.Workbook()
    book.active.append(HEADER)
    book.active.append(ROW)
    book.active["A1048576"] = "GAO"  # the sheet now spans A1:E1048576, but holds three rows of data
    book.active["B1048576"] = "E7654321"
    book.active["C1048576"] = "RRT"
    book.save(_path(drive, "besar.xlsx"))
    result = read_one("disnakertrans/besar.xlsx")
    assert result.quarantine is None, result.detail
    assert list(result.rows["row_number"]) == [2, 1048576]
    assert list(result.rows["passport_no"]) == ["E12345678", "E7654321"]


def test_too_large_counts_present_cells_only(drive: Path, read_one: Reader) -> None:
    book = openpyxl.Workbook()
    book.active.append(HEADER)
    for index in range(1, 26):
        book.active.cell(row=index * 1000, column=1, value=f"W{index}")  # 26 rows of data spread over 25,000
    book.save(_path(drive, "besar.xlsx"))
    result = read_one("disnakertrans/besar.xlsx", limits=ReadLimits(max_rows=20))
    _assert_quarantined(result, "too_large")
    assert "more than 20 rows" in result.detail


def test_too_large_rows_beyond_limit(drive: Path, read_one: Reader) -> None:
    write_xlsx(_path(drive, "banyak.xlsx"), {"Data": [HEADER] + [ROW] * 30})
    _assert_quarantined(read_one("disnakertrans/banyak.xlsx", limits=ReadLimits(max_rows=20)), "too_large")
    assert read_one("disnakertrans/banyak.xlsx", limits=ReadLimits(max_rows=31)).quarantine is None


def test_too_large_csv_rows_and_file_bytes(drive: Path, read_one: Reader) -> None:
    _path(drive, "banyak.csv").write_text("\n".join([",".join(HEADER)] + [",".join(ROW)] * 30), encoding="utf-8")
    _assert_quarantined(read_one("disnakertrans/banyak.csv", limits=ReadLimits(max_rows=10)), "too_large")
    _assert_quarantined(read_one("disnakertrans/banyak.csv", limits=ReadLimits(max_file_bytes=100)), "too_large")


def test_too_many_sheets(drive: Path, read_one: Reader) -> None:
    write_xlsx(_path(drive, "lembar.xlsx"), {f"S{i}": [HEADER, ROW] for i in range(4)})
    _assert_quarantined(read_one("disnakertrans/lembar.xlsx", limits=ReadLimits(max_sheets=3)), "too_large")


def test_zip_bomb_total_size(drive: Path, read_one: Reader) -> None:
    source = zipfile.ZipFile(io.BytesIO(_xlsx_bytes([HEADER, ROW])))
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as target:
        for item in source.infolist():
            target.writestr(item.filename, source.read(item))
        target.writestr("xl/media/padding.bin", b"\0" * (12 * 2**20))  # 12 MiB of zeros -> ~12 KiB
    _path(drive, "bom.xlsx").write_bytes(buffer.getvalue())
    result = read_one("disnakertrans/bom.xlsx")
    _assert_quarantined(result, "zip_bomb")
    _assert_quarantined(read_one("disnakertrans/bom.xlsx",
                                 limits=ReadLimits(max_compression_ratio=10_000, max_uncompressed_bytes=2**20)),
                        "zip_bomb")
    assert read_one("disnakertrans/bom.xlsx", limits=ReadLimits(max_compression_ratio=10_000)).quarantine is None


def test_unknown_source(drive: Path, read_one: Reader) -> None:
    write_xlsx(drive / PERIOD / "lain-lain" / "x.xlsx", {"S": [HEADER, ROW]})
    result = read_one("lain-lain/x.xlsx")
    assert result.quarantine == "unknown_source"
    assert result.rows.empty


def test_read_error_never_raises(drive: Path, config: SourcesConfig) -> None:
    fs, root = open_drive(str(drive))
    ghost = DiscoveredFile(f"{PERIOD}/disnakertrans/hilang.xlsx", "disnakertrans", "disnakertrans",
                           source="disnakertrans")
    result = read_file(fs, root, ghost, config)
    assert result.quarantine == "read_error"
    assert result.detail.startswith(f"{PERIOD}/disnakertrans/hilang.xlsx: FileNotFoundError")
    assert result.rows.empty


@pytest.mark.parametrize(("letters", "number"), [("A", 1), ("Z", 26), ("AA", 27), ("XFD", 16384), (b"J", 10)])
def test_column_number(letters: str | bytes, number: int) -> None:
    assert column_number(letters) == number


def test_sniff_formats(tmp_path: Path) -> None:
    limits = ReadLimits()
    assert sniff(_xlsx_bytes([HEADER]), "a.xlsx", limits) == Sniffed("xlsx", False)
    date1904 = write_xlsx(tmp_path / "mac.xlsx", {"S": [HEADER]}, date1904=True).read_bytes()
    assert sniff(date1904, "mac.xlsx", limits) == Sniffed("xlsx", True)
    assert sniff(b"Nama;Paspor\n", "a.CSV", limits) == Sniffed("csv")
    with pytest.raises(Quarantine) as caught:
        sniff(b"Nama;Paspor\n", "a.xlsx", limits)
    assert caught.value.reason == "not_spreadsheet"
