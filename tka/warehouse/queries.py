"""Read and decision queries for the flow and the ``tka`` CLI (issues, waivers, known workers, snapshots)."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Callable, Iterable, Mapping
from typing import Any

import pandas as pd
from sqlalchemy import Engine, Table, and_, func, select, update

from tka.frames import frame_records
from tka.warehouse._db import upsert, utcnow
from tka.warehouse.engine import write_transaction
from tka.warehouse.schema import (
    alert_ledger,
    company,
    company_period,
    file_ledger,
    period_load,
    run,
    source_record,
    validation_issue,
    worker,
    worker_month,
)

# Columns that differ between two runs with the same inputs (ignored when comparing snapshots).
VOLATILE_COLUMNS: frozenset[str] = frozenset(
    {
        "run_id",
        "first_seen_run",
        "last_seen_run",
        "loaded_at",
        "started_at",
        "finished_at",
        "flow_run_id",
        "input_fingerprint",  # a cache key that names other periods' run ids, not data
    }
)


class UnknownIssueError(KeyError):
    """Raised by ``waive`` when an issue id is not in the warehouse."""

    def __str__(self) -> str:
        ids = ", ".join(self.args[0])
        return f"Issue tidak ditemukan / unknown issue id(s): {ids}"


def known_workers(engine: Engine, before_period: str) -> pd.DataFrame:
    """Workers first seen before ``before_period``, with identifiers from their latest month before it."""
    latest = (
        select(worker_month.c.worker_id, func.max(worker_month.c.period).label("period"))
        .where(worker_month.c.period < before_period)
        .group_by(worker_month.c.worker_id)
        .subquery()
    )
    wm = worker_month.c
    stmt = (
        select(
            worker.c.worker_id,
            wm.passport_no,
            wm.nationality,
            wm.name,
            wm.birth_date,
            wm.sex,
            wm.kitas_no,
            wm.rptka_no,
            wm.notifikasi_no,
            wm.company_nib,
            wm.company_name,
            worker.c.first_period,
        )
        .join(latest, latest.c.worker_id == worker.c.worker_id)
        .join(worker_month, and_(wm.worker_id == latest.c.worker_id, wm.period == latest.c.period))
        .where(worker.c.first_period < before_period)
        .order_by(worker.c.worker_id)
    )
    with engine.connect() as conn:
        return pd.DataFrame(
            conn.execute(stmt).mappings().all(), columns=[c.name for c in stmt.selected_columns]
        )


def waived_issue_ids(engine: Engine, period: str) -> set[str]:
    """Issue ids of ``period`` the steward waived (the validator then does not reject on them)."""
    stmt = select(validation_issue.c.issue_id).where(
        validation_issue.c.period == period, validation_issue.c.status == "waived"
    )
    with engine.connect() as conn:
        return {r[0] for r in conn.execute(stmt)}


def list_issues(
    engine: Engine, period: str, source: str | None = None, rule: str | None = None, status: str | None = None
) -> pd.DataFrame:
    """Issues of ``period``, optionally filtered by source (kind or id), rule, status; by file/row."""
    vi = validation_issue.c
    stmt = (
        select(validation_issue, file_ledger.c.source_kind, file_ledger.c.source_id)
        .outerjoin(
            file_ledger,
            and_(
                file_ledger.c.file_sha256 == vi.file_sha256,
                file_ledger.c.path == vi.file_path,
                file_ledger.c.period == vi.period,
            ),
        )
        .where(vi.period == period)
    )
    if source is not None:
        stmt = stmt.where((file_ledger.c.source_kind == source) | (file_ledger.c.source_id == source))
    if rule is not None:
        stmt = stmt.where(vi.rule == rule)
    if status is not None:
        stmt = stmt.where(vi.status == status)
    stmt = stmt.order_by(vi.file_path, vi.sheet, vi.row_number, vi.column, vi.rule, vi.issue_id)
    with engine.connect() as conn:
        return pd.DataFrame(
            conn.execute(stmt).mappings().all(), columns=[c.name for c in stmt.selected_columns]
        )


def get_issue(engine: Engine, issue_id: str) -> dict[str, Any] | None:
    """One issue by id (the latest period if the same file was loaded in several), or None."""
    stmt = (
        select(validation_issue)
        .where(validation_issue.c.issue_id == issue_id)
        .order_by(validation_issue.c.period.desc())
        .limit(1)
    )
    with engine.connect() as conn:
        row = conn.execute(stmt).mappings().first()
    return dict(row) if row else None


def waive(engine: Engine, issue_ids: Iterable[str], note: str, who: str) -> int:
    """Waive issues (status waived, decided_by/at/note); all ids must exist, else nothing changes."""
    ids = sorted(set(issue_ids))
    if not ids:
        return 0
    if not note or not note.strip():
        raise ValueError("Catatan wajib diisi saat mengabaikan issue / a note is required to waive.")
    with write_transaction(engine) as conn:
        found = {
            r[0]
            for r in conn.execute(
                select(validation_issue.c.issue_id).where(validation_issue.c.issue_id.in_(ids))
            )
        }
        missing = [i for i in ids if i not in found]
        if missing:
            raise UnknownIssueError(missing)
        result = conn.execute(
            update(validation_issue)
            .where(validation_issue.c.issue_id.in_(ids))
            .values(status="waived", decided_by=who, decided_at=utcnow(), decision_note=note.strip())
        )
        return result.rowcount or 0


def previous_company_periods(engine: Engine, period: str) -> pd.DataFrame:
    """company_period rows of the latest loaded period before ``period`` (for consecutive-miss counting)."""
    with engine.connect() as conn:
        prev = conn.execute(
            select(func.max(company_period.c.period)).where(company_period.c.period < period)
        ).scalar()
        if prev is None:
            return pd.DataFrame(columns=[c.name for c in company_period.columns])
        stmt = (
            select(company_period)
            .where(company_period.c.period == prev)
            .order_by(company_period.c.company_nib)
        )
        return pd.DataFrame(
            conn.execute(stmt).mappings().all(), columns=[c.name for c in company_period.columns]
        )


def alert_sent(engine: Engine, alert_key: str) -> dict[str, Any] | None:
    """The alert ledger row of ``alert_key`` (None if that alert was never sent)."""
    with engine.connect() as conn:
        row = (
            conn.execute(select(alert_ledger).where(alert_ledger.c.alert_key == alert_key)).mappings().first()
        )
    return dict(row) if row else None


def alert_ledger_rows(engine: Engine, period: str | None = None) -> pd.DataFrame:
    """Alert ledger rows, of one period or all, ordered by key."""
    stmt = select(alert_ledger).order_by(alert_ledger.c.alert_key)
    if period is not None:
        stmt = stmt.where(alert_ledger.c.period == period)
    with engine.connect() as conn:
        return pd.DataFrame(
            conn.execute(stmt).mappings().all(), columns=[c.name for c in alert_ledger.columns]
        )


def record_alert(
    engine: Engine,
    alert_key: str,
    period: str,
    channel: str,
    digest_hash: str,
    payload: Mapping[str, Any] | str,
    sent_at: dt.datetime | None = None,
) -> None:
    """Write (or overwrite) the alert ledger row after sending; ``payload`` must hold no personal data."""
    text = (
        payload
        if isinstance(payload, str)
        else json.dumps(dict(payload), sort_keys=True, default=str, ensure_ascii=False)
    )
    with write_transaction(engine) as conn:
        upsert(
            conn,
            alert_ledger,
            [
                {
                    "alert_key": alert_key,
                    "period": period,
                    "channel": channel,
                    "digest_hash": digest_hash,
                    "sent_at": sent_at or utcnow(),
                    "payload": text,
                }
            ],
        )


def _rows(engine: Engine, table: Table, where: Any, volatile: bool) -> list[dict[str, Any]]:
    """Rows of ``table`` matching ``where``, ordered by primary key, optionally without volatile columns."""
    keys = list(table.primary_key.columns)
    with engine.connect() as conn:
        rows = [dict(r) for r in conn.execute(select(table).where(where).order_by(*keys)).mappings()]
    if not volatile:
        rows = [{k: v for k, v in r.items() if k not in VOLATILE_COLUMNS} for r in rows]
    return rows


def period_snapshot(
    engine: Engine, period: str, *, volatile: bool = False
) -> dict[str, list[dict[str, Any]]]:
    """Every warehouse row that belongs to ``period``, per table (without run ids/timestamps by default)."""
    wm_ids = select(worker_month.c.worker_id).where(worker_month.c.period == period)
    cp_nibs = select(company_period.c.company_nib).where(company_period.c.period == period)
    return {
        "run": _rows(engine, run, run.c.period == period, volatile) if volatile else [],
        "file_ledger": _rows(engine, file_ledger, file_ledger.c.period == period, volatile),
        "period_load": _rows(engine, period_load, period_load.c.period == period, volatile),
        "worker": _rows(engine, worker, worker.c.worker_id.in_(wm_ids), volatile),
        "worker_month": _rows(engine, worker_month, worker_month.c.period == period, volatile),
        "source_record": _rows(engine, source_record, source_record.c.period == period, volatile),
        "validation_issue": _rows(engine, validation_issue, validation_issue.c.period == period, volatile),
        "company": _rows(
            engine,
            company,
            company.c.company_nib.in_(cp_nibs)
            | ((company.c.first_period <= period) & (company.c.last_period >= period)),
            volatile,
        ),
        "company_period": _rows(engine, company_period, company_period.c.period == period, volatile),
        "alert_ledger": _rows(engine, alert_ledger, alert_ledger.c.period == period, volatile),
    }


def _existing(column: str) -> Callable[[Any], Any]:
    """ON CONFLICT: take ``column`` from the new row (the columns left out keep their stored value)."""
    return lambda ex: ex[column]


def record_run(
    engine: Engine,
    run_id: str,
    period: str,
    status: str,
    *,
    summary: Mapping[str, Any] | None = None,
    flow_run_id: str | None = None,
    started_at: dt.datetime | None = None,
    finished: bool = False,
) -> None:
    """Upsert the run row (e.g. "running" at start, "failed" on error; ``load_period`` writes "loaded")."""
    row = {
        "run_id": run_id,
        "period": period,
        "flow_run_id": flow_run_id,
        "status": status,
        "started_at": started_at or utcnow(),
        "finished_at": utcnow() if finished else None,
        "summary": json.dumps(dict(summary or {}), sort_keys=True, default=str, ensure_ascii=False),
    }
    keep_start: dict[str, Callable[[Any], Any]] = {k: _existing(k) for k in ("status", "finished_at", "summary")}
    if flow_run_id is not None:
        keep_start["flow_run_id"] = lambda ex: ex.flow_run_id
    with write_transaction(engine) as conn:
        upsert(conn, run, [row], update=keep_start)


def period_loads(engine: Engine) -> list[dict[str, Any]]:
    """Every period's last load: period, run id, load time and input fingerprint, ordered by period."""
    with engine.connect() as conn:
        return [dict(r) for r in conn.execute(
            select(period_load.c.period, period_load.c.run_id, period_load.c.loaded_at,
                   period_load.c.input_fingerprint).order_by(period_load.c.period)).mappings()]


