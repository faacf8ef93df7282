"""The date parser: a table of exact (value, order) -> (date, status) expectations for every form it reads."""

from __future__ import annotations

import datetime as dt

import pytest

from tka.read.dates import (
    DateParse,
    date_statuses,
    excel_serial_to_date,
    infer_order,
    parse_date_range,
    parse_date_value,
    pivot_for,
    split_place_date,
)
from tka.read.normalize import date_words

D = dt.date
MONTHS, PLACEHOLDERS = date_words()
WORDS = {"months": MONTHS, "placeholders": PLACEHOLDERS}
OK, BLANK, PLACEHOLDER, IMPOSSIBLE, UNPARSED = "ok", "blank", "placeholder", "impossible", "unparsed"


@pytest.mark.parametrize(("value", "order", "expected", "status"), [
    # ISO, with and without time
    ("2025-08-05", "DMY", D(2025, 8, 5), OK),
    ("2025-08-05", "MDY", D(2025, 8, 5), OK),
    ("2025-08-05 00:00:00", "DMY", D(2025, 8, 5), OK),
    ("2025-08-05T10:30:15.250", "DMY", D(2025, 8, 5), OK),
    ("2025-08-05T10:30:00+08:00", "DMY", D(2025, 8, 5), OK),
    ("2025-8-5", "DMY", D(2025, 8, 5), OK),
    # y/m/d
    ("1985/03/12", "DMY", D(1985, 3, 12), OK),
    ("1985.03.12", "MDY", D(1985, 3, 12), OK),
    # d/m/y with every separator, 2- and 4-digit years, in both orders
    ("05/08/2025", "DMY", D(2025, 8, 5), OK),
    ("05/08/2025", "MDY", D(2025, 5, 8), OK),
    ("05-08-2025", "DMY", D(2025, 8, 5), OK),
    ("05.08.2025", "DMY", D(2025, 8, 5), OK),
    ("05 08 2025", "DMY", D(2025, 8, 5), OK),
    ("5 / 8 / 2025", "DMY", D(2025, 8, 5), OK),
    ("5/8/25", "DMY", D(2025, 8, 5), OK),
    ("8/5/25", "MDY", D(2025, 8, 5), OK),
    ("12/03/85", "DMY", D(1985, 3, 12), OK),
    ("8/5/2025 12:00:00 AM", "MDY", D(2025, 8, 5), OK),
    ("05/08/2025 13:45", "DMY", D(2025, 8, 5), OK),
    # a reading the order cannot give, with only one possible reading, is taken
    ("25/12/1985", "MDY", D(1985, 12, 25), OK),
    ("12/25/1985", "DMY", D(1985, 12, 25), OK),
    # "d Month y": Indonesian, English, Malay, abbreviations, old spellings, Roman months
    ("5 Agustus 2025", "DMY", D(2025, 8, 5), OK),
    ("5 Agustus 2025", "MDY", D(2025, 8, 5), OK),
    ("05 Agt 2025", "DMY", D(2025, 8, 5), OK),
    ("05 Agu 2025", "DMY", D(2025, 8, 5), OK),
    ("5-Ags-2025", "DMY", D(2025, 8, 5), OK),
    ("5 Agust. 2025", "DMY", D(2025, 8, 5), OK),
    ("12 Mrt 1985", "DMY", D(1985, 3, 12), OK),
    ("1 Peb 1990", "DMY", D(1990, 2, 1), OK),
    ("1 Pebruari 2024", "DMY", D(2024, 2, 1), OK),
    ("10 Nop 1985", "DMY", D(1985, 11, 10), OK),
    ("10 Nopember 1985", "DMY", D(1985, 11, 10), OK),
    ("17 Sept 2025", "DMY", D(2025, 9, 17), OK),
    ("3 Des. 2025", "DMY", D(2025, 12, 3), OK),
    ("3 Okt 2025", "DMY", D(2025, 10, 3), OK),
    ("7 Djuli 1960", "DMY", D(1960, 7, 7), OK),
    ("5 Ogos 2025", "DMY", D(2025, 8, 5), OK),
    ("5 Mac 2025", "DMY", D(2025, 3, 5), OK),
    ("25 Disember 2025", "DMY", D(2025, 12, 25), OK),
    ("05-Aug-25", "DMY", D(2025, 8, 5), OK),
    ("5 AUGUST 2025", "DMY", D(2025, 8, 5), OK),
    ("12-III-1985", "DMY", D(1985, 3, 12), OK),
    ("12/XII/1985", "DMY", D(1985, 12, 12), OK),
    ("1985 Maret 12", "DMY", D(1985, 3, 12), OK),
    # ordinals and weekdays
    ("5th August 2025", "DMY", D(2025, 8, 5), OK),
    ("5th of August 2025", "DMY", D(2025, 8, 5), OK),
    ("ke-5 Agustus 2025", "DMY", D(2025, 8, 5), OK),
    ("Tgl 5 Agustus 2025", "DMY", D(2025, 8, 5), OK),
    ("Selasa, 05 Agustus 2025", "DMY", D(2025, 8, 5), OK),
    ("Jum'at, 8 Agustus 2025", "DMY", D(2025, 8, 8), OK),
    ("Tuesday, 5 August 2025", "DMY", D(2025, 8, 5), OK),
    # "Month d, y"
    ("August 5, 2025", "DMY", D(2025, 8, 5), OK),
    ("Aug 5th, 2025", "MDY", D(2025, 8, 5), OK),
    ("Agustus 5 2025", "DMY", D(2025, 8, 5), OK),
    # compact forms, only when one reading exists
    ("19850312", "DMY", D(1985, 3, 12), OK),
    ("19850312", "MDY", D(1985, 3, 12), OK),
    ("12031985", "DMY", D(1985, 3, 12), OK),
    ("12031985", "MDY", D(1985, 12, 3), OK),
    ("31121985", "MDY", D(1985, 12, 31), OK),
    (19850312, "DMY", D(1985, 3, 12), OK),
    (12031985.0, "DMY", D(1985, 3, 12), OK),
    ("19850231", "DMY", None, IMPOSSIBLE),
    ("20202020", "DMY", None, UNPARSED),
    ("120385", "DMY", None, UNPARSED),
    # Excel serials as numbers and as text; a year alone is no serial
    (45874.0, "DMY", D(2025, 8, 5), OK),
    (45874, "MDY", D(2025, 8, 5), OK),
    (45874.75, "DMY", D(2025, 8, 5), OK),
    ("45874", "DMY", D(2025, 8, 5), OK),
    ("45874.0", "DMY", D(2025, 8, 5), OK),
    (1.0, "DMY", D(1900, 1, 1), OK),
    (59, "DMY", D(1900, 2, 28), OK),
    (60.0, "DMY", None, IMPOSSIBLE),
    ("60", "DMY", None, IMPOSSIBLE),
    (61, "DMY", D(1900, 3, 1), OK),
    (-3.0, "DMY", None, UNPARSED),
    (1985, "DMY", None, UNPARSED),
    ("1985", "DMY", None, UNPARSED),
    (250000, "DMY", None, UNPARSED),
    (float("nan"), "DMY", None, BLANK),
    # cell types
    (dt.datetime(2025, 8, 5, 14, 0), "MDY", D(2025, 8, 5), OK),
    (D(2025, 8, 5), "MDY", D(2025, 8, 5), OK),
    (True, "DMY", None, UNPARSED),
    (dt.time(10, 30), "DMY", None, UNPARSED),
    # impossible: well formed, no such day
    ("31 Pebruari 1973", "DMY", None, IMPOSSIBLE),
    ("29 Pebruari 2023", "DMY", None, IMPOSSIBLE),
    ("29 Februari 2024", "DMY", D(2024, 2, 29), OK),
    ("30/02/1990", "DMY", None, IMPOSSIBLE),
    ("02/30/1990", "MDY", None, IMPOSSIBLE),
    ("30/02/1990", "MDY", None, IMPOSSIBLE),
    ("31-04-2025", "DMY", None, IMPOSSIBLE),
    ("2025-02-30", "DMY", None, IMPOSSIBLE),
    # unparsed: text that is no date
    ("13/13/2025", "DMY", None, UNPARSED),
    ("32/01/2025", "DMY", None, UNPARSED),
    ("00/08/2025", "DMY", None, UNPARSED),
    ("5 Agustos 2025", "DMY", None, UNPARSED),
    ("Agustus 2025", "DMY", None, UNPARSED),
    ("01-01-2025 s/d 31-12-2025", "DMY", None, UNPARSED),
    ("05/08/2025?", "DMY", None, UNPARSED),
    ("5/8/985", "DMY", None, UNPARSED),
    # blanks and placeholders
    (None, "DMY", None, BLANK),
    ("", "DMY", None, BLANK),
    ("   ", "DMY", None, BLANK),
    ("-", "DMY", None, PLACEHOLDER),
    ("--", "DMY", None, PLACEHOLDER),
    ("belum ada", "DMY", None, PLACEHOLDER),
    ("Belum Ada", "DMY", None, PLACEHOLDER),
    ("tidak ada", "DMY", None, PLACEHOLDER),
    ("MENYUSUL", "DMY", None, PLACEHOLDER),
    ("dalam proses", "DMY", None, PLACEHOLDER),
    ("Proses", "DMY", None, PLACEHOLDER),
    ("on process", "DMY", None, PLACEHOLDER),
    ("n/a", "DMY", None, PLACEHOLDER),
    ("TBA", "DMY", None, PLACEHOLDER),
    ("?", "DMY", None, PLACEHOLDER),
    ("kosong", "DMY", None, PLACEHOLDER),
    ("xx-xx-xxxx", "DMY", None, PLACEHOLDER),
    ("0", "DMY", None, PLACEHOLDER),
    (0, "DMY", None, PLACEHOLDER),
    (0.0, "DMY", None, PLACEHOLDER),
    ("00-00-0000", "DMY", None, PLACEHOLDER),
    ("0000-00-00", "DMY", None, PLACEHOLDER),
    ("menyusul (2025)", "DMY", None, PLACEHOLDER),
    ("dalam proses 2025", "DMY", None, PLACEHOLDER),
    ("Proses perpanjangan 2026", "DMY", None, PLACEHOLDER),
])
def test_parse_date_value(value: object, order: str, expected: D | None, status: str) -> None:
    parsed = parse_date_value(value, order=order, **WORDS)  # type: ignore[arg-type]
    assert (parsed.value, parsed.status) == (expected, status)


