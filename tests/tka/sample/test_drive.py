"""The generated kukar drive: reproducible, its truth agrees with the files, and every promised mess is there."""

from __future__ import annotations

import codecs
import csv
import io
import json
import re
import zipfile
from collections import Counter, defaultdict
from pathlib import Path

import msoffcrypto
import openpyxl
import pandas as pd
import pytest
import xlrd

from tka.contract import LAYOUT_RULES, RULES, Severity
from tka.sample import generate_drive
from tka.sample.drive import ENCRYPTION_PASSWORD

PERIOD = "2025-08"
OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"


def _generate(root: Path, seed: int) -> tuple[Path, dict, dict]:
    expected = generate_drive(PERIOD, "kukar", seed, root / "drive", root / "truth.json")
    return root / "drive", json.loads((root / "truth.json").read_text(encoding="utf-8")), expected


@pytest.fixture(scope="module")
def drive(tmp_path_factory) -> tuple[Path, dict, dict]:
    return _generate(tmp_path_factory.mktemp("kukar"), 5)


def _plain(data: bytes) -> bytes:
    """``data``, or what it decrypts to with the sample password (an encrypted file differs byte for byte on
    every run: a fresh salt and key)."""
    if not data.startswith(OLE_MAGIC):  # an encrypted xlsx is an OLE container
        return data
    office = msoffcrypto.OfficeFile(io.BytesIO(data))
    if not office.is_encrypted():  # an xls
        return data
    office.load_key(password=ENCRYPTION_PASSWORD)
    plain = io.BytesIO()
    office.decrypt(plain)
    return b"encrypted:" + plain.getvalue()


def _tree(root: Path) -> dict[str, bytes]:
    return {p.relative_to(root).as_posix(): _plain(p.read_bytes()) for p in sorted(root.rglob("*")) if p.is_file()}


def _grids(path: Path) -> dict[str, list[list[object]]]:
    """Every sheet of a file as a grid of values (row 0 = Excel row 1; CSV: line 1)."""
    data = path.read_bytes()
    if path.suffix == ".xlsx":
        book = openpyxl.load_workbook(io.BytesIO(data))
        return {ws.title: [list(r) for r in ws.iter_rows(values_only=True)] for ws in book.worksheets}
    if path.suffix == ".xls":
        book = xlrd.open_workbook(file_contents=data)
        return {s.name: [s.row_values(r) for r in range(s.nrows)] for s in book.sheets()}
    if path.suffix == ".ods":
        frames = pd.read_excel(io.BytesIO(data), engine="odf", sheet_name=None, header=None, dtype=object)
        return {name: [[None if pd.isna(v) else v for v in row] for row in frame.itertuples(index=False)]
                for name, frame in frames.items()}
    if data.startswith(codecs.BOM_UTF16_LE):
        text = data.decode("utf-16")
    elif data.startswith(codecs.BOM_UTF8):
        text = data.decode("utf-8-sig")
    else:
        try:
            text = data.decode("utf-8")
        except UnicodeDecodeError:
            text = data.decode("cp1252")
    delimiter = ";" if text.splitlines()[0].count(";") >= text.splitlines()[0].count(",") else ","
    return {path.stem: list(csv.reader(io.StringIO(text), delimiter=delimiter))}


def _letters(text: object) -> str:
    words = [w for w in str(text).upper().split() if w.rstrip(".") not in ("MR", "MRS", "MS")]
    return "".join(sorted("".join(words)))


def _is_data_number(value: object) -> bool:
    if isinstance(value, float):
        return value.is_integer()
    return isinstance(value, int) or (isinstance(value, str) and value.isdigit())


def test_same_seed_gives_byte_identical_files_and_truth(drive, tmp_path):
    root, truth, _ = drive
    again_root, again_truth, _ = _generate(tmp_path, 5)
    assert _tree(again_root) == _tree(root)
    assert again_truth == truth
    mtimes = {p.relative_to(root).as_posix(): p.stat().st_mtime for p in root.rglob("*") if p.is_file()}
    assert {p.relative_to(again_root).as_posix(): p.stat().st_mtime
            for p in again_root.rglob("*") if p.is_file()} == mtimes


def test_another_seed_gives_another_drive(drive, tmp_path):
    root, truth, _ = drive
    other_root, other_truth, _ = _generate(tmp_path, 6)
    assert _tree(other_root) != _tree(root)
    assert other_truth["persons"] != truth["persons"]


