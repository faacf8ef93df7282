"""Resolve + survive + load over two consecutive months: known workers keep ids, re-runs reproduce them."""

from __future__ import annotations

import datetime as dt
import hashlib
from typing import Any

import pandas as pd

from tka.match import load_config, resolve, survive
from tka.warehouse import known_workers, load_period, period_snapshot

CFG = load_config()
GAO = {
    "name": "GAO XUEFENG",
    "nationality": "CHN",
    "birth_date": dt.date(1985, 3, 2),
    "kitas_no": "K1",
    "company_nib": "1234567890123",
    "company_name": "PT ALPHA",
}
KIM = {
    "name": "KIM MINJUN",
    "nationality": "KOR",
    "birth_date": dt.date(1979, 5, 1),
    "passport_no": "M12345678",
    "company_name": "PT BETA",
}


def rec(period: str, kind: str, row: int, **fields: Any) -> dict[str, Any]:
    sha = hashlib.sha256(f"{period}{kind}".encode()).hexdigest()
    return {
        "record_key": f"{sha[:16]}:Data:{row}",
        "source_kind": kind,
        "source_id": kind,
        "file_path": f"{period}/{kind}/laporan.xlsx",
        "file_sha256": sha,
        "sheet": "Data",
        "row_number": row,
        "person_kind": "worker",
        "status": "accepted",
        **fields,
    }


def run_month(engine, period: str, rows: list[dict[str, Any]]) -> pd.DataFrame:  # type: ignore[no-untyped-def]
    frame = pd.DataFrame(rows)
    ids = resolve(frame, known_workers(engine, period), period, CFG)
    merged = frame.merge(ids, on="record_key", how="left")
    files = [
        {"path": p, "sha256": s, "source_kind": k, "source_id": k, "size": 1}
        for p, s, k in frame[["file_path", "file_sha256", "source_kind"]]
        .drop_duplicates()
        .itertuples(index=False)
    ]
    load_period(
        engine,
        period,
        f"run-{period}",
        files=files,
        source_records=merged,
        issues=None,
        worker_month=survive(merged, CFG),
    )
    return merged.set_index("record_key")[["worker_id", "match_reason"]]


def july() -> list[dict[str, Any]]:
    return [
        rec("2025-07", "imigrasi", 7, passport_no="E12345678", sex="L", **GAO),
        rec("2025-07", "imigrasi", 8, **KIM),
        rec("2025-07", "company", 5, passport_no="E12345678", position="MEKANIK", **GAO),
    ]


def august() -> list[dict[str, Any]]:
    return [
        rec("2025-08", "imigrasi", 7, passport_no="EC7654321", sex="L", **GAO),  # renewed passport
        rec("2025-08", "imigrasi", 8, **{**KIM, "name": "KIM MIN JUN"}),
        rec(
            "2025-08",
            "imigrasi",
            9,
            passport_no="E55555555",
            name="LI WEI",
            nationality="CHN",
            birth_date=dt.date(1990, 1, 1),
        ),
        rec(
            "2025-08",
            "kecamatan",
            3,
            name="XUEFENG GAO",
            nationality="CHN",
            company_name="PT ALPHA",
            kecamatan_code="64.02.12",
        ),
    ]


def test_known_workers_keep_ids_across_months_and_reruns(engine) -> None:  # type: ignore[no-untyped-def]
    jul = run_month(engine, "2025-07", july())
    gao, kim = jul["worker_id"].iloc[0], jul["worker_id"].iloc[1]
    assert jul["match_reason"].tolist() == ["passport", "new", "passport"]
    aug = run_month(engine, "2025-08", august())
    li_key = rec("2025-08", "imigrasi", 9)["record_key"]
    li = "W" + hashlib.sha256(f"2025-08{li_key}".encode()).hexdigest()[:12]
    assert aug.reset_index().values.tolist() == [
        [rec("2025-08", "imigrasi", 7)["record_key"], gao, "known:renewed_passport"],
        [rec("2025-08", "imigrasi", 8)["record_key"], kim, "known:passport"],
        [li_key, li, "new"],
        [rec("2025-08", "kecamatan", 3)["record_key"], gao, "known:name_company"],
    ]
    snapshot = period_snapshot(engine, "2025-08")
    workers = {
        w["worker_id"]: (w["first_period"], w["last_period"], w["passport_no"]) for w in snapshot["worker"]
    }
    assert workers == {
        gao: ("2025-07", "2025-08", "EC7654321"),
        kim: ("2025-07", "2025-08", "M12345678"),
        li: ("2025-08", "2025-08", "E55555555"),
    }
    gao_month = next(m for m in snapshot["worker_month"] if m["worker_id"] == gao)
    assert (gao_month["sources"], gao_month["kecamatan_code"], gao_month["company_nib"]) == (
        "imigrasi;kecamatan",
        "64.02.12",
        "1234567890123",
    )
    # Re-running August (now that its workers are in the warehouse) reproduces ids and every row.
    assert run_month(engine, "2025-08", august()).equals(aug)
    assert period_snapshot(engine, "2025-08") == snapshot
    # Re-running July after August keeps July's ids too.
    assert run_month(engine, "2025-07", july()).equals(jul)
