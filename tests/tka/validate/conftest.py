"""Small canonical frames for the validation tests, built in memory, plus the real suites and config."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import pandas as pd
import pytest

from tka.contract import record_key
from tka.validate.config import ValidationConfig
from tka.validate.derive import frame_columns
from tka.validate.suites import Suites, load_suites

ROOT = Path(__file__).resolve().parents[3]
SHA_A = "a" * 64
SHA_B = "b" * 64
PERIOD = "2025-08"

# A worker row that breaks no rule in 2025-08 (disnakertrans requires name, passport, nationality, company,
# position).
CLEAN_WORKER: dict[str, Any] = {
    "name": "GAO XUEFENG", "name_raw": "MR GAO XUEFENG", "passport_no": "E12345678", "passport_raw": "E 1234 5678",
    "nationality": "CHN", "nationality_raw": "Tiongkok", "sex": "L", "birth_date": dt.date(1985, 3, 2),
    "position": "TEKNISI", "company_name": "PT KARYA TABANG", "company_nib": "1234567890123",
    "kecamatan_code": "64.02.12", "rptka_no": "B.3/54643/PK.04.00/VIII/2025", "rptka_start": dt.date(2025, 1, 1),
    "rptka_end": dt.date(2026, 12, 31), "permit_type": "baru", "kitas_no": "2D4564511LA8-B",
    "kitas_start": dt.date(2025, 2, 1), "kitas_end": dt.date(2026, 1, 31), "person_kind": "worker",
}
CLEAN_COMPANY: dict[str, Any] = {
    "company_nib": "1234567890123", "company_name": "PT KARYA TABANG", "company_name_raw": "PT. Karya Tabang",
    "kbli": "05100", "kecamatan_code": "64.02.12", "kecamatan_raw": "Tabang", "must_report": True,
}


def make_rows(specs: list[dict[str, Any]], kind: str = "worker", source_kind: str = "disnakertrans",
              sha: str = SHA_A, file_path: str = "2025-08/disnakertrans/tka.xlsx",
              sheet: str = "Agustus") -> pd.DataFrame:
    """A read frame with every contract column; spec i becomes Excel row 7 + i on top of a clean row."""
    clean = CLEAN_COMPANY if kind == "registry" else CLEAN_WORKER
    records = []
    for i, spec in enumerate(specs):
        number = spec.pop("row_number", 7 + i)
        base = dict.fromkeys(frame_columns(kind))
        base.update(clean)
        base.update({"run_id": "run-1", "source_kind": source_kind, "source_id": source_kind,
                     "file_path": file_path, "file_sha256": sha, "sheet": sheet, "row_number": number,
                     "raw": {}, "record_key": record_key(sha, sheet, number)})
        base.update(spec)
        records.append(base)
    return pd.DataFrame(records, columns=list(frame_columns(kind)), dtype=object)


def issue_tuples(issues: pd.DataFrame) -> set[tuple[Any, ...]]:
    """(row_number, column, rule, severity) of every issue, for exact comparisons."""
    return {(r.row_number, r.column, r.rule, r.severity) for r in issues.itertuples()}


@pytest.fixture(scope="session")
def config() -> ValidationConfig:
    """The project's real sources.yaml + reference.yaml."""
    return ValidationConfig.from_dir(ROOT / "config")


@pytest.fixture(scope="session")
def suites() -> Suites:
    """The project's real suites in expectations/."""
    return load_suites(ROOT / "expectations")
