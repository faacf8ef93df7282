"""Publish the steward's material: feedback workbooks per file, the month's export, data docs, artifacts."""

from __future__ import annotations

import csv
import io
import tempfile
from pathlib import Path
from typing import Any

from prefect import get_run_logger, task
from prefect.artifacts import create_markdown_artifact, create_table_artifact

from tasks._common import IO_RETRIES, STAGE
from tka import progress
from tka.contract import QUARANTINE_REASONS
from tka.pipeline import Compliance, FileSelection, ReadBatch, Resolved, RunConfig, RunContext, Validated
from tka.summary import run_summary

FAILURE_TABLE_CAP = 200


@task(name="publish-review", **STAGE, **IO_RETRIES)
def publish_review(run: RunContext, config: RunConfig, selection: FileSelection, batch: ReadBatch,
                   validated: Validated, resolved: Resolved, compliance: Compliance, stats: Any,
                   alerts: list[dict[str, Any]]) -> dict[str, Any]:
    """Write review material beside the period on the drive and Prefect artifacts; return the run summary."""
    from tka.compliance import compliance_markdown
    from tka.read import open_drive
    from tka.validate import build_data_docs, feedback_path, summarize, write_feedback_workbook, \
        write_month_export

    fs, root = open_drive(run.drive_url)
    review_root = f"{root.rstrip('/')}/_review/{run.period}"
    issues = validated.issues
    rows = validated.worker_rows
    by_file = issues.groupby("file_path", sort=True) if len(issues) else []
    written = 0
    total = issues["file_path"].nunique() if len(issues) else 0
    for path, file_issues in by_file:
        result = batch.results.get(path)
        if result is None or result.quarantine:
            continue
        file_rows = result.rows if len(result.rows) else rows[rows["file_path"] == path]
        target = f"{root.rstrip('/')}/{feedback_path(run.period, batch.files[path].source_kind, path)}"
        fs.makedirs(target.rsplit("/", 1)[0], exist_ok=True)
        with fs.open(target, "wb") as fh:
            fh.write(write_feedback_workbook(file_rows, file_issues, {"path": path, "period": run.period}))
        written += 1
        progress.report("Writing feedback workbooks", written, total)

    _write_quarantine_list(fs, review_root, batch)
    markdown, failures, failures_total = summarize(rows, issues, batch.files_frame(), cap=FAILURE_TABLE_CAP)
    with fs.open(f"{review_root}/rekap_{run.period}.xlsx", "wb") as fh:
        fh.write(write_month_export(issues, None, compliance.company_period))
    with tempfile.TemporaryDirectory() as tmp:
        index = build_data_docs(config.suites, validated.gx_results, Path(tmp), run_name=run.run_id)
        fs.put(str(index.parent), f"{review_root}/data_docs", recursive=True)

    summary = run_summary(run, selection, batch, validated, resolved, compliance)
    summary["review_dir"] = review_root
    summary["feedback_workbooks"] = written
    summary["alerts_sent"] = alerts
    key = f"tka-{run.period}"
    create_markdown_artifact(key=f"{key}-ringkasan", markdown=markdown,
                             description=f"Validation summary for {run.period}")
    create_table_artifact(key=f"{key}-masalah", table=failures,
                          description=f"First {len(failures)} of {failures_total} validation failures "
                                      f"(values masked)")
    create_markdown_artifact(key=f"{key}-kepatuhan", markdown=compliance_markdown(compliance.company_period,
                                                                                   run.period),
                             description=f"Company report compliance for {run.period}")
    get_run_logger().info("Review material for %s in %s (%d feedback workbooks)", run.period, review_root,
                          written)
    return summary


def _write_quarantine_list(fs: Any, review_root: str, batch: ReadBatch) -> None:
    """List quarantined files with their reason in Indonesian, beside a copy of each file."""
    buf = io.StringIO()
    writer = csv.writer(buf)
    writer.writerow(["berkas", "sha256", "alasan", "keterangan", "detail"])
    for path, res in sorted(batch.quarantined.items()):
        writer.writerow([path, batch.files[path].sha256, res.quarantine, QUARANTINE_REASONS.get(res.quarantine, ""),
                         res.detail])
    fs.makedirs(review_root, exist_ok=True)
    with fs.open(f"{review_root}/karantina.csv", "w", encoding="utf-8-sig") as fh:
        fh.write(buf.getvalue())
