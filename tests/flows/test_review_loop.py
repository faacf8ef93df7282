"""Issue 4 acceptance: the steward's review loop end to end, on a generated kukar drive.

1. Waive: the steward waives one issue (a duplicate-row warning) with ``tka review waive ID --note``; the re-run loads exactly that
   row, keeps who/when/why of the decision, and changes nothing else in the warehouse (the expected warehouse is
   computed here from the first run's tables, row by row).
2. Correct: an agency re-sends a file with its rejected rows corrected, in place (same path, kecamatan) or
   under a new name (company); the newer version supersedes the older, both stay in the file ledger, the old
   version's issues are closed as ``replaced`` and the warehouse holds the new version's rows.
"""

from __future__ import annotations

import copy
import datetime as dt
import hashlib
import io
import json
import os
import re
import shutil
from pathlib import Path
from typing import Any

import openpyxl
import pytest
import yaml
from typer.testing import CliRunner

from flows.monthly_ingest import monthly_ingest
from tka.cli import app
from tka.contract import record_key
from tka.sample import generate_drive
from tka.settings import PROJECT_ROOT
from tka.validate.run import issue_id
from tka.warehouse import make_engine, period_snapshot
from tka.warehouse import schema as wh

PERIOD = "2025-08"
SEED = 11
WHO = "steward.kesbangpol"
NOTE = "Dua baris ini memang dua laporan yang sah / confirmed with the agency by phone"
pytestmark = pytest.mark.slow

Row = dict[str, Any]
Snapshot = dict[str, list[Row]]
TABLES = {t.name: t for t in (wh.file_ledger, wh.period_load, wh.worker, wh.worker_month, wh.source_record,
                              wh.validation_issue, wh.company, wh.company_period, wh.alert_ledger)}
REFERENCE = yaml.safe_load((PROJECT_ROOT / "config" / "reference.yaml").read_text(encoding="utf-8"))


# --- helpers ------------------------------------------------------------------------------------------------
@pytest.fixture(scope="module")
def sample(tmp_path_factory) -> tuple[Path, dict]:
    root = tmp_path_factory.mktemp("kukar")
    generate_drive(PERIOD, "kukar", SEED, root / "drive", root / "truth.json")
    return root / "drive", json.loads((root / "truth.json").read_text(encoding="utf-8"))


def _drive_copy(sample: tuple[Path, dict], tmp_path: Path) -> Path:
    drive = tmp_path / "drive"
    shutil.copytree(sample[0], drive)  # copy2: modification times (arrival times) are kept
    return drive


def _ingest(drive: Path, url: str) -> dict[str, Any]:
    return monthly_ingest(period=PERIOD, drive_url=str(drive), warehouse_url=url, dry_run_alerts=True)


def _snapshot(url: str) -> Snapshot:
    engine = make_engine(url)
    try:
        snap = period_snapshot(engine, PERIOD)
    finally:
        engine.dispose()
    snap.pop("run")  # empty without volatile columns; runs are not warehouse content
    return snap


def _key(table: str, row: Row) -> tuple:
    return tuple(row[c.name] for c in TABLES[table].primary_key.columns)


def _keyed(snap: Snapshot) -> dict[str, dict[tuple, Row]]:
    return {table: {_key(table, r): r for r in rows} for table, rows in snap.items()}


def _assert_tables_equal(got: Snapshot, want: dict[str, dict[tuple, Row]]) -> None:
    """Every table row by row: missing, unexpected and differing rows are named in the failure."""
    for table, rows in _keyed(got).items():
        expected = want[table]
        assert sorted(set(rows) - set(expected), key=str) == [], f"{table}: unexpected rows"
        assert sorted(set(expected) - set(rows), key=str) == [], f"{table}: missing rows"
        for key, row in rows.items():
            diff = {c: (row[c], expected[key].get(c)) for c in row if row[c] != expected[key].get(c)}
            assert diff == {}, f"{table} {key}: (got, expected) {diff}"


def _new_worker_id(keys: list[str]) -> str:
    """A first-seen worker's id: W + sha256(period + its smallest record key) (tka.match.resolve)."""
    return "W" + hashlib.sha256(f"{PERIOD}{min(keys)}".encode()).hexdigest()[:12]


