"""End to end: the monthly flow on a generated kukar drive, checked against the generator's ground truth."""

from __future__ import annotations

import json
import shutil
from collections import Counter
from pathlib import Path

import pandas as pd
import pytest
import sqlalchemy as sa

from flows.monthly_ingest import monthly_ingest
from tka.contract import OFFICE_INTERNAL_RULES, RULES, Severity
from tka.sample import generate_drive

PERIOD = "2025-08"
pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def sample(tmp_path_factory) -> tuple[Path, dict]:
    root = tmp_path_factory.mktemp("kukar")
    truth_path = root / "truth.json"
    generate_drive(PERIOD, "kukar", 11, root / "drive", truth_path)
    return root / "drive", json.loads(truth_path.read_text())


@pytest.fixture(scope="module")
def first_run(sample, warehouse_url_module, prefect_harness) -> tuple[dict, str]:
    drive, _ = sample
    summary = monthly_ingest(period=PERIOD, drive_url=str(drive), warehouse_url=warehouse_url_module,
                             dry_run_alerts=True)
    return summary, warehouse_url_module


def _table(url: str, sql: str) -> pd.DataFrame:
    engine = sa.create_engine(url)
    try:
        with engine.connect() as conn:
            return pd.read_sql(sa.text(sql), conn)
    finally:
        engine.dispose()


def test_summary_matches_the_ground_truth_exactly(first_run, sample):
    summary, _ = first_run
    expected = sample[1]["expected"]
    for key in ("files_total", "files_quarantined", "rows_total", "rows_rejected", "workers"):
        assert summary[key] == expected[key], key
    assert summary["rows_accepted"] == expected["rows_total"] - expected["rows_rejected"]
    assert summary["missing_companies"] == sorted(expected["missing_companies"])
    assert summary["companies_missing"] == len(expected["missing_companies"])


def test_every_broken_file_is_quarantined_with_its_reason(first_run, sample):
    summary, _ = first_run
    truth = {f["path"]: f["quarantine"] for f in sample[1]["files"] if f["quarantine"]}
    assert {q["path"]: q["reason"] for q in summary["quarantined"]} == truth


def test_rejected_and_flagged_rows_are_exactly_the_injected_ones(first_run, sample):
    _, url = first_run
    issues = _table(url, f"select file_path, sheet, row_number, rule from validation_issue "
                         f"where period = '{PERIOD}' and row_number is not null")
    got = Counter((r.file_path, str(r.sheet), int(r.row_number), r.rule) for r in issues.itertuples())
    want = Counter((f["path"], str(row["sheet"]), int(row["row"]), rule)
                   for f in sample[1]["files"] for row in f["rows"] for rule in row["rules"])
    assert got == want


def test_rejected_rows_are_kept_with_their_raw_values(first_run, sample):
    _, url = first_run
    rejected = _table(url, f"select file_path, sheet, row_number, raw from source_record "
                           f"where period = '{PERIOD}' and status = 'rejected'")
    want = {(f["path"], str(r["sheet"]), int(r["row"])) for f in sample[1]["files"] for r in f["rows"]
            if r["rejected"] and r["kind"] != "company"}  # registry rows are kept in the company tables
    assert {(r.file_path, str(r.sheet), int(r.row_number)) for r in rejected.itertuples()} == want
    assert rejected["raw"].map(lambda s: len(json.loads(s)) > 0).all()


def test_one_warehouse_row_per_true_worker(first_run, sample):
    _, url = first_run
    truth = sample[1]
    records = _table(url, f"select record_key, file_path, sheet, row_number, worker_id from source_record "
                          f"where period = '{PERIOD}' and worker_id is not null")
    person = {(f["path"], str(r["sheet"]), int(r["row"])): r["person_id"] for f in truth["files"]
              for r in f["rows"]}
    records["person"] = [person[(r.file_path, str(r.sheet), int(r.row_number))] for r in records.itertuples()]
    # every true worker maps to exactly one warehouse worker and vice versa
    assert records.groupby("person")["worker_id"].nunique().max() == 1
    assert records.groupby("worker_id")["person"].nunique().max() == 1
    months = _table(url, f"select worker_id from worker_month where period = '{PERIOD}'")
    assert len(months) == truth["expected"]["workers"]


