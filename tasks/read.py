"""Read and normalise every current file of the period into canonical rows with provenance."""

from __future__ import annotations

from prefect import get_run_logger, task

from tasks._common import IO_RETRIES, STAGE
from tka import progress
from tka.batch import ParseCache, read_many, reader_fingerprint, run_temp_dir
from tka.contract import PROVENANCE_COLUMNS, REGISTRY_FIELDS, WORKER_FIELDS, SourceKind
from tka.pipeline import FileSelection, ReadBatch, RunConfig, RunContext, concat_rows, share_rows
from tka.settings import Settings


@task(name="read-files", **STAGE, **IO_RETRIES)
def read_files(run: RunContext, config: RunConfig, selection: FileSelection) -> ReadBatch:
    """Read every current file; a bad file is quarantined with its reason and never stops the run."""
    from tka.read import open_drive

    logger = get_run_logger()
    fs, root = open_drive(run.drive_url)
    cache = None if run.reprocess else ParseCache(run.cache_dir, reader_fingerprint(config.fingerprint))
    settings = Settings()
    results = read_many(fs, root, selection.active, config.sources, run.run_id, cache=cache,
                        progress=lambda done, total: progress.report("Reading files", done, total),
                        workers=settings.read_workers or None, timeout_s=settings.read_timeout_s,
                        memory_mb=settings.read_memory_mb, tmp_dir=run_temp_dir(run.cache_dir, run.run_id))
    selection_by_path = {f.path: f for f in selection.active}
    by_kind: dict[bool, list[str]] = {True: [], False: []}  # registry? -> paths of the files read cleanly
    for path, result in results.items():
        if result.quarantine:
            logger.warning("Quarantined %s: %s", path, result.quarantine)
            continue
        by_kind[selection_by_path[path].source_kind == SourceKind.REGISTRY.value].append(path)
    combined = {}
    for registry, columns in ((False, [*PROVENANCE_COLUMNS, *WORKER_FIELDS]),
                              (True, [*PROVENANCE_COLUMNS, *REGISTRY_FIELDS])):
        frames = [results[path].rows for path in by_kind[registry]]
        combined[registry] = concat_rows(frames, columns)
        for path, view in zip(by_kind[registry], share_rows(frames, combined[registry]), strict=True):
            results[path].rows = view
    batch = ReadBatch(files=selection_by_path, results=results, worker_rows=combined[False],
                      registry_rows=combined[True])
    logger.info("Read %d files: %d worker rows, %d registry rows, %d quarantined", len(results),
                len(batch.worker_rows), len(batch.registry_rows), len(batch.quarantined))
    return batch
