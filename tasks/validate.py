"""Validate the period's rows with the Great Expectations suites and apply the steward's decisions."""

from __future__ import annotations

from typing import Any, Literal

import pandas as pd
from prefect import get_run_logger, task

from tasks._common import IO_RETRIES, STAGE, warehouse
from tka import progress
from tka.pipeline import ReadBatch, RunConfig, RunContext, Validated


@task(name="fetch-waivers", **STAGE, **IO_RETRIES)
def fetch_waivers(run: RunContext) -> set[str]:
    """The ids of issues the steward waived for this period (their rows are loaded)."""
    from tka.warehouse import waived_issue_ids

    with warehouse(run) as engine:
        return waived_issue_ids(engine, run.period)


@task(name="validate-rows", **STAGE)
def validate_rows(run: RunContext, config: RunConfig, batch: ReadBatch, waivers: set[str]) -> Validated:
    """Run the suites on worker and registry rows; errors reject a row unless waived, warnings flag it."""
    from tka.validate import apply_decisions, file_issue
    from tka.validate import validate_rows as run_suite
    from tka.validate.run import layout_issues

    headers = {batch.files[path].sha256: res.columns for path, res in batch.results.items()
               if not res.quarantine}
    gx_results: dict[str, Any] = {}
    found = []
    suites = config.loaded_suites()
    kinds: tuple[tuple[Literal["worker", "registry"], pd.DataFrame], ...] = (
        ("worker", batch.worker_rows), ("registry", batch.registry_rows))
    for step, (kind, rows) in enumerate(kinds):
        progress.report("Validating", step, 2)
        found.append(run_suite(rows, kind, run.period, suites, config.validation, headers=headers,
                               collect=gx_results))
    progress.report("Validating", 2, 2)
    duplicates = batch.revisions.duplicates if batch.revisions is not None else {}
    found += [file_issue(path, batch.files[path].sha256, reason, other_place=duplicates.get(path))
              for path, reason in sorted(batch.quarantine_reasons.items())]
    found += [layout_issues(path, batch.files[path].sha256, res.drift)
              for path, res in sorted(batch.results.items()) if not res.quarantine and res.drift.has_drift]
    issues = pd.concat([f for f in found if len(f)] or found[:1], ignore_index=True)
    workers, issues = apply_decisions(batch.worker_rows, issues, waivers)
    registry, issues = apply_decisions(batch.registry_rows, issues, waivers)
    rejected = int((workers["status"] == "rejected").sum())
    get_run_logger().info("Validated %d worker rows: %d rejected, %d issues (%d waived)", len(workers),
                          rejected, len(issues), int((issues["status"] == "waived").sum()))
    return Validated(worker_rows=workers, registry_rows=registry, issues=issues, gx_results=gx_results)
