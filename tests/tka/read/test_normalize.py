"""Table-driven tests of every normaliser with exact expected values."""

from __future__ import annotations

import datetime as dt

import pytest

from tka.read.normalize import (
    cell_text,
    excel_serial_to_date,
    normalize_company_name,
    normalize_kbli,
    normalize_kecamatan,
    normalize_nationality,
    normalize_nib,
    normalize_passport,
    normalize_person_name,
    normalize_sex,
    normalize_yes_no,
    parse_date,
    parse_date_range,
    permit_type,
    person_kind,
    split_place_date,
)

D = dt.date


@pytest.mark.parametrize(("value", "expected"), [
    (None, None), ("", None), ("  -  ", None), ("—", None), (12345.0, "12345"), (12.5, "12.5"), (7, "7"),
    (True, "TRUE"), ("  Loa   Kulu ", "Loa Kulu"), (dt.datetime(2025, 8, 5), "2025-08-05"),
    (dt.date(2025, 8, 5), "2025-08-05"), (float("nan"), None),
])
def test_cell_text(value: object, expected: str | None) -> None:
    assert cell_text(value) == expected


@pytest.mark.parametrize(("value", "date1904", "expected"), [
    # calamine gives date objects for date-formatted cells
    (dt.datetime(2025, 8, 5, 0, 0), False, (D(2025, 8, 5), None)),
    (D(2025, 8, 5), False, (D(2025, 8, 5), None)),
    # plain numbers in a date column are serials, in either date system
    (45874.0, False, (D(2025, 8, 5), None)),
    (45874, False, (D(2025, 8, 5), None)),
    (44412.0, True, (D(2025, 8, 5), None)),
    (45874.75, False, (D(2025, 8, 5), None)),
    (1.0, False, (D(1900, 1, 1), None)),
    (61.0, False, (D(1900, 3, 1), None)),
    (60.0, False, (None, "60")),
    (-3.0, False, (None, "-3")),
    ("45874", False, (D(2025, 8, 5), None)),
    # day-first numerics and ISO
    ("05/08/2025", False, (D(2025, 8, 5), None)),
    ("5/8/25", False, (D(2025, 8, 5), None)),
    ("05-08-2025", False, (D(2025, 8, 5), None)),
    ("05.08.2025", False, (D(2025, 8, 5), None)),
    ("12/03/85", False, (D(1985, 3, 12), None)),
    ("2025-08-05", False, (D(2025, 8, 5), None)),
    ("2025-08-05 00:00:00", False, (D(2025, 8, 5), None)),
    # month names, Indonesian and English, old spellings and abbreviations
    ("5 Agustus 2025", False, (D(2025, 8, 5), None)),
    ("05 Agt 2025", False, (D(2025, 8, 5), None)),
    ("05 Agu 2025", False, (D(2025, 8, 5), None)),
    ("5-Ags-2025", False, (D(2025, 8, 5), None)),
    ("17 Sept 2025", False, (D(2025, 9, 17), None)),
    ("1 Pebruari 2024", False, (D(2024, 2, 1), None)),
    ("29 Pebruari 2023", False, (None, "29 Pebruari 2023")),
    ("10 Nopember 1985", False, (D(1985, 11, 10), None)),
    ("3 Des. 2025", False, (D(2025, 12, 3), None)),
    ("05-Aug-25", False, (D(2025, 8, 5), None)),
    ("August 5, 2025", False, (D(2025, 8, 5), None)),
    ("Selasa, 05 Agustus 2025", False, (D(2025, 8, 5), None)),
    ("Tuesday, 5 August 2025", False, (D(2025, 8, 5), None)),
    # blanks and garbage
    (None, False, (None, None)), ("", False, (None, None)), ("-", False, (None, None)),
    ("31/02/2025", False, (None, "31/02/2025")),
    ("besok", False, (None, "besok")),
    ("5 Agustos 2025", False, (None, "5 Agustos 2025")),
    (True, False, (None, "TRUE")),
])
def test_parse_date(value: object, date1904: bool, expected: tuple[object, object]) -> None:
    assert parse_date(value, date1904) == expected


@pytest.mark.parametrize(("value", "expected"), [
    ("01-01-2025 s/d 31-12-2025", (D(2025, 1, 1), D(2025, 12, 31), None)),
    ("01-01-2025 s.d. 31-12-2025", (D(2025, 1, 1), D(2025, 12, 31), None)),
    ("01-01-2025 S/D 31-12-2025", (D(2025, 1, 1), D(2025, 12, 31), None)),
    ("1 Januari 2025 sampai dengan 31 Desember 2026", (D(2025, 1, 1), D(2026, 12, 31), None)),
    ("01/01/2025 - 31/12/2025", (D(2025, 1, 1), D(2025, 12, 31), None)),
    ("1 Oktober 2025 s/d 30 September 2026", (D(2025, 10, 1), D(2026, 9, 30), None)),
    ("01/10/2025 to 30/09/2026", (D(2025, 10, 1), D(2026, 9, 30), None)),
    ("01-01-2025s/d31-12-2025", (D(2025, 1, 1), D(2025, 12, 31), None)),
    ("1 Okt 2025 hingga 30 Sep 2026", (D(2025, 10, 1), D(2026, 9, 30), None)),
    ("01-01-2025 s/d ???", (D(2025, 1, 1), None, "01-01-2025 s/d ???")),
    ("01-01-2025", (None, None, "01-01-2025")),
    ("-", (None, None, None)),
    (None, (None, None, None)),
])
def test_parse_date_range(value: object, expected: tuple[object, object, object]) -> None:
    assert parse_date_range(value) == expected


