"""Canonical columns of a sheet: the day/month order of each date column comes from its own texts."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from pathlib import Path

from tka.read import ReadResult
from tka.read.rows import column_orders, path_period_year

from .conftest import PERIOD, write_xlsx

D = dt.date
Reader = Callable[..., ReadResult]
HEADER = ["No", "Nama", "No. Paspor", "Kewarganegaraan", "No. KITAS", "Tgl Lahir", "Tgl Awal KITAS",
          "Tgl Akhir KITAS"]
DATES = ["row_number", "birth_date", "birth_date_unparsed", "kitas_start", "kitas_start_unparsed", "kitas_end",
         "kitas_end_unparsed"]


def _row(i: int, birth: object, start: object, end: object) -> list[object]:
    return [i, f"WORKER {i}", f"E1234567{i}", "RRT", f"2D456451{i}LA8-B", birth, start, end]


def test_us_style_birth_date_column_parses_every_row(drive: Path, read_one: Reader) -> None:
    # One agency's clerk types birth dates month first; its KITAS start column is day first; the end column
    # proves nothing and the sheet's evidence contradicts itself, so it keeps the Indonesian default.
    rows = [HEADER,
            _row(1, "12/25/1985", "25/08/2025", "01/02/2026"),
            _row(2, "03/04/1990", "05/08/2025", "04/08/2026"),
            _row(3, "7/4/79", "1/8/2025", "02/03/2026"),
            _row(4, "01/02/1988", "13/08/2025", "5 Agustus 2026"),
            _row(5, "02/30/1990", "12/08/2025", "belum ada"),
            _row(6, dt.date(1980, 6, 1), "-", "8/1/27")]
    write_xlsx(drive / PERIOD / "imigrasi" / "us.xlsx", {"Data": rows})
    result = read_one("imigrasi/us.xlsx")
    assert result.quarantine is None, result.detail
    # "belum ada" is no date: the reader empties it as a placeholder, not as an unreadable date
    assert result.rows["kitas_end_placeholder"].tolist() == [None, None, None, None, "belum ada", None]
    assert result.rows[DATES].to_dict("records") == [
        {"row_number": 2, "birth_date": D(1985, 12, 25), "birth_date_unparsed": None,
         "kitas_start": D(2025, 8, 25), "kitas_start_unparsed": None,
         "kitas_end": D(2026, 2, 1), "kitas_end_unparsed": None},
        {"row_number": 3, "birth_date": D(1990, 3, 4), "birth_date_unparsed": None,
         "kitas_start": D(2025, 8, 5), "kitas_start_unparsed": None,
         "kitas_end": D(2026, 8, 4), "kitas_end_unparsed": None},
        # "79" is a birth year before the period's "25": 1979; "27" in a permit column is 2027
        {"row_number": 4, "birth_date": D(1979, 7, 4), "birth_date_unparsed": None,
         "kitas_start": D(2025, 8, 1), "kitas_start_unparsed": None,
         "kitas_end": D(2026, 3, 2), "kitas_end_unparsed": None},
        {"row_number": 5, "birth_date": D(1988, 1, 2), "birth_date_unparsed": None,
         "kitas_start": D(2025, 8, 13), "kitas_start_unparsed": None,
         "kitas_end": D(2026, 8, 5), "kitas_end_unparsed": None},
        {"row_number": 6, "birth_date": None, "birth_date_unparsed": "02/30/1990",
         "kitas_start": D(2025, 8, 12), "kitas_start_unparsed": None,
         "kitas_end": None, "kitas_end_unparsed": None},
        {"row_number": 7, "birth_date": D(1980, 6, 1), "birth_date_unparsed": None,
         "kitas_start": None, "kitas_start_unparsed": None,
         "kitas_end": D(2027, 1, 8), "kitas_end_unparsed": None}]


def test_a_column_without_evidence_follows_the_sheet(drive: Path, read_one: Reader) -> None:
    rows = [HEADER,
            _row(1, "12/25/1985", "08/01/2025", "07/31/2026"),
            _row(2, "Beijing", "08/05/2025", "08/04/2026"),
            _row(3, "3/4/1990", "08/12/2025", None)]
    write_xlsx(drive / PERIOD / "imigrasi" / "us2.xlsx", {"Data": rows})
    result = read_one("imigrasi/us2.xlsx")
    assert result.rows[["birth_date", "birth_date_unparsed", "kitas_start", "kitas_end"]].to_dict("records") == [
        {"birth_date": D(1985, 12, 25), "birth_date_unparsed": None, "kitas_start": D(2025, 8, 1),
         "kitas_end": D(2026, 7, 31)},
        {"birth_date": None, "birth_date_unparsed": "Beijing", "kitas_start": D(2025, 8, 5),
         "kitas_end": D(2026, 8, 4)},
        {"birth_date": D(1990, 3, 4), "birth_date_unparsed": None, "kitas_start": D(2025, 8, 12),
         "kitas_end": None}]


def test_us_style_place_date_and_range_columns(drive: Path, read_one: Reader) -> None:
    rows = [["No", "Nama", "Paspor", "WN", "Tempat/Tgl Lahir", "No. KITAS", "Masa Berlaku RPTKA"],
            [1, "GAO XUEFENG", "E12345678", "RRT", "Beijing, 03/12/1985", "2D4564511LA8-B",
             "01/01/2025 s/d 12/31/2025"],
            [2, "WANG LI", "E12345679", "RRT", "Shanghai, 12/25/1987", "2D4564511LA8-C",
             "02/01/2025 s/d 01/31/2027"]]
    write_xlsx(drive / PERIOD / "imigrasi" / "ttl.xlsx", {"ITAS": rows})
    result = read_one("imigrasi/ttl.xlsx")
    assert result.rows[["birth_place", "birth_date", "rptka_start", "rptka_end"]].to_dict("records") == [
        {"birth_place": "Beijing", "birth_date": D(1985, 3, 12), "rptka_start": D(2025, 1, 1),
         "rptka_end": D(2025, 12, 31)},
        {"birth_place": "Shanghai", "birth_date": D(1987, 12, 25), "rptka_start": D(2025, 2, 1),
         "rptka_end": D(2027, 1, 31)}]


def test_column_orders() -> None:
    cells: dict[str, list[object]] = {
        "birth_date": ["12/25/1985", "01/02/1990"], "kitas_start": ["25/08/2025"], "kitas_end": ["01/02/2026"],
        "passport_expiry": [45874.0, None], "name": ["13/25/2020"]}
    assert column_orders(cells) == {"birth_date": "MDY", "kitas_start": "DMY", "kitas_end": "DMY",
                                    "passport_expiry": "DMY"}
    assert column_orders({"birth_date": ["12/25/1985"], "kitas_end": ["01/02/2026"]}) == {
        "birth_date": "MDY", "kitas_end": "MDY"}


def test_path_period_year() -> None:
    assert [path_period_year("2025-08/imigrasi/a.xlsx"), path_period_year("tka/1999-12/x 2025-08.xlsx"),
            path_period_year("imigrasi/a.xlsx"), path_period_year("2025-13/a.xlsx")] == [2025, 1999, None, None]
