"""Cross-source findings on hand-made warehouse rows: each kind, its subject and its evidence, exactly."""

from __future__ import annotations

import datetime as dt
import json

import pandas as pd
import pytest

from tka.report import (
    FINDING_KINDS,
    UnknownKindError,
    check_kind,
    compute_findings,
    finding_id,
    source_counts,
)
from tka.warehouse.report_queries import RECORD_COLUMNS

PERIOD = "2025-08"
REG_A, REG_B, REG_C = "8100000000001", "8100000000002", "8100000000003"
REGISTRY = pd.DataFrame({"company_nib": [REG_A, REG_B, REG_C], "name": ["PT ALFA", "PT BETA", "PT GAMMA"],
                         "must_report": [True, True, False]})


def rec(key: str, kind: str, worker: str, **values: object) -> dict[str, object]:
    row: dict[str, object] = dict.fromkeys(RECORD_COLUMNS)
    row.update(record_key=key, source_kind=kind, source_id=kind, file_path=f"2025-08/{kind}/{kind}.xlsx",
               sheet="S", row_number=int(key.split(":")[1]), worker_id=worker, **values)
    return row


def findings(rows: list[dict[str, object]]) -> dict[str, list[str]]:
    frame = compute_findings(PERIOD, pd.DataFrame(rows, columns=list(RECORD_COLUMNS)), REGISTRY)
    out: dict[str, list[str]] = {}
    for f in frame.itertuples():
        out.setdefault(f.kind, []).append(f.worker_id or f.company_nib or f.company_name)
    return out


def test_kitas_for_an_employer_whose_report_omits_the_worker_and_the_reverse() -> None:
    rows = [
        rec("i:1", "imigrasi", "W1", company_name="PT. ALFA", kitas_no="K1", rptka_no="R1"),  # Alfa omits W1
        rec("i:2", "imigrasi", "W2", company_name="ALFA, PT", kitas_no="K2", rptka_no="R2"),
        rec("c:2", "company", "W2", company_nib=REG_A, rptka_no="R2"),  # listed: no finding
        rec("c:3", "company", "W3", company_nib=REG_A, kitas_no="K3", rptka_no="R3"),  # no KITAS record
        rec("i:4", "imigrasi", "W4", company_name="PT BETA", kitas_no="K4", rptka_no="R4"),  # Beta sent nothing
    ]
    got = findings(rows)
    assert got["kitas_not_listed_by_employer"] == ["W1"]
    assert got["employer_lists_without_kitas"] == ["W3"]
    assert "stay_without_work_permit" not in got


def test_stay_without_work_permit_and_expired_work_permit() -> None:
    rows = [
        rec("i:1", "imigrasi", "W1", company_name="PT ALFA", kitas_no="K1"),
        rec("d:1", "disnakertrans", "W2", company_nib=REG_A, rptka_no="R2", rptka_end=dt.date(2026, 1, 1),
            notifikasi_no="N2", notifikasi_end=dt.date(2025, 7, 20)),
        rec("d:2", "disnakertrans", "W3", company_nib=REG_A, rptka_no="R3", rptka_end=dt.date(2025, 8, 1)),
    ]
    frame = compute_findings(PERIOD, pd.DataFrame(rows, columns=list(RECORD_COLUMNS)), REGISTRY)
    stay = frame[frame["kind"] == "stay_without_work_permit"]
    assert stay["worker_id"].tolist() == ["W1"]
    expired = frame[frame["kind"] == "work_permit_expired"]
    assert expired["worker_id"].tolist() == ["W2"]  # ending on the period's first day is not "before"
    assert json.loads(expired.iloc[0]["detail"]) == {"ended": ["2025-07-20"]}
    assert json.loads(expired.iloc[0]["evidence"]) == [
        {"record_key": "d:1", "source_kind": "disnakertrans", "file_path": "2025-08/disnakertrans/disnakertrans.xlsx",
         "sheet": "S", "row_number": 1}]


def test_kecamatan_only_and_differences_between_sources() -> None:
    rows = [
        rec("k:1", "kecamatan", "W1", company_name="PT ALFA", kecamatan_code="64.02.12"),
        rec("c:1", "company", "W1", company_nib=REG_A),  # a company report is not a permit source
        rec("k:2", "kecamatan", "W2", company_name="PT ALFA", kecamatan_code="64.02.12"),
        rec("i:2", "imigrasi", "W2", company_name="PT BETA", kecamatan_code="64.02.06", kitas_no="K", rptka_no="R"),
    ]
    got = findings(rows)
    assert got["kecamatan_only"] == ["W1"]
    assert got["kecamatan_differs"] == ["W2"]
    assert got["employer_differs"] == ["W2"]


