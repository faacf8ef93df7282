"""Find the period's files on the drive and record every one of them in the ledger before reading."""

from __future__ import annotations

import dataclasses

from prefect import get_run_logger, task

from tasks._common import IO_RETRIES, STAGE, warehouse
from tka.pipeline import FileSelection, RunConfig, RunContext
from tka.read.drive import DiscoveredFile


@task(name="discover-files", **STAGE, **IO_RETRIES)
def discover_files(run: RunContext, config: RunConfig) -> list[DiscoveredFile]:
    """List the period's files by the configured layout, with size and SHA-256."""
    from tka.read import discover, open_drive

    fs, root = open_drive(run.drive_url)
    files = discover(fs, root, run.period, config.sources)
    get_run_logger().info("Found %d files for %s on %s", len(files), run.period, run.drive_url)
    return files


@task(name="register-files", **STAGE, **IO_RETRIES)
def register_files(run: RunContext, files: list[DiscoveredFile]) -> FileSelection:
    """Write every file to the ledger; all are read (revisions are decided on the read rows, after reading)."""
    from tka.warehouse import record_files
    from tka.warehouse.files import earlier_versions, file_choices

    infos = [dataclasses.asdict(f) for f in files]
    with warehouse(run) as engine:
        record_files(engine, run.run_id, run.period, infos)
        choices = file_choices(engine, run.period)
        shas = {(f.path, f.sha256) for f in files}
        earlier = earlier_versions(engine, run.period, {f.path for f in files})
    # Earlier versions of a path now holding other content: a same-path overwrite supersedes them.
    overwritten = sorted({(str(r.path), str(r.file_sha256)) for r in earlier.itertuples()} - shas)
    if overwritten:
        get_run_logger().info("%d earlier file versions overwritten at the same path", len(overwritten))
    return FileSelection(files=files, active=list(files), superseded={}, choices=choices, overwritten=overwritten)
