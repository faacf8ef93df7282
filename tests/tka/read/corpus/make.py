"""The odd-file corpus: each case builds its bytes in code and states the verdict the reader must reach.

Run ``python -m tests.tka.read.corpus.make DIR`` to write the files (with their expected verdicts in
``expected.json``) for a look by hand; the tests build them in a temporary drive.
"""

from __future__ import annotations

import datetime as dt
import io
import json
import sys
import zipfile
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import olefile
import openpyxl
import xlsxwriter
import xlwt
from msoffcrypto.format.ooxml import OOXMLFile

HEADER = ["Nama", "No. Paspor", "Kewarganegaraan", "Jabatan", "Nama Perusahaan"]
ROWS = [["GAO XUEFENG", "E12345678", "RRT", "Mekanik", "PT A"], ["LI WEI", "E87654321", "RRT", "Supervisor", "PT A"]]
EXPECTED_ROWS = [(2, "E12345678"), (3, "E87654321")]  # (Excel row / CSV line, passport_no)


@dataclass(frozen=True)
class Case:
    """One odd file: where it lies under the period folder, how its bytes are made, and the verdict."""

    name: str
    build: Callable[[], bytes]
    reason: str | None  # the quarantine reason, or None: the file loads
    rows: list[tuple[int, str]] = field(default_factory=list)  # for a file that loads: (row_number, passport_no)
    check: dict[str, list[object]] = field(default_factory=dict)  # further exact columns of the loaded rows


# --- builders -----------------------------------------------------------------------------------------------
def openpyxl_xlsx(rows: list[list[object]], cells: dict[str, object] | None = None) -> bytes:
    """An xlsx written by openpyxl: ``rows`` from A1, then single ``cells`` by reference."""
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.title = "Data"
    for row in rows:
        sheet.append(row)
    for ref, value in (cells or {}).items():
        sheet[ref] = value
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def xlsxwriter_xlsx(rows: list[list[object]], date1904: bool = False) -> bytes:
    """An xlsx written by xlsxwriter (dates with a dd/mm/yyyy format)."""
    buffer = io.BytesIO()
    book = xlsxwriter.Workbook(buffer, {"in_memory": True, "date_1904": date1904})
    date_format = book.add_format({"num_format": "dd/mm/yyyy"})
    sheet = book.add_worksheet("Data")
    for r, row in enumerate(rows):
        for c, value in enumerate(row):
            if isinstance(value, dt.date):
                sheet.write_datetime(r, c, dt.datetime.combine(value, dt.time()), date_format)
            elif value is not None:
                sheet.write(r, c, value)
    book.close()
    return buffer.getvalue()


def rewrite_zip(data: bytes, change: Callable[[str, bytes], tuple[str, bytes] | None]) -> bytes:
    """Copy a zip, passing each (name, content) through ``change`` (None drops the part)."""
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as source, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for item in source.infolist():
            changed = change(item.filename, source.read(item))
            if changed is not None:
                target.writestr(changed[0], changed[1])
    return out.getvalue()


def with_dimension(data: bytes, ref: str) -> bytes:
    """The xlsx with its first sheet's ``<dimension>`` replaced by ``ref`` (a lie about its size)."""
    import re

    def change(name: str, content: bytes) -> tuple[str, bytes]:
        if name == "xl/worksheets/sheet1.xml":
            content = re.sub(rb'<dimension ref="[^"]*"', f'<dimension ref="{ref}"'.encode(), content)
        return name, content

    return rewrite_zip(data, change)


def odd_part_names(data: bytes) -> bytes:
    """The xlsx with its workbook and sheet parts renamed; only [Content_Types].xml and the rels say where they are."""
    renames = {"xl/workbook.xml": "xl/buku.xml", "xl/worksheets/sheet1.xml": "xl/lembar/data1.xml",
               "xl/_rels/workbook.xml.rels": "xl/_rels/buku.xml.rels"}

    def change(name: str, content: bytes) -> tuple[str, bytes]:
        if name in ("[Content_Types].xml", "_rels/.rels"):
            content = content.replace(b"/xl/workbook.xml", b"/xl/buku.xml").replace(b"xl/workbook.xml", b"xl/buku.xml")
            content = content.replace(b"/xl/worksheets/sheet1.xml", b"/xl/lembar/data1.xml")
        if name == "xl/_rels/workbook.xml.rels":
            content = content.replace(b"worksheets/sheet1.xml", b"lembar/data1.xml")
        return renames.get(name, name), content

    return rewrite_zip(data, change)


