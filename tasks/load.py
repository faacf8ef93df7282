"""Write the period to the warehouse in one transaction that replaces it as a whole."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from prefect import get_run_logger, task

from tasks._common import IO_RETRIES, STAGE, warehouse
from tka.pipeline import Compliance, FileSelection, ReadBatch, Resolved, RunContext, Validated
from tka.summary import run_summary

if TYPE_CHECKING:
    from tka.warehouse.load import LoadStats


@task(name="load-warehouse", **STAGE, **IO_RETRIES)
def load_period(run: RunContext, selection: FileSelection, batch: ReadBatch, validated: Validated,
                resolved: Resolved, compliance: Compliance) -> LoadStats:
    """Replace the period's rows atomically; the ledger records which file versions produced them."""
    from tka.warehouse import file_outcomes, source_records
    from tka.warehouse import load_period as load

    with warehouse(run) as engine:
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
    get_run_logger().info("Loaded %s: %s", run.period, stats)
    return stats


@task(name="mark-complete", **STAGE, **IO_RETRIES)
def mark_complete(run: RunContext, fingerprint: str, summary: dict[str, Any]) -> dict[str, Any]:
    """Store the final summary and the input fingerprint: only now may an unchanged re-run skip this period."""
    from tka.warehouse import mark_complete as mark

    with warehouse(run) as engine:
        mark(engine, run.period, run.run_id, fingerprint, summary)
    return summary
