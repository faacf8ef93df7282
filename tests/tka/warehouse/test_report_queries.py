"""Storing and reading findings: a re-run replaces the period's findings, other periods stay."""

from __future__ import annotations

import json

import pandas as pd
from sqlalchemy import Engine, select

from tka.report.findings import FINDING_COLUMNS
from tka.warehouse import list_findings, replace_findings
from tka.warehouse.report_queries import finding_counts
from tka.warehouse.schema import finding


def frame(period: str, *kinds: str) -> pd.DataFrame:
    rows = [{"period": period, "finding_id": f"{i:016x}", "kind": kind, "worker_id": None,
             "company_nib": "8100000000001", "company_name": "PT ALFA", "detail": "{}",
             "evidence": json.dumps([{"record_key": "k:1", "source_kind": "company", "file_path": "f.xlsx",
                                      "sheet": "S", "row_number": 2}])} for i, kind in enumerate(kinds)]
    return pd.DataFrame(rows, columns=list(FINDING_COLUMNS))


def test_replace_is_idempotent_per_period(engine: Engine) -> None:
    assert replace_findings(engine, "2025-07", "r0", frame("2025-07", "employer_not_obliged")) == 1
    assert replace_findings(engine, "2025-08", "r1", frame("2025-08", "employer_not_obliged", "kecamatan_only")) == 2
    assert replace_findings(engine, "2025-08", "r2", frame("2025-08", "kecamatan_only")) == 1
    with engine.connect() as conn:
        rows = conn.execute(select(finding.c.period, finding.c.kind, finding.c.run_id)
                            .order_by(finding.c.period)).all()
    assert [tuple(r) for r in rows] == [("2025-07", "employer_not_obliged", "r0"), ("2025-08", "kecamatan_only", "r2")]
    assert finding_counts(engine, "2025-08") == {"kecamatan_only": 1}
    assert replace_findings(engine, "2025-08", "r3", frame("2025-08")) == 0
    assert finding_counts(engine, "2025-08") == {}


def test_list_filters_by_kind(engine: Engine) -> None:
    replace_findings(engine, "2025-08", "r1", frame("2025-08", "employer_not_obliged", "kecamatan_only"))
    got = list_findings(engine, "2025-08", "kecamatan_only")
    assert got[["kind", "company_name", "name"]].to_dict("records") == [
        {"kind": "kecamatan_only", "company_name": "PT ALFA", "name": None}]
    assert len(list_findings(engine, "2025-08")) == 2
    assert list_findings(engine, "2025-09").empty
