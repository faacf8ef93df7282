"""Publish the steward's material: feedback workbooks per file, the month's export, artifacts.

GX Data Docs are no longer built: they load their styles and scripts from the internet (blank on an office machine
offline), and the laporan (tasks/report.py) shows the month's data quality per source instead.
"""

from __future__ import annotations

import csv
import io
import os
from typing import TYPE_CHECKING, Any

from prefect import get_run_logger, task
from prefect.artifacts import create_markdown_artifact, create_table_artifact

from tasks._common import IO_RETRIES, STAGE
from tka import progress
from tka.batch import run_temp_dir
from tka.contract import QUARANTINE_REASONS
from tka.pipeline import Compliance, FileSelection, ReadBatch, Resolved, RunConfig, RunContext, Validated
from tka.settings import Settings
from tka.summary import run_summary

if TYPE_CHECKING:
    from tka.warehouse.load import LoadStats

FAILURE_TABLE_CAP = 200


def publish_review(run: RunContext, config: RunConfig, selection: FileSelection, batch: ReadBatch,
                   validated: Validated, resolved: Resolved, compliance: Compliance, stats: LoadStats,
                   alerts: list[dict[str, Any]]) -> dict[str, Any]:
    """Write review material beside the period on the drive and Prefect artifacts; return the run summary.

    Not a task itself: it runs one task per piece of material, so the flow run shows where the time goes.
    Its stage arguments may come wrapped in Prefect's ``opaque``; the tasks unwrap them.
    """
    workbooks = write_feedback(run, batch, validated)
    review_root = write_month_files(run, batch, validated, compliance)
    publish_artifacts(run, batch, validated, compliance)
    return summarise_run(run, selection, batch, validated, resolved, compliance, review_root, workbooks, alerts)


@task(name="summarise-run", **STAGE)
def summarise_run(run: RunContext, selection: FileSelection, batch: ReadBatch, validated: Validated,
                  resolved: Resolved, compliance: Compliance, review_root: str, workbooks: int,
                  alerts: list[dict[str, Any]]) -> dict[str, Any]:
    """The run summary: counts of files, rows, workers and companies, where the review material is, alerts sent."""
    summary = run_summary(run, selection, batch, validated, resolved, compliance)
    summary["review_dir"] = review_root
    summary["feedback_workbooks"] = workbooks
    summary["alerts_sent"] = alerts
    get_run_logger().info("Review material for %s in %s (%d feedback workbooks)", run.period, review_root,
                          workbooks)
    return summary


@task(name="write-feedback-workbooks", **STAGE, **IO_RETRIES)
def write_feedback(run: RunContext, batch: ReadBatch, validated: Validated) -> int:
    """Write a feedback workbook per file with issues (unchanged ones kept, stale ones removed); return the count."""
    from tka.read import open_drive
    from tka.validate import feedback_files, write_feedback_workbooks

    fs, root = open_drive(run.drive_url)
    rows = validated.worker_rows
    files = feedback_files(run.period, batch.files, batch.results, validated.issues, rows)
    report = write_feedback_workbooks(
        fs, root, run.period, files, workers=min(Settings().feedback_workers, os.cpu_count() or 1),
        progress=lambda done, total: progress.report("Writing feedback workbooks", done, total),
        tmpdir=str(run_temp_dir(run.cache_dir, run.run_id)))
    get_run_logger().info("Feedback workbooks: %d written, %d unchanged, %d removed (no issues any more)",
                          len(report.written), len(report.unchanged), len(report.removed))
    return report.workbooks


@task(name="write-month-export", **STAGE, **IO_RETRIES)
def write_month_files(run: RunContext, batch: ReadBatch, validated: Validated, compliance: Compliance) -> str:
    """Write the month's export workbook and the quarantine list; return the period's review folder."""
    from tka.read import open_drive
    from tka.validate import write_month_export

    fs, root = open_drive(run.drive_url)
    review_root = f"{root.rstrip('/')}/_review/{run.period}"
    _write_quarantine_list(fs, review_root, batch)
    with fs.open(f"{review_root}/rekap_{run.period}.xlsx", "wb") as fh:
        fh.write(write_month_export(validated.issues, None, compliance.company_period,
                                    tmpdir=str(run_temp_dir(run.cache_dir, run.run_id))))
    return review_root


@task(name="publish-artifacts", **STAGE)
def publish_artifacts(run: RunContext, batch: ReadBatch, validated: Validated, compliance: Compliance) -> None:
    """Publish the validation summary, the failure table and the compliance report as Prefect artifacts."""
    from tka.compliance import compliance_markdown
    from tka.validate import summarize

    markdown, failures, failures_total = summarize(validated.worker_rows, validated.issues, batch.files_frame(),
                                                   cap=FAILURE_TABLE_CAP)
    key = f"tka-{run.period}"
    create_markdown_artifact(key=f"{key}-ringkasan", markdown=markdown,
                             description=f"Validation summary for {run.period}")
    create_table_artifact(key=f"{key}-masalah", table=failures,
                          description=f"First {len(failures)} of {failures_total} validation failures "
                                      f"(values masked)")
    create_markdown_artifact(key=f"{key}-kepatuhan", markdown=compliance_markdown(compliance.company_period,
                                                                                   run.period),
                             description=f"Company report compliance for {run.period}")


def _write_quarantine_list(fs: Any, review_root: str, batch: ReadBatch) -> None:
    """List quarantined files with their reason in Indonesian, beside a copy of each file."""
    buf = io.StringIO()
    writer = csv.writer(buf)
    writer.writerow(["berkas", "sha256", "alasan", "keterangan", "detail"])
    for path, reason in sorted(batch.quarantine_reasons.items()):
        writer.writerow([path, batch.files[path].sha256, reason, QUARANTINE_REASONS.get(reason, ""),
                         batch.results[path].detail])
    fs.makedirs(review_root, exist_ok=True)
    with fs.open(f"{review_root}/karantina.csv", "w", encoding="utf-8-sig") as fh:
        fh.write(buf.getvalue())
