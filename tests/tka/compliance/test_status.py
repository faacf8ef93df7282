"""Company report status per period, consecutive misses, escalation and employers outside the registry."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

import pandas as pd
import pytest

from tka.compliance.policy import EscalationStep, MustReportMode, Policy
from tka.compliance.status import (
    STATUS_COLUMNS,
    company_key,
    compute_company_status,
    employers_not_in_registry,
)

from .conftest import files_frame, previous_frame, registry_frame, rows_frame, utc

WITA = ZoneInfo("Asia/Makassar")
A, B, C, D, E, F = ("1111111111111", "2222222222222", "3333333333333", "4444444444444", "5555555555555",
                    "6666666666666")
REGISTRY = registry_frame(
    (A, "PT ALPHA TAMBANG", "05100", "64.02.12", True),
    (B, "PT BETA SAWIT", "01262", "64.02.11", True),
    (C, "PT CAHAYA KONSTRUKSI", "41011", "64.02.06", False),
    (D, "PT DELTA ENERGI", "06100", "64.02.14", True),
    (E, "CV ELANG", "09900", "64.02.13", True),
)
POLICY = Policy(due_day=10, escalation=(EscalationStep(level=1, consecutive_missed=2),
                                        EscalationStep(level=2, consecutive_missed=3)))
AFTER_DEADLINE = utc(2025, 9, 20, 0, 0)
NO_PREVIOUS = previous_frame()


def _status(frame: pd.DataFrame) -> dict[str, str]:
    return dict(zip(frame["company_nib"], frame["status"], strict=True))


def _company_files() -> tuple[pd.DataFrame, pd.DataFrame]:
    files = files_frame(
        {"path": f"2025-08/perusahaan/{A} Alpha.xlsx", "source_kind": "company", "source_id": f"company:{A}",
         "company_nib": A, "received_at": utc(2025, 9, 5, 2, 0)},
        {"path": f"2025-08/perusahaan/{B} Beta.xlsx", "source_kind": "company", "source_id": f"company:{B}",
         "company_nib": B, "quarantine_reason": "encrypted", "received_at": utc(2025, 9, 1)},
        {"path": f"2025-08/perusahaan/{D} Delta.xlsx", "source_kind": "company", "source_id": f"company:{D}",
         "company_nib": D, "received_at": utc(2025, 9, 12)},
        {"path": "2025-08/imigrasi/kitas.xlsx", "source_kind": "imigrasi", "source_id": "imigrasi",
         "received_at": utc(2025, 9, 2)},
    )
    rows = rows_frame(
        {"source_kind": "company", "file_path": f"2025-08/perusahaan/{A} Alpha.xlsx", "status": "accepted"},
        {"source_kind": "company", "file_path": f"2025-08/perusahaan/{A} Alpha.xlsx", "status": "rejected"},
        {"source_kind": "company", "file_path": f"2025-08/perusahaan/{D} Delta.xlsx", "status": "accepted"},
    )
    return files, rows


def test_every_status_after_the_deadline() -> None:
    files, rows = _company_files()
    frame = compute_company_status(REGISTRY, rows, files, NO_PREVIOUS, "2025-08", AFTER_DEADLINE, POLICY)
    assert list(frame.columns) == list(STATUS_COLUMNS)
    assert frame.to_dict("records") == [
        {"period": "2025-08", "company_nib": A, "in_registry": True, "must_report": True, "status": "received",
         "files": 1, "rows": 2, "rows_accepted": 1, "consecutive_missed": 0, "escalation_level": 0,
         "name": "PT ALPHA TAMBANG", "kbli": "05100", "kecamatan_code": "64.02.12"},
        {"period": "2025-08", "company_nib": B, "in_registry": True, "must_report": True,
         "status": "received_all_rejected", "files": 1, "rows": 0, "rows_accepted": 0, "consecutive_missed": 0,
         "escalation_level": 0, "name": "PT BETA SAWIT", "kbli": "01262", "kecamatan_code": "64.02.11"},
        {"period": "2025-08", "company_nib": C, "in_registry": True, "must_report": False,
         "status": "not_required", "files": 0, "rows": 0, "rows_accepted": 0, "consecutive_missed": 0,
         "escalation_level": 0, "name": "PT CAHAYA KONSTRUKSI", "kbli": "41011", "kecamatan_code": "64.02.06"},
        {"period": "2025-08", "company_nib": D, "in_registry": True, "must_report": True, "status": "late",
         "files": 1, "rows": 1, "rows_accepted": 1, "consecutive_missed": 0, "escalation_level": 0,
         "name": "PT DELTA ENERGI", "kbli": "06100", "kecamatan_code": "64.02.14"},
        {"period": "2025-08", "company_nib": E, "in_registry": True, "must_report": True, "status": "missing",
         "files": 0, "rows": 0, "rows_accepted": 0, "consecutive_missed": 1, "escalation_level": 0,
         "name": "CV ELANG", "kbli": "09900", "kecamatan_code": "64.02.13"},
    ]


def test_all_rows_rejected_is_not_received() -> None:
    path = f"2025-08/perusahaan/{A} Alpha.xlsx"
    files = files_frame({"path": path, "source_kind": "company", "company_nib": A, "received_at": utc(2025, 9, 1)})
    rows = rows_frame({"source_kind": "company", "file_path": path, "status": "rejected"},
                      {"source_kind": "company", "file_path": path, "status": "rejected"})
    frame = compute_company_status(REGISTRY, rows, files, NO_PREVIOUS, "2025-08", AFTER_DEADLINE, POLICY)
    got = frame.set_index("company_nib").loc[A]
    assert (got["status"], got["files"], got["rows"], got["rows_accepted"]) == ("received_all_rejected", 1, 2, 0)


@pytest.mark.parametrize(("now_wita", "expected"), [
    (datetime(2025, 9, 10, 23, 30, tzinfo=WITA), "pending"),
    (datetime(2025, 9, 11, 0, 30, tzinfo=WITA), "missing"),
])
def test_deadline_boundary_in_wita(now_wita: datetime, expected: str) -> None:
    frame = compute_company_status(REGISTRY, rows_frame(), files_frame(), NO_PREVIOUS, "2025-08", now_wita, POLICY)
    assert _status(frame)[E] == expected


def test_december_period_deadline_is_in_january() -> None:
    on_due_day = datetime(2026, 1, 10, 23, 30, tzinfo=WITA)
    day_after = datetime(2026, 1, 11, 0, 30, tzinfo=WITA)
    args = (REGISTRY, rows_frame(), files_frame(), NO_PREVIOUS, "2025-12")
    assert _status(compute_company_status(*args, on_due_day, POLICY))[E] == "pending"
    assert _status(compute_company_status(*args, day_after, POLICY))[E] == "missing"


def test_file_received_seconds_after_deadline_is_late_and_grace_days_extend_it() -> None:
    path = f"2025-08/perusahaan/{A} Alpha.xlsx"
    files = files_frame({"path": path, "source_kind": "company", "company_nib": A,
                         "received_at": datetime(2025, 9, 11, 0, 0, 5, tzinfo=WITA)})
    rows = rows_frame({"source_kind": "company", "file_path": path, "status": "accepted"})
    args = (REGISTRY, rows, files, NO_PREVIOUS, "2025-08", AFTER_DEADLINE)
    assert _status(compute_company_status(*args, POLICY))[A] == "late"
    assert _status(compute_company_status(*args, Policy(grace_days=1)))[A] == "received"


def test_earliest_usable_file_decides_timeliness() -> None:
    early, late = f"2025-08/perusahaan/{A} v1.xlsx", f"2025-08/perusahaan/{A} v2.xlsx"
    files = files_frame(
        {"path": early, "source_kind": "company", "company_nib": A, "received_at": utc(2025, 9, 1)},
        {"path": late, "source_kind": "company", "company_nib": A, "received_at": utc(2025, 9, 15)},
    )
    # The on-time file was all rejected; the corrected one came after the deadline.
    rows = rows_frame({"source_kind": "company", "file_path": early, "status": "rejected"},
                      {"source_kind": "company", "file_path": late, "status": "accepted"})
    got = compute_company_status(REGISTRY, rows, files, NO_PREVIOUS, "2025-08", AFTER_DEADLINE, POLICY)
    assert got.set_index("company_nib").loc[A, ["status", "files", "rows", "rows_accepted"]].tolist() == [
        "late", 2, 2, 1]


def test_report_attributed_by_row_nib_then_by_registry_name() -> None:
    by_nib, by_name, unknown = ("2025-08/perusahaan/laporan beta.xlsx", "2025-08/perusahaan/alpha.xlsx",
                                "2025-08/perusahaan/alfa.xlsx")
    files = files_frame(*({"path": p, "source_kind": "company", "received_at": utc(2025, 9, 1)}
                          for p in (by_nib, by_name, unknown)))
    rows = rows_frame(
        {"source_kind": "company", "file_path": by_nib, "company_nib": B, "status": "accepted"},
        {"source_kind": "company", "file_path": by_name, "company_name": "P.T. Alpha Tambang", "status": "accepted"},
        # A misspelt name is not matched: the conservative matcher prefers a missing report to a wrong one.
        {"source_kind": "company", "file_path": unknown, "company_name": "PT ALFA TAMBANG", "status": "accepted"},
    )
    got = compute_company_status(REGISTRY, rows, files, NO_PREVIOUS, "2025-08", AFTER_DEADLINE, POLICY)
    assert _status(got) == {A: "received", B: "received", C: "not_required", D: "missing", E: "missing"}


def test_file_name_nib_wins_over_row_nib() -> None:
    path = f"2025-08/perusahaan/{D} Delta.xlsx"
    files = files_frame({"path": path, "source_kind": "company", "company_nib": D, "received_at": utc(2025, 9, 1)})
    rows = rows_frame({"source_kind": "company", "file_path": path, "company_nib": A, "status": "accepted"})
    got = compute_company_status(REGISTRY, rows, files, NO_PREVIOUS, "2025-08", AFTER_DEADLINE, POLICY)
    assert (_status(got)[D], _status(got)[A]) == ("received", "missing")


def _employment_evidence() -> pd.DataFrame:
    return rows_frame(
        {"source_kind": "imigrasi", "file_path": "i.xlsx", "company_name": "PT Cahaya Konstruksi",
         "status": "accepted"},
        {"source_kind": "disnakertrans", "file_path": "d.xlsx", "company_nib": F, "company_name": "PT FOXTROT",
         "kecamatan_code": "64.02.05", "status": "accepted"},
        # Not evidence: a dependant, a rejected row, an unknown company without NIB.
        {"source_kind": "imigrasi", "file_path": "i.xlsx", "company_nib": "7777777777777",
         "company_name": "PT GOLF", "person_kind": "dependant", "status": "accepted"},
        {"source_kind": "disnakertrans", "file_path": "d.xlsx", "company_nib": "8888888888888",
         "company_name": "PT HOTEL", "status": "rejected"},
        {"source_kind": "kecamatan", "file_path": "k.xlsx", "company_name": "PT INDIA", "status": "accepted"},
    )


def test_registry_or_employing_adds_employers_to_who_must_report() -> None:
    rows = _employment_evidence()
    policy = POLICY.model_copy(update={"must_report_mode": MustReportMode.REGISTRY_OR_EMPLOYING})
    got = compute_company_status(REGISTRY, rows, files_frame(), NO_PREVIOUS, "2025-08", AFTER_DEADLINE, policy)
    assert _status(got) == {A: "missing", B: "missing", C: "missing", D: "missing", E: "missing", F: "missing"}
    outsider = got.set_index("company_nib").loc[F]
    assert outsider[["in_registry", "must_report", "name", "kbli", "kecamatan_code"]].tolist() == [
        False, True, "PT FOXTROT", None, "64.02.05"]


def test_registry_flag_mode_ignores_employment_evidence() -> None:
    got = compute_company_status(REGISTRY, _employment_evidence(), files_frame(), NO_PREVIOUS, "2025-08",
                                 AFTER_DEADLINE, POLICY)
    assert _status(got)[C] == "not_required" and F not in set(got["company_nib"])


def test_outsider_self_report_is_listed_even_if_not_required() -> None:
    path = f"2025-08/perusahaan/{F} Foxtrot.xlsx"
    files = files_frame({"path": path, "source_kind": "company", "company_nib": F, "received_at": utc(2025, 9, 1)})
    rows = rows_frame({"source_kind": "company", "file_path": path, "company_name": "PT FOXTROT",
                       "status": "accepted"})
    got = compute_company_status(REGISTRY, rows, files, NO_PREVIOUS, "2025-08", AFTER_DEADLINE, POLICY)
    assert got.set_index("company_nib").loc[F, ["in_registry", "must_report", "status", "name"]].tolist() == [
        False, False, "received", "PT FOXTROT"]


def test_consecutive_misses_and_escalation() -> None:
    previous = previous_frame(
        ("2025-07", E, "missing", 2),   # third miss in a row -> level 2
        ("2025-07", D, "missing", 1),   # second miss -> level 1
        ("2025-06", B, "missing", 4),   # a gap in July breaks the run -> 1
        ("2025-07", A, "late", 0),
    )
    got = compute_company_status(REGISTRY, rows_frame(), files_frame(), previous, "2025-08", AFTER_DEADLINE, POLICY)
    indexed = got.set_index("company_nib")
    assert {n: tuple(indexed.loc[n, ["consecutive_missed", "escalation_level"]]) for n in (A, B, D, E)} == {
        A: (1, 0), B: (1, 0), D: (2, 1), E: (3, 2)}


def test_pending_does_not_count_as_missed() -> None:
    previous = previous_frame(("2025-07", E, "missing", 2))
    got = compute_company_status(REGISTRY, rows_frame(), files_frame(), previous, "2025-08",
                                 utc(2025, 9, 1), POLICY)
    assert got.set_index("company_nib").loc[E, ["status", "consecutive_missed", "escalation_level"]].tolist() == [
        "pending", 0, 0]


def test_naive_now_is_refused() -> None:
    with pytest.raises(ValueError, match="timezone-aware"):
        compute_company_status(REGISTRY, rows_frame(), files_frame(), NO_PREVIOUS, "2025-08",
                               datetime(2025, 9, 20), POLICY)


def test_employers_not_in_registry() -> None:
    rows = pd.concat([_employment_evidence(), rows_frame(
        {"source_kind": "imigrasi", "file_path": "i.xlsx", "company_name": "PT. INDIA", "status": "accepted"},
        # Wrong NIB but the registry name: matched by name, so not an outsider.
        {"source_kind": "imigrasi", "file_path": "i.xlsx", "company_nib": "9999999999999",
         "company_name": "PT ALPHA TAMBANG", "status": "accepted"},
        # The company's own report is not evidence from another source.
        {"source_kind": "company", "file_path": "c.xlsx", "company_name": "PT JULIET", "status": "accepted"},
    )], ignore_index=True)
    got = employers_not_in_registry(REGISTRY, rows)
    assert got.to_dict("records") == [
        {"company_nib": F, "company_name": "PT FOXTROT", "source_kinds": "disnakertrans", "rows": 1},
        {"company_nib": None, "company_name": "PT INDIA", "source_kinds": "imigrasi;kecamatan", "rows": 2},
    ]


@pytest.mark.parametrize(("name", "key"), [
    ("PT. Alpha Tambang, Tbk", "ALPHA TAMBANG"), ("P.T. ALPHA  TAMBANG", "ALPHA TAMBANG"),
    ("CV Elang", "ELANG"), ("PT", None), (None, None),
])
def test_company_key(name: str | None, key: str | None) -> None:
    assert company_key(name) == key


def test_files_frame_from_read_results_and_dicts() -> None:
    from dataclasses import dataclass
    from datetime import UTC

    from tka.compliance.status import files_frame

    @dataclass
    class File:
        path: str
        source_kind: str
        source_id: str
        defaults: dict[str, str]
        modified: float

    @dataclass
    class Result:
        file: File
        quarantine: str | None

    got = files_frame([
        Result(File(f"2025-08/perusahaan/{A} a.xlsx", "company", f"company:{A}", {"company_nib": A}, 1756944000.0),
               None),
        {"path": "2025-08/imigrasi/x.xlsx", "source_kind": "imigrasi", "source_id": "imigrasi",
         "quarantine": "encrypted", "modified_at": datetime(2025, 9, 4, 8, 0)},
    ])
    assert got.to_dict("records") == [
        {"path": f"2025-08/perusahaan/{A} a.xlsx", "source_kind": "company", "source_id": f"company:{A}",
         "company_nib": A, "quarantine_reason": None, "received_at": datetime(2025, 9, 4, 0, 0, tzinfo=UTC)},
        {"path": "2025-08/imigrasi/x.xlsx", "source_kind": "imigrasi", "source_id": "imigrasi",
         "company_nib": None, "quarantine_reason": "encrypted", "received_at": datetime(2025, 9, 4, 8, 0, tzinfo=UTC)},
    ]


def test_registry_duplicates_and_bad_nibs_are_skipped() -> None:
    registry = registry_frame(
        (A, "PT ALPHA TAMBANG", "05100", "64.02.12", True),
        (A, "PT ALPHA TAMBANG (dobel)", "05100", "64.02.12", False),
        ("12345", "PT NIB PENDEK", "05100", "64.02.12", True),
        (B, "PT BETA SAWIT", None, None, None),
    )
    got = compute_company_status(registry, rows_frame(), files_frame(), NO_PREVIOUS, "2025-08", AFTER_DEADLINE,
                                 POLICY)
    assert got[["company_nib", "must_report", "status", "name", "kbli"]].to_dict("records") == [
        {"company_nib": A, "must_report": True, "status": "missing", "name": "PT ALPHA TAMBANG", "kbli": "05100"},
        {"company_nib": B, "must_report": False, "status": "not_required", "name": "PT BETA SAWIT", "kbli": None},
    ]


def test_pure_core_does_not_import_prefect() -> None:
    import subprocess
    import sys

    code = "import sys, tka.compliance; print('prefect' in sys.modules)"
    from tka.settings import PROJECT_ROOT

    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True, cwd=PROJECT_ROOT)
    assert out.stdout.strip() == "False"


def test_fuzzy_name_match_needs_one_clear_winner() -> None:
    registry = pd.concat([REGISTRY, registry_frame(
        ("7777777777777", "PT SINAR ABADI JAYA", "05100", "64.02.12", True),
        ("8888888888888", "PT SINAR ABADI JAYA 2", "05100", "64.02.12", True),
        ("9999999999999", "PT SINAR ABADI RAYA", "05100", "64.02.12", True),
    )], ignore_index=True)
    rows = rows_frame(
        # Word order swapped: token_sort_ratio 100, one winner -> PT ALPHA TAMBANG, not an outsider.
        {"source_kind": "imigrasi", "file_path": "i.xlsx", "company_name": "PT TAMBANG ALPHA", "status": "accepted"},
        # Equally close to "SINAR ABADI JAYA" and "SINAR ABADI RAYA": ambiguous -> no match.
        {"source_kind": "imigrasi", "file_path": "i.xlsx", "company_name": "PT SINAR ABADI KAYA", "status": "accepted"},
    )
    got = employers_not_in_registry(registry, rows, min_score=90)
    assert got[["company_nib", "company_name"]].to_dict("records") == [
        {"company_nib": None, "company_name": "PT SINAR ABADI KAYA"}]