# --- 1. waive one issue -------------------------------------------------------------------------------------
def _pick_waiver(before: Snapshot) -> tuple[Row, Row]:
    """An open duplicate_row warning on an accepted worker row: (issue, the duplicate's source_record).

    A duplicate is loaded and counted (it is the same person); waiving the warning is the steward saying the
    agency listed the person twice on purpose, so the only effect is the flag leaving the row and its month.
    """
    records = {r["record_key"]: r for r in before["source_record"]}
    for issue in sorted(before["validation_issue"], key=lambda i: (i["file_path"], i["sheet"], i["row_number"] or 0)):
        row = records.get(issue["record_key"])
        if (issue["rule"] == "duplicate_row" and issue["status"] == "open" and row is not None
                and row["person_kind"] == "worker" and row["status"] == "accepted" and row["worker_id"]):
            return issue, row
    raise AssertionError("the sample has no duplicate_row warning on an accepted worker row to waive")


def _without(flags: str | None, rule: str) -> str | None:
    kept = [f for f in (flags or "").split(";") if f and f != rule]
    return ";".join(kept) or None


def _expected_after_waiver(before: Snapshot, decided: Row, row: Row) -> dict[str, dict]:
    """The warehouse after the waiver and a re-run, derived from the first run's tables."""
    want = copy.deepcopy(_keyed(before))
    want["validation_issue"][_key("validation_issue", decided)] = decided
    records = want["source_record"]
    records[_key("source_record", row)]["flags"] = _without(row["flags"], "duplicate_row")
    flags = sorted({f for r in records.values() if r["worker_id"] == row["worker_id"]
                    for f in (r["flags"] or "").split(";") if f})
    want["worker_month"][(PERIOD, row["worker_id"])]["flags"] = ";".join(flags) or None
    return want


def test_a_waived_issue_loads_exactly_its_row_and_nothing_else_changes(sample, tmp_path, warehouse_url,
                                                                       prefect_harness):
    drive = _drive_copy(sample, tmp_path)
    first = _ingest(drive, warehouse_url)
    before = _snapshot(warehouse_url)
    issue, row = _pick_waiver(before)
    assert "duplicate_row" in row["flags"].split(";")

    cli = CliRunner()
    waived = cli.invoke(app, ["review", "waive", issue["issue_id"], "--note", NOTE, "--who", WHO,
                              "--warehouse", warehouse_url])
    assert waived.exit_code == 0, waived.output
    assert "1 masalah dikecualikan" in waived.output
    unknown = cli.invoke(app, ["review", "waive", "0000000000000000", "--note", NOTE, "--warehouse", warehouse_url])
    assert unknown.exit_code == 1  # an unknown id changes nothing

    # The decision alone: only that issue row changed, with who, when and why.
    decided_snap = _snapshot(warehouse_url)
    decided = next(i for i in decided_snap["validation_issue"] if i["issue_id"] == issue["issue_id"])
    assert decided["status"] == "waived" and decided["decided_by"] == WHO and decided["decision_note"] == NOTE
    decided_at = decided["decided_at"].replace(tzinfo=decided["decided_at"].tzinfo or dt.UTC)
    assert abs(dt.datetime.now(dt.UTC) - decided_at) < dt.timedelta(minutes=10)
    only_decision = copy.deepcopy(_keyed(before))
    only_decision["validation_issue"][_key("validation_issue", decided)] = decided
    _assert_tables_equal(decided_snap, only_decision)
    listed = cli.invoke(app, ["review", "list", "--period", PERIOD, "--status", "waived", "--warehouse",
                              warehouse_url])
    assert listed.exit_code == 0 and "2025-08 — 1 dikecualikan" in listed.output, listed.output

    second = _ingest(drive, warehouse_url)
    after = _snapshot(warehouse_url)
    assert "unchanged" not in second  # the decision is a new input: the period is loaded again
    _assert_tables_equal(after, _expected_after_waiver(before, decided, row))

    assert second["rows_rejected"] == first["rows_rejected"]
    assert second["rows_accepted"] == first["rows_accepted"]
    assert second["workers"] == first["workers"]
    assert second["issues_open"] == first["issues_open"] - 1


