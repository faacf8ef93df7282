"""The monthly picture: cross-source findings and the laporan bulanan (pure; Prefect tasks wrap them)."""

from tka.report.findings import (
    FINDING_KINDS,
    UnknownKindError,
    check_kind,
    compute_findings,
    finding_id,
    source_counts,
)

__all__ = ["FINDING_KINDS", "UnknownKindError", "check_kind", "compute_findings", "finding_id", "source_counts"]
