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
        {"path": path, "reason": res.quarantine, "message": QUARANTINE_REASONS.get(res.quarantine or "", ""),
         "detail": res.detail}
        for path, res in sorted(batch.quarantined.items())
    ]
    issues = validated.issues
    layout = issues[issues["rule"].isin(["header_guessed", "column_missing", "column_unexpected"])]
    revisions = getattr(batch, "revisions", None)
    replaced = revisions.replaced if revisions is not None else {}
    return {
        "period": run.period,
        "flow_run_id": run.run_id,
        "files_total": len(selection.files),
        # every replaced version: revisions (by name, workers or the steward) and same-path overwrites
        "files_superseded": len(selection.superseded) + len(replaced) + len(selection.overwritten),
        "files_read": len(batch.results) - len(quarantined),
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
        "superseded": [{"path": path, "replaced_by": r.replaced_by, "reason": r.describe()}
                       for path, r in sorted(replaced.items())],
        # pairs that might be revisions of each other: both loaded until `tka berkas ganti|pertahankan`
        "revision_candidates": [p.as_dict() for p in revisions.ambiguous] if revisions is not None else [],
    }
