"""CLI queries: issue listing and filters, previous company periods, COPY vs executemany equivalence."""

from __future__ import annotations

import datetime as dt

import pandas as pd

from tka.warehouse import (
    alert_ledger_entries,
    company_periods,
    file_ledger,
    list_issues,
    load_period,
    period_snapshot,
    previous_company_periods,
    recent_runs,
    record_alert,
)
from tka.warehouse._db import COPY_THRESHOLD

from .inputs import COMPANY_PATH, NIB, SHA_KITAS, period_inputs


def test_list_issues_filters_by_source_rule_and_status(engine) -> None:  # type: ignore[no-untyped-def]
    load_period(engine, "2025-08", "run-1", **period_inputs())
    all_issues = list_issues(engine, "2025-08")
    assert all_issues[["issue_id", "file_path", "source_kind", "rule"]].to_dict("records") == [
        {
            "issue_id": "aaaaaaaa00000001",
            "file_path": "2025-08/imigrasi/kitas.xlsx",
            "source_kind": "imigrasi",
            "rule": "age_out_of_range",
        },
        {
            "issue_id": "bbbbbbbb00000002",
            "file_path": COMPANY_PATH,
            "source_kind": "company",
            "rule": "permit_expired",
        },
    ]
    assert list_issues(engine, "2025-08", source=f"company:{NIB}")["issue_id"].tolist() == [
        "bbbbbbbb00000002"
    ]
    assert list_issues(engine, "2025-08", source="imigrasi", rule="age_out_of_range")[
        "issue_id"
    ].tolist() == ["aaaaaaaa00000001"]
    assert list_issues(engine, "2025-08", rule="permit_expired", status="waived").empty
    assert list_issues(engine, "2025-09").empty


def test_previous_company_periods_returns_the_latest_earlier_period(engine) -> None:  # type: ignore[no-untyped-def]
    assert previous_company_periods(engine, "2025-08").empty
    load_period(engine, "2025-06", "r6", **period_inputs("2025-06"))
    july = period_inputs("2025-07")
    july["company_period"].loc[1, "consecutive_missed"] = 2
    load_period(engine, "2025-07", "r7", **july)
    prev = previous_company_periods(engine, "2025-08")
    assert prev[["period", "company_nib", "status", "consecutive_missed"]].to_dict("records") == [
        {"period": "2025-07", "company_nib": NIB, "status": "received", "consecutive_missed": 0},
        {"period": "2025-07", "company_nib": "9999999999999", "status": "missing", "consecutive_missed": 2},
    ]


def test_copy_and_executemany_store_the_same_rows(engine) -> None:  # type: ignore[no-untyped-def]
    inputs = period_inputs()
    base = inputs["source_records"].iloc[0].to_dict()
    many = pd.DataFrame(
        [
            {
                **base,
                "record_key": f"{SHA_KITAS[:16]}:Big:{i}",
                "sheet": "Big",
                "row_number": i,
                "birth_date": dt.date(1980, 1, 1) + dt.timedelta(days=i),
            }
            for i in range(COPY_THRESHOLD + 5)
        ]
    )
    inputs["source_records"] = pd.concat([inputs["source_records"], many], ignore_index=True)
    load_period(engine, "2025-08", "run-1", use_copy=True, **inputs)
    with_copy = period_snapshot(engine, "2025-08")
    load_period(engine, "2025-08", "run-2", use_copy=False, **inputs)
    assert period_snapshot(engine, "2025-08") == with_copy
    assert len(with_copy["source_record"]) == COPY_THRESHOLD + 8


def test_operator_views_company_periods_file_ledger_runs_alerts(engine) -> None:  # type: ignore[no-untyped-def]
    load_period(engine, "2025-08", "run-1", **period_inputs())
    record_alert(engine, "k1", "2025-08", "email", "h1", {"n": 1})
    cp = company_periods(engine, "2025-08")
    assert cp[["period", "company_nib", "name", "kecamatan_code", "status"]].to_dict("records") == [
        {
            "period": "2025-08",
            "company_nib": NIB,
            "name": "PT ALPHA",
            "kecamatan_code": "64.02.12",
            "status": "received",
        },
        {
            "period": "2025-08",
            "company_nib": "9999999999999",
            "name": "PT BETA",
            "kecamatan_code": "64.02.11",
            "status": "missing",
        },
    ]
    assert file_ledger(engine, "2025-08")[["path", "status"]].values.tolist() == [
        ["2025-08/imigrasi/kitas.xlsx", "loaded"],
        ["2025-08/imigrasi/rusak.xlsx", "quarantined"],
        [COMPANY_PATH, "loaded"],
    ]
    runs = recent_runs(engine, "2025-08")
    assert runs[["run_id", "period", "status"]].values.tolist() == [["run-1", "2025-08", "loaded"]]
    assert recent_runs(engine, "2025-09").empty
    assert [
        (e["alert_key"], e["channel"], e["digest_hash"]) for e in alert_ledger_entries(engine, "2025-08")
    ] == [("k1", "email", "h1")]
