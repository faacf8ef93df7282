"""The monthly ingest: one Prefect flow whose body is the pipeline's table of contents."""

from __future__ import annotations

from typing import Annotated, Any

from prefect import flow, unmapped
from pydantic import StringConstraints

from tasks._common import results_of, task_runner, unwalked
from tasks.compliance import check_company_reports, fetch_company_history, send_missing_report_alerts
from tasks.dedupe import deduplicate_workers, fetch_known_workers
from tasks.discover import discover_files, register_files
from tasks.guard import (
    check_alert_channels,
    check_settings,
    guard_period_files,
    guard_shrink,
    release_warehouse_lock,
    take_warehouse_lock,
)
from tasks.load import load_period, mark_complete
from tasks.notify import operator_alert
from tasks.prepare import load_rules, load_run_config, migrate_warehouse, resolve_run
from tasks.read import gather_reads, plan_reads, read_files
from tasks.report import find_findings, write_laporan
from tasks.review import publish_review
from tasks.unchanged import find_unchanged_load, fingerprint_inputs, report_unchanged
from tasks.validate import fetch_waivers, validate_rows
from tasks.versions import carry_decisions, decide_revisions
from tka.pipeline import RunConfig, RunContext

Period = Annotated[str, StringConstraints(pattern=r"^20\d{2}-(0[1-9]|1[0-2])$")]


@flow(
    name="monthly-ingest",
    description="Read a month of agency spreadsheets, validate, deduplicate workers, load, flag missing reports.",
    on_failure=[operator_alert],
    on_crashed=[operator_alert],
    validate_parameters=True,
    task_runner=task_runner(),  # the mapped read tasks: threads of this process, or Dask (TKA_DASK_ADDRESS)
)
def monthly_ingest(
    period: Period | None = None,
    drive_url: str | None = None,
    warehouse_url: str | None = None,
    dry_run_alerts: bool | None = None,
    reprocess: bool = False,
    allow_shrink: bool = False,
) -> dict[str, Any]:
    """Ingest one period (YYYY-MM; default: the previous month in WITA) and return the run summary."""
    run = resolve_run(period, drive_url, warehouse_url, dry_run_alerts, reprocess, allow_shrink)
    # Guards first: nothing is written until the settings, the drive and the alert channels are known good.
    check_settings(run)
    config = unwalked(load_run_config(run))
    run = check_alert_channels(run, config)
    lock = unwalked(take_warehouse_lock(run))
    try:
        return _ingest(run, config)
    finally:
        release_warehouse_lock(lock)


def _ingest(run: RunContext, config: RunConfig) -> dict[str, Any]:
    """The stages after the guards, while this run holds the warehouse."""
    migrate_warehouse(run)

    # Stage results are wrapped in `opaque`: Prefect still links the task runs, but does not walk every file,
    # row and issue inside them on each call (about 6 s per national month).
    files = unwalked(discover_files(run, config))
    guard_period_files(run, files)
    selection = unwalked(register_files(run, files))
    waivers = unwalked(fetch_waivers(run))
    fingerprint = fingerprint_inputs(run, config, selection, waivers)
    previous = find_unchanged_load(run, fingerprint)
    if previous is not None:
        return report_unchanged(run, previous)

    config = unwalked(load_rules(run, config))
    # One read task per chunk of files, each storing its parses; the month is gathered from the store.
    setup, chunks = plan_reads(run, config, selection)
    reads = read_files.map(unmapped(run), unmapped(setup), chunks)
    batch = unwalked(gather_reads(run, selection, setup, results_of(reads)))
    batch = unwalked(decide_revisions(run, selection, batch))
    validated = unwalked(validate_rows(run, config, batch, waivers))
    validated = unwalked(carry_decisions(run, selection, batch, validated, waivers))

    known = unwalked(fetch_known_workers(run))
    resolved = unwalked(deduplicate_workers(run, config, validated, known))

    history = unwalked(fetch_company_history(run))
    compliance = unwalked(check_company_reports(run, config, batch, validated, history))

    guard_shrink(run, batch, validated, resolved)
    stats = unwalked(load_period(run, selection, batch, validated, resolved, compliance))
    find_findings(run)
    alerts = unwalked(send_missing_report_alerts(run, config, compliance))
    summary = publish_review(run, config, selection, batch, validated, resolved, compliance, stats, alerts)
    write_laporan(run)
    return mark_complete(run, fingerprint, summary)
