"""File writers: reproducible bytes, readable content, and the broken files really broken."""

from __future__ import annotations

import datetime as dt
import io
import zipfile

import msoffcrypto
import openpyxl
import pandas as pd
import pytest
import xlrd

from tka.sample.writers import (
    BookPlan,
    Serial,
    SheetPlan,
    csv_bytes,
    encrypted,
    fake_pdf,
    normalize_zip,
    ods_bytes,
    serial_of,
    truncated,
    xls_bytes,
    xlsx_bytes,
)


def _book() -> BookPlan:
    sheet = SheetPlan("Data", [["PASPOR", None], ["Nomor", "Masa Berlaku"], ["E12345678", dt.date(2030, 1, 31)],
                               ["M123A4567", Serial(45870)]], merges=[(0, 0, 0, 1)])
    return BookPlan([sheet])


def test_excel_serials_in_both_date_systems():
    assert serial_of(dt.date(2025, 8, 1)) == 45870
    assert serial_of(dt.date(2025, 8, 1), date1904=True) == 45870 - 1462


def test_xlsx_is_reproducible_and_keeps_merges_dates_and_serials():
    data = xlsx_bytes(_book())
    assert data == xlsx_bytes(_book())
    ws = openpyxl.load_workbook(io.BytesIO(data))["Data"]
    assert [str(r) for r in ws.merged_cells.ranges] == ["A1:B1"]
    assert ws["B3"].value == dt.datetime(2030, 1, 31) and ws["B4"].value == 45870
    assert {i.date_time for i in zipfile.ZipFile(io.BytesIO(data)).infolist()} == {(1980, 1, 1, 0, 0, 0)}


def test_xls_and_ods_hold_the_same_cells():
    book = xlrd.open_workbook(file_contents=xls_bytes(_book()))
    sheet = book.sheet_by_name("Data")
    assert sheet.cell_value(2, 0) == "E12345678"
    assert xlrd.xldate_as_datetime(sheet.cell_value(2, 1), book.datemode) == dt.datetime(2030, 1, 31)
    ods = ods_bytes(_book())
    from odf.element import Element

    Element(qname=("urn:x-tka-test:other", "thing"))  # odfpy now knows one more namespace, for the process
    assert ods == ods_bytes(_book())
    frame = pd.read_excel(io.BytesIO(ods), engine="odf", header=None)
    assert frame.iloc[3, 0] == "M123A4567" and frame.iloc[3, 1] == 45870
    assert zipfile.ZipFile(io.BytesIO(ods)).namelist()[0] == "mimetype"


def test_normalize_zip_fixes_timestamps_only():
    raw = io.BytesIO()
    with zipfile.ZipFile(raw, "w") as archive:
        archive.writestr("a.txt", "isi")
    fixed = zipfile.ZipFile(io.BytesIO(normalize_zip(raw.getvalue())))
    assert [(i.filename, i.date_time) for i in fixed.infolist()] == [("a.txt", (1980, 1, 1, 0, 0, 0))]
    assert fixed.read("a.txt") == b"isi"


def test_csv_encodings_and_delimiters():
    rows = [["No", "Nama"], ["1", "JOSÉ SANTOS"]]
    assert csv_bytes(rows, ";", "utf-8-sig") == "\ufeffNo;Nama\r\n1;JOSÉ SANTOS\r\n".encode()
    assert csv_bytes(rows, ",", "cp1252") == "No,Nama\r\n1,JOSÉ SANTOS\r\n".encode("cp1252")
    assert csv_bytes(rows, ";", "utf-16").decode("utf-16") == "No;Nama\r\n1;JOSÉ SANTOS\r\n"


def test_broken_files():
    data = xlsx_bytes(_book())
    with pytest.raises(zipfile.BadZipFile):
        zipfile.ZipFile(io.BytesIO(truncated(data)))
    for locked in (encrypted(data, "rahasia"), encrypted(data, "rahasia")):  # fresh salt each time, same plaintext
        office = msoffcrypto.OfficeFile(io.BytesIO(locked))
        assert office.is_encrypted()
        office.load_key(password="rahasia")
        plain = io.BytesIO()
        office.decrypt(plain)
        assert plain.getvalue() == data
    pdf = fake_pdf(["Surat pengantar"])
    assert pdf.startswith(b"%PDF-1.4") and pdf.rstrip().endswith(b"%%EOF")
