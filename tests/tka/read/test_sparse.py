"""Sizing sheets by present cells: the regex scan agrees with the XML walk; sparse grids keep true row numbers."""

from __future__ import annotations

import datetime as dt
import io
import zipfile

import pytest

from tka.read import sparse

from .corpus.make import HEADER, ROWS, openpyxl_xlsx, rewrite_zip, with_dimension, xlsxwriter_xlsx


def _scans(data: bytes, max_rows: int = 100_000, max_cols: int = 256) -> tuple[object, object]:
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        (sheet,) = sparse.xlsx_layout(archive).sheets
        return (sparse.scan_xlsx_sheet(archive, sheet.part, max_rows, max_cols),
                sparse.scan_xlsx_sheet_xml(archive, sheet.part, max_rows, max_cols))


@pytest.mark.parametrize("data", [
    openpyxl_xlsx([HEADER, *ROWS]), xlsxwriter_xlsx([HEADER, *ROWS]),
    with_dimension(openpyxl_xlsx([HEADER, *ROWS], {"XFD1048576": "x"}), "A1:H2"),
], ids=["openpyxl", "xlsxwriter", "far-cell"])
def test_regex_scan_agrees_with_the_xml_walk(data: bytes) -> None:
    fast, walked = _scans(data)
    assert (fast.extent_rows, fast.extent_cols) == (walked.extent_rows, walked.extent_cols)
    if fast.extent_rows > 100_000:  # beyond the limits: valued cells are counted by both
        assert (fast.present_rows, fast.present_cols) == (walked.present_rows, walked.present_cols) == (4, 6)


def test_far_cell_extent_and_present_cells() -> None:
    fast, _ = _scans(with_dimension(openpyxl_xlsx([HEADER, *ROWS], {"XFD1048576": "x"}), "A1:H2"))
    assert (fast.extent_rows, fast.extent_cols, fast.present_rows, fast.present_cols) == (1048576, 16384, 4, 6)


def test_cells_without_reference_are_walked() -> None:
    def drop_refs(name: str, content: bytes) -> tuple[str, bytes]:
        if name == "xl/worksheets/sheet1.xml":
            import re

            content = re.sub(rb'<c r="[A-Z]+\d+"', b"<c", content)
        return name, content

    fast, walked = _scans(rewrite_zip(openpyxl_xlsx([HEADER, *ROWS]), drop_refs))
    assert fast == walked
    assert (fast.extent_rows, fast.extent_cols) == (3, 5)


def test_compact_keeps_true_row_numbers_and_drops_empty_columns() -> None:
    grid, numbers = sparse.compact({1: {1: "Nama", 5: "Paspor"}, 7: {1: "", 3: ""}, 900: {1: "GAO", 5: "E1"}})
    assert (grid, numbers) == ([["Nama", "Paspor"], ["GAO", "E1"]], [1, 900])


def test_excel_serial_in_both_date_systems() -> None:
    assert sparse.excel_serial(45900, date1904=False) == dt.date(2025, 8, 31)
    assert sparse.excel_serial(45900 - 1462, date1904=True) == dt.date(2025, 8, 31)
    assert sparse.excel_serial(45900.5, date1904=False) == dt.datetime(2025, 8, 31, 12, 0)
