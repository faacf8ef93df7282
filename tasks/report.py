"""After the load: the period's cross-source findings, the laporan bulanan and its Prefect artifact."""

from __future__ import annotations

from typing import Any

from prefect import get_run_logger, task
from prefect.artifacts import create_markdown_artifact

from tasks._common import IO_RETRIES, STAGE, warehouse
from tka.pipeline import RunContext


@task(name="find-cross-source-findings", **STAGE, **IO_RETRIES)
def find_findings(run: RunContext) -> dict[str, int]:
    """Compute the period's findings from the warehouse and replace them in their own transaction."""
    from tka.report import compute_findings
    from tka.warehouse import finding_inputs, replace_findings

    with warehouse(run) as engine:
        records, registry = finding_inputs(engine, run.period)
        findings = compute_findings(run.period, records, registry)
        replace_findings(engine, run.period, run.run_id, findings)
    counts = {str(k): int(n) for k, n in findings["kind"].value_counts().sort_index().items()}
    get_run_logger().info("Findings for %s: %s", run.period, counts or "none")
    return counts


@task(name="write-laporan", **STAGE, **IO_RETRIES)
def write_laporan(run: RunContext) -> dict[str, Any]:
    """Write ``_review/<period>/laporan_<period>.html`` from warehouse queries; publish its headline artifact."""
    from tka.read import open_drive
    from tka.report.laporan import build_report, headline_markdown, render_html

    fs, root = open_drive(run.drive_url)
    review_root = f"{root.rstrip('/')}/_review/{run.period}"
    path = f"{review_root}/laporan_{run.period}.html"
    with warehouse(run) as engine:
        report = build_report(engine, run.period)
    fs.makedirs(review_root, exist_ok=True)
    with fs.open(path, "w", encoding="utf-8") as fh:
        fh.write(render_html(report))
    old_docs = f"{review_root}/data_docs"
    if fs.exists(old_docs):  # GX Data Docs of an older run: blank offline, replaced by this report
        fs.rm(old_docs, recursive=True)
    create_markdown_artifact(key=f"tka-{run.period}-laporan", markdown=headline_markdown(report, path, review_root),
                             description=f"Laporan bulanan {run.period}: angka utama dan tautan")
    get_run_logger().info("Laporan for %s written to %s", run.period, path)
    return {"path": path, "workers": report.headline["workers"]}
