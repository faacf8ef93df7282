"""Skip a period whose inputs did not change since its last complete load (the load ledger decides)."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from prefect import get_run_logger, task

from tasks._common import IO_RETRIES, STAGE, warehouse
from tka.pipeline import FileSelection, RunConfig, RunContext, code_fingerprint, input_fingerprint


@task(name="fingerprint-inputs", **STAGE, **IO_RETRIES)
def fingerprint_inputs(run: RunContext, config: RunConfig, selection: FileSelection,
                       waivers: Iterable[str]) -> str:
    """sha256 of the period's files, config, decisions, earlier periods' loads, deadline state and code."""
    from tka.compliance import report_deadline
    from tka.warehouse import period_loads

    with warehouse(run) as engine:
        loads = period_loads(engine)
    deadline_passed = run.started_at >= report_deadline(run.period, config.policy)
    return input_fingerprint(run, config, selection, waivers, loads, deadline_passed, code_fingerprint())


@task(name="find-unchanged-load", **STAGE, **IO_RETRIES)
def find_unchanged_load(run: RunContext, fingerprint: str) -> dict[str, Any] | None:
    """The summary of the period's last complete load if it had this fingerprint (never with --reprocess)."""
    from tka.warehouse import period_loads, run_record

    if run.reprocess:
        return None
    with warehouse(run) as engine:
        last = next((x for x in period_loads(engine) if x["period"] == run.period), None)
        if last is None or last["input_fingerprint"] != fingerprint:
            return None
        previous = run_record(engine, last["run_id"])
    return None if previous is None else {**previous["summary"], "loaded_by_run": last["run_id"]}


@task(name="report-unchanged", **STAGE, **IO_RETRIES)
def report_unchanged(run: RunContext, previous: dict[str, Any]) -> dict[str, Any]:
    """Record this run as "unchanged" and return the summary of the load it confirmed."""
    from tka.warehouse import record_run

    summary = {**previous, "flow_run_id": run.run_id, "unchanged": True, "alerts_sent": []}
    with warehouse(run) as engine:
        record_run(engine, run.run_id, run.period, "unchanged", summary=summary, started_at=run.started_at,
                   finished=True)
    get_run_logger().info("Nothing changed for %s since run %s (same files, config, decisions and code): the "
                          "warehouse and review files are already up to date. Use --reprocess to force a full run.",
                          run.period, previous["loaded_by_run"])
    return summary
