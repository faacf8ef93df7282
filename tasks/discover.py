"""Find the period's files on the drive and record every one of them in the ledger before reading."""

from __future__ import annotations

import dataclasses
from typing import Any

from prefect import get_run_logger, task

from tasks._common import IO_RETRIES, STAGE, warehouse
from tka.pipeline import FileSelection, RunConfig, RunContext


@task(name="discover-files", **STAGE, **IO_RETRIES)
def discover_files(run: RunContext, config: RunConfig) -> list[Any]:
    """List the period's files by the configured layout, with size and SHA-256."""
    from tka.read import discover, open_drive

    fs, root = open_drive(run.drive_url)
    files = discover(fs, root, run.period, config.sources)
    get_run_logger().info("Found %d files for %s on %s", len(files), run.period, run.drive_url)
    return files


@task(name="register-files", **STAGE, **IO_RETRIES)
def register_files(run: RunContext, files: list[Any]) -> FileSelection:
    """Write every file to the ledger and pick, per source, the newest version to read."""
    from tka.warehouse import pick_current_files, record_files

    with warehouse(run) as engine:
        record_files(engine, run.run_id, run.period, [dataclasses.asdict(f) for f in files])
    winners, superseded = pick_current_files([dataclasses.asdict(f) for f in files])
    active_paths = {w["path"] for w in winners}
    selection = FileSelection(files=files, active=[f for f in files if f.path in active_paths],
                              superseded=superseded)
    if superseded:
        get_run_logger().info("%d files superseded by newer versions", len(superseded))
    return selection
