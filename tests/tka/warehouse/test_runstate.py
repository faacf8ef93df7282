"""Run state: what a loaded period held, the alert outcome apart from the load, failed runs marked truthfully."""

from __future__ import annotations

import json

import pytest

from tka.warehouse import load_period, make_engine, record_run, run_record, upgrade
from tka.warehouse.runstate import (
    alert_status,
    loaded_period_counts,
    mark_run_failed,
    record_alert_status,
    run_rows,
)

PERIOD = "2025-08"
FILES = [{"path": "2025-08/registri/r.xlsx", "file_sha256": "a" * 64, "source_kind": "registry",
          "source_id": "registry", "size": 10, "rows_read": 3},
         {"path": "2025-08/kecamatan/k.xlsx", "file_sha256": "b" * 64, "source_kind": "kecamatan",
          "source_id": "kecamatan:k", "size": 10, "status": "quarantined", "quarantine_reason": "corrupt"}]


@pytest.fixture
def engine(warehouse_url):
    eng = make_engine(warehouse_url)
    upgrade(eng)
    yield eng
    eng.dispose()


def test_loaded_period_counts(engine):
    assert loaded_period_counts(engine, PERIOD) is None
    load_period(engine, PERIOD, "run-1", files=FILES, source_records=None, issues=None, worker_month=None,
                run_summary={"rows_accepted": 858, "workers": 300, "files_total": 2})
    counts = loaded_period_counts(engine, PERIOD)
    assert dict(counts.files) == {"2025-08/registri/r.xlsx": "registry", "2025-08/kecamatan/k.xlsx": "kecamatan"}
    assert (counts.rows, counts.workers) == (858, 300)


@pytest.mark.parametrize(("outcome", "status"), [
    ({}, "none"), ({"a": "sent", "b": "sent"}, "sent"), ({"a": "dry_run"}, "dry_run"),
    ({"a": "sent", "b": "printed"}, "printed"), ({"a": "failed: X"}, "failed"),
    ({"a": "failed: X", "b": "sent"}, "partial")])
def test_alert_status(outcome, status):
    assert alert_status(outcome) == status


def test_a_failed_alert_and_a_failed_run_keep_the_load_visible(engine):
    load_period(engine, PERIOD, "run-1", files=FILES, source_records=None, issues=None, worker_month=None)
    record_alert_status(engine, "run-1", "failed", {"tka-webhook": "failed: HTTPStatusError"})
    assert mark_run_failed(engine, "run-1") is True
    row = run_rows(engine, PERIOD).iloc[0]
    assert (row["run_id"], row["status"], row["alert_status"]) == ("run-1", "failed", "failed")
    assert json.loads(row["alert_detail"]) == {"tka-webhook": "failed: HTTPStatusError"}
    assert row["loaded_at"] is not None


def test_marking_an_unknown_run_failed_creates_nothing(engine):
    assert mark_run_failed(engine, "nobody") is False
    assert run_record(engine, "nobody") is None
    record_run(engine, "run-2", PERIOD, "running")
    assert mark_run_failed(engine, "run-2") is True
    assert run_record(engine, "run-2")["status"] == "failed"
