"""Idempotent, atomic load of one period: every period row replaced in one transaction, decisions kept."""

from __future__ import annotations

import json
import logging
from collections.abc import Callable, Collection, Mapping, Sequence
from dataclasses import asdict, dataclass
from typing import Any

import pandas as pd
from sqlalchemy import Connection, Engine, case, delete, func, select, update

from tka.warehouse._db import (
    as_frame,
    bulk_insert,
    frame_rows,
    frame_tuple_chunks,
    frame_tuples,
    upsert,
    utcnow,
)
from tka.warehouse.engine import serialize, write_transaction
from tka.warehouse.ledger import MULTI_FILE_KINDS, write_ledger
from tka.warehouse.schema import (
    company,
    file_ledger,
    period_load,
    run,
    source_record,
    validation_issue,
    worker,
)
from tka.warehouse.schema import company_period as company_period_t
from tka.warehouse.schema import worker_month as worker_month_t

log = logging.getLogger(__name__)
DECIDED = ("waived", "fixed")
Frame = pd.DataFrame | Sequence[Mapping[str, Any]] | None


@dataclass(frozen=True)
class LoadStats:
    """What one load wrote."""

    period: str
    source_records: int
    worker_months: int
    workers: int
    companies: int
    company_periods: int
    issues: int
    issues_with_decision: int
    issues_replaced: int
    files_loaded: int
    files_superseded: int

    def as_dict(self) -> dict[str, Any]:
        """Plain dict for run summaries and logs."""
        return asdict(self)


def _span_update(table: Any, identity: Sequence[str]) -> dict[str, Callable[[Any], Any]]:
    """ON CONFLICT set: widen first/last period; take identity fields from the latest period's row."""
    t = table.c

    def newer(ex: Any) -> Any:
        return ex.last_period >= t.last_period

    update: dict[str, Callable[[Any], Any]] = {
        "first_period": lambda ex: case(
            (ex.first_period < t.first_period, ex.first_period), else_=t.first_period
        ),
        "last_period": lambda ex: case((ex.last_period > t.last_period, ex.last_period), else_=t.last_period),
    }

    def latest(name: str) -> Callable[[Any], Any]:
        return lambda ex: case((newer(ex), ex[name]), else_=t[name])

    for name in identity:
        update[name] = latest(name)
    return update


def _settle_worker_spans(conn: Connection, period: str) -> None:
    """Make worker spans match worker_month again after the period was replaced.

    A re-run with changed inputs can drop a worker from the period: it loses the period from its span, and a
    worker left without any month (only ever seen in this period) is removed.
    """
    w, m = worker.c, worker_month_t.c
    touching = (w.first_period <= period) & (w.last_period >= period)
    # Set-based (one grouped pass over worker_month), not a subquery per worker: PostgreSQL planned the
    # correlated form against the statistics of the tables before this load and took 15 s for 20,000 workers.
    conn.execute(delete(worker).where(touching, w.worker_id.not_in(select(m.worker_id))))
    spans = (select(m.worker_id, func.min(m.period).label("first"), func.max(m.period).label("last"))
             .group_by(m.worker_id).subquery())
    conn.execute(
        update(worker)
        .where(touching, w.worker_id == spans.c.worker_id)
        .values(first_period=spans.c.first, last_period=spans.c.last)
    )


def _workers_from_months(months: Frame) -> pd.DataFrame:
    """Worker identity rows derived from the period's worker_month rows."""
    keep = ["worker_id", "passport_no", "nationality", "name", "birth_date", "sex"]
    return as_frame(months).reindex(columns=keep)


def _superseded_versions(conn: Connection, period: str) -> set[tuple[str, str]]:
    """(path, sha256) of every file version of ``period`` the ledger marks superseded."""
    rows = conn.execute(select(file_ledger.c.path, file_ledger.c.file_sha256).where(
        file_ledger.c.period == period, file_ledger.c.status == "superseded"))
    return {(r[0], r[1]) for r in rows}