def test_employers_outside_the_registry_and_not_flagged_wajib_lapor() -> None:
    rows = [
        rec("d:1", "disnakertrans", "W1", company_name="PT DELTA LUAR", rptka_no="R1"),
        rec("d:2", "disnakertrans", "W2", company_name="PT GAMMA", rptka_no="R2"),
        rec("d:3", "disnakertrans", "W3", company_nib=REG_A, rptka_no="R3"),
    ]
    frame = compute_findings(PERIOD, pd.DataFrame(rows, columns=list(RECORD_COLUMNS)), REGISTRY)
    outside = frame[frame["kind"] == "employer_not_in_registry"]
    assert outside[["company_nib", "company_name"]].to_dict("records") == [
        {"company_nib": None, "company_name": "PT DELTA LUAR"}]
    assert [e["record_key"] for e in json.loads(outside.iloc[0]["evidence"])] == ["d:1"]
    obliged = frame[frame["kind"] == "employer_not_obliged"]
    assert obliged[["company_nib", "company_name"]].to_dict("records") == [
        {"company_nib": REG_C, "company_name": "PT GAMMA"}]


def test_ids_are_stable_and_kinds_in_report_order() -> None:
    rows = [rec("i:1", "imigrasi", "W1", company_name="PT ALFA", kitas_no="K1"),
            rec("c:1", "company", "W9", company_nib=REG_A, kitas_no="K9", rptka_no="R9")]
    frame = compute_findings(PERIOD, pd.DataFrame(rows, columns=list(RECORD_COLUMNS)), REGISTRY)
    assert frame["kind"].tolist() == ["kitas_not_listed_by_employer", "employer_lists_without_kitas",
                                      "stay_without_work_permit"]
    # one such finding per worker and employer: the employer is part of its id
    assert frame["finding_id"].tolist()[0] == finding_id(PERIOD, "kitas_not_listed_by_employer", f"W1|{REG_A}")
    again = compute_findings(PERIOD, pd.DataFrame(rows[::-1], columns=list(RECORD_COLUMNS)), REGISTRY)
    pd.testing.assert_frame_equal(frame, again)


def test_no_records_no_findings() -> None:
    frame = compute_findings(PERIOD, pd.DataFrame(columns=list(RECORD_COLUMNS)), REGISTRY)
    assert frame.empty and list(frame.columns)[:3] == ["period", "finding_id", "kind"]


def test_unknown_kind_names_the_choices_in_indonesian() -> None:
    assert check_kind("kecamatan_only") == "kecamatan_only"
    assert check_kind(None) is None
    with pytest.raises(UnknownKindError) as info:
        check_kind("kitas")
    assert str(info.value).startswith("Jenis temuan 'kitas' tidak dikenal. Pilihan: kitas_not_listed_by_employer")
    assert len(FINDING_KINDS) == 9


def test_source_counts_side_by_side() -> None:
    rows = [rec("i:1", "imigrasi", "W1", company_name="PT ALFA"), rec("c:1", "company", "W1", company_nib=REG_A),
            rec("c:2", "company", "W2", company_nib=REG_A), rec("k:3", "kecamatan", "W3", company_name="PT X")]
    table = source_counts(pd.DataFrame(rows, columns=list(RECORD_COLUMNS)), REGISTRY)
    assert table.to_dict("records") == [
        {"employer": REG_A, "company_name": "PT ALFA", "imigrasi": 1, "disnakertrans": 0, "company": 2,
         "kecamatan": 0, "workers": 2},
        {"employer": "name:X", "company_name": "PT X", "imigrasi": 0, "disnakertrans": 0, "company": 0,
         "kecamatan": 1, "workers": 1}]


def test_a_worker_with_kitas_for_two_silent_employers_has_two_findings_with_their_own_ids() -> None:
    rows = [rec("i:1", "imigrasi", "W1", company_nib=REG_A, kitas_no="K1"),
            rec("i:2", "imigrasi", "W1", company_nib=REG_B, kitas_no="K2"),
            rec("c:1", "company", "W8", company_nib=REG_A), rec("c:2", "company", "W9", company_nib=REG_B)]
    frame = compute_findings(PERIOD, pd.DataFrame(rows, columns=list(RECORD_COLUMNS)), REGISTRY)
    mine = frame[(frame["kind"] == "kitas_not_listed_by_employer") & (frame["worker_id"] == "W1")]
    assert sorted(mine["finding_id"]) == sorted(finding_id(PERIOD, "kitas_not_listed_by_employer", f"W1|{nib}")
                                                for nib in (REG_A, REG_B))
    assert frame["finding_id"].is_unique
