"""The warehouse: schema, Alembic migrations, idempotent period loads and the queries the CLI needs."""

from tka.warehouse.engine import make_engine, upgrade, write_transaction
from tka.warehouse.ledger import pick_winners, record_files, superseded_files
from tka.warehouse.load import LoadStats, load_period
from tka.warehouse.queries import (
    UnknownIssueError,
    alert_ledger_rows,
    alert_sent,
    get_issue,
    known_workers,
    list_issues,
    period_snapshot,
    previous_company_periods,
    record_alert,
    record_run,
    waive,
    waived_issue_ids,
)

__all__ = [
    "LoadStats",
    "UnknownIssueError",
    "alert_ledger_rows",
    "alert_sent",
    "get_issue",
    "known_workers",
    "list_issues",
    "load_period",
    "make_engine",
    "period_snapshot",
    "pick_winners",
    "previous_company_periods",
    "record_alert",
    "record_files",
    "record_run",
    "superseded_files",
    "upgrade",
    "waive",
    "waived_issue_ids",
    "write_transaction",
]