def test_parse_keeps_the_cell_text() -> None:
    assert parse_date_value("  31  Pebruari 1973 ", **WORDS) == DateParse(None, "impossible", "31 Pebruari 1973")
    assert parse_date_value(45874.0, **WORDS) == DateParse(D(2025, 8, 5), "ok", "45874")
    assert parse_date_value(D(2025, 8, 5), **WORDS) == DateParse(D(2025, 8, 5), "ok", None)


@pytest.mark.parametrize(("value", "date1904", "expected", "status"), [
    (44412.0, True, D(2025, 8, 5), OK),
    ("44412", True, D(2025, 8, 5), OK),
    (60, True, D(1904, 3, 1), OK),  # the phantom leap day exists only in the 1900 system
    (1, True, D(1904, 1, 2), OK),
    (45874.0, False, D(2025, 8, 5), OK),
])
def test_excel_1904_system(value: object, date1904: bool, expected: D, status: str) -> None:
    parsed = parse_date_value(value, date1904=date1904, **WORDS)  # type: ignore[arg-type]
    assert (parsed.value, parsed.status) == (expected, status)


@pytest.mark.parametrize(("serial", "date1904", "expected"), [
    (1, False, D(1900, 1, 1)), (59, False, D(1900, 2, 28)), (60, False, None), (61, False, D(1900, 3, 1)),
    (0, False, None), (0, True, None), (2958465, False, D(9999, 12, 31)), (2958466, False, None),
])
def test_excel_serial_to_date(serial: float, date1904: bool, expected: D | None) -> None:
    assert excel_serial_to_date(serial, date1904) == expected


