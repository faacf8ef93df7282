"""Grid loading details: CSV decoding and delimiter sniffing, calamine grids with Excel row numbers."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from tka.read import ReadLimits
from tka.read.workbook import decode_text, load_book, read_csv_grid, sniff_delimiter

from .conftest import write_xlsx


@pytest.mark.parametrize(("data", "text"), [
    ("Nama;Café".encode("utf-8-sig"), "Nama;Café"), ("Nama;Café".encode("utf-16"), "Nama;Café"),
    ("Nama;Café".encode("utf-16-be").join([b"\xfe\xff", b""]), "Nama;Café"),
    ("Nama;Café".encode(), "Nama;Café"), ("Nama;Café".encode("cp1252"), "Nama;Café"),
])
def test_decode_text(data: bytes, text: str) -> None:
    assert decode_text(data) == text


@pytest.mark.parametrize(("text", "delimiter"), [
    ("Nama;Paspor;WN\nA;E1;RRT\n", ";"), ("Nama,Paspor,WN\nA,E1,RRT\n", ","), ("Nama\tPaspor\nA\tE1\n", "\t"),
    ('Nama;"Alamat, Jalan"\nA;"Jl. X, 1"\n', ";"), ("Nama\n", ","),
])
def test_sniff_delimiter(text: str, delimiter: str) -> None:
    assert sniff_delimiter(text) == delimiter


def test_csv_grid_strips_cells_and_numbers_lines() -> None:
    sheet = read_csv_grid(b"Judul\n\nNama ; Paspor\n GAO ;E1\n", "2025-08/imigrasi/kitas.csv", ReadLimits())
    assert sheet.name == "kitas"
    assert sheet.rows == [["Judul", ""], ["", ""], ["Nama", "Paspor"], ["GAO", "E1"]]  # padded to one width
    assert [sheet.row_number(i) for i in range(4)] == [1, 2, 3, 4]


def test_calamine_grid_keeps_excel_row_numbers_and_types(tmp_path: Path) -> None:
    path = write_xlsx(tmp_path / "a.xlsx", {"S": [[], [], [None, "x", 12, dt.date(2025, 8, 5), True]]},
                      merges=[("S", "B1:C1", "GRUP")])
    book = load_book(path.read_bytes(), "xlsx", "a.xlsx", ReadLimits(), lambda name: None)
    [sheet] = book.sheets
    assert book.engine == "calamine"
    assert sheet.rows == [["", "GRUP", "", "", ""], ["", "", "", "", ""], ["", "x", 12.0, dt.date(2025, 8, 5), True]]
    assert sheet.merges == [((0, 1), (0, 2))]
    assert sheet.row_number(2) == 3


def test_skip_filter_prevents_loading(tmp_path: Path) -> None:
    path = write_xlsx(tmp_path / "a.xlsx", {"Rekap": [["x"]], "Data": [["y"]]})
    book = load_book(path.read_bytes(), "xlsx", "a.xlsx", ReadLimits(),
                     lambda name: "summary" if name == "Rekap" else None)
    assert [(s.name, s.skipped, s.rows) for s in book.sheets] == [("Rekap", "summary", []), ("Data", None, [["y"]])]
