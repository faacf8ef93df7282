"""Issue 13 acceptance on a real run: a file rewritten the way another clerk would write it loses no worker.

The kukar sample is ingested once. Then one company report is written again from the rows the warehouse holds,
as a different office would type it: header spellings no synonym lists, no position column, an extra column,
nationalities as office abbreviations, placeholders in the passport column, a birth date in the future and an
unknown kecamatan. The second run must count exactly the same workers and rows, put every row of that file on
the same worker as before, and name every change it made to the data (file, sheet, row, column).
"""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import Any

import openpyxl
import pytest

from flows.monthly_ingest import monthly_ingest
from tka.sample import generate_drive
from tka.warehouse import make_engine, period_snapshot

PERIOD = "2025-08"
SEED = 11
pytestmark = pytest.mark.slow
HEADERS = ["No.", "Nama Tenaga Kerja Asing Lengkap", "No. Paspor/Passport No", "Kewarganeg.",
           "Tanggal Lahir (DD-MM-YYYY)", "Kecamatan Lokasi Kerja", "Agama"]
ABBREVIATIONS = {"CHN": "RRC", "KOR": "Korsel", "JPN": "JPN", "IND": "IND", "MYS": "MAS", "PHL": "PHI",
                 "AUS": "Australia", "USA": "AS", "GBR": "Inggris", "DEU": "GER", "NLD": "NED", "SGP": "SIN"}


@pytest.fixture(scope="module")
def sample(tmp_path_factory) -> Path:
    root = tmp_path_factory.mktemp("kukar")
    generate_drive(PERIOD, "kukar", SEED, root / "drive", root / "truth.json")
    return root / "drive"


def _ingest(drive: Path, url: str) -> dict[str, Any]:
    return monthly_ingest(period=PERIOD, drive_url=str(drive), warehouse_url=url, dry_run_alerts=True)


def _snapshot(url: str) -> dict[str, list[dict[str, Any]]]:
    engine = make_engine(url)
    try:
        return period_snapshot(engine, PERIOD)
    finally:
        engine.dispose()


def _pick(snap: dict[str, list[dict[str, Any]]]) -> tuple[str, list[dict[str, Any]]]:
    """The company xlsx file with the most accepted worker rows that all carry a passport and a birth date."""
    by_file: dict[str, list[dict[str, Any]]] = {}
    for r in snap["source_record"]:
        by_file.setdefault(r["file_path"], []).append(r)
    candidates = [(path, rows) for path, rows in by_file.items()
                  if "/perusahaan/" in path and path.endswith(".xlsx") and len(rows) >= 6
                  and all(r["status"] == "accepted" and r["person_kind"] == "worker" and r["passport_no"]
                          and r["birth_date"] and r["nationality"] in ABBREVIATIONS for r in rows)]
    assert candidates, "the sample has no company file to rewrite"
    return max(candidates, key=lambda c: (len(c[1]), c[0]))


def _rewrite(path: Path, rows: list[dict[str, Any]]) -> dict[str, Any]:
    """Write the file as another clerk would; return what was planted where (Excel row numbers)."""
    rows = sorted(rows, key=lambda r: (r["sheet"], r["row_number"]))
    book = openpyxl.Workbook()
    ws = book.active
    ws.title = "Data TKA"
    ws.append(["LAPORAN TENAGA KERJA ASING"])
    ws.append([])
    ws.append(HEADERS)
    planted: dict[str, Any] = {"placeholder": {}, "future": {}, "kecamatan": {}}
    for n, r in enumerate(rows, start=1):
        excel_row = 3 + n
        passport = r["passport_raw"] or r["passport_no"]
        born = r["birth_date"].strftime("%d-%m-%Y")
        kecamatan = r["kecamatan_raw"] or r["kecamatan_code"] or "Tenggarong"
        if n in (1, 2):  # passports "not yet": the name and birth date still identify the person
            passport = ["BELUM ADA", "- dalam proses -"][n - 1]
            planted["placeholder"][excel_row] = passport
        if n == 3:
            born = "12-03-2085"
            planted["future"][excel_row] = r["birth_date"]
        if n == 4:
            kecamatan = "Kecamatan Atlantis"
            planted["kecamatan"][excel_row] = kecamatan
        ws.append([n, r["name_raw"] or r["name"], passport, ABBREVIATIONS[r["nationality"]], born, kecamatan,
                   "Buddha"])
    book.save(path)
    return planted


