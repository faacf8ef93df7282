"""Several files from one source: decide revisions on the read rows, and carry the steward's decisions along."""

from __future__ import annotations

from prefect import get_run_logger, task

from tasks._common import IO_RETRIES, STAGE, warehouse
from tka.pipeline import FileSelection, ReadBatch, RunContext, Validated


@task(name="decide-revisions", **STAGE)
def decide_revisions(run: RunContext, selection: FileSelection, batch: ReadBatch) -> ReadBatch:
    """Drop the rows of files replaced by their revision and of byte-identical copies, before validation."""
    from tka.versions import apply_revisions
    from tka.versions import decide_revisions as decide

    clean = [batch.files[path] for path, res in batch.results.items() if not res.quarantine]
    decision = decide(clean, {path: batch.results[path].rows for path in batch.results}, selection.choices)
    logger = get_run_logger()
    for path, replacement in sorted(decision.replaced.items()):
        logger.info("Replaced by its revision: %s -> %s (%s)", path, replacement.replaced_by, replacement.reason)
    for path, other in sorted(decision.duplicates.items()):
        logger.warning("Duplicate of %s: %s", other, path)
    if decision.ambiguous:
        logger.warning("%d file pairs might be revisions of each other: kept both, the steward decides "
                       "(tka berkas)", len(decision.ambiguous))
    return apply_revisions(batch, decision)


@task(name="carry-decisions", **STAGE, **IO_RETRIES)
def carry_decisions(run: RunContext, selection: FileSelection, batch: ReadBatch, validated: Validated,
                    waivers: set[str]) -> Validated:
    """Carry waivers of replaced file versions to the same problem in their revision; mark the links."""
    from tka.versions import apply_carry, successor_versions
    from tka.versions import carry_decisions as carry
    from tka.warehouse.files import earlier_versions, issues_with_identity

    candidates = successor_versions(selection, batch)
    if not candidates:
        return validated
    with warehouse(run) as engine:
        ledger = earlier_versions(engine, run.period, {path for path, _ in candidates})
        # Only versions that produced the current load: one replaced in an earlier run has settled issues.
        live = {(str(r.path), str(r.file_sha256)) for r in ledger.itertuples() if r.status != "superseded"}
        successors = {k: v for k, v in candidates.items() if k in live}
        previous = issues_with_identity(engine, run.period, successors) if successors else None
    found = carry(previous, successors, validated.issues, validated.worker_rows)
    if found.carried_from:
        get_run_logger().info("%d issues continue an earlier version's, %d waivers carried",
                              len(found.carried_from), len(found.waived))
    return apply_carry(validated, found, waivers)