@pytest.mark.parametrize(("value", "expected"), [
    ("Beijing, 12-03-1985", ("Beijing", D(1985, 3, 12), None)),
    ("Beijing 12-03-1985", ("Beijing", D(1985, 3, 12), None)),
    ("Shanghai, 2 Maret 1980", ("Shanghai", D(1980, 3, 2), None)),
    ("New Delhi / 1985-03-12", ("New Delhi", D(1985, 3, 12), None)),
    ("Beijing, 31-02-1985", ("Beijing", None, "31-02-1985")),
    ("Beijing, kemarin", ("Beijing", None, "kemarin")),
    ("Beijing", ("Beijing", None, None)),
    (D(1985, 3, 12), (None, D(1985, 3, 12), None)),
    ("-", (None, None, None)),
])
def test_split_place_date(value: object, expected: tuple[object, object, object]) -> None:
    assert split_place_date(value) == expected


@pytest.mark.parametrize(("serial", "date1904", "expected"), [
    (45874, False, D(2025, 8, 5)), (44412, True, D(2025, 8, 5)), (0, False, None), (0, True, None),
    (3_000_000, False, None), (59, False, D(1900, 2, 28)),
])
def test_excel_serial_to_date(serial: float, date1904: bool, expected: D | None) -> None:
    assert excel_serial_to_date(serial, date1904) == expected


@pytest.mark.parametrize(("value", "expected"), [
    ("Tiongkok", ("CHN", None)), ("RRT", ("CHN", None)), ("republik rakyat tiongkok", ("CHN", None)),
    ("CINA", ("CHN", None)), ("中国", ("CHN", None)), ("Tiongkok (RRT)", ("CHN", None)),
    ("Korsel", ("KOR", None)), ("Korea Selatan", ("KOR", None)), ("Jepang", ("JPN", None)),
    ("Philipina", ("PHL", None)), ("AS", ("USA", None)), ("Inggris Raya", ("GBR", None)),
    ("Viet Nam", ("VNM", None)), ("chn", ("CHN", None)),
    # pycountry fills in what the synonym list lacks: official names and ISO codes
    ("France", ("FRA", None)), ("Russian Federation", ("RUS", None)), ("BRA", ("BRA", None)),
    ("Wakanda", (None, "Wakanda")), ("-", (None, None)), (None, (None, None)),
])
def test_normalize_nationality(value: object, expected: tuple[object, object]) -> None:
    assert normalize_nationality(value) == expected


@pytest.mark.parametrize(("value", "nationality", "expected"), [
    ("e 1234-5678", "CHN", "E12345678"), ("E.1234.5678", "CHN", "E12345678"), (" ea1234567 ", "CHN", "EA1234567"),
    (123456789.0, "GBR", "123456789"),
    (23456789.0, "GBR", "023456789"),   # a numeric cell lost the leading zero
    (3456789.0, "GBR", "003456789"),
    (456789.0, "GBR", "456789"),        # three digits missing is not a lost zero
    (23456789.0, "USA", "023456789"),   # only the all-digit US pattern can match an all-digit value
    (23456789.0, "CHN", "23456789"),    # CHN has no all-digit pattern
    (23456789.0, None, "23456789"),
    ("-", "CHN", None), (None, "CHN", None),
])
def test_normalize_passport(value: object, nationality: str | None, expected: str | None) -> None:
    assert normalize_passport(value, nationality) == expected


@pytest.mark.parametrize(("value", "village", "expected"), [
    ("Tabang", None, ("64.02.12", None)), ("Kec. Tabang", None, ("64.02.12", None)),
    ("KECAMATAN TABANG", None, ("64.02.12", None)), ("kec tabang", None, ("64.02.12", None)),
    ("Sangasanga", None, ("64.02.15", None)), ("Sanga Sanga", None, ("64.02.15", None)),
    ("Sanga-Sanga", None, ("64.02.15", None)), ("Kebang Janggut", None, ("64.02.10", None)),
    ("Marangkayu", None, ("64.02.17", None)), ("Loakulu", None, ("64.02.02", None)),
    ("Tenggarong Seberang", None, ("64.02.16", None)), ("Tenggarong", None, ("64.02.06", None)),
    # seats of the new kecamatan
    ("Kedang Ipil", None, ("64.02.19", None)), ("Tani Bhakti", None, ("64.02.20", None)),
    # old parent name: alone it is the parent; with a village that moved it is the new kecamatan
    ("Kota Bangun", None, ("64.02.08", None)), ("Kota Bangun", "Sedulang", ("64.02.19", None)),
    ("Samboja", "Desa Karya Jaya RT 03", ("64.02.20", None)), ("Samboja", "Desa Sungai Merdeka", ("64.02.13", None)),
    ("64.02.12", None, ("64.02.12", None)), ("64.02.99", None, (None, "64.02.99")),
    ("Balikpapan", None, (None, "Balikpapan")), ("-", None, (None, None)), (None, None, (None, None)),
])
def test_normalize_kecamatan(value: object, village: object, expected: tuple[object, object]) -> None:
    assert normalize_kecamatan(value, village) == expected


