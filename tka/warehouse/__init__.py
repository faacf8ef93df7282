"""The warehouse: schema, Alembic migrations, idempotent period loads and the queries the CLI needs."""

from tka.warehouse.adapters import file_outcomes, source_records
from tka.warehouse.engine import make_engine, upgrade, write_transaction
from tka.warehouse.ledger import pick_current_files, pick_winners, record_files, superseded_files
from tka.warehouse.load import LoadStats, load_period
from tka.warehouse.queries import (
    UnknownIssueError,
    alert_ledger_entries,
    alert_ledger_rows,
    alert_sent,
    company_periods,
    get_issue,
    known_workers,
    list_issues,
    mark_complete,
    period_loads,
    period_snapshot,
    previous_company_periods,
    recent_runs,
    record_alert,
    record_run,
    run_record,
    waive,
    waived_issue_ids,
)
from tka.warehouse.queries import file_ledger_rows as file_ledger
from tka.warehouse.report_queries import finding_inputs, list_findings, replace_findings

__all__ = [
    "LoadStats",
    "UnknownIssueError",
    "alert_ledger_entries",
    "alert_ledger_rows",
    "alert_sent",
    "company_periods",
    "file_ledger",
    "file_outcomes",
    "finding_inputs",
    "get_issue",
    "known_workers",
    "list_findings",
    "list_issues",
    "load_period",
    "make_engine",
    "mark_complete",
    "period_loads",
    "period_snapshot",
    "pick_current_files",
    "pick_winners",
    "previous_company_periods",
    "recent_runs",
    "record_alert",
    "record_files",
    "record_run",
    "replace_findings",
    "run_record",
    "source_records",
    "superseded_files",
    "upgrade",
    "waive",
    "waived_issue_ids",
    "write_transaction",
]