def _issue_rows(conn: Connection, period: str, run_id: str, issues: Frame,
                before: set[tuple[str, str]]) -> tuple[list[dict], int, int]:
    """Replace the period's issues, keeping steward decisions; return (rows, with decision, settled old).

    Issues of superseded file versions stay. Those of a version superseded by this load (not in ``before``)
    are settled: one whose problem the new version still has (an issue of this run has ``carried_from`` its
    id) keeps its status, the others become ``fixed``. A carried waiver arrives on the new issue itself.
    """
    vi = validation_issue.c
    decisions = {
        r.issue_id: {"status": r.status, "decided_by": r.decided_by, "decided_at": r.decided_at,
                     "decision_note": r.decision_note}
        for r in conn.execute(select(validation_issue).where(vi.period == period, vi.status.in_(DECIDED)))
    }
    old_versions = _superseded_versions(conn, period)
    frame = as_frame(issues)
    continued = set(frame["carried_from"].dropna()) if "carried_from" in frame.columns else set()
    kept, settled = set(), 0
    for r in conn.execute(select(vi.issue_id, vi.file_path, vi.file_sha256, vi.status).where(vi.period == period)):
        if (r.file_path, r.file_sha256) not in old_versions:
            continue
        kept.add(r.issue_id)
        if (r.file_path, r.file_sha256) in before:
            continue
        status = r.status if r.issue_id in continued and r.status != "replaced" else "fixed"
        if r.issue_id in continued and r.status == "replaced":
            status = "open"
        if status != r.status:
            conn.execute(update(validation_issue).where(vi.period == period, vi.issue_id == r.issue_id)
                         .values(status=status))
        settled += 1
    fl = file_ledger.c
    of_old_version = (select(fl.path).where(fl.period == period, fl.status == "superseded",
                                            fl.path == vi.file_path, fl.file_sha256 == vi.file_sha256)
                      .exists())
    conn.execute(delete(validation_issue).where(vi.period == period, ~of_old_version))
    rows, seen, with_decision = [], set(kept), 0
    for row in frame_rows(frame, validation_issue, {"period": period, "run_id": run_id}):
        if row["issue_id"] in seen:  # kept as an old version's issue, or a duplicate in the input
            continue
        seen.add(row["issue_id"])
        carried = row.get("status") == "waived" and row.get("decided_by") is not None
        if not carried:
            row.update(status="open", decided_by=None, decided_at=None, decision_note=None)
        if row["issue_id"] in decisions:
            row.update(decisions[row["issue_id"]])
            with_decision += 1
        elif carried:
            with_decision += 1
        rows.append(row)
    return rows, with_decision, settled