def run_record(engine: Engine, run_id: str) -> dict[str, Any] | None:
    """One run row with its summary decoded, or None."""
    with engine.connect() as conn:
        found = conn.execute(select(run).where(run.c.run_id == run_id)).mappings().first()
    if found is None:
        return None
    row = dict(found)
    row["summary"] = json.loads(row["summary"]) if row.get("summary") else {}
    return row


def mark_complete(engine: Engine, period: str, run_id: str, input_fingerprint: str,
                  summary: Mapping[str, Any]) -> None:
    """After a run's last step: store its final summary and the fingerprint an unchanged re-run may skip on."""
    with write_transaction(engine) as conn:
        conn.execute(update(period_load).where(and_(period_load.c.period == period, period_load.c.run_id == run_id))
                     .values(input_fingerprint=input_fingerprint))
        conn.execute(update(run).where(run.c.run_id == run_id).values(
            status="completed", finished_at=utcnow(),
            summary=json.dumps(dict(summary), sort_keys=True, default=str, ensure_ascii=False)))


def alert_ledger_entries(engine: Engine, period: str) -> list[dict[str, Any]]:
    """The alerts already sent for ``period`` (for planning which digests still need sending)."""
    return frame_records(alert_ledger_rows(engine, period))


def company_periods(engine: Engine, period: str) -> pd.DataFrame:
    """company_period rows of ``period`` with the company's name, KBLI and kecamatan, ordered by NIB."""
    cp = company_period.c
    stmt = (
        select(company_period, company.c.name, company.c.kbli, company.c.kecamatan_code)
        .outerjoin(company, company.c.company_nib == cp.company_nib)
        .where(cp.period == period)
        .order_by(cp.company_nib)
    )
    with engine.connect() as conn:
        return pd.DataFrame(
            conn.execute(stmt).mappings().all(), columns=[c.name for c in stmt.selected_columns]
        )


def file_ledger_rows(engine: Engine, period: str) -> pd.DataFrame:
    """The file ledger of ``period``: every file version seen, its status and rows, ordered by path."""
    stmt = (
        select(file_ledger)
        .where(file_ledger.c.period == period)
        .order_by(file_ledger.c.path, file_ledger.c.file_sha256)
    )
    with engine.connect() as conn:
        return pd.DataFrame(
            conn.execute(stmt).mappings().all(), columns=[c.name for c in file_ledger.columns]
        )


def recent_runs(engine: Engine, period: str | None = None, limit: int = 20) -> pd.DataFrame:
    """The latest runs (all periods or one), newest first."""
    stmt = select(run).order_by(run.c.started_at.desc(), run.c.run_id).limit(limit)
    if period is not None:
        stmt = stmt.where(run.c.period == period)
    with engine.connect() as conn:
        return pd.DataFrame(conn.execute(stmt).mappings().all(), columns=[c.name for c in run.columns])
