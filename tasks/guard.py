"""Guards of a run before anything is written: settings, drive, alert channels, the warehouse lock, shrinking."""

from __future__ import annotations

import dataclasses
import os

from prefect import get_run_logger, task

from tasks._common import IO_RETRIES, STAGE, warehouse
from tka.pipeline import ReadBatch, Resolved, RunConfig, RunContext, Validated
from tka.read.drive import DiscoveredFile
from tka.runlock import WarehouseLock

# Files holding personal data (SQLite warehouse, exports, workbooks) are created owner-only.
PRIVATE_UMASK = 0o077


@task(name="check-settings", **STAGE, **IO_RETRIES)
def check_settings(run: RunContext) -> None:
    """The warehouse answers and the drive has the period's folder, in seconds; nothing is written."""
    from tka.credentials import connectable_url
    from tka.guards import check_drive, check_warehouse
    from tka.read import load_sources_config, open_drive

    os.umask(PRIVATE_UMASK)
    check_warehouse(run.warehouse_url, must_exist=False,
                    connect_url=connectable_url(run.warehouse_url, run.warehouse_secret))
    layout = load_sources_config(run.config_dir / "sources.yaml").layout
    fs, root = open_drive(run.drive_url)
    check_drive(fs, root, run.period, layout, run.drive_url)


def _block_exists(name: str) -> bool:
    from tka.compliance.channels import load_notification_block

    try:
        load_notification_block(name)
    except (ValueError, TypeError):
        return False
    except Exception as exc:  # Prefect raises its own "not found" types by version
        if "not found" in str(exc).casefold() or type(exc).__name__ == "ObjectNotFound":
            return False
        raise
    return True


@task(name="check-alert-channels", **STAGE)
def check_alert_channels(run: RunContext, config: RunConfig) -> RunContext:
    """Configured channels must exist before the load; TKA_MISSING_CHANNELS=warn prints the digest instead."""
    from tka.guards import GuardError
    from tka.settings import Settings

    channels = list(run.alert_blocks) or list(config.policy.channels)
    if run.dry_run_alerts or config.policy.dry_run or not channels:
        return run
    missing = tuple(c for c in channels if not _block_exists(c))
    if not missing:
        return run
    names = ", ".join(missing)
    how = ("Buat dengan `tka kanal buat-webhook NAMA --url URL` atau `tka kanal buat-email NAMA --to ALAMAT "
           "--from ALAMAT --smtp-host HOST` (lihat `tka kanal daftar`)")
    if Settings().missing_channels == "warn":
        get_run_logger().warning("Alert channel(s) %s do not exist: the digest is printed instead of sent", names)
        return dataclasses.replace(run, missing_channels=missing)
    raise GuardError(f"Kanal peringatan {names} belum ada di Prefect. Tidak ada yang ditulis. {how}, "
                     "atau atur missing_channels = \"warn\" (TKA_MISSING_CHANNELS=warn) agar run tetap jalan.")


@task(name="take-warehouse-lock", **STAGE)
def take_warehouse_lock(run: RunContext) -> WarehouseLock:
    """Hold the warehouse for this run (runs depend on earlier months, so one at a time per warehouse)."""
    from tka.credentials import connectable_url, masked
    from tka.runlock import LockOwner, acquire

    lock = acquire(connectable_url(run.warehouse_url, run.warehouse_secret), masked(run.warehouse_url),
                   LockOwner.me(run.run_id, run.period), wait_s=run.lock_wait_s)
    get_run_logger().info("Warehouse lock taken for run %s (%s)", run.run_id, run.period)
    return lock


@task(name="release-warehouse-lock", **STAGE)
def release_warehouse_lock(lock: WarehouseLock) -> None:
    """Let the next run use the warehouse."""
    lock.release()


@task(name="guard-period-files", **STAGE)
def guard_period_files(run: RunContext, files: list[DiscoveredFile]) -> None:
    """Files exist (a registry among them) and are not fewer than the loaded month had, before the ledger."""
    from tka.guards import check_period_files, file_shrink, refuse_shrink
    from tka.warehouse.runstate import loaded_period_counts

    check_period_files(files, run.period, run.drive_url)
    with warehouse(run) as engine:
        before = loaded_period_counts(engine, run.period)
    if before is not None:
        warning = refuse_shrink(run.period, file_shrink(before, {f.path: f.source_kind for f in files}),
                                run.allow_shrink)
        if warning:
            get_run_logger().warning(warning)


@task(name="guard-shrink", **STAGE)
def guard_shrink(run: RunContext, batch: ReadBatch, validated: Validated, resolved: Resolved) -> None:
    """Accepted rows and workers are not fewer than the loaded month had, unless allow_shrink; checked before the load.

    A drop that a revision explains (a file replaced by its corrected version, or by the steward's decision) is
    expected: it is logged, not refused.
    """
    from tka.guards import count_shrink, refuse_shrink
    from tka.warehouse.runstate import loaded_period_counts

    with warehouse(run) as engine:
        before = loaded_period_counts(engine, run.period)
    if before is None:
        return
    rows = int((validated.worker_rows["status"] == "accepted").sum()
               + (validated.registry_rows["status"] == "accepted").sum())
    what = count_shrink(before, rows, len(resolved.worker_month))
    if what and before.workers is not None and len(resolved.worker_month) >= before.workers:
        # fewer rows, as many workers: a corrected file dropped a duplicate or a non-record, nobody disappears
        get_run_logger().warning("Period %s loads fewer rows than before (%s); every worker is still there",
                                 run.period, what)
        return
    revisions = getattr(batch, "revisions", None)
    replaced = sorted(revisions.replaced) if revisions is not None else []
    if what and replaced:
        get_run_logger().warning("Period %s loads less than before (%s), explained by %d replaced file(s): %s",
                                 run.period, what, len(replaced), ", ".join(replaced[:5]))
        return
    warning = refuse_shrink(run.period, what, run.allow_shrink)
    if warning:
        get_run_logger().warning(warning)
