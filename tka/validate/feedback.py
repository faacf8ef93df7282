"""A month's feedback workbooks: written in parallel processes, kept when their inputs did not change.

Each workbook has a content key (the file's SHA-256, what the workbook shows of its rows, its issues with their
decision status, and ``WRITER_VERSION``). The keys of the workbooks written are kept in
``_review/<period>/.manifest.json``; a workbook whose key is unchanged and whose file is still there, at the size
written, is not written again. Feedback workbooks of files that no longer have issues (corrected, superseded or
now quarantined) are removed, so the folder only holds feedback that is still true.
"""

from __future__ import annotations

import hashlib
import json
import multiprocessing
import os
from collections import Counter
from collections.abc import Callable, Hashable, Mapping, Sequence
from concurrent.futures import Future, ProcessPoolExecutor, as_completed
from contextlib import nullcontext
from dataclasses import asdict, dataclass, field
from typing import Any

import pandas as pd

from tka.contract import LAYOUT_RULES, OFFICE_INTERNAL_RULES, RECORD_KEY
from tka.frames import str_groups
from tka.validate.workbook import (
    WRITER_VERSION,
    FileMeta,
    feedback_path,
    shown_columns,
    write_feedback_workbook,
)

MANIFEST_NAME = ".manifest.json"
FEEDBACK_SUFFIX = "__umpan_balik.xlsx"
# Issue columns a feedback workbook shows or counts, and the decision status (a decided issue is new content).
KEY_ISSUE_COLUMNS: tuple[str, ...] = (RECORD_KEY, "rule", "severity", "message_id", "column", "header", "raw_value",
                                      "status", "decided_by", "decision_note")
MIN_PARALLEL = 8  # fewer workbooks than this are written in-process: starting workers would cost more
# Writers are fresh interpreters: forking the run's process (Prefect's threads, the month in memory) is unsafe.
WRITER_START_METHOD = "spawn"


@dataclass(frozen=True)
class FeedbackFile:
    """One file with issues: what its feedback workbook is written from, and where it goes."""

    meta: FileMeta
    target: str  # drive path of the workbook relative to the root (``feedback_path``)
    sha256: str
    rows: pd.DataFrame
    issues: pd.DataFrame


@dataclass
class FeedbackReport:
    """Which feedback workbooks (drive paths relative to the root) were written, kept unchanged, or removed."""

    written: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)
    removed: list[str] = field(default_factory=list)

    @property
    def workbooks(self) -> int:
        """Feedback workbooks now on the drive for the period's files with issues."""
        return len(self.written) + len(self.unchanged)


def _frame_digest(frame: pd.DataFrame, columns: Sequence[str] | None = None) -> str:
    """SHA-256 of the names and values in row order of a frame's ``columns`` (all by default; as JSON, column by
    column). Read from the frame itself: no frame of those columns is made."""
    digest = hashlib.sha256()
    for name in frame.columns if columns is None else columns:
        digest.update(json.dumps([str(name), frame[name].tolist()], ensure_ascii=False, default=str).encode())
    return digest.hexdigest()


def content_key(file: FeedbackFile) -> str:
    """Key of what a feedback workbook would hold: equal keys, equal workbooks."""
    issue_columns = [c for c in KEY_ISSUE_COLUMNS if c in file.issues.columns]
    parts = [WRITER_VERSION, file.sha256, asdict(file.meta), len(file.rows),
             _frame_digest(file.rows, shown_columns(file.rows)), _frame_digest(file.issues, issue_columns)]
    return hashlib.sha256(json.dumps(parts, default=str).encode()).hexdigest()


def _is_local(fs: Any) -> bool:
    protocol = getattr(fs, "protocol", "file")
    protocols = (protocol,) if isinstance(protocol, str) else tuple(protocol)
    return bool({"file", "local"} & set(protocols))


def _write_one(job: tuple[Any, str, FileMeta, pd.DataFrame, pd.DataFrame, str | None]) -> int:
    """Write one workbook to a temporary name beside its target, then rename it; returns its size in bytes."""
    fs, target, meta, rows, issues, tmpdir = job
    data = write_feedback_workbook(rows, issues, meta, tmpdir)
    folder = target.rsplit("/", 1)[0]
    fs.makedirs(folder, exist_ok=True)
    partial = f"{folder}/.{target.rsplit('/', 1)[1]}.{os.getpid()}.part"
    with fs.open(partial, "wb") as fh:
        fh.write(data)
    fs.mv(partial, target)
    return len(data)


def read_manifest(fs: Any, review_root: str) -> dict[str, dict[str, Any]]:
    """The manifest's workbooks (path in the review folder -> file, key, bytes); empty when missing, unreadable or
    written by another ``WRITER_VERSION``."""
    try:
        with fs.open(f"{review_root}/{MANIFEST_NAME}", "rb") as fh:
            data = json.loads(fh.read())
        return dict(data["workbooks"]) if data.get("writer") == WRITER_VERSION else {}
    except (OSError, ValueError, KeyError, TypeError, AttributeError):
        return {}


def _save_manifest(fs: Any, review_root: str, workbooks: Mapping[str, Mapping[str, Any]]) -> None:
    fs.makedirs(review_root, exist_ok=True)
    partial = f"{review_root}/{MANIFEST_NAME}.{os.getpid()}.part"
    with fs.open(partial, "wb") as fh:
        fh.write(json.dumps({"writer": WRITER_VERSION, "workbooks": dict(sorted(workbooks.items()))},
                            indent=1, ensure_ascii=False).encode())
    fs.mv(partial, f"{review_root}/{MANIFEST_NAME}")


