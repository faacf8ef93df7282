"""Period loads: exact rows, idempotency, atomicity, decisions that survive, supersede, stable worker ids."""

from __future__ import annotations

import datetime as dt
import json
import threading

import pandas as pd
import pytest
from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError

from tka.warehouse import (
    get_issue,
    known_workers,
    list_issues,
    load_period,
    period_snapshot,
    record_alert,
    waive,
    waived_issue_ids,
)
from tka.warehouse.queries import UnknownIssueError
from tka.warehouse.schema import source_record

from .inputs import COMPANY_PATH, NIB, SHA_COMPANY, SHA_COMPANY_V2, SHA_KITAS, UTC, file_info, period_inputs


def test_load_writes_exact_rows(engine) -> None:  # type: ignore[no-untyped-def]
    stats = load_period(engine, "2025-08", "run-1", **period_inputs())
    assert (
        stats.source_records,
        stats.worker_months,
        stats.issues,
        stats.files_loaded,
        stats.files_superseded,
    ) == (3, 1, 2, 2, 0)
    snap = period_snapshot(engine, "2025-08")
    assert snap["worker"] == [
        {
            "worker_id": "W0000000000a1",
            "first_period": "2025-08",
            "last_period": "2025-08",
            "passport_no": "E12345678",
            "nationality": "CHN",
            "name": "GAO XUEFENG",
            "birth_date": dt.date(1985, 3, 2),
            "sex": "L",
        }
    ]
    wm = snap["worker_month"][0]
    assert (
        wm["period"],
        wm["company_nib"],
        wm["position"],
        wm["sources"],
        wm["source_count"],
        wm["kitas_end"],
        wm["rptka_no"],
    ) == ("2025-08", NIB, "MEKANIK", "company;imigrasi", 2, dt.date(2026, 1, 31), None)
    assert [
        (f["path"], f["status"], f["quarantine_reason"], f["rows_read"]) for f in snap["file_ledger"]
    ] == [
        ("2025-08/imigrasi/kitas.xlsx", "loaded", None, 2),
        (COMPANY_PATH, "loaded", None, 1),
        ("2025-08/imigrasi/rusak.xlsx", "quarantined", "corrupt", None),
    ]
    assert json.loads(snap["period_load"][0]["file_shas"]) == [SHA_KITAS, SHA_COMPANY]
    rec = snap["source_record"][0]
    assert (
        rec["record_key"],
        rec["row_number"],
        json.loads(rec["raw"]),
        rec["birth_date"],
        rec["status"],
    ) == (f"{SHA_KITAS[:16]}:Data:7", 7, {"Nama": "GAO XUEFENG"}, dt.date(1985, 3, 2), "accepted")
    assert [(i["issue_id"], i["status"], i["severity"]) for i in snap["validation_issue"]] == [
        ("aaaaaaaa00000001", "open", "warning"),
        ("bbbbbbbb00000002", "open", "warning"),
    ]
    assert [(c["company_nib"], c["status"], c["escalation_level"]) for c in snap["company_period"]] == [
        (NIB, "received", 0),
        ("9999999999999", "missing", 1),
    ]
    assert [(c["company_nib"], c["name"], c["first_period"]) for c in snap["company"]] == [
        (NIB, "PT ALPHA", "2025-08"),
        ("9999999999999", "PT BETA", "2025-08"),
    ]


def test_reload_with_same_inputs_is_identical(engine) -> None:  # type: ignore[no-untyped-def]
    load_period(engine, "2025-08", "run-1", **period_inputs())
    first = period_snapshot(engine, "2025-08")
    load_period(engine, "2025-08", "run-2", **period_inputs())
    assert period_snapshot(engine, "2025-08") == first
    with engine.connect() as conn:
        assert conn.execute(select(func.count()).select_from(source_record)).scalar() == 3


