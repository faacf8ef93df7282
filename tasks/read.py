"""Read and normalise the period's files, chunk by chunk where the task runner puts them; gather the month."""

from __future__ import annotations

from prefect import get_run_logger, task

from tasks._common import IO_RETRIES, STAGE, read_workers
from tka import progress
from tka.batch import read_many, run_temp_dir
from tka.pipeline import FileSelection, ReadBatch, RunConfig, RunContext
from tka.read.drive import DiscoveredFile
from tka.read.reader import ReadResult
from tka.settings import Settings
from tka.stages import READER_POOLS, FileRead, ReaderSetup, chunk_files, chunk_size, gather_batch, read_chunk

READING = "Reading files"


@task(name="plan-reads", **STAGE)
def plan_reads(run: RunContext, config: RunConfig,
               selection: FileSelection) -> tuple[ReaderSetup, list[list[DiscoveredFile]]]:
    """What every read task needs (layouts, limits, the store) and the chunks of files they read."""
    settings = Settings()
    setup = ReaderSetup(sources=config.sources, config_fingerprint=config.fingerprint, store_dir=run.store_dir,
                        timeout_s=settings.read_timeout_s, memory_mb=settings.read_memory_mb,
                        reuse=not run.reprocess, n_files=len(selection.active))
    size = chunk_size(len(selection.active), read_workers(settings), settings.read_chunk_files)
    progress.start_count(READING, run.run_id, len(selection.active))
    return setup, chunk_files(selection.active, size)


@task(name="read-files", **STAGE, **IO_RETRIES)
def read_files(run: RunContext, setup: ReaderSetup, files: list[DiscoveredFile]) -> list[FileRead]:
    """Read a chunk of files (stored parses reused) into the artifact store; a bad file is quarantined."""
    from tka.read import open_drive

    fs, root = open_drive(run.drive_url)

    handles = read_chunk(fs, root, files, setup, run.run_id, tmp_dir=run_temp_dir(run.cache_dir, run.run_id),
                         progress=lambda n: progress.add_count(READING, run.run_id, n, setup.n_files))
    logger = get_run_logger()
    for handle in handles:
        if handle.quarantine:
            logger.warning("Quarantined %s: %s", handle.path, handle.quarantine)
    logger.info("Read %d files (%d reused from the store)", len(handles), sum(h.reused for h in handles))
    return handles


@task(name="gather-reads", **STAGE, **IO_RETRIES)
def gather_reads(run: RunContext, selection: FileSelection, setup: ReaderSetup,
                 chunks: list[list[FileRead]]) -> ReadBatch:
    """The month's rows, per record kind, from the read tasks' stored parses."""
    from tka.read import open_drive

    def reread(files: list[DiscoveredFile]) -> dict[str, ReadResult]:
        fs, root = open_drive(run.drive_url)
        settings = Settings()
        return read_many(fs, root, files, setup.sources, run.run_id, cache=None,
                         workers=settings.read_workers or None, timeout_s=setup.timeout_s,
                         memory_mb=setup.memory_mb, tmp_dir=run_temp_dir(run.cache_dir, run.run_id))

    progress.end_count(READING, run.run_id)
    READER_POOLS.close()  # every read task of the run has finished
    handles = [handle for chunk in chunks for handle in chunk]
    batch = gather_batch(selection.active, handles, setup, run.run_id, reread)
    get_run_logger().info("Read %d files: %d worker rows, %d registry rows, %d quarantined, %d reused",
                          len(batch.results), len(batch.worker_rows), len(batch.registry_rows),
                          len(batch.quarantined), sum(h.reused for h in handles))
    return batch
