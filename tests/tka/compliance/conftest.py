"""Shared builders for compliance tests: small registry, worker-row and file frames, and a Prefect API."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import pandas as pd
import pytest

from tka.compliance.status import FILE_COLUMNS

ROW_COLUMNS = ("source_kind", "file_path", "company_nib", "company_name", "status", "person_kind",
               "kecamatan_code")


def registry_frame(*companies: tuple[str, str, str, str, bool]) -> pd.DataFrame:
    """Registry rows from (nib, name, kbli, kecamatan_code, must_report)."""
    return pd.DataFrame([{"company_nib": n, "company_name": name, "company_name_raw": name, "kbli": k,
                          "kecamatan_code": kec, "kecamatan_raw": None, "must_report": must, "address": None}
                         for n, name, k, kec, must in companies])


def rows_frame(*rows: dict[str, Any]) -> pd.DataFrame:
    """Validated worker rows with only the columns compliance reads (missing keys are None)."""
    return pd.DataFrame([{c: r.get(c, "worker" if c == "person_kind" else None) for c in ROW_COLUMNS}
                         for r in rows], columns=list(ROW_COLUMNS))


def files_frame(*files: dict[str, Any]) -> pd.DataFrame:
    """Discovered files (missing keys are None)."""
    return pd.DataFrame([{c: f.get(c) for c in FILE_COLUMNS} for f in files], columns=list(FILE_COLUMNS))


def previous_frame(*rows: tuple[str, str, str, int]) -> pd.DataFrame:
    """Earlier company_period rows from (period, nib, status, consecutive_missed)."""
    return pd.DataFrame(rows, columns=["period", "company_nib", "status", "consecutive_missed"])


def utc(*args: int) -> datetime:
    """An aware UTC datetime."""
    return pd.Timestamp(datetime(*args), tz="UTC").to_pydatetime()


@pytest.fixture(scope="session")
def prefect_api(prefect_harness: None) -> None:
    """The session's one Prefect test server (tests/conftest.py), for block storage and flow runs."""