def test_truth_rows_hold_the_persons_data_and_no_junk_row_is_listed(drive):
    root, truth, _ = drive
    checked = 0
    for entry in truth["files"]:
        if entry["quarantine"]:
            continue
        grids = _grids(root / entry["path"])
        listed = defaultdict(dict)
        for row in entry["rows"]:
            listed[row["sheet"]][row["row"]] = row
        for sheet, grid in grids.items():
            if sheet == "Rekap":  # a summary sheet: nothing of it is data
                assert sheet not in listed
                continue
            header = next(i for i, r in enumerate(grid) if r and r[0] in ("No", "No.", "NO"))
            name_col = next(i for i, v in enumerate(grid[header]) if v in (
                "Nama TKA", "Nama", "Nama Orang Asing", "Nama Lengkap", "NAMA TKA", "Nama Pekerja", "Name"
            )) if entry["source_kind"] != "registry" else grid[header].index("NIB")
            for index, cells in enumerate(grid):
                number = index + 1
                data_like = index > header and cells and _is_data_number(cells[0])
                assert data_like == (number in listed[sheet]), (entry["path"], sheet, number, cells[:3])
                if number not in listed[sheet]:
                    continue
                row = listed[sheet][number]
                if row["kind"] == "company":
                    assert str(cells[name_col]).startswith(row["nib"][:12])
                else:
                    assert _letters(cells[name_col]) == _letters(truth["persons"][row["person_id"]]["name"])
                checked += 1
    assert checked == sum(len(f["rows"]) for f in truth["files"])


def test_expected_counts_agree_with_the_rows(drive):
    _, truth, expected = drive
    rows = [r for f in truth["files"] for r in f["rows"]]
    assert expected == truth["expected"]
    assert expected["files_total"] == len(truth["files"])
    assert expected["files_quarantined"] == sum(1 for f in truth["files"] if f["quarantine"])
    assert expected["rows_total"] == len(rows)
    assert expected["rows_rejected"] == sum(r["rejected"] for r in rows)
    assert expected["workers"] == len({r["person_id"] for r in rows if r["kind"] == "worker" and not r["rejected"]})
    for r in rows:
        assert r["rejected"] == any(RULES[rule].severity is Severity.ERROR for rule in r["rules"])
    assert expected["missing_companies"] == sorted(
        c["nib"] for c in truth["companies"] if c["in_registry"] and c["must_report"] and not c["sends_report"])
    assert all(f["rows"] == [] for f in truth["files"] if f["quarantine"])


def test_sizes_are_kukar_sized(drive):
    _, _, expected = drive
    assert 35 <= expected["files_total"] <= 60
    assert 2500 <= expected["rows_total"] <= 3600
    assert 850 <= expected["workers"] <= 1050
    assert expected["missing_companies"] and expected["employers_not_in_registry"]


def test_every_rule_and_broken_file_kind_occurs(drive):
    _, truth, _ = drive
    rules = Counter(rule for f in truth["files"] for r in f["rows"] for rule in r["rules"])
    # Placeholders, shared numbers, guessed spellings and rows naming nobody are planted by the independent
    # generator (tka/fieldsample), whose month this one must not imitate; layout rules have no row.
    not_planted = {"not_a_person", "placeholder_value", "identifier_shared", "nationality_guessed"}
    assert set(rules) == set(RULES) - LAYOUT_RULES - not_planted
    assert {f["quarantine"] for f in truth["files"] if f["quarantine"]} == {
        "corrupt", "empty", "encrypted", "not_spreadsheet", "no_header"}
    duplicates = [r for f in truth["files"] for r in f["rows"] if "duplicate_row" in r["rules"]]
    assert duplicates and not any(r["rejected"] for r in duplicates)  # a duplicate is the same person: it counts


def test_formats_and_layout_mess_are_present(drive):
    root, truth, _ = drive
    formats = Counter(f["format"] for f in truth["files"])
    assert formats["xls"] >= 1 and formats["ods"] >= 1 and formats["csv"] >= 1 and formats["xlsx"] > 30
    texts: list[str] = []
    numbers: list[float] = []
    sheets: list[str] = []
    for entry in truth["files"]:
        if entry["quarantine"]:
            continue
        for sheet, grid in _grids(root / entry["path"]).items():
            sheets.append(sheet)
            for cells in grid:
                texts.extend(str(v) for v in cells if isinstance(v, str))
                numbers.extend(v for v in cells if isinstance(v, int | float) and not isinstance(v, bool))
    joined = "\n".join(texts)
    assert "KABUPATEN KUTAI KARTANEGARA" in joined and "BULAN AGUSTUS 2025" in joined  # title rows
    assert "(1)" in texts and "(2)" in texts  # column-number row
    assert "JUMLAH" in texts and any(t.startswith("Jumlah ") for t in texts)
    assert re.search(r"^NIP \d{8} \d{6} \d \d{3}$", joined, re.MULTILINE)  # signature block
    assert re.search(r"^Tenggarong, \d{1,2} September 2025$", joined, re.MULTILINE)
    assert "Rekap" in sheets
    assert any(40000 < n < 50000 for n in numbers)  # dates stored as bare serials
    assert re.search(r"\b\d{1,2} (Agustus|Agt|Juli|Jan|Mei|Februari|Maret|Okt|Des) \d{4}\b", joined)
    assert re.search(r"^\d{2}-\d{2}-\d{4} s/d \d{2}-\d{2}-\d{4}$", joined, re.MULTILINE)
    assert re.search(r"^MRS? ", joined, re.MULTILINE)  # honorifics before names
    for spelling in ("Tiongkok", "RRT", "Cina"):
        assert spelling in texts
    assert any(re.match(r"^P\.T\. ", t) for t in texts) and any(t.endswith(", PT") for t in texts)
    assert "Samboja" in texts or "Kota Bangun" in texts  # an old kecamatan name for a split village
    assert any(re.match(r"^[\u4e00-\u9fff]{2,4}$", t) for t in texts)  # Chinese-script names