def encrypted_xlsx(password: str) -> bytes:
    """An xlsx encrypted by msoffcrypto (agile encryption, an OLE container)."""
    out = io.BytesIO()
    OOXMLFile(io.BytesIO(openpyxl_xlsx([HEADER, *ROWS]))).encrypt(password, out)
    return out.getvalue()


def xls_biff8(rows: list[list[object]]) -> bytes:
    """A BIFF8 .xls written by xlwt."""
    book = xlwt.Workbook()
    sheet = book.add_sheet("Data")
    for r, row in enumerate(rows):
        for c, value in enumerate(row):
            sheet.write(r, c, value)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def xls_marked_encrypted() -> bytes:
    """A BIFF8 .xls whose record after BOF is turned into a FILEPASS (RC4) record: Excel asks for a password."""
    xls = xls_biff8([HEADER, *ROWS])
    stream = olefile.OleFileIO(xls).openstream("Workbook").read()
    bof_end = 4 + int.from_bytes(stream[2:4], "little")
    patched_head = stream[:bof_end] + b"\x2f\x00\x02\x00\x01\x00" + stream[bof_end + 6: 64]
    offset = xls.index(stream[:64])
    return xls[:offset] + patched_head + xls[offset + 64:]


ODS_HEAD = ('<?xml version="1.0" encoding="UTF-8"?><office:document-content '
            'xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0" '
            'xmlns:table="urn:oasis:names:tc:opendocument:xmlns:table:1.0" '
            'xmlns:text="urn:oasis:names:tc:opendocument:xmlns:text:1.0" office:version="1.2">'
            '<office:body><office:spreadsheet><table:table table:name="Data">')
ODS_TAIL = "</table:table></office:spreadsheet></office:body></office:document-content>"
MANIFEST = ('<?xml version="1.0" encoding="UTF-8"?><manifest:manifest '
            'xmlns:manifest="urn:oasis:names:tc:opendocument:xmlns:manifest:1.0" manifest:version="1.2">'
            '<manifest:file-entry manifest:full-path="/" '
            'manifest:media-type="application/vnd.oasis.opendocument.spreadsheet"/>'
            '<manifest:file-entry manifest:full-path="content.xml" manifest:media-type="text/xml"{extra}</manifest:manifest>')


def ods_row(values: list[str], repeat: int = 1) -> str:
    """A table row of string cells, repeated ``repeat`` times."""
    cells = "".join(f'<table:table-cell office:value-type="string"><text:p>{v}</text:p></table:table-cell>'
                    for v in values)
    return f'<table:table-row table:number-rows-repeated="{repeat}">{cells}</table:table-row>'


def ods(rows_xml: str, encrypted: bool = False) -> bytes:
    """An ODS package around the given table rows (stored mimetype first, as the format requires)."""
    extra = ('><manifest:encryption-data manifest:checksum-type="SHA1" manifest:checksum="AAAA">'
             '<manifest:algorithm manifest:algorithm-name="Blowfish CFB" manifest:initialisation-vector="AAAA"/>'
             '</manifest:encryption-data></manifest:file-entry>') if encrypted else "/>"
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr(zipfile.ZipInfo("mimetype"), "application/vnd.oasis.opendocument.spreadsheet")
        archive.writestr("META-INF/manifest.xml", MANIFEST.format(extra=extra))
        archive.writestr("content.xml", ODS_HEAD + rows_xml + ODS_TAIL)
    return out.getvalue()


def csv_text(rows: list[list[str]], delimiter: str = ",") -> str:
    """CSV text of header + rows."""
    return "".join(delimiter.join(row) + "\r\n" for row in rows)


def plain_zip(parts: dict[str, str]) -> bytes:
    """A zip with the given text parts."""
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        for name, text in parts.items():
            archive.writestr(name, text)
    return out.getvalue()


CHINESE_ROWS = [["王伟", "E12345678", "RRT", "Mekanik", "PT A"], ["李娜", "E87654321", "RRT", "Supervisor", "PT A"]]
LATIN_ROWS = [["José Müller", "E12345678", "Spanyol", "Mekanik", "PT Café"],
              ["Zoë Ørsted", "E87654321", "Denmark", "Supervisor", "PT Café"]]
