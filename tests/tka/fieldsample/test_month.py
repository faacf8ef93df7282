"""The field month writer: deterministic, truthful about every data row, messy in the ways it promises."""

from __future__ import annotations

import csv
import hashlib
import io
import json
from collections import Counter
from pathlib import Path
from typing import Any

import openpyxl
import pytest
import xlrd

from tka.fieldsample import generate_field_month
from tka.fieldsample.spelling import PLACEHOLDERS

PERIOD = "2025-08"


@pytest.fixture(scope="module")
def month(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict[str, Any]]:
    out = tmp_path_factory.mktemp("field")
    truth = generate_field_month(PERIOD, "kukar", 11, out / "drive", out / "truth.json")
    return out / "drive", truth


def _digests(drive: Path) -> dict[str, str]:
    return {str(p.relative_to(drive)): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(drive.rglob("*")) if p.is_file()}


def _sheet_rows(path: Path, entry: dict[str, Any]) -> dict[tuple[str, int], list[str]]:
    """(sheet, Excel row) -> the row's non-empty cells as text."""
    rows: dict[tuple[str, int], list[str]] = {}
    if entry["format"] == "xlsx":
        book = openpyxl.load_workbook(path, read_only=True, data_only=True)
        for ws in book.worksheets:
            for r, values in enumerate(ws.iter_rows(values_only=True), start=1):
                rows[(ws.title, r)] = [str(v) for v in values if v not in (None, "")]
        book.close()
    elif entry["format"] == "xls":
        book = xlrd.open_workbook(str(path))
        for ws in book.sheets():
            for r in range(ws.nrows):
                rows[(ws.name, r + 1)] = [str(v) for v in ws.row_values(r) if v not in (None, "")]
    else:
        text = path.read_bytes().decode(entry["encoding"])
        for r, values in enumerate(csv.reader(io.StringIO(text), delimiter=entry["delimiter"]), start=1):
            rows[("", r)] = [v for v in values if v]
    return rows


def test_same_seed_gives_byte_identical_files_and_truth(tmp_path: Path, month: tuple[Path, dict[str, Any]]) -> None:
    drive, truth = month
    again = generate_field_month(PERIOD, "kukar", 11, tmp_path / "drive", tmp_path / "truth.json")
    assert _digests(tmp_path / "drive") == _digests(drive)
    assert json.dumps(again, sort_keys=True) == json.dumps(truth, sort_keys=True)


def test_every_data_row_is_in_the_truth_at_its_sheet_and_row(month: tuple[Path, dict[str, Any]]) -> None:
    drive, truth = month
    persons = truth["persons"]
    checked = 0
    for entry in truth["files"]:
        path = drive / entry["path"]
        if entry["quarantine"]:
            assert entry["rows"] == []
            assert path.stat().st_size == 0 or path.read_bytes().startswith(b"%PDF")
            continue
        rows = _sheet_rows(path, entry)
        if entry["source_kind"] == "registry":
            for r in entry["rows"]:
                assert r["nib"] in rows[(r["sheet"], r["row"])]
            continue
        in_file = {persons[r["person_id"]]["name"].split()[-1] for r in entry["rows"]}
        in_file |= {persons[r["person_id"]]["name"].split()[0] for r in entry["rows"]}
        truth_keys = {(r["sheet"], r["row"]) for r in entry["rows"]}
        for r in entry["rows"]:
            text = " ".join(rows[(r["sheet"], r["row"])]).upper()
            tokens = persons[r["person_id"]]["name"].split()
            assert tokens[0] in text or tokens[-1] in text, (entry["path"], r)
            checked += 1
        # every other row (titles, headers, totals, signatures, instructions) names none of the file's people
        for key, cells in rows.items():
            if key not in truth_keys:
                words = set(" ".join(cells).upper().replace(",", " ").split())
                assert not words & in_file, (entry["path"], key, cells)
    assert checked == truth["expected"]["rows_total"]


def test_placeholders_are_on_rows_of_many_different_people(month: tuple[Path, dict[str, Any]]) -> None:
    drive, truth = month
    holders: Counter[str] = Counter()
    people: dict[str, set[str]] = {}
    for entry in truth["files"]:
        header = entry.get("columns", {}).get("passport")
        if not header or entry["quarantine"]:
            continue
        rows = _raw_rows(drive / entry["path"], entry)
        column = _column_of(rows, entry)
        for r in entry["rows"]:
            value = rows[(r["sheet"], r["row"])][column]
            if value in PLACEHOLDERS:
                holders[value] += 1
                people.setdefault(value, set()).add(r["person_id"])
    assert sum(holders.values()) >= 40
    assert len(holders) >= 8
    for value, n in holders.items():
        assert len(people[value]) >= n - 1, value  # at most a pasted duplicate row repeats a person