def test_one_workbook_uses_the_1904_date_system(drive):
    root, truth, _ = drive
    flagged = []
    for entry in truth["files"]:
        if entry["format"] == "xlsx" and not entry["quarantine"]:
            with zipfile.ZipFile(root / entry["path"]) as archive:
                if b'date1904="1"' in archive.read("xl/workbook.xml"):
                    flagged.append(entry["path"])
    assert len(flagged) == 1 and "/perusahaan/" in flagged[0]


def test_one_file_per_agency_source_and_month(drive):
    _, truth, _ = drive
    per_source = Counter(f["source_id"] for f in truth["files"] if f["source_kind"] != "kecamatan")
    assert max(per_source.values()) == 1


def test_people_appear_across_sources_with_dependants_renewals_and_two_employers(drive):
    _, truth, _ = drive
    sources: dict[str, set[str]] = defaultdict(set)
    for f in truth["files"]:
        for r in f["rows"]:
            if r["kind"] == "worker":
                sources[r["person_id"]].add(f["source_kind"])
    multi = sum(1 for s in sources.values() if len(s) >= 2) / len(sources)
    assert 1 / 3 <= multi < 1
    assert any(r["kind"] == "dependant" for f in truth["files"] if f["source_kind"] == "imigrasi" for r in f["rows"])
    assert not any(r["kind"] == "dependant" for f in truth["files"] if f["source_kind"] != "imigrasi"
                   for r in f["rows"])
    persons = truth["persons"]
    assert all(persons[p["sponsor"]]["kind"] == "worker" for p in persons.values() if p["kind"] == "dependant")
    assert any(len(p["company_nibs"]) == 2 for p in persons.values() if p["kind"] == "worker")
    renewed = truth["renewed_passports"]
    assert renewed and all(persons[pid]["passport_old"] != persons[pid]["passport_no"] for pid in renewed)
    registry_nibs = {c["nib"] for c in truth["companies"] if c["in_registry"]}
    outsiders = {c["name"] for c in truth["companies"] if not c["in_registry"]}
    assert set(truth["expected"]["employers_not_in_registry"]) <= outsiders
    assert all(nib in registry_nibs for nib in truth["expected"]["missing_companies"])


def test_every_file_name_gives_the_reader_its_true_source(drive):
    """Kembang Janggut reports too (its name begins like the month word "Jan"), and discovery reads every file
    name to the source id the truth gives."""
    import fsspec

    from tka.read import discover, load_sources_config
    from tka.settings import PROJECT_ROOT

    root, truth, _ = drive
    found = discover(fsspec.filesystem("file"), str(root), PERIOD,
                     load_sources_config(PROJECT_ROOT / "config" / "sources.yaml"))
    assert {f.path: (f.source_kind, f.source_id) for f in found} == {
        f["path"]: (f["source_kind"], f["source_id"]) for f in truth["files"]}
    assert any(f["source_id"] == "kecamatan:64.02.10" and not f["quarantine"] and f["rows"]
               for f in truth["files"])


def test_size_scales_people_and_rows_and_is_deterministic(drive, tmp_path):
    half = generate_drive(PERIOD, "kukar", 5, tmp_path / "a" / "drive", tmp_path / "a" / "truth.json", size=0.5)
    again = generate_drive(PERIOD, "kukar", 5, tmp_path / "b" / "drive", tmp_path / "b" / "truth.json", size=0.5)
    assert half == again
    assert _tree(tmp_path / "a" / "drive") == _tree(tmp_path / "b" / "drive")
    full = drive[2]
    assert 0.4 <= half["workers"] / full["workers"] <= 0.6
    assert 0.4 <= half["rows_total"] / full["rows_total"] <= 0.6
    assert json.loads((tmp_path / "a" / "truth.json").read_text(encoding="utf-8"))["size"] == 0.5
    with pytest.raises(ValueError, match="size"):
        generate_drive(PERIOD, "kukar", 5, tmp_path / "c", tmp_path / "c.json", size=0)