@pytest.mark.parametrize(("value", "pivot", "expected"), [
    # birth dates in period 2025-08: a two-digit year above 25 is 19yy
    ("12/03/85", 25, D(1985, 3, 12)), ("12/03/26", 25, D(1926, 3, 12)), ("12/03/25", 25, D(2025, 3, 12)),
    ("12/03/05", 25, D(2005, 3, 12)), ("12-Mar-30", 25, D(1930, 3, 12)),
    # permit dates may run beyond the period
    ("31/12/27", 45, D(2027, 12, 31)), ("31/12/46", 45, D(1946, 12, 31)),
    # without a reference year the pivot is 50
    ("1/1/50", 50, D(2050, 1, 1)), ("1/1/51", 50, D(1951, 1, 1)),
])
def test_two_digit_year_pivot(value: str, pivot: int, expected: D) -> None:
    assert parse_date_value(value, century_pivot=pivot, **WORDS).value == expected


def test_pivot_for_reference_year() -> None:
    assert [pivot_for(2025, birth=True), pivot_for(2025, birth=False), pivot_for(None, birth=True),
            pivot_for(2090, birth=False)] == [25, 45, 50, 99]


@pytest.mark.parametrize(("texts", "expected"), [
    (["25/12/1985", "01/02/1990", "5 Agustus 2025"], "DMY"),    # a first part > 12
    (["12/25/1985", "01/02/1990", "3-4-85"], "MDY"),            # a second part > 12
    (["Beijing, 12/25/1985", "Shanghai, 1/2/1990"], "MDY"),     # inside place + date cells
    (["01-01-2025 s/d 31-12-2025"], "DMY"),                     # inside a range
    (["01/02/1990", "03/04/1985", "2025-08-25", "45874"], None),  # no evidence (ISO and serials prove nothing)
    ([], None),
    (["25/12/1985", "12/25/1985"], None),                       # contradicting evidence
    (["13/13/2025", "32/01/2025"], None),                       # not dates: no evidence
])
def test_infer_order(texts: list[str], expected: str | None) -> None:
    assert infer_order(texts) == expected


