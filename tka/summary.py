"""The run summary: the figures an operator and a steward read first (no personal data)."""

from __future__ import annotations

from typing import Any

from tka.contract import QUARANTINE_REASONS
from tka.pipeline import Compliance, FileSelection, ReadBatch, Resolved, RunContext, Validated


def run_summary(run: RunContext, selection: FileSelection, batch: ReadBatch, validated: Validated,
                resolved: Resolved, compliance: Compliance) -> dict[str, Any]:
    """Counts of files, rows, workers and missing companies for one run."""
    workers = validated.worker_rows
    registry = validated.registry_rows
    rows_total = len(workers) + len(registry)
    rejected = int((workers["status"] == "rejected").sum() + (registry["status"] == "rejected").sum())
    flagged = int((workers["status"].eq("accepted") & workers["flags"].notna()).sum())
    status = compliance.company_period
    missing = status[status["status"] == "missing"]
    quarantined = [
        {"path": path, "reason": res.quarantine, "message": QUARANTINE_REASONS.get(res.quarantine, ""),
         "detail": res.detail}
        for path, res in sorted(batch.quarantined.items())
    ]
    issues = validated.issues
    layout = issues[issues["rule"].isin(["header_guessed", "column_missing", "column_unexpected"])]
    return {
        "period": run.period,
        "flow_run_id": run.run_id,
        "files_total": len(selection.files),
        "files_superseded": len(selection.superseded),
        "files_read": len(selection.active) - len(quarantined),
        "files_quarantined": len(quarantined),
        "rows_total": rows_total,
        "rows_accepted": rows_total - rejected,
        "rows_rejected": rejected,
        "rows_flagged": flagged,
        "dependants": int((workers["person_kind"] == "dependant").sum()),
        "workers": len(resolved.worker_month),
        "companies_missing": len(missing),
        "missing_companies": sorted(missing["company_nib"].astype(str)),
        "employers_not_in_registry": len(compliance.not_in_registry),
        "issues_open": int((issues["status"] == "open").sum()),
        # header drift: guessed mappings the steward should confirm (`tka layout daftar`), missing and unknown
        # columns; none of them loses a row
        "headers_guessed": int((layout["rule"] == "header_guessed").sum()),
        "columns_missing": int((layout["rule"] == "column_missing").sum()),
        "columns_unexpected": int((layout["rule"] == "column_unexpected").sum()),
        "quarantined": quarantined,
    }