def test_a_file_written_by_another_clerk_loses_no_worker(sample, tmp_path, warehouse_url, prefect_harness):
    drive = tmp_path / "drive"
    shutil.copytree(sample, drive)
    first = _ingest(drive, warehouse_url)
    before = _snapshot(warehouse_url)
    path, rows = _pick(before)
    planted = _rewrite(drive / path, rows)

    second = _ingest(drive, warehouse_url)
    after = _snapshot(warehouse_url)

    # Nothing lost, nothing invented: the same workers and rows; the file is read, not quarantined.
    assert (second["workers"], second["rows_total"], second["rows_rejected"]) == (
        first["workers"], first["rows_total"], first["rows_rejected"])
    assert second["files_quarantined"] == first["files_quarantined"]
    new_rows = sorted((r for r in after["source_record"] if r["file_path"] == path), key=lambda r: r["row_number"])
    assert [r["row_number"] for r in new_rows] == list(range(4, 4 + len(rows)))
    # every row on the same person as before: with the same records of the other files (ids may differ: a
    # new worker's id comes from its smallest record key, and this file's keys changed with its content)
    def partners(snap: dict[str, list[dict[str, Any]]], worker_id: str) -> list[str]:
        return sorted(r["record_key"] for r in snap["source_record"]
                      if r["worker_id"] == worker_id and r["file_path"] != path)

    old_rows = sorted(rows, key=lambda r: (r["sheet"], r["row_number"]))
    assert [partners(after, r["worker_id"]) for r in new_rows] == [partners(before, r["worker_id"]) for r in old_rows]
    assert len({r["worker_id"] for r in new_rows}) == len({r["worker_id"] for r in old_rows})
    assert all(r["status"] == "accepted" for r in new_rows)
    assert [r["nationality"] for r in new_rows] == [r["nationality"] for r in old_rows]

    # Every change to the data is an issue naming file, sheet, row and column, with what was typed.
    issues = {(i["sheet"], i["row_number"], i["column"], i["rule"]): i for i in after["validation_issue"]
              if i["file_path"] == path}
    for row, text in planted["placeholder"].items():
        issue = issues[("Data TKA", row, "passport_no", "placeholder_value")]
        assert issue["raw_value"] == text and issue["header"] == "No. Paspor/Passport No"
        assert new_rows[row - 4]["passport_no"] is None
    for row in planted["future"]:
        assert issues[("Data TKA", row, "birth_date", "age_out_of_range")]["raw_value"] == "12-03-2085"
        assert new_rows[row - 4]["birth_date"] is None
    for row, text in planted["kecamatan"].items():
        assert issues[("Data TKA", row, "kecamatan_code", "kecamatan_unknown")]["raw_value"] == text
        assert new_rows[row - 4]["kecamatan_code"] is None
    assert {k[3] for k in issues if k[1] is not None} <= {"placeholder_value", "age_out_of_range",
                                                          "kecamatan_unknown", "passport_format", "permit_expired"}
    layout = sorted((i["rule"], i["header"], i["column"]) for i in after["validation_issue"]
                    if i["file_path"] == path and i["row_number"] is None)
    assert layout == sorted([
        ("header_guessed", "Nama Tenaga Kerja Asing Lengkap", "name"),
        ("header_guessed", "No. Paspor/Passport No", "passport_no"),
        ("header_guessed", "Kewarganeg.", "nationality"),
        ("header_guessed", "Kecamatan Lokasi Kerja", "kecamatan"),
        ("column_missing", None, "position"),
        ("column_unexpected", "Agama", None),
    ])
    # no row is told its position is empty: the missing column is said once, for the file
    assert not [k for k in issues if k[3] == "required_field" and k[2] == "position"]
    assert second["headers_guessed"] == first["headers_guessed"] + 4  # "(DD-MM-YYYY)" aside, a synonym
    assert second["columns_missing"] == first["columns_missing"] + 1