def load_period(
    engine: Engine,
    period: str,
    run_id: str,
    *,
    files: Sequence[Mapping[str, Any]],
    source_records: Frame,
    issues: Frame,
    workers: Frame = None,
    worker_month: Frame,
    companies: Frame = None,
    company_period: Frame = None,
    run_summary: Mapping[str, Any] | None = None,
    multi_file_kinds: Collection[str] = MULTI_FILE_KINDS,
    use_copy: bool = True,
    on_step: Callable[[str], None] | None = None,
) -> LoadStats:
    """Replace everything of ``period`` in ONE transaction; a failure anywhere leaves the previous state.

    Kept across re-runs: issue decisions (waived/fixed) by issue_id, issues of superseded file versions (settled
    as fixed, or kept open/waived when the new version still has the problem), the alert ledger, and worker/company rows (upserted; their period span only widens).
    ``workers`` defaults to the identity columns of ``worker_month``. ``on_step`` is called with each step
    name after it ran (progress, and tests that inject failures).
    """
    step = on_step or (lambda _name: None)
    now = utcnow()
    records_frame = as_frame(source_records)
    if len(records_frame) and records_frame["record_key"].duplicated().any():
        log.warning(
            "period %s: %d duplicate record keys dropped (same file content twice?)",
            period,
            int(records_frame["record_key"].duplicated().sum()),
        )
        records_frame = records_frame.drop_duplicates("record_key", keep="first").sort_values("record_key")
    # Bound for the engine's dialect once (SQLite: see frame_tuples); the big tables slice by slice.
    dialect = engine.dialect
    records = frame_tuple_chunks(records_frame, source_record, {"period": period, "run_id": run_id},
                                 dialect=dialect)
    months = frame_tuple_chunks(worker_month, worker_month_t, {"period": period}, dialect=dialect)
    worker_rows = frame_rows(
        workers if workers is not None else _workers_from_months(worker_month),
        worker,
        {"first_period": period, "last_period": period},
    )
    span = {"first_period": period, "last_period": period}
    company_rows = frame_rows(_company_frame(companies), company, span)
    cp_rows = frame_tuples(company_period, company_period_t, {"period": period}, dialect=dialect)

    with write_transaction(engine) as conn:
        serialize(conn, f"tka:load:{period}")  # concurrent loads of one period queue instead of colliding
        upsert(
            conn,
            run,
            [
                {
                    "run_id": run_id,
                    "period": period,
                    "flow_run_id": (run_summary or {}).get("flow_run_id"),
                    "started_at": (run_summary or {}).get("started_at", now),
                    "finished_at": now,
                    "status": (run_summary or {}).get("status", "loaded"),
                    "loaded_at": now,
                    "summary": json.dumps(
                        dict(run_summary or {}), sort_keys=True, default=str, ensure_ascii=False
                    ),
                }
            ],
        )
        step("run")
        before = _superseded_versions(conn, period)
        loaded_shas, n_superseded = write_ledger(
            conn, run_id, period, files, multi_file_kinds=multi_file_kinds
        )
        step("file_ledger")
        issue_rows, with_decision, replaced = _issue_rows(conn, period, run_id, issues, before)
        step("validation_issue_cleared")
        for table in (source_record, worker_month_t, company_period_t):
            conn.execute(delete(table).where(table.c.period == period))
        step("period_cleared")
        upsert(
            conn,
            worker,
            worker_rows,
            update=_span_update(worker, ("passport_no", "nationality", "name", "birth_date", "sex")),
        )
        step("worker")
        upsert(
            conn,
            company,
            company_rows,
            update=_span_update(company, ("name", "kbli", "kecamatan_code", "must_report")),
        )
        step("company")
        for chunk in months:
            bulk_insert(conn, worker_month_t, chunk, use_copy=use_copy)
        step("worker_month")
        for chunk in records:
            bulk_insert(conn, source_record, chunk, use_copy=use_copy)
        step("source_record")
        _settle_worker_spans(conn, period)
        step("worker_spans")
        bulk_insert(conn, company_period_t, cp_rows, use_copy=use_copy)
        step("company_period")
        bulk_insert(conn, validation_issue, issue_rows, use_copy=use_copy)
        step("validation_issue")
        upsert(
            conn,
            period_load,
            [{"period": period, "run_id": run_id, "loaded_at": now, "file_shas": json.dumps(loaded_shas),
              "input_fingerprint": None}],  # set by mark_complete once alerts and review are done too
        )
        step("period_load")

    stats = LoadStats(
        period=period,
        source_records=len(records_frame),
        worker_months=len(as_frame(worker_month)),
        workers=len(worker_rows),
        companies=len(company_rows),
        company_periods=len(cp_rows),
        issues=len(issue_rows),
        issues_with_decision=with_decision,
        issues_replaced=replaced,
        files_loaded=len(loaded_shas),
        files_superseded=n_superseded,
    )
    log.info("loaded period %s: %s", period, stats.as_dict())
    return stats


def _company_frame(companies: Frame) -> Frame:
    """Accept the registry's ``company_name`` as the company table's ``name``."""
    if companies is None:
        return None
    frame = as_frame(companies)
    if "name" not in frame.columns and "company_name" in frame.columns:
        frame = frame.rename(columns={"company_name": "name"})
    return frame