@pytest.mark.parametrize(
    "fail_after",
    [
        "file_ledger",
        "validation_issue_cleared",
        "period_cleared",
        "worker",
        "worker_month",
        "source_record",
        "worker_spans",
        "validation_issue",
    ],
)
def test_failure_mid_load_keeps_previous_state(engine, fail_after: str) -> None:  # type: ignore[no-untyped-def]
    load_period(engine, "2025-08", "run-1", **period_inputs())
    before = period_snapshot(engine, "2025-08", volatile=True)

    def boom(step: str) -> None:
        if step == fail_after:
            raise RuntimeError(f"injected after {step}")

    changed = period_inputs(position="MANAJER", company_sha=SHA_COMPANY_V2, company_day=9)
    with pytest.raises(RuntimeError, match=f"injected after {fail_after}"):
        load_period(engine, "2025-08", "run-2", on_step=boom, **changed)
    assert period_snapshot(engine, "2025-08", volatile=True) == before


def test_failing_row_rolls_back_the_whole_load(engine) -> None:  # type: ignore[no-untyped-def]
    load_period(engine, "2025-08", "run-1", **period_inputs())
    before = period_snapshot(engine, "2025-08", volatile=True)
    bad = period_inputs(position="MANAJER")
    bad["source_records"].loc[2, "status"] = None  # NOT NULL violation on the last insert batch
    with pytest.raises(IntegrityError):
        load_period(engine, "2025-08", "run-2", **bad)
    assert period_snapshot(engine, "2025-08", volatile=True) == before


def test_waive_survives_reload(engine) -> None:  # type: ignore[no-untyped-def]
    load_period(engine, "2025-08", "run-1", **period_inputs())
    assert waive(engine, ["aaaaaaaa00000001"], "  Anak TKA, umur benar  ", "steward@kesbangpol") == 1
    decided = get_issue(engine, "aaaaaaaa00000001")
    load_period(engine, "2025-08", "run-2", **period_inputs())
    after = get_issue(engine, "aaaaaaaa00000001")
    assert after is not None and decided is not None
    assert (after["status"], after["decided_by"], after["decision_note"], after["decided_at"]) == (
        "waived",
        "steward@kesbangpol",
        "Anak TKA, umur benar",
        decided["decided_at"],
    )
    assert after["run_id"] == "run-2"
    assert waived_issue_ids(engine, "2025-08") == {"aaaaaaaa00000001"}
    assert get_issue(engine, "bbbbbbbb00000002")["status"] == "open"  # type: ignore[index]


def test_waive_unknown_id_changes_nothing(engine) -> None:  # type: ignore[no-untyped-def]
    load_period(engine, "2025-08", "run-1", **period_inputs())
    with pytest.raises(UnknownIssueError, match="ffffffff00000000"):
        waive(engine, ["aaaaaaaa00000001", "ffffffff00000000"], "catatan", "steward")
    assert waived_issue_ids(engine, "2025-08") == set()
    with pytest.raises(ValueError, match="Catatan wajib"):
        waive(engine, ["aaaaaaaa00000001"], " ", "steward")
    assert get_issue(engine, "ffffffff00000000") is None


def test_a_revision_supersedes_and_settles_old_issues(engine) -> None:  # type: ignore[no-untyped-def]
    """The flow hands a file replaced by its revision in as superseded (tka.versions); its issues that no
    issue of the new version continues (no ``carried_from``) become fixed and keep their decision."""
    load_period(engine, "2025-08", "run-1", **period_inputs())
    waive(engine, ["bbbbbbbb00000002"], "sudah diperpanjang", "steward")
    old_file = file_info(
        COMPANY_PATH, SHA_COMPANY, "company", f"company:{NIB}", 3, status="superseded",
        superseded_by=SHA_COMPANY_V2, superseded_reason="revisi: nama berkas sama",
    )
    revised = period_inputs(
        company_sha=SHA_COMPANY_V2,
        company_day=9,
        company_path=f"2025-08/perusahaan/{NIB} PT ALPHA revisi.xlsx",
        extra_files=[old_file],
    )
    stats = load_period(engine, "2025-08", "run-2", **revised)
    assert (stats.files_superseded, stats.files_loaded) == (1, 2)
    snap = period_snapshot(engine, "2025-08")
    ledger = {(f["file_sha256"][:1], f["status"], f["superseded_by"]) for f in snap["file_ledger"]}
    assert ledger == {
        ("a", "loaded", None),
        ("b", "superseded", SHA_COMPANY_V2),
        ("c", "quarantined", None),
        ("d", "loaded", None),
    }
    assert [(i["issue_id"], i["status"], i["decided_by"]) for i in snap["validation_issue"]] == [
        ("aaaaaaaa00000001", "open", None),
        ("bbbbbbbb00000002", "fixed", "steward"),
        ("dddddddd00000002", "open", None),
    ]
    assert [f["superseded_reason"] for f in snap["file_ledger"] if f["status"] == "superseded"] == \
        ["revisi: nama berkas sama"]
    assert json.loads(snap["period_load"][0]["file_shas"]) == [SHA_KITAS, SHA_COMPANY_V2]
    assert list_issues(engine, "2025-08", status="fixed")["issue_id"].tolist() == ["bbbbbbbb00000002"]
    # The superseded file is no longer on the drive: the next run still finds it in the ledger.
    again = period_inputs(
        company_sha=SHA_COMPANY_V2,
        company_day=9,
        company_path=f"2025-08/perusahaan/{NIB} PT ALPHA revisi.xlsx",
    )
    load_period(engine, "2025-08", "run-3", **again)
    assert period_snapshot(engine, "2025-08") == snap


