"""Resolve + survive + load over two consecutive months: known workers keep ids, re-runs reproduce them."""

from __future__ import annotations

import datetime as dt
import hashlib
from typing import Any

import pandas as pd

from tka.match import build_workers, load_config, resolve, survive
from tka.warehouse import known_workers, load_period, period_snapshot, source_records

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
    """The flow's dedupe + load steps: resolve against known workers, survive, build workers, load."""
    frame = pd.DataFrame(rows)
    known = known_workers(engine, period)
    ids = resolve(frame, known, period, CFG)
    worker_month = survive(frame.merge(ids, on="record_key", how="left"), period, CFG)
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
        source_records=source_records(frame, ids),
        issues=None,
        workers=build_workers(worker_month, known, period),
        worker_month=worker_month,
    )
    return ids.set_index("record_key")


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
    key = {
        (period, kind, row): rec(period, kind, row)["record_key"]
        for period, kind, row in [
            ("2025-07", "imigrasi", 7),
            ("2025-07", "imigrasi", 8),
            ("2025-07", "company", 5),
            ("2025-08", "imigrasi", 7),
            ("2025-08", "imigrasi", 8),
            ("2025-08", "imigrasi", 9),
            ("2025-08", "kecamatan", 3),
        ]
    }
    gao, kim = (
        jul.loc[key["2025-07", "imigrasi", 7], "worker_id"],
        jul.loc[key["2025-07", "imigrasi", 8], "worker_id"],
    )
    assert jul.loc[key["2025-07", "company", 5]].tolist() == [gao, "passport"]
    assert jul.loc[key["2025-07", "imigrasi", 8]].tolist() == [kim, "new"]
    aug = run_month(engine, "2025-08", august())
    li = "W" + hashlib.sha256(f"2025-08{key['2025-08', 'imigrasi', 9]}".encode()).hexdigest()[:12]
    assert {k: aug.loc[key[k]].tolist() for k in key if k[0] == "2025-08"} == {
        ("2025-08", "imigrasi", 7): [gao, "known:renewed_passport"],
        ("2025-08", "imigrasi", 8): [kim, "known:passport"],
        ("2025-08", "imigrasi", 9): [li, "new"],
        ("2025-08", "kecamatan", 3): [gao, "known:name_company"],
    }
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