# --- 2. a corrected file supersedes the old version ---------------------------------------------------------
NATIONALITY_NAMES = {iso: names[0] for iso, names in REFERENCE["nationality_synonyms"].items()}
PASSPORT_PATTERNS = REFERENCE["passport_patterns"]


# The issues an agency's correction removes in this test (it retypes the cell from the person's true data).
FIXABLE = frozenset({"duplicate_row", "age_out_of_range", "date_unparsed", "nationality_unknown", "required_field"})


def _fix_for(issue: Row, person: Row) -> tuple[str, object] | None:
    """(action, value) that corrects one error issue from the person's true data, or None if the truth lacks it."""
    if issue["rule"] == "duplicate_row":
        return "delete", None
    if issue["header"] is None:  # the cell to retype is not known
        return None
    if issue["column"] == "birth_date" and issue["rule"] in ("age_out_of_range", "date_unparsed"):
        return "set", dt.date.fromisoformat(person["birth_date"]).strftime("%d-%m-%Y")
    if issue["column"] == "nationality" and issue["rule"] in ("nationality_unknown", "required_field"):
        return "set", NATIONALITY_NAMES[person["nationality"]]
    if issue["column"] == "passport_no" and issue["rule"] == "required_field" \
            and person["nationality"] in PASSPORT_PATTERNS:
        return "set", person["passport_no"]
    return None


def _no_new_rule(fix: tuple[str, object], issue: Row, record: Row, person: Row) -> bool:
    """A corrected nationality must not bring passport rules the wrong one kept quiet (the row keeps its issues
    otherwise: birth dates of workers are in range, passports match their nationality)."""
    if issue["column"] != "nationality":
        return True
    passport = record["passport_no"]
    patterns = PASSPORT_PATTERNS.get(person["nationality"])
    return passport is None or (patterns is not None and any(re.match(p, passport) for p in patterns))


def _pick_file(before: Snapshot, truth: dict, kind: str) -> tuple[dict, dict[tuple[str, int], list]]:
    """The first xlsx file of ``kind`` whose rejected rows can all be corrected from the truth:
    (truth file entry, {(sheet, row): [(issue, fix)]})."""
    records = {r["record_key"]: r for r in before["source_record"]}
    for entry in truth["files"]:
        if entry["source_kind"] != kind or entry["format"] != "xlsx" or entry["quarantine"]:
            continue
        flawed = [r for r in entry["rows"] if FIXABLE.intersection(r["rules"])]
        if not flawed:
            continue
        fixes: dict[tuple[str, int], list] = {}
        for truth_row in flawed:
            person = truth["persons"][truth_row["person_id"]]
            errors = [i for i in before["validation_issue"] if i["file_path"] == entry["path"]
                      and (i["sheet"], i["row_number"]) == (truth_row["sheet"], truth_row["row"])
                      and i["rule"] in FIXABLE]
            found = [(i, _fix_for(i, person)) for i in errors]
            if not errors or any(f is None or not _no_new_rule(f, i, records[i["record_key"]], person)
                                 for i, f in found):
                break
            fixes[(truth_row["sheet"], truth_row["row"])] = found
        else:
            return entry, fixes
    raise AssertionError(f"the sample has no {kind} xlsx file whose flawed rows the truth can correct")


def _header_column(ws: Any, header: str) -> int:
    for cells in ws.iter_rows(min_row=1, max_row=20):
        for cell in cells:
            if cell.value == header:
                return cell.column
    raise AssertionError(f"header {header!r} not in sheet {ws.title}")


def _corrected_workbook(path: Path, fixes: dict[tuple[str, int], list]) -> tuple[bytes, dict[str, list[int]]]:
    """The agency's corrected workbook: wrong cells retyped, duplicate rows deleted; and the deleted rows."""
    book = openpyxl.load_workbook(path)
    deleted: dict[str, list[int]] = {}
    for (sheet, number), found in fixes.items():
        ws = book[sheet]
        for issue, (action, value) in found:
            if action == "delete":
                deleted.setdefault(sheet, []).append(number)
            else:
                ws.cell(row=number, column=_header_column(ws, issue["header"])).value = value
    for sheet, numbers in deleted.items():
        for number in sorted(numbers, reverse=True):
            book[sheet].delete_rows(number)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue(), deleted