@pytest.mark.parametrize(("value", "order", "start", "end"), [
    ("01-01-2025 s/d 31-12-2025", "DMY", (D(2025, 1, 1), OK), (D(2025, 12, 31), OK)),
    ("01-01-2025 s.d. 31-12-2025", "DMY", (D(2025, 1, 1), OK), (D(2025, 12, 31), OK)),
    ("01-01-2025 s.d 31-12-2025", "DMY", (D(2025, 1, 1), OK), (D(2025, 12, 31), OK)),
    ("01-01-2025 S/D 31-12-2025", "DMY", (D(2025, 1, 1), OK), (D(2025, 12, 31), OK)),
    ("01-01-2025 sd 31-12-2025", "DMY", (D(2025, 1, 1), OK), (D(2025, 12, 31), OK)),
    ("01-01-2025s/d31-12-2025", "DMY", (D(2025, 1, 1), OK), (D(2025, 12, 31), OK)),
    ("1 Januari 2025 sampai dengan 31 Desember 2026", "DMY", (D(2025, 1, 1), OK), (D(2026, 12, 31), OK)),
    ("01/10/2025 to 30/09/2026", "DMY", (D(2025, 10, 1), OK), (D(2026, 9, 30), OK)),
    ("10/01/2025 to 09/30/2026", "MDY", (D(2025, 10, 1), OK), (D(2026, 9, 30), OK)),
    ("01/01/2025 - 31/12/2025", "DMY", (D(2025, 1, 1), OK), (D(2025, 12, 31), OK)),
    ("2025-01-01 - 2025-12-31", "DMY", (D(2025, 1, 1), OK), (D(2025, 12, 31), OK)),
    ("1 Okt 2025 hingga 30 Sep 2026", "DMY", (D(2025, 10, 1), OK), (D(2026, 9, 30), OK)),
    ("01-01-2025 s/d menyusul", "DMY", (D(2025, 1, 1), OK), (None, PLACEHOLDER)),
    ("01-01-2025 s/d 31-02-2026", "DMY", (D(2025, 1, 1), OK), (None, IMPOSSIBLE)),
    ("01-01-2025 sampai dengan kapan", "DMY", (D(2025, 1, 1), OK), (None, PLACEHOLDER)),
    ("01-01-2025", "DMY", (None, UNPARSED), (None, UNPARSED)),
    ("belum ada", "DMY", (None, PLACEHOLDER), (None, PLACEHOLDER)),
    ("-", "DMY", (None, PLACEHOLDER), (None, PLACEHOLDER)),
    (None, "DMY", (None, BLANK), (None, BLANK)),
    (45874.0, "DMY", (None, UNPARSED), (None, UNPARSED)),
])
def test_parse_date_range(value: object, order: str, start: tuple[object, str], end: tuple[object, str]) -> None:
    got = parse_date_range(value, order=order, **WORDS)  # type: ignore[arg-type]
    assert [(p.value, p.status) for p in got] == [start, end]


