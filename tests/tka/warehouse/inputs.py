"""Small generated inputs of one period for the warehouse tests (3 files, 3 rows, 2 issues, 1 worker)."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pandas as pd

UTC = dt.UTC
SHA_KITAS = "a" * 64
SHA_COMPANY = "b" * 64
SHA_BROKEN = "c" * 64
SHA_COMPANY_V2 = "d" * 64
NIB = "1234567890123"
COMPANY_PATH = f"2025-08/perusahaan/{NIB} PT ALPHA.xlsx"


def file_info(path: str, sha: str, kind: str, source_id: str, day: int, **extra: Any) -> dict[str, Any]:
    return {
        "path": path,
        "sha256": sha,
        "size": 1000 + day,
        "source_kind": kind,
        "source_id": source_id,
        "modified": dt.datetime(2025, 9, day, tzinfo=UTC),
        **extra,
    }


def _record(
    sha: str,
    row: int,
    path: str,
    kind: str,
    *,
    status: str = "accepted",
    worker_id: str | None = None,
    name: str = "GAO XUEFENG",
    flags: str | None = None,
) -> dict[str, Any]:
    return {
        "record_key": f"{sha[:16]}:Data:{row}",
        "source_kind": kind,
        "source_id": kind,
        "file_path": path,
        "file_sha256": sha,
        "sheet": "Data",
        "row_number": row,
        "raw": {"Nama": name},
        "name": name,
        "passport_no": "E12345678",
        "nationality": "CHN",
        "birth_date": dt.date(1985, 3, 2),
        "company_nib": NIB,
        "company_name": "PT ALPHA",
        "person_kind": "worker",
        "status": status,
        "flags": flags,
        "worker_id": worker_id,
        "match_reason": "passport" if worker_id else None,
    }


def _issue(issue_id: str, sha: str, row: int, path: str, rule: str, severity: str) -> dict[str, Any]:
    return {
        "issue_id": issue_id,
        "record_key": f"{sha[:16]}:Data:{row}",
        "file_path": path,
        "file_sha256": sha,
        "sheet": "Data",
        "row_number": row,
        "column": "birth_date",
        "header": "Tgl Lahir",
        "raw_value": "02-03-1985",
        "rule": rule,
        "severity": severity,
    }


def period_inputs(
    period: str = "2025-08",
    *,
    company_sha: str = SHA_COMPANY,
    company_day: int = 3,
    company_path: str = COMPANY_PATH,
    position: str = "MEKANIK",
    extra_files: list[dict[str, Any]] | None = None,
) -> dict[str, Any]:
    """A small but complete period: 2 good files, 1 quarantined, 3 rows, 2 issues, 1 worker, 2 companies."""
    kitas_path = f"{period}/imigrasi/kitas.xlsx"
    files = [
        file_info(kitas_path, SHA_KITAS, "imigrasi", "imigrasi", 1, status="loaded", rows_read=2),
        file_info(
            company_path, company_sha, "company", f"company:{NIB}", company_day, status="loaded", rows_read=1
        ),
        file_info(
            f"{period}/imigrasi/rusak.xlsx",
            SHA_BROKEN,
            "imigrasi",
            "imigrasi",
            2,
            status="quarantined",
            quarantine_reason="corrupt",
            detail="BadZipFile",
        ),
        *(extra_files or []),
    ]
    records = pd.DataFrame(
        [
            _record(SHA_KITAS, 7, kitas_path, "imigrasi", worker_id="W0000000000a1"),
            _record(SHA_KITAS, 8, kitas_path, "imigrasi", status="rejected", name="ANAK KECIL"),
            _record(
                company_sha, 5, company_path, "company", worker_id="W0000000000a1", flags="permit_expired"
            ),
        ]
    )
    issues = pd.DataFrame(
        [
            _issue(f"{SHA_KITAS[:8]}00000001", SHA_KITAS, 8, kitas_path, "age_out_of_range", "warning"),
            _issue(f"{company_sha[:8]}00000002", company_sha, 5, company_path, "permit_expired", "warning"),
        ]
    )
    worker_month = pd.DataFrame(
        [
            {
                "worker_id": "W0000000000a1",
                "company_nib": NIB,
                "company_name": "PT ALPHA",
                "position": position,
                "nationality": "CHN",
                "passport_no": "E12345678",
                "name": "GAO XUEFENG",
                "sex": "L",
                "birth_date": dt.date(1985, 3, 2),
                "kitas_no": "2D4564511LA8-B",
                "kitas_end": dt.date(2026, 1, 31),
                "sources": "company;imigrasi",
                "source_count": 2,
                "record_count": 2,
                "flags": "permit_expired",
                "conflicts": None,
            }
        ]
    )
    companies = pd.DataFrame(
        [
            {
                "company_nib": NIB,
                "company_name": "PT ALPHA",
                "kbli": "05100",
                "kecamatan_code": "64.02.12",
                "must_report": True,
            },
            {
                "company_nib": "9999999999999",
                "company_name": "PT BETA",
                "kbli": "09900",
                "kecamatan_code": "64.02.11",
                "must_report": True,
            },
        ]
    )
    company_period = pd.DataFrame(
        [
            {
                "company_nib": NIB,
                "in_registry": True,
                "must_report": True,
                "status": "received",
                "files": 1,
                "rows": 1,
                "rows_accepted": 1,
                "consecutive_missed": 0,
                "escalation_level": 0,
            },
            {
                "company_nib": "9999999999999",
                "in_registry": True,
                "must_report": True,
                "status": "missing",
                "files": 0,
                "rows": 0,
                "rows_accepted": 0,
                "consecutive_missed": 1,
                "escalation_level": 1,
            },
        ]
    )
    return {
        "files": files,
        "source_records": records,
        "issues": issues,
        "worker_month": worker_month,
        "companies": companies,
        "company_period": company_period,
        "run_summary": {"rows": 3},
    }