def _moved(deleted: dict[str, list[int]], sheet: str, number: int) -> int:
    """A row's number in the corrected file (rows below a deleted row move up)."""
    return number - sum(1 for d in deleted.get(sheet, []) if d < number)


@pytest.mark.parametrize(("resend", "kind"), [("same_path", "kecamatan"), ("new_name", "company")])
def test_a_corrected_file_supersedes_the_old_version(resend, kind, sample, tmp_path, warehouse_url,
                                                     prefect_harness):
    drive, truth = _drive_copy(sample, tmp_path), sample[1]
    first = _ingest(drive, warehouse_url)
    before = _snapshot(warehouse_url)
    entry, fixes = _pick_file(before, truth, kind)
    old_path = entry["path"]
    (old_ledger,) = [f for f in before["file_ledger"] if f["path"] == old_path]
    old_sha = old_ledger["file_sha256"]

    data, deleted = _corrected_workbook(drive / old_path, fixes)
    new_path = old_path if resend == "same_path" else old_path.replace(".xlsx", " revisi.xlsx")
    old_mtime = (drive / old_path).stat().st_mtime
    (drive / new_path).write_bytes(data)
    os.utime(drive / new_path, (old_mtime + 3600, old_mtime + 3600))  # sent an hour later, before the deadline
    new_sha = hashlib.sha256(data).hexdigest()
    assert new_sha != old_sha

    second = _ingest(drive, warehouse_url)
    after = _snapshot(warehouse_url)
    was, now = _keyed(before), _keyed(after)

    # Both versions are in the ledger: the old one superseded by the new one, which is loaded.
    ledger = {k: r for k, r in now["file_ledger"].items() if r["path"] in (old_path, new_path)}
    assert set(ledger) == {(old_sha, old_path, PERIOD), (new_sha, new_path, PERIOD)}
    reason = ("versi baru dengan nama berkas yang sama" if resend == "same_path" else
              f"revisi: nama berkas sama, 100% TKA sama; diganti oleh {new_path}")
    assert ledger[(old_sha, old_path, PERIOD)] == {**old_ledger, "status": "superseded", "superseded_by": new_sha,
                                                   "superseded_reason": reason}
    new_ledger = ledger[(new_sha, new_path, PERIOD)]
    n_rows = len(entry["rows"]) - sum(map(len, deleted.values()))
    assert (new_ledger["status"], new_ledger["rows_read"], new_ledger["superseded_by"],
            new_ledger["source_kind"], new_ledger["source_id"]) == \
        ("loaded", n_rows, None, old_ledger["source_kind"], old_ledger["source_id"])
    assert {k: r for k, r in now["file_ledger"].items() if r["path"] not in (old_path, new_path)} == \
        {k: r for k, r in was["file_ledger"].items() if r["path"] != old_path}
    (load_after,) = after["period_load"]
    (load_before,) = before["period_load"]
    assert sorted(json.loads(load_after["file_shas"])) == \
        sorted([s for s in json.loads(load_before["file_shas"]) if s != old_sha] + [new_sha])

    # Issues: the old version's are kept: the ones the new version no longer has are fixed, the others stay
    # open; the new version has exactly the old issues of the rows it did not correct, at their new places;
    # every other file's issues are untouched.
    old_issues = [i for i in before["validation_issue"] if i["file_sha256"] == old_sha]
    fixed_issue_ids = {i["issue_id"] for found in fixes.values() for i, _ in found}
    gone = {i["issue_id"] for i in old_issues if i["issue_id"] in fixed_issue_ids or (i["sheet"], i["row_number"])
            in {(s, n) for s, ns in deleted.items() for n in ns}}
    assert {k: i for k, i in now["validation_issue"].items() if i["file_sha256"] == old_sha} == \
        {_key("validation_issue", i): {**i, "status": "fixed" if i["issue_id"] in gone else "open"}
         for i in old_issues}
    want_new = {}
    for i in old_issues:
        if i["issue_id"] in gone:
            continue
        number = _moved(deleted, i["sheet"], i["row_number"])
        new = {**i, "issue_id": issue_id(new_sha, i["sheet"], number, i["column"], i["rule"],
                                               file_path=new_path),
               "record_key": record_key(new_sha, i["sheet"], number), "file_path": new_path,
               "file_sha256": new_sha, "row_number": number}
        want_new[_key("validation_issue", new)] = new
    assert {k: i for k, i in now["validation_issue"].items() if i["file_sha256"] == new_sha} == want_new
    assert all(i["status"] == "open" for i in want_new.values())
    assert {k: i for k, i in now["validation_issue"].items() if i["file_sha256"] not in (old_sha, new_sha)} == \
        {k: i for k, i in was["validation_issue"].items() if i["file_sha256"] != old_sha}

    # Rows: none of the old version is left; the new version's rows are the old ones minus the deleted
    # duplicates, the corrected rows now accepted; no other file's row changed status or values.
    assert not [r for r in after["source_record"] if r["file_sha256"] == old_sha]
    new_rows = {(r["sheet"], r["row_number"]): r for r in after["source_record"] if r["file_sha256"] == new_sha}
    fixed_rows = {(s, n) for (s, n), found in fixes.items() if all(f[0] == "set" for _, f in found)}
    want_status = {}
    for r in before["source_record"]:
        if r["file_sha256"] == old_sha and r["row_number"] not in deleted.get(r["sheet"], []):
            moved = (r["sheet"], _moved(deleted, r["sheet"], r["row_number"]))
            want_status[moved] = r["status"]  # only rows naming nobody are rejected; none of these
    assert {k: r["status"] for k, r in new_rows.items()} == want_status
    assert all(r["file_path"] == new_path for r in new_rows.values())
    volatile = {"worker_id", "match_reason", "run_id"}  # worker ids follow the smallest record key of a worker

    def _others(snap: Snapshot) -> dict:
        return {r["record_key"]: {k: v for k, v in r.items() if k not in volatile}
                for r in snap["source_record"] if r["file_sha256"] not in (old_sha, new_sha)}
    assert _others(after) == _others(before)

    # Workers: one per true person, the corrected rows with their person's worker.
    person_before = {(f["path"], r["sheet"], r["row"]): r["person_id"] for f in truth["files"] for r in f["rows"]}
    person_after = {k: p for k, p in person_before.items() if k[0] != old_path}
    person_after.update({(new_path, s, _moved(deleted, s, n)): p for (path, s, n), p in person_before.items()
                         if path == old_path and n not in deleted.get(s, [])})
    workers_of: dict[str, set[str]] = {}
    persons_of: dict[str, set[str]] = {}
    for r in after["source_record"]:
        if r["worker_id"] is not None:
            person = person_after[(r["file_path"], r["sheet"], r["row_number"])]
            workers_of.setdefault(person, set()).add(r["worker_id"])
            persons_of.setdefault(r["worker_id"], set()).add(person)
    assert max(map(len, workers_of.values())) == 1 and max(map(len, persons_of.values())) == 1
    for sheet, number in fixed_rows:
        record = new_rows[(sheet, _moved(deleted, sheet, number))]
        assert record["worker_id"] is not None
    accepted_before = {person_before[(r["file_path"], r["sheet"], r["row_number"])]
                       for r in before["source_record"] if r["status"] == "accepted" and r["person_kind"] == "worker"}
    newly = {person_before[(old_path, s, n)] for s, n in fixed_rows} - accepted_before
    assert newly == set()  # a flawed row already counted: correcting it adds no worker
    assert len(after["worker_month"]) == len(before["worker_month"])

    # The summary counts the new version.
    n_fixed, n_deleted = len(fixed_rows), sum(map(len, deleted.values()))
    assert n_fixed + n_deleted == len([r for r in entry["rows"] if FIXABLE.intersection(r["rules"])]) >= 1
    assert second["rows_total"] == first["rows_total"] - n_deleted
    assert second["rows_rejected"] == first["rows_rejected"]
    assert second["workers"] == first["workers"]
    assert second["files_total"] == first["files_total"] + (resend == "new_name")
    assert second["files_superseded"] == 1  # a same-path overwrite counts too
