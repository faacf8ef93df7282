"""Queries for cross-source findings and the monthly report (laporan): every number the report shows."""

from __future__ import annotations

from typing import Any

import pandas as pd
from sqlalchemy import Engine, and_, delete, func, select

from tka.warehouse._db import frame_rows
from tka.warehouse.engine import serialize, write_transaction
from tka.warehouse.schema import (
    company,
    company_period,
    file_ledger,
    finding,
    period_load,
    source_record,
    validation_issue,
    worker_month,
)

RECORD_COLUMNS: tuple[str, ...] = (
    "record_key", "source_kind", "source_id", "file_path", "sheet", "row_number", "worker_id", "company_nib",
    "company_name", "kecamatan_code", "kitas_no", "rptka_no", "rptka_end", "notifikasi_no", "notifikasi_end",
)


def _frame(engine: Engine, stmt: Any) -> pd.DataFrame:
    """Run ``stmt``; its rows as a DataFrame with the selected column names (also when empty)."""
    with engine.connect() as conn:
        return pd.DataFrame(conn.execute(stmt).mappings().all(), columns=[c.name for c in stmt.selected_columns])


def finding_inputs(engine: Engine, period: str) -> tuple[pd.DataFrame, pd.DataFrame]:
    """(accepted worker records of ``period``, the period's registry companies) for ``compute_findings``."""
    sr = source_record.c
    records = _frame(engine, select(*(sr[c] for c in RECORD_COLUMNS))
                     .where(sr.period == period, sr.status == "accepted", sr.worker_id.is_not(None))
                     .order_by(sr.record_key))
    registry = _frame(engine, select(company.c.company_nib, company.c.name, company.c.must_report)
                      .join(company_period, company_period.c.company_nib == company.c.company_nib)
                      .where(company_period.c.period == period, company_period.c.in_registry.is_(True))
                      .order_by(company.c.company_nib))
    return records, registry


def replace_findings(engine: Engine, period: str, run_id: str | None, findings: pd.DataFrame) -> int:
    """Replace the findings of ``period`` in one transaction (a re-run gives the same rows); return the count."""
    rows = frame_rows(findings.assign(run_id=run_id), finding) if len(findings) else []
    with write_transaction(engine) as conn:
        serialize(conn, f"tka:finding:{period}")
        conn.execute(delete(finding).where(finding.c.period == period))
        if rows:
            conn.execute(finding.insert(), rows)
    return len(rows)


def list_findings(engine: Engine, period: str, kind: str | None = None) -> pd.DataFrame:
    """Findings of ``period`` (optionally one kind) with the worker's name, passport and nationality."""
    f, wm = finding.c, worker_month.c
    stmt = (select(finding, wm.name, wm.passport_no, wm.nationality)
            .outerjoin(worker_month, and_(wm.period == f.period, wm.worker_id == f.worker_id))
            .where(f.period == period).order_by(f.kind, f.worker_id, f.company_nib, f.company_name))
    if kind is not None:
        stmt = stmt.where(f.kind == kind)
    return _frame(engine, stmt)


def finding_counts(engine: Engine, period: str) -> dict[str, int]:
    """Findings of ``period`` per kind."""
    stmt = select(finding.c.kind, func.count()).where(finding.c.period == period).group_by(finding.c.kind)
    with engine.connect() as conn:
        return {k: int(n) for k, n in conn.execute(stmt)}


def loaded_periods(engine: Engine) -> list[str]:
    """Every loaded period, oldest first."""
    with engine.connect() as conn:
        return [r[0] for r in conn.execute(select(period_load.c.period).order_by(period_load.c.period))]


def month_workers(engine: Engine, period: str) -> pd.DataFrame:
    """worker_month rows of ``period`` with the employer's KBLI (from the company table)."""
    wm = worker_month.c
    stmt = (select(wm.worker_id, wm.company_nib, wm.company_name, wm.kecamatan_code, wm.position, wm.nationality,
                   wm.name, wm.passport_no, wm.kitas_no, wm.rptka_no, wm.notifikasi_no, wm.sources,
                   company.c.kbli, company.c.name.label("registry_name"))
            .outerjoin(company, company.c.company_nib == wm.company_nib)
            .where(wm.period == period).order_by(wm.worker_id))
    return _frame(engine, stmt)


def dependant_count(engine: Engine, period: str) -> int:
    """Accepted dependant rows of ``period`` (they never become workers)."""
    sr = source_record.c
    stmt = select(func.count()).where(sr.period == period, sr.status == "accepted", sr.person_kind == "dependant")
    with engine.connect() as conn:
        return int(conn.execute(stmt).scalar() or 0)


def worker_trend(engine: Engine, last_period: str, months: int = 12) -> pd.DataFrame:
    """Workers per loaded period up to ``last_period`` (at most ``months`` periods), oldest first."""
    wm = worker_month.c
    stmt = (select(wm.period, func.count().label("workers")).where(wm.period <= last_period)
            .group_by(wm.period).order_by(wm.period.desc()).limit(months))
    return _frame(engine, stmt).iloc[::-1].reset_index(drop=True)


def worker_permits(engine: Engine, period: str) -> pd.DataFrame:
    """(worker_id, kitas_no, rptka_no, notifikasi_no) of ``period``, to compare months."""
    wm = worker_month.c
    return _frame(engine, select(wm.worker_id, wm.kitas_no, wm.rptka_no, wm.notifikasi_no)
                  .where(wm.period == period).order_by(wm.worker_id))


def file_quality(engine: Engine, period: str) -> pd.DataFrame:
    """Per source kind: files current, quarantined, rows read, rows with an open issue, rows rejected."""
    fl = file_ledger.c
    files = _frame(engine, select(fl.source_kind, fl.status, fl.rows_read).where(fl.period == period))
    sr = source_record.c
    rows = _frame(engine, select(sr.source_kind, sr.status, sr.record_key).where(sr.period == period))
    vi = validation_issue.c
    open_keys = _frame(engine, select(vi.record_key).where(vi.period == period, vi.status == "open",
                                                           vi.record_key.is_not(None)).distinct())
    keys = set(open_keys["record_key"])
    out = []
    for kind in sorted(set(files["source_kind"].dropna()) | set(rows["source_kind"].dropna())):
        f = files[files["source_kind"] == kind]
        r = rows[rows["source_kind"] == kind]
        out.append({"source_kind": kind,
                    "files": int(f["status"].isin(["loaded", "quarantined"]).sum()),
                    "quarantined": int((f["status"] == "quarantined").sum()),
                    "superseded": int((f["status"] == "superseded").sum()),
                    "rows": len(r), "rows_rejected": int((r["status"] == "rejected").sum()),
                    "rows_open_issues": int(r["record_key"].isin(keys).sum())})
    return pd.DataFrame(out, columns=["source_kind", "files", "quarantined", "superseded", "rows",
                                      "rows_rejected", "rows_open_issues"])


def compliance_rows(engine: Engine, period: str) -> pd.DataFrame:
    """company_period rows of ``period`` that must report, with the company's name, worst status first."""
    cp = company_period.c
    stmt = (select(cp.company_nib, company.c.name, cp.status, cp.files, cp.rows_accepted,
                   cp.consecutive_missed, cp.escalation_level, cp.in_registry)
            .outerjoin(company, company.c.company_nib == cp.company_nib)
            .where(cp.period == period, cp.must_report.is_(True))
            .order_by(cp.escalation_level.desc(), cp.status, company.c.name, cp.company_nib))
    return _frame(engine, stmt)