BIRTH = [dt.date(1980, 5, 17), dt.date(1975, 12, 1)]
DOCX_TYPES = ('<?xml version="1.0"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
              '<Override PartName="/word/document.xml" ContentType="application/vnd.openxmlformats-officedocument'
              '.wordprocessingml.document.main+xml"/></Types>')

CASES: list[Case] = [
    Case("disnakertrans/kosong.xlsx", lambda: b"", "empty"),
    Case("disnakertrans/spasi.csv", lambda: b"  \r\n\t \n", "empty"),
    Case("disnakertrans/teks.xlsx", lambda: b"Ini bukan lembar kerja\n", "not_spreadsheet"),
    Case("disnakertrans/dokumen.xlsx", lambda: b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n1 0 obj\n<<>>\nendobj\n", "not_spreadsheet"),
    Case("disnakertrans/terpotong.xlsx", lambda: openpyxl_xlsx([HEADER, *ROWS])[:700], "corrupt"),
    Case("disnakertrans/zip-lain.xlsx", lambda: plain_zip({"readme.txt": "halo"}), "not_spreadsheet"),
    Case("disnakertrans/surat.xlsx", lambda: plain_zip({"[Content_Types].xml": DOCX_TYPES,
                                                         "word/document.xml": "<w:document/>"}), "not_spreadsheet"),
    Case("disnakertrans/xml-rusak.xlsx", lambda: rewrite_zip(openpyxl_xlsx([HEADER, *ROWS]), lambda n, c: (
        n, c[: len(c) // 2] if n == "xl/worksheets/sheet1.xml" else c)), "corrupt"),
    # A 2 KB file whose <dimension> says A1:H2 but with a cell at XFD1048576: read sparsely, true row numbers kept.
    Case("disnakertrans/sel-jauh.xlsx", lambda: with_dimension(openpyxl_xlsx(
        [HEADER, *ROWS], {"A1048576": "WANG FANG", "B1048576": "E11223344", "C1048576": "RRT",
                          "D1048576": "Operator", "E1048576": "PT A", "XFD1048576": "catatan"}), "A1:H2"),
         None, [*EXPECTED_ROWS, (1048576, "E11223344")]),
    # The whole sheet declared, 2 x 11 cells present (1904 dates): loads its one data row.
    Case("disnakertrans/dimensi-penuh.xlsx", lambda: with_dimension(xlsxwriter_xlsx(
        [[*HEADER, "Tanggal Lahir", "A", "B", "C", "D", "E"],
         [*ROWS[0], BIRTH[0], "1", "2", "3", "4", "5"]], date1904=True), "A1:XFD1048576"),
         None, EXPECTED_ROWS[:1], {"birth_date": [BIRTH[0]]}),
    Case("disnakertrans/tanggal-1904.xlsx", lambda: xlsxwriter_xlsx(
        [[*HEADER, "Tanggal Lahir"], *[[*r, b] for r, b in zip(ROWS, BIRTH, strict=True)]], date1904=True),
         None, EXPECTED_ROWS, {"birth_date": BIRTH}),
    Case("disnakertrans/ulang-kosong.ods", lambda: ods(ods_row(HEADER) + ods_row(ROWS[0]) + ods_row(ROWS[1])
                                                       + '<table:table-row table:number-rows-repeated="999999999">'
                                                       '<table:table-cell table:number-columns-repeated="1024"/>'
                                                       '</table:table-row>'), None, EXPECTED_ROWS),
    Case("disnakertrans/ulang-isi.ods", lambda: ods(ods_row(HEADER) + ods_row(ROWS[0], 250_000)), "too_large"),
    Case("disnakertrans/biasa.ods", lambda: ods(ods_row(HEADER) + ods_row(ROWS[0]) + ods_row(ROWS[1])),
         None, EXPECTED_ROWS),
    Case("disnakertrans/sandi.ods", lambda: ods(ods_row(HEADER) + ods_row(ROWS[0]), encrypted=True), "encrypted"),
    Case("disnakertrans/sandi.xlsx", lambda: encrypted_xlsx("rahasia"), "encrypted"),
    Case("disnakertrans/kunci-bawaan.xlsx", lambda: encrypted_xlsx("VelvetSweatshop"), None, EXPECTED_ROWS),
    Case("disnakertrans/sandi.xls", xls_marked_encrypted, "encrypted"),
    Case("disnakertrans/biff8.xls", lambda: xls_biff8([HEADER, *ROWS]), None, EXPECTED_ROWS),
    Case("disnakertrans/bagian-aneh-openpyxl.xlsx", lambda: odd_part_names(openpyxl_xlsx([HEADER, *ROWS])),
         None, EXPECTED_ROWS),
    Case("disnakertrans/bagian-aneh-xlsxwriter.xlsx", lambda: odd_part_names(xlsxwriter_xlsx([HEADER, *ROWS])),
         None, EXPECTED_ROWS),
    Case("disnakertrans/xlsx-bernama.csv", lambda: openpyxl_xlsx([HEADER, *ROWS]), None, EXPECTED_ROWS),
    Case("disnakertrans/gbk.csv", lambda: csv_text([HEADER, *CHINESE_ROWS]).encode("gbk"), None, EXPECTED_ROWS,
         {"name_raw": ["王伟", "李娜"]}),
    Case("disnakertrans/gbk-campur.csv", lambda: csv_text(
        [HEADER, CHINESE_ROWS[0], ["José Müller", "E87654321", "Spanyol", "Supervisor", "PT Café"]]).encode("gbk"),
         None, EXPECTED_ROWS, {"name_raw": ["王伟", "José Müller"]}),
    Case("disnakertrans/utf16le.csv", lambda: csv_text([HEADER, *ROWS], "\t").encode("utf-16-le"),
         None, EXPECTED_ROWS),
    Case("disnakertrans/utf16be.csv", lambda: csv_text([HEADER, *CHINESE_ROWS]).encode("utf-16-be"),
         None, EXPECTED_ROWS, {"name_raw": ["王伟", "李娜"]}),
    Case("disnakertrans/utf16-bom.csv", lambda: csv_text([HEADER, *CHINESE_ROWS]).encode("utf-16"),
         None, EXPECTED_ROWS, {"name_raw": ["王伟", "李娜"]}),
    Case("disnakertrans/cp1252.csv", lambda: csv_text([HEADER, *LATIN_ROWS], ";").encode("cp1252"),
         None, EXPECTED_ROWS, {"name_raw": ["José Müller", "Zoë Ørsted"]}),
    Case("disnakertrans/utf8-bom.csv", lambda: csv_text([HEADER, *LATIN_ROWS]).encode("utf-8-sig"),
         None, EXPECTED_ROWS, {"name_raw": ["José Müller", "Zoë Ørsted"]}),
    Case("disnakertrans/nul.csv", lambda: csv_text([HEADER, *ROWS]).encode().replace(b"GAO", b"G\x00AO"),
         None, EXPECTED_ROWS, {"name_raw": ["GAO XUEFENG", "LI WEI"]}),
    Case("disnakertrans/biner.csv", lambda: bytes(range(256)) * 8, "not_spreadsheet"),
    # 0x81 alone is neither UTF-8, cp1252 (undefined there) nor a GBK pair: loading it would be a guess.
    Case("disnakertrans/ragu.csv", lambda: csv_text([HEADER, *ROWS]).encode().replace(b"GAO", b"G\x81O"),
         "encoding_unknown"),
    Case("disnakertrans/tanpa-judul.xlsx", lambda: openpyxl_xlsx([["a", "b"], ["c", "d"]]), "no_header"),
    Case("disnakertrans/judul-saja.xlsx", lambda: openpyxl_xlsx([HEADER]), "no_data_rows"),
    Case("disnakertrans/tanpa-isi.xlsx", lambda: openpyxl_xlsx([]), "empty"),
    Case("disnakertrans/biasa.xlsx", lambda: xlsxwriter_xlsx([HEADER, *ROWS]), None, EXPECTED_ROWS),
]


def main(argv: list[str]) -> int:
    """Write every case under DIR/<period>/... and DIR/expected.json."""
    folder = Path(argv[0]) / "2025-08"
    expected = {}
    for case in CASES:
        path = folder / case.name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(case.build())
        expected[case.name] = {"reason": case.reason, "rows": case.rows}
    (Path(argv[0]) / "expected.json").write_text(json.dumps(expected, indent=1))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