def _existing(fs: Any, review_root: str) -> dict[str, int]:
    """Path in the review folder -> size of every feedback workbook there; removes partial writes left over."""
    try:
        found = fs.glob(f"{review_root}/*/*{FEEDBACK_SUFFIX}", detail=True)
        partial = fs.glob(f"{review_root}/*/.*{FEEDBACK_SUFFIX}.*.part")
    except FileNotFoundError:
        return {}
    for path in partial:  # an interrupted earlier run
        fs.rm(path)
    prefix = f"{review_root.rstrip('/')}/"
    return {path.rstrip("/").removeprefix(prefix): int(info.get("size") or 0) for path, info in found.items()}


def write_feedback_workbooks(fs: Any, root: str, period: str, files: Sequence[FeedbackFile], *, workers: int = 2,
                             progress: Callable[[int, int], None] | None = None,
                             tmpdir: str | None = None) -> FeedbackReport:
    """Write the feedback workbook of each of ``files`` under ``<root>/_review/<period>/``.

    Unchanged workbooks are kept, the rest are written in ``workers`` processes on a local drive with at least
    ``MIN_PARALLEL`` to write (in-process otherwise), and feedback workbooks of other files are removed.
    """
    root = root.rstrip("/")
    folder = f"_review/{period}/"
    review_root = f"{root}/{folder}".rstrip("/")
    for file in files:
        if not file.target.startswith(folder):
            raise ValueError(f"feedback workbook {file.target!r} is not in {folder}")
    manifest = read_manifest(fs, review_root)
    existing = {f"{folder}{path}": size for path, size in _existing(fs, review_root).items()}
    report = FeedbackReport()
    claims = Counter(f.target for f in files)
    entries: dict[str, dict[str, Any]] = {}  # by target (root-relative), like the report
    done, total = 0, len(files)
    if progress:
        progress(done, total)

    def finished(target: str, file: FeedbackFile, key: str | None, size: int | None) -> None:
        nonlocal done
        if size is None:  # unchanged
            entries[target] = manifest[target.removeprefix(folder)]
            report.unchanged.append(target)
        else:
            if key is not None:
                entries[target] = {"file": file.meta.file_path, "key": key, "bytes": size}
            report.written.append(target)
        done += 1
        if progress:
            progress(done, total)

    def job(target: str, file: FeedbackFile) -> tuple[Any, str, FileMeta, pd.DataFrame, pd.DataFrame, str | None]:
        return fs, f"{root}/{target}", file.meta, file.rows[shown_columns(file.rows)], file.issues, tmpdir

    in_process: list[tuple[str, FeedbackFile, str | None]] = []
    parallel = _is_local(fs) and workers > 1 and len(files) >= MIN_PARALLEL
    try:
        # Biggest first, so the workers end together; keys are checked while the workers already write.
        context = multiprocessing.get_context(WRITER_START_METHOD)
        with ProcessPoolExecutor(max_workers=workers, mp_context=context) if parallel else nullcontext() as pool:
            futures: dict[Future[int], tuple[str, FeedbackFile, str]] = {}
            try:
                for file in sorted(files, key=lambda f: (-len(f.rows), f.meta.file_path)):
                    target = file.target
                    if claims[target] > 1:  # two files, one workbook name (same stem): see below
                        in_process.append((target, file, None))
                        continue
                    key = content_key(file)
                    entry = manifest.get(target.removeprefix(folder))
                    if entry and entry.get("key") == key and existing.get(target) == entry.get("bytes"):
                        finished(target, file, key, None)
                    elif pool is not None:
                        futures[pool.submit(_write_one, job(target, file))] = (target, file, key)
                    else:
                        in_process.append((target, file, key))
                for future in as_completed(futures):
                    finished(*futures[future], future.result())
            except BaseException:
                for future in futures:
                    future.cancel()
                raise
        # in path order: of two files with one workbook name, the last one wins (and is never kept as unchanged)
        for target, file, key_or_none in sorted(in_process, key=lambda t: t[1].meta.file_path):
            finished(target, file, key_or_none, _write_one(job(target, file)))
    finally:  # what was written is recorded even when a later write failed, so a retry skips it
        current = set(claims)
        for target in sorted(set(existing) - current):
            fs.rm(f"{root}/{target}")
            report.removed.append(target)
        _save_manifest(fs, review_root, {t.removeprefix(folder): e for t, e in entries.items() if t in current})
    report.written.sort()
    report.unchanged.sort()
    return report


def feedback_files(period: str, batch_files: Mapping[str, Any], results: Mapping[str, Any],
                   issues: pd.DataFrame, rows: pd.DataFrame) -> list[FeedbackFile]:
    """One ``FeedbackFile`` per read (not quarantined) file with issues: its own rows and issues.

    ``results`` are the read results (path -> ReadResult); their rows are already one frame per file. ``rows``
    (all validated rows) is grouped by file once, for a file whose read result kept no rows.
    """
    if issues.empty:
        return []
    # The office's layout questions, and what only its reference data lacks, are not the agency's problem.
    issues = issues[~issues["rule"].isin(LAYOUT_RULES | OFFICE_INTERNAL_RULES)]
    out: list[FeedbackFile] = []
    fallback: dict[Hashable, Any] | None = None  # file_path -> positions of its rows in ``rows``
    for path, file_issues in str_groups(issues, "file_path", sort=True):
        result = results.get(path)
        if result is None or result.quarantine:
            continue
        file_rows = result.rows
        if not len(file_rows):
            if fallback is None:
                fallback = rows.groupby("file_path", sort=False).indices if len(rows) else {}
            file_rows = rows.iloc[fallback.get(path, [])]
        file = batch_files[path]
        out.append(FeedbackFile(meta=FileMeta.coerce({"path": path, "period": period}),
                                target=feedback_path(period, file.source_kind, path), sha256=file.sha256,
                                rows=file_rows, issues=file_issues.reset_index(drop=True)))
    return out