@pytest.mark.parametrize(("value", "order", "place", "expected", "status"), [
    ("Beijing, 12-03-1985", "DMY", "Beijing", D(1985, 3, 12), OK),
    ("Beijing 12-03-1985", "DMY", "Beijing", D(1985, 3, 12), OK),
    ("BEIJING 12 MARET 1985", "DMY", "BEIJING", D(1985, 3, 12), OK),
    ("Beijing/12-3-1985", "DMY", "Beijing", D(1985, 3, 12), OK),
    ("Beijing / 12-3-1985", "DMY", "Beijing", D(1985, 3, 12), OK),
    ("Beijing, 3/12/1985", "MDY", "Beijing", D(1985, 3, 12), OK),
    ("New Delhi, March 12, 1985", "DMY", "New Delhi", D(1985, 3, 12), OK),
    ("New Delhi / 1985-03-12", "DMY", "New Delhi", D(1985, 3, 12), OK),
    ("Shanghai, 2 Maret 1980", "DMY", "Shanghai", D(1980, 3, 2), OK),
    ("Shanghai, 2nd March 1980", "DMY", "Shanghai", D(1980, 3, 2), OK),
    ("Ho Chi Minh City 12-Mar-85", "DMY", "Ho Chi Minh City", D(1985, 3, 12), OK),
    ("Beijing, 31-02-1985", "DMY", "Beijing", None, IMPOSSIBLE),
    ("Beijing, kemarin", "DMY", "Beijing", None, PLACEHOLDER),
    ("Beijing, belum ada", "DMY", "Beijing", None, PLACEHOLDER),
    ("Beijing 1985", "DMY", "Beijing", None, UNPARSED),
    ("Beijing", "DMY", "Beijing", None, BLANK),
    ("belum ada", "DMY", None, None, PLACEHOLDER),
    ("-", "DMY", None, None, PLACEHOLDER),
    (D(1985, 3, 12), "DMY", None, D(1985, 3, 12), OK),
    (31120.0, "DMY", None, D(1985, 3, 14), OK),
    (None, "DMY", None, None, BLANK),
])
def test_split_place_date(value: object, order: str, place: str | None, expected: D | None, status: str) -> None:
    got_place, parsed = split_place_date(value, order=order, **WORDS)  # type: ignore[arg-type]
    assert (got_place, parsed.value, parsed.status) == (place, expected, status)


def test_date_statuses_of_a_column_and_of_unparsed_texts() -> None:
    column = ["12/25/1985", "03/04/1990", "belum ada", "02/30/1990", "Agustus 1990", None, 31120.0]
    # the column proves MDY, so 02/30 is an impossible 30 February
    assert date_statuses(column, **WORDS) == [OK, OK, PLACEHOLDER, IMPOSSIBLE, UNPARSED, BLANK, OK]
    assert date_statuses(["30/02/1990", "13/13/1990"], order="DMY", **WORDS) == [IMPOSSIBLE, UNPARSED]
    # F_unparsed texts of a range column: the side decides
    texts = ["01-01-2025 s/d menyusul", "01-01-2025 s/d 31-02-2026", "01-01-2025", None]
    assert date_statuses(texts, part="end", **WORDS) == [PLACEHOLDER, IMPOSSIBLE, UNPARSED, BLANK]
    assert date_statuses(texts, part="start", **WORDS) == [OK, OK, UNPARSED, BLANK]
    # without a side, a range text counts by its worse side and a lone date is a date
    assert date_statuses(texts, **WORDS) == [PLACEHOLDER, IMPOSSIBLE, OK, BLANK]