def test_a_superseded_version_still_on_the_drive_keeps_what_its_load_recorded(engine) -> None:  # type: ignore[no-untyped-def]
    """The flow passes a superseded file as file_outcomes() does (status only, not read): its ledger row keeps
    the rows_read of the run that loaded it, as an old version that left the drive does."""
    load_period(engine, "2025-08", "run-1", **period_inputs())
    (loaded,) = [f for f in period_snapshot(engine, "2025-08")["file_ledger"] if f["file_sha256"] == SHA_COMPANY]
    assert loaded["rows_read"] == 1
    old_file = file_info(COMPANY_PATH, SHA_COMPANY, "company", f"company:{NIB}", 3, status="superseded",
                         superseded_by=SHA_COMPANY_V2, superseded_reason="revisi: sebagian besar TKA sama")
    revised = period_inputs(company_sha=SHA_COMPANY_V2, company_day=9,
                            company_path=f"2025-08/perusahaan/{NIB} PT ALPHA revisi.xlsx", extra_files=[old_file])
    load_period(engine, "2025-08", "run-2", **revised)
    (old,) = [f for f in period_snapshot(engine, "2025-08")["file_ledger"] if f["file_sha256"] == SHA_COMPANY]
    assert old == {**loaded, "status": "superseded", "superseded_by": SHA_COMPANY_V2,
                   "superseded_reason": "revisi: sebagian besar TKA sama"}


def test_same_path_with_new_content_supersedes_old_version(engine) -> None:  # type: ignore[no-untyped-def]
    load_period(engine, "2025-08", "run-1", **period_inputs())
    load_period(engine, "2025-08", "run-2", **period_inputs(company_sha=SHA_COMPANY_V2, company_day=9))
    snap = period_snapshot(engine, "2025-08")
    rows = [
        (f["file_sha256"][:1], f["path"], f["status"])
        for f in snap["file_ledger"]
        if f["path"] == COMPANY_PATH
    ]
    assert rows == [("b", COMPANY_PATH, "superseded"), ("d", COMPANY_PATH, "loaded")]
    # The new version has no issue continuing bbbbbbbb00000002 (no carried_from): the problem is fixed.
    assert [(i["issue_id"], i["status"]) for i in snap["validation_issue"]] == [
        ("aaaaaaaa00000001", "open"),
        ("bbbbbbbb00000002", "fixed"),
        ("dddddddd00000002", "open"),
    ]