def _raw_rows(path: Path, entry: dict[str, Any]) -> dict[tuple[str, int], list[Any]]:
    rows: dict[tuple[str, int], list[Any]] = {}
    if entry["format"] == "xlsx":
        book = openpyxl.load_workbook(path, read_only=True)
        for ws in book.worksheets:
            for r, values in enumerate(ws.iter_rows(values_only=True), start=1):
                rows[(ws.title, r)] = list(values)
        book.close()
    elif entry["format"] == "xls":
        book = xlrd.open_workbook(str(path))
        for ws in book.sheets():
            for r in range(ws.nrows):
                rows[(ws.name, r + 1)] = ws.row_values(r)
    else:
        text = path.read_bytes().decode(entry["encoding"])
        for r, values in enumerate(csv.reader(io.StringIO(text), delimiter=entry["delimiter"]), start=1):
            rows[("", r)] = values
    return rows


def _column_of(rows: dict[tuple[str, int], list[Any]], entry: dict[str, Any]) -> int:
    """Index of the passport column: the header (last part after a group) on the row above the data."""
    header = entry["columns"]["passport"].split(" / ")[-1]
    sheet = entry["rows"][0]["sheet"]
    for r in range(1, entry["rows"][0]["row"]):
        cells = rows.get((sheet, r), [])
        if header in cells:
            return cells.index(header)
    header = header.replace("\n", " ")
    return rows[(sheet, 1)].index(header)


def test_files_of_one_company_hold_different_people_and_a_revision_replaces_one(
        month: tuple[Path, dict[str, Any]]) -> None:
    _, truth = month
    by_source: dict[str, list[dict[str, Any]]] = {}
    for entry in truth["files"]:
        if entry["source_kind"] == "company" and not entry["quarantine"] and not entry.get("superseded_by"):
            by_source.setdefault(entry["source_id"], []).append(entry)
    multi = {s: files for s, files in by_source.items() if len(files) > 1}
    assert len(multi) >= 3
    for files in multi.values():
        sets = [{r["person_id"] for r in f["rows"]} for f in files]
        for i, a in enumerate(sets):
            for b in sets[i + 1:]:
                assert not a & b
    replaced = [f for f in truth["files"] if f.get("superseded_by")]
    assert replaced
    paths = {f["path"]: f for f in truth["files"]}
    for old in replaced:
        new = paths[old["superseded_by"]]
        assert new["source_id"] == old["source_id"]
        old_people, new_people = ({r["person_id"] for r in f["rows"]} for f in (old, new))
        assert len(old_people & new_people) >= len(old_people) - 1 and new_people <= old_people


def test_kukar_scale_and_the_promised_mess(month: tuple[Path, dict[str, Any]]) -> None:
    drive, truth = month
    e = truth["expected"]
    assert 2700 <= e["rows_total"] <= 3300
    assert 45 <= e["files_total"] <= 60
    assert e["files_quarantined"] == sum(1 for f in truth["files"] if f["quarantine"]) == 3
    assert {f["quarantine"] for f in truth["files"] if f["quarantine"]} == {"empty", "not_spreadsheet"}
    kinds = Counter(r["kind"] for f in truth["files"] for r in f["rows"])
    assert kinds["dependant"] > 50
    assert {f["source_kind"] for f in truth["files"] for r in f["rows"] if r["kind"] == "dependant"} == {"imigrasi"}
    assert {f["format"] for f in truth["files"]} == {"xlsx", "xls", "csv"}
    for f in truth["files"]:
        if f["source_kind"] == "company":
            assert Path(f["path"]).name[:13].isdigit() and Path(f["path"]).name[13] == " "
        if f["source_kind"] == "kecamatan":
            assert "Kec" in Path(f["path"]).name or "KEC" in Path(f["path"]).name
            assert not {"passport", "kitas_no", "rptka_no", "notifikasi_no"} & set(f["columns"])
    renewed = [p for p in truth["persons"].values() if len(p["passports"]) > 1]
    assert len(renewed) > 30
    assert {p["nationality"] for p in truth["persons"].values()} >= {"CHN", "KOR", "JPN", "PHL", "ZAF"}
    assert all(len(p["nationality"]) == 3 for p in truth["persons"].values())
    headers = {h for f in truth["files"] for h in f.get("columns", {}).values()}
    assert any("/" in h for h in headers) and any("\n" in h for h in headers) and any(" / " in h for h in headers)
    assert (drive / PERIOD / "registri").is_dir()