@pytest.mark.parametrize(("value", "expected"), [
    ("L", "L"), ("Laki-laki", "L"), ("LAKI LAKI", "L"), ("Pria", "L"), ("Male", "L"), ("M", "L"),
    ("P", "P"), ("perempuan", "P"), ("Wanita", "P"), ("F", "P"), ("x", None), ("-", None), (None, None),
])
def test_normalize_sex(value: object, expected: str | None) -> None:
    assert normalize_sex(value) == expected


@pytest.mark.parametrize(("value", "expected"), [
    ("PT. Karya Sejati", "PT KARYA SEJATI"), ("P.T. Karya Sejati", "PT KARYA SEJATI"),
    ("PT.KARYA SEJATI", "PT KARYA SEJATI"), ("Karya Sejati, PT", "PT KARYA SEJATI"),
    ("KARYA SEJATI PT", "PT KARYA SEJATI"), ("karya  sejati, P.T.", "PT KARYA SEJATI"),
    ("PT Bukit Asam Tbk", "PT BUKIT ASAM TBK"), ("PT. Bukit Asam, Tbk.", "PT BUKIT ASAM TBK"),
    ("Bukit Asam Tbk, PT", "PT BUKIT ASAM TBK"), ("CV. Maju Jaya", "CV MAJU JAYA"),
    ("Maju Jaya, CV", "CV MAJU JAYA"), ("Koperasi Tani Makmur", "KOPERASI TANI MAKMUR"),
    ("PT KARYA ADAPT", "PT KARYA ADAPT"), ("-", None), (None, None),
])
def test_normalize_company_name(value: object, expected: str | None) -> None:
    assert normalize_company_name(value) == expected


@pytest.mark.parametrize(("value", "expected"), [
    ("1234567890123", "1234567890123"), (1234567890123.0, "1234567890123"), ("1234 5678 90123", "1234567890123"),
    (234567890123.0, "0234567890123"), ("234567890123", "234567890123"), ("NIB-ABC", "NIB-ABC"),
    ("-", None), (None, None),
])
def test_normalize_nib(value: object, expected: str | None) -> None:
    assert normalize_nib(value) == expected


@pytest.mark.parametrize(("value", "expected"), [
    ("05100", "05100"), (5100.0, "05100"), (9900, "09900"), ("41011", "41011"), (None, None),
])
def test_normalize_kbli(value: object, expected: str | None) -> None:
    assert normalize_kbli(value) == expected


@pytest.mark.parametrize(("value", "expected"), [
    ("MR GAO XUEFENG", "GAO XUEFENG"), ("Mr. Gao  Xuefeng", "GAO XUEFENG"), ("MRS. LI NA", "LI NA"),
    ("Ms Tanaka Yuki", "TANAKA YUKI"), ("MISS KIM", "KIM"), ("MRINAL SEN", "MRINAL SEN"),
    ("  gao   xue feng ", "GAO XUE FENG"), ("-", None), (None, None),
])
def test_normalize_person_name(value: object, expected: str | None) -> None:
    assert normalize_person_name(value) == expected


@pytest.mark.parametrize(("value", "expected"), [
    ("Istri", "dependant"), ("ANAK", "dependant"), ("Suami TKA", "dependant"), ("Keluarga (pengikut)", "dependant"),
    ("Spouse", "dependant"), ("TKA", "worker"), ("Pekerja", "worker"), ("Anakan", "worker"), (None, "worker"),
    ("-", "worker"), ("Pasangan", "dependant"), ("PENYERTA", "dependant"), ("Pemegang", "worker"),
    ("Daughter", "dependant"), ("Isteri", "dependant"),
])
def test_person_kind(value: object, expected: str) -> None:
    assert person_kind(value) == expected


@pytest.mark.parametrize(("value", "expected"), [
    ("Baru", "baru"), ("PERPANJANGAN", "perpanjangan"), ("Jangka Pendek", "jangka_pendek"),
    ("jangka-pendek", "jangka_pendek"), ("Lainnya", None), (None, None),
])
def test_permit_type(value: object, expected: str | None) -> None:
    assert permit_type(value) == expected


@pytest.mark.parametrize(("value", "expected"), [
    ("Ya", True), ("YA", True), ("Tidak", False), ("tidak", False), (1.0, True), (0.0, False), (True, True),
    ("mungkin", None), (None, None),
])
def test_normalize_yes_no(value: object, expected: bool | None) -> None:
    assert normalize_yes_no(value) == expected
