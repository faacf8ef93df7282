"""Write the period to the warehouse in one transaction that replaces it as a whole."""

from __future__ import annotations

from typing import Any

from prefect import get_run_logger, task

from tasks._common import IO_RETRIES, STAGE
from tka.pipeline import Compliance, FileSelection, ReadBatch, Resolved, RunContext, Validated
from tka.summary import run_summary


@task(name="load-warehouse", **STAGE, **IO_RETRIES)
def load_period(run: RunContext, selection: FileSelection, batch: ReadBatch, validated: Validated,
                resolved: Resolved, compliance: Compliance) -> Any:
    """Replace the period's rows atomically; the ledger records which file versions produced them."""
    from tka.warehouse import file_outcomes, make_engine, source_records
    from tka.warehouse import load_period as load

    engine = make_engine(run.warehouse_url)
    try:
        stats = load(
            engine, run.period, run.run_id,
            files=file_outcomes(selection, batch),
            source_records=source_records(validated.worker_rows, resolved.assignments),
            issues=validated.issues,
            workers=resolved.workers,
            worker_month=resolved.worker_month,
            companies=compliance.companies,
            company_period=compliance.company_period,
            run_summary=run_summary(run, selection, batch, validated, resolved, compliance),
        )
    finally:
        engine.dispose()
    get_run_logger().info("Loaded %s: %s", run.period, stats)
    return stats


@task(name="mark-complete", **STAGE, **IO_RETRIES)
def mark_complete(run: RunContext, fingerprint: str, summary: dict[str, Any]) -> dict[str, Any]:
    """Store the final summary and the input fingerprint: only now may an unchanged re-run skip this period."""
    from tka.warehouse import make_engine
    from tka.warehouse import mark_complete as mark

    engine = make_engine(run.warehouse_url)
    try:
        mark(engine, run.period, run.run_id, fingerprint, summary)
    finally:
        engine.dispose()
    return summary
