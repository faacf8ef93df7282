"""Run state beyond the load: what a loaded period held (for the shrink guard), alert outcome, failed runs."""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

import pandas as pd
from sqlalchemy import Engine, inspect, select, update

from tka.guards import PeriodCounts
from tka.warehouse._db import utcnow
from tka.warehouse.engine import write_transaction
from tka.warehouse.schema import file_ledger, period_load, run

LEDGER_KEPT = ("loaded", "quarantined")


def loaded_period_counts(engine: Engine, period: str) -> PeriodCounts | None:
    """Files, accepted rows and workers of the period's current load (None when the period was never loaded)."""
    with engine.connect() as conn:
        if not inspect(conn).has_table(period_load.name):
            return None
        loaded = conn.execute(select(period_load.c.run_id).where(period_load.c.period == period)).first()
        if loaded is None:
            return None
        files = {r.path: r.source_kind for r in conn.execute(
            select(file_ledger.c.path, file_ledger.c.source_kind)
            .where(file_ledger.c.period == period, file_ledger.c.status.in_(LEDGER_KEPT)))}
        text = conn.execute(select(run.c.summary).where(run.c.run_id == loaded.run_id)).scalar()
    summary = json.loads(text) if text else {}
    rows, workers = summary.get("rows_accepted"), summary.get("workers")
    return PeriodCounts(files=files, rows=None if rows is None else int(rows),
                        workers=None if workers is None else int(workers))


def alert_status(outcome: Mapping[str, str]) -> str:
    """One status for a run's alerts (channel -> outcome): none, sent, dry_run, printed, failed or partial."""
    if not outcome:
        return "none"
    failed = [v for v in outcome.values() if v.startswith("failed")]
    if failed:
        return "failed" if len(failed) == len(outcome) else "partial"
    kinds = set(outcome.values())
    return kinds.pop() if len(kinds) == 1 else ("printed" if "printed" in kinds else "sent")


def record_alert_status(engine: Engine, run_id: str, status: str, detail: Mapping[str, Any]) -> None:
    """Store the outcome of the run's alerts (``detail``: channel -> outcome, no personal data)."""
    with write_transaction(engine) as conn:
        conn.execute(update(run).where(run.c.run_id == run_id).values(
            alert_status=status, alert_detail=json.dumps(dict(detail), sort_keys=True, ensure_ascii=False)))


def mark_run_failed(engine: Engine, run_id: str) -> bool:
    """Mark an existing run row failed (its loaded_at stays); never creates a row. True if one was marked."""
    with engine.connect() as conn:
        if not inspect(conn).has_table(run.name):
            return False
        found = conn.execute(select(run.c.status).where(run.c.run_id == run_id)).first()
    if found is None or found.status == "failed":
        return False
    with write_transaction(engine) as conn:
        conn.execute(update(run).where(run.c.run_id == run_id).values(
            status="failed", finished_at=utcnow()))
    return True


def run_rows(engine: Engine, period: str | None = None, limit: int = 20) -> pd.DataFrame:
    """The latest runs with their load and alert status, newest first."""
    stmt = select(run.c.run_id, run.c.period, run.c.status, run.c.started_at, run.c.finished_at, run.c.loaded_at,
                  run.c.alert_status, run.c.alert_detail, run.c.summary)
    stmt = stmt.order_by(run.c.started_at.desc(), run.c.run_id).limit(limit)
    if period is not None:
        stmt = stmt.where(run.c.period == period)
    with engine.connect() as conn:
        return pd.DataFrame(conn.execute(stmt).mappings().all(), columns=[c.name for c in stmt.selected_columns])
