"""Header detection and row classification on small in-memory grids."""

from __future__ import annotations

import datetime as dt

import pytest

from tka.read import SourcesConfig
from tka.read.headers import detect_header, match_field, row_kind


def _fields(header: object) -> dict[str, str]:
    return {header.texts[c]: f for c, f in header.fields.items()}  # type: ignore[attr-defined]


def test_single_row_header_below_title_rows(config: SourcesConfig) -> None:
    grid: list[list[object]] = [
        ["DATA TENAGA KERJA ASING", "", ""],
        ["KABUPATEN KUTAI KARTANEGARA BULAN AGUSTUS 2025", "", ""],
        ["", "", ""],
        ["No.", "Nama TKA", "No. Paspor", "Kebangsaan", "Kolom Baru"],
        [1.0, "GAO", "E12345678", "RRT", "x"],
    ]
    header = detect_header(grid, [], config.header_lookup)
    assert header is not None
    assert header.rows == (3,)
    assert _fields(header) == {"No.": "row_no", "Nama TKA": "name", "No. Paspor": "passport_no",
                               "Kebangsaan": "nationality"}
    assert header.unexpected == ("Kolom Baru",)
    assert header.first_data_row == 4


def test_two_row_group_header_from_merge_ranges(config: SourcesConfig) -> None:
    grid: list[list[object]] = [
        ["NO", "NAMA", "PASPOR", "", "KEWARGANEGARAAN"],
        ["", "", "Nomor", "Masa Berlaku", ""],
        [1.0, "GAO", "E12345678", dt.date(2030, 1, 1), "RRT"],
    ]
    merges = [((0, 2), (0, 3)), ((0, 0), (1, 0)), ((0, 1), (1, 1)), ((0, 4), (1, 4))]
    header = detect_header(grid, merges, config.header_lookup)
    assert header is not None and header.rows == (0, 1)
    assert _fields(header) == {"NO": "row_no", "NAMA": "name", "PASPOR Nomor": "passport_no",
                               "PASPOR Masa Berlaku": "passport_expiry", "KEWARGANEGARAAN": "nationality"}


def test_two_row_group_header_value_then_blanks_without_merge_info(config: SourcesConfig) -> None:
    # ODS/CSV exports lose merge ranges: the group text sits in its first column only.
    grid: list[list[object]] = [
        ["NO", "NAMA", "KEWARGANEGARAAN", "KITAS", "", "", "RPTKA", ""],
        ["", "", "", "Nomor", "Tanggal Awal", "Tanggal Akhir", "Nomor", "Tanggal"],
        [1.0, "GAO", "RRT", "2D4564511LA8-B", "01/01/2025", "31/12/2025", "B.3/1/PK.04.00/I/2025", "01/01/2025"],
    ]
    header = detect_header(grid, [], config.header_lookup)
    assert header is not None and header.rows == (0, 1)
    assert _fields(header) == {"NAMA": "name", "KEWARGANEGARAAN": "nationality", "KITAS Nomor": "kitas_no",
                               "KITAS Tanggal Awal": "kitas_start", "KITAS Tanggal Akhir": "kitas_end",
                               "RPTKA Nomor": "rptka_no", "RPTKA Tanggal": "rptka_start", "NO": "row_no"}


def test_column_number_row_does_not_make_a_two_row_header(config: SourcesConfig) -> None:
    grid: list[list[object]] = [["NO", "NAMA", "PASPOR", "WN"], ["(1)", "(2)", "(3)", "(4)"], [1.0, "A", "E1", "RRT"]]
    header = detect_header(grid, [], config.header_lookup)
    assert header is not None and header.rows == (0,)


def test_no_header_when_fewer_than_two_fields(config: SourcesConfig) -> None:
    grid: list[list[object]] = [["Catatan rapat"], ["Nama", "Hadir"], ["Budi", "Ya"]]
    assert detect_header(grid, [], config.header_lookup) is None


def test_header_beyond_scan_window_is_not_found(config: SourcesConfig) -> None:
    grid: list[list[object]] = [["judul"]] * 5 + [["Nama", "Paspor", "WN"]]
    assert detect_header(grid, [], config.header_lookup, scan_rows=5) is None
    assert detect_header(grid, [], config.header_lookup, scan_rows=6) is not None


@pytest.mark.parametrize(("text", "expected"), [
    ("No. Paspor", "passport_no"), ("NO PASPOR", "passport_no"), ("no_paspor", "passport_no"),
    ("Nama TKA (sesuai paspor)", "name"), ("Kewarganegaraan *", "nationality"), ("Nama (Aksara Asli)", "name_native"),
    ("Tempat/Tgl Lahir", "birth_place_date"), ("Jumlah RPTKA", None), ("", None), ("#", "row_no"),
])
def test_match_field(config: SourcesConfig, text: str, expected: str | None) -> None:
    assert match_field(text, config.header_lookup) == expected


@pytest.mark.parametrize(("row", "expected"), [
    (["", "", None], "blank"),
    (["-", " ", "n/a"], "blank"),
    ([3.0, "-", "-"], "numbers"),
    (["JUMLAH", "", 12.0], "total"),
    (["", "Total TKA", 3.0], "total"),
    (["Sub Total PT A", "", 3.0], "total"),
    (["SUBTOTAL", 2.0], "total"),
    (["(1)", "(2)", "(3)"], "numbers"),
    ([1.0, 2.0, 3.0, 4.0], "numbers"),
    (["", "", "Tenggarong, 5 Agustus 2025"], "signature"),
    (["", "Tenggarong, 05-08-2025"], "signature"),
    (["Mengetahui,"], "signature"),
    (["", "", "Kepala Dinas Tenaga Kerja"], "signature"),
    (["NIP. 19600417 198503 2 002"], "signature"),
    (["a.n. Camat Tabang"], "signature"),
    ([1.0, "GAO XUEFENG", "E12345678", "RRT"], "data"),
    (["GAO XUEFENG", "RRT"], "data"),
    (["NO", "NAMA"], "repeat_header"),
    (["", "PT KARYA SEJATI", "", ""], "section"),
    (["1. P.T. Karya Sejati"], "section"),
    (["Desa Sedulang"], "section"),
    (["GAO XUEFENG", "", "-"], "data"),  # a person with nothing but a name is still a person
    (["PT KARYA SEJATI", "GAO"], "data"),
])
def test_row_kind(row: list[object], expected: str) -> None:
    assert row_kind(row, frozenset({("NO", "NAMA")})) == expected


def test_row_kind_merged_label_is_a_section() -> None:
    assert row_kind(["", "KARYA SEJATI", "", ""], merged=True) == "section"
    assert row_kind(["", "KARYA SEJATI", "", ""]) == "data"


def test_merge_beyond_the_grid_is_ignored(config: SourcesConfig) -> None:
    grid: list[list[object]] = [["Nama", "Paspor", "WN"], ["GAO", "E1", "RRT"]]
    header = detect_header(grid, [((1, 0), (9, 2)), ((40, 0), (41, 1))], config.header_lookup)
    assert header is not None and header.rows == (0,)