def test_two_months_keep_worker_ids_and_spans(engine) -> None:  # type: ignore[no-untyped-def]
    load_period(engine, "2025-07", "run-7", **period_inputs("2025-07"))
    known = known_workers(engine, "2025-08")
    assert known.to_dict("records") == [
        {
            "worker_id": "W0000000000a1",
            "passport_no": "E12345678",
            "nationality": "CHN",
            "name": "GAO XUEFENG",
            "birth_date": dt.date(1985, 3, 2),
            "sex": "L",
            "kitas_no": "2D4564511LA8-B",
            "rptka_no": None,
            "notifikasi_no": None,
            "company_nib": NIB,
            "company_name": "PT ALPHA",
            "first_period": "2025-07",
        }
    ]
    assert known_workers(engine, "2025-07").empty
    august = period_inputs("2025-08", position="MANAJER")
    august["worker_month"].loc[0, "name"] = "GAO XUE FENG"
    load_period(engine, "2025-08", "run-8", **august)
    # Re-loading the older month must not narrow the span nor roll the identity back.
    load_period(engine, "2025-07", "run-9", **period_inputs("2025-07"))
    snap = period_snapshot(engine, "2025-08")
    assert [(w["worker_id"], w["first_period"], w["last_period"], w["name"]) for w in snap["worker"]] == [
        ("W0000000000a1", "2025-07", "2025-08", "GAO XUE FENG")
    ]
    assert [c["first_period"] + ".." + c["last_period"] for c in snap["company"]] == ["2025-07..2025-08"] * 2


def test_alert_ledger_survives_reload(engine) -> None:  # type: ignore[no-untyped-def]
    load_period(engine, "2025-08", "run-1", **period_inputs())
    record_alert(
        engine,
        "missing:2025-08:9999999999999:email",
        "2025-08",
        "email",
        "h1",
        {"companies": 1},
        sent_at=dt.datetime(2025, 9, 11, 1, 0, tzinfo=UTC),
    )
    load_period(engine, "2025-08", "run-2", **period_inputs())
    rows = period_snapshot(engine, "2025-08")["alert_ledger"]
    assert [(r["alert_key"], r["digest_hash"], r["payload"]) for r in rows] == [
        ("missing:2025-08:9999999999999:email", "h1", '{"companies": 1}')
    ]


def test_raw_values_of_any_type_are_stored_as_text(engine) -> None:  # type: ignore[no-untyped-def]
    inputs = period_inputs()
    inputs["issues"]["raw_value"] = pd.Series([3.5, dt.date(2024, 1, 1)], dtype=object)
    load_period(engine, "2025-08", "run-1", **inputs)
    assert [i["raw_value"] for i in period_snapshot(engine, "2025-08")["validation_issue"]] == [
        "3.5",
        "2024-01-01",
    ]


def test_rerun_that_drops_a_worker_settles_spans(engine) -> None:  # type: ignore[no-untyped-def]
    load_period(engine, "2025-07", "run-7", **period_inputs("2025-07"))
    august = period_inputs("2025-08")
    second = august["worker_month"].iloc[0].to_dict() | {
        "worker_id": "W0000000000b2",
        "passport_no": "E87654321",
    }
    august["worker_month"] = pd.concat([august["worker_month"], pd.DataFrame([second])], ignore_index=True)
    load_period(engine, "2025-08", "run-8", **august)
    assert [
        (w["worker_id"], w["first_period"], w["last_period"])
        for w in period_snapshot(engine, "2025-08")["worker"]
    ] == [("W0000000000a1", "2025-07", "2025-08"), ("W0000000000b2", "2025-08", "2025-08")]
    # August again, now without either worker (the steward found the rows were last month's report).
    empty = period_inputs("2025-08")
    empty["worker_month"] = empty["worker_month"].iloc[0:0]
    empty["source_records"]["worker_id"] = None
    load_period(engine, "2025-08", "run-9", **empty)
    assert period_snapshot(engine, "2025-08")["worker"] == []
    assert [
        (w["worker_id"], w["first_period"], w["last_period"])
        for w in period_snapshot(engine, "2025-07")["worker"]
    ] == [("W0000000000a1", "2025-07", "2025-07")]


def test_concurrent_loads_of_one_period_queue_up(engine) -> None:  # type: ignore[no-untyped-def]
    """Two loads of the same period at once: both succeed one after the other, the state is one load's."""
    load_period(engine, "2025-08", "run-0", **period_inputs())
    expected = period_snapshot(engine, "2025-08")
    errors: list[BaseException] = []

    def run(run_id: str) -> None:
        try:
            load_period(engine, "2025-08", run_id, **period_inputs())
        except BaseException as exc:  # noqa: BLE001 - collected and asserted below
            errors.append(exc)

    threads = [threading.Thread(target=run, args=(f"run-{i}",)) for i in (1, 2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    assert period_snapshot(engine, "2025-08") == expected
