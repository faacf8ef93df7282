"""Validate the period's rows with the Great Expectations suites and apply the steward's decisions."""

from __future__ import annotations

import pandas as pd
from prefect import get_run_logger, task

from tasks._common import IO_RETRIES, STAGE
from tka import progress
from tka.pipeline import ReadBatch, RunConfig, RunContext, Validated


@task(name="fetch-waivers", **STAGE, **IO_RETRIES)
def fetch_waivers(run: RunContext) -> set[str]:
    """The ids of issues the steward waived for this period (their rows are loaded)."""
    from tka.warehouse import make_engine, waived_issue_ids

    engine = make_engine(run.warehouse_url)
    try:
        return waived_issue_ids(engine, run.period)
    finally:
        engine.dispose()


@task(name="validate-rows", **STAGE)
def validate_rows(run: RunContext, config: RunConfig, batch: ReadBatch, waivers: set[str]) -> Validated:
    """Run the suites on worker and registry rows; errors reject a row unless waived, warnings flag it."""
    from tka.validate import apply_decisions, file_issue, validate_rows as run_suites

    headers = {res.sha256: res.columns for res in batch.results.values() if not res.quarantine}
    progress.report("Validating", 0, 2)
    worker_issues = run_suites(batch.worker_rows, "worker", run.period, config.suites, config.sources,
                               headers=headers)
    progress.report("Validating", 1, 2)
    registry_issues = run_suites(batch.registry_rows, "registry", run.period, config.suites, config.sources,
                                 headers=headers)
    progress.report("Validating", 2, 2)
    file_level = [file_issue(res) for res in batch.quarantined.values()]
    issues = pd.concat([worker_issues, registry_issues, *file_level], ignore_index=True)
    workers, issues_w = apply_decisions(batch.worker_rows, issues, waivers)
    registry, issues = apply_decisions(batch.registry_rows, issues_w, waivers)
    rejected = int((workers["status"] == "rejected").sum())
    get_run_logger().info("Validated %d worker rows: %d rejected, %d issues (%d waived)", len(workers),
                          rejected, len(issues), int((issues["status"] == "waived").sum()))
    return Validated(worker_rows=workers, registry_rows=registry, issues=issues)