def test_rerun_leaves_the_warehouse_identical(first_run, sample, prefect_harness):
    from tka.warehouse import make_engine, period_snapshot

    summary, url = first_run
    engine = make_engine(url)
    before = period_snapshot(engine, PERIOD)
    # unchanged inputs: the load ledger's fingerprint matches, so the run confirms the load and skips the work
    again = monthly_ingest(period=PERIOD, drive_url=str(sample[0]), warehouse_url=url, dry_run_alerts=True)
    assert period_snapshot(engine, PERIOD) == before
    assert again["unchanged"] is True and again["loaded_by_run"] == summary["flow_run_id"]
    assert again["alerts_sent"] == []
    volatile = {"flow_run_id", "unchanged", "loaded_by_run", "alerts_sent"}
    assert {k: v for k, v in again.items() if k not in volatile} == \
        {k: v for k, v in summary.items() if k not in volatile}
    # --reprocess does all the work again, and the warehouse is still identical
    full = monthly_ingest(period=PERIOD, drive_url=str(sample[0]), warehouse_url=url, dry_run_alerts=True,
                          reprocess=True)
    after = period_snapshot(engine, PERIOD)
    engine.dispose()
    assert after == before
    assert "unchanged" not in full
    assert {k: v for k, v in full.items() if k not in volatile} == \
        {k: v for k, v in summary.items() if k not in volatile}


def test_review_material_is_written_beside_the_period(first_run, sample):
    summary, _ = first_run
    review = Path(summary["review_dir"])
    assert (review / f"rekap_{PERIOD}.xlsx").exists()
    assert (review / "karantina.csv").exists()
    assert (review / f"laporan_{PERIOD}.html").exists()
    assert not (review / "data_docs").exists()  # replaced by the laporan
    # Office-internal rules (a passport format the reference data lacks) are not sent to agencies.
    files_with_issues = {f["path"] for f in sample[1]["files"]
                         if any(set(r["rules"]) - OFFICE_INTERNAL_RULES for r in f["rows"])}
    assert summary["feedback_workbooks"] == len(files_with_issues)
    assert len(list(review.rglob("*__umpan_balik.xlsx"))) == len(files_with_issues)


def test_error_rules_reject_and_warnings_load(first_run):
    _, url = first_run
    issues = _table(url, f"select rule, severity from validation_issue where period = '{PERIOD}'")
    for rule, severity in issues.drop_duplicates().itertuples(index=False):
        if not rule.startswith("file:"):
            assert severity == RULES[rule].severity.value
    assert set(issues["severity"]) <= {Severity.ERROR.value, Severity.WARNING.value}


def test_a_corrupt_file_added_later_is_quarantined_and_the_rest_still_loads(sample, tmp_path, prefect_harness,
                                                                            warehouse_url):
    drive = tmp_path / "drive"
    shutil.copytree(sample[0], drive)
    (drive / PERIOD / "imigrasi" / "rusak_tambahan.xlsx").write_bytes(b"PK\x03\x04 not really a zip")
    summary = monthly_ingest(period=PERIOD, drive_url=str(drive), warehouse_url=warehouse_url,
                             dry_run_alerts=True)
    expected = sample[1]["expected"]
    assert summary["files_quarantined"] == expected["files_quarantined"] + 1
    assert summary["workers"] == expected["workers"]
    assert any(q["path"].endswith("rusak_tambahan.xlsx") and q["reason"] == "corrupt"
               for q in summary["quarantined"])


def test_a_broken_suite_fails_the_run_before_any_file_is_read(sample, tmp_path, prefect_harness, warehouse_url,
                                                              monkeypatch):
    from tka.validate import SuiteError

    expectations = tmp_path / "expectations"
    shutil.copytree(Path(__file__).resolve().parents[2] / "expectations", expectations)
    suite_path = expectations / "worker_rows.json"
    suite = json.loads(suite_path.read_text())
    required = [e for e in suite["expectations"] if e.get("meta", {}).get("rule") == "required_field"]
    suite["expectations"].remove(required[0])
    suite_path.write_text(json.dumps(suite))
    monkeypatch.setenv("TKA_EXPECTATIONS_DIR", str(expectations))
    with pytest.raises(SuiteError, match="no required_field expectation"):
        monthly_ingest(period=PERIOD, drive_url=str(sample[0]), warehouse_url=warehouse_url, dry_run_alerts=True)
    engine = sa.create_engine(warehouse_url)
    with engine.connect() as conn:
        assert conn.execute(sa.text("select count(*) from source_record")).scalar() == 0
        assert conn.execute(sa.text("select count(*) from period_load")).scalar() == 0
    engine.dispose()
