"""What the stages of a run hand each other, and the pure glue between them (no Prefect here)."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pandas as pd

from tka.contract import SOURCE_KIND, SourceKind

if TYPE_CHECKING:  # the stages' types, without importing GX, the matcher or the reader with this module
    from great_expectations.core.expectation_validation_result import ExpectationSuiteValidationResult

    from tka.compliance.digest import Digest
    from tka.compliance.policy import Policy
    from tka.match.config import MatchConfig
    from tka.read.config import SourcesConfig
    from tka.read.drive import DiscoveredFile
    from tka.read.reader import ReadResult
    from tka.validate.config import ValidationConfig
    from tka.validate.suites import Suites
    from tka.versions import FileChoice, RevisionDecision


@dataclass(frozen=True)
class RunContext:
    """Everything that identifies one run: the period, where to read and write, and how."""

    period: str
    run_id: str
    drive_url: str
    warehouse_url: str
    config_dir: Path
    expectations_dir: Path
    cache_dir: Path
    dry_run_alerts: bool
    reprocess: bool
    started_at: datetime
    alert_blocks: tuple[str, ...] = ()
    allow_shrink: bool = False  # a load with fewer files, rows or workers than the period had may replace it
    missing_channels: tuple[str, ...] = ()  # configured but absent (TKA_MISSING_CHANNELS=warn): digest printed
    warehouse_secret: str | None = None  # Prefect Secret block with the warehouse password (never the password)
    lock_wait_s: float = 0.0
    artifact_dir: Path | None = None  # where stage results are stored; None: <cache_dir>/artifacts

    @property
    def store_dir(self) -> Path:
        """The folder of the run's artifact store."""
        return self.artifact_dir or self.cache_dir / "artifacts"


@dataclass
class RunConfig:
    """Layouts, suites and policies loaded (and checked) at the start of a run."""

    sources: SourcesConfig
    validation: ValidationConfig
    suites: Suites | None  # None until load_rules (importing GX takes seconds)
    policy: Policy
    survivorship: MatchConfig
    fingerprint: str

    def loaded_suites(self) -> Suites:
        """The GX suites; only a stage after load_rules may ask for them."""
        if self.suites is None:
            raise RuntimeError("GX suites not loaded: load_rules must run before validation")
        return self.suites


@dataclass
class FileSelection:
    """The period's files: all discovered, the ones to read, and the ones a newer version superseded."""

    files: list[DiscoveredFile]
    active: list[DiscoveredFile]
    superseded: dict[str, str] = field(default_factory=dict)  # superseded path -> path that replaced it
    choices: list[FileChoice] = field(default_factory=list)  # the steward's file decisions
    overwritten: list[tuple[str, str]] = field(default_factory=list)  # (path, sha256) of earlier versions


@dataclass
class ReadBatch:
    """Every file's read result, and the rows of the files that read cleanly, concatenated per record kind."""

    files: dict[str, DiscoveredFile]  # path -> file (source kind, SHA-256, defaults from the file name)
    results: dict[str, ReadResult]  # path -> its read result
    worker_rows: pd.DataFrame
    registry_rows: pd.DataFrame
    revisions: RevisionDecision | None = None  # files replaced by a revision, duplicates, ambiguous pairs

    def files_frame(self) -> pd.DataFrame:
        """One row per read file: path, source kind and id, SHA-256, quarantine reason, received time."""
        return pd.DataFrame(
            [{"file_path": path, "path": path, "source_kind": f.source_kind, "source_id": f.source_id,
              "file_sha256": f.sha256, "company_nib": f.defaults.get("company_nib"),
              "quarantine_reason": self.results[path].quarantine, "received_at": f.modified}
             for path, f in self.files.items()],
            columns=["file_path", "path", "source_kind", "source_id", "file_sha256", "company_nib",
                     "quarantine_reason", "received_at"])

    @property
    def quarantined(self) -> dict[str, ReadResult]:
        """Path -> read result of every quarantined file."""
        return {path: res for path, res in self.results.items() if res.quarantine}

    @property
    def quarantine_reasons(self) -> dict[str, str]:
        """Path -> quarantine reason of every quarantined file."""
        return {path: res.quarantine for path, res in self.results.items() if res.quarantine}


@dataclass
class Validated:
    """Rows with their status (accepted / rejected) and flags, and every issue found."""

    worker_rows: pd.DataFrame
    registry_rows: pd.DataFrame
    issues: pd.DataFrame
    gx_results: dict[str, ExpectationSuiteValidationResult] = field(default_factory=dict)  # record kind -> result


@dataclass
class Resolved:
    """Which worker each accepted row belongs to, the workers, and their month rows."""

    assignments: pd.DataFrame  # record_key, worker_id, match_reason
    workers: pd.DataFrame
    worker_month: pd.DataFrame


@dataclass
class Compliance:
    """Report status of every company for the period, employers missing from the registry, the digest."""

    company_period: pd.DataFrame
    companies: pd.DataFrame
    not_in_registry: pd.DataFrame
    digest: Digest


def concat_rows(frames: list[pd.DataFrame], columns: list[str]) -> pd.DataFrame:
    """Concatenate per-file row frames, keeping the canonical column order even when there are none."""
    frames = [f for f in frames if len(f)]
    if not frames:
        return pd.DataFrame({c: pd.Series(dtype=object) for c in columns})
    out = pd.concat(frames, ignore_index=True)
    return out[[*columns, *[c for c in out.columns if c not in columns]]]


def share_rows(frames: list[pd.DataFrame], combined: pd.DataFrame) -> list[pd.DataFrame]:
    """Each of ``frames`` again, as a view of its rows in ``combined`` (their ``concat_rows``).

    The read results keep their own rows (the steward's workbooks show them), so without this a month's rows
    sit in memory twice. A view equals its frame (same columns, order, dtypes, values, a fresh RangeIndex);
    copy-on-write keeps either side from changing the other. A frame whose dtypes the concatenation changed
    stays as it is.
    """
    out, start = [], 0
    for frame in frames:
        n = len(frame)
        if not n:
            out.append(frame)
            continue
        rows = combined.iloc[start : start + n].reset_index(drop=True)
        start += n
        view = pd.DataFrame({c: rows[c] for c in frame.columns}, copy=False)
        out.append(view if view.dtypes.equals(frame.dtypes) else frame)
    return out


def worker_sources_only(rows: pd.DataFrame) -> pd.DataFrame:
    """The rows of worker sources (everything but the registry)."""
    return rows[rows[SOURCE_KIND] != SourceKind.REGISTRY.value]


CODE_FOLDERS = ("tka", "tasks", "flows")
PROJECT_ROOT = Path(__file__).resolve().parents[1]


def code_fingerprint(root: Path = PROJECT_ROOT) -> str:
    """sha256 of the pipeline's own source, so new code never reuses an old run's result."""
    digest = hashlib.sha256()
    for folder in CODE_FOLDERS:
        for path in sorted((root / folder).rglob("*.py")):
            digest.update(path.relative_to(root).as_posix().encode() + b"\0" + path.read_bytes())
    return digest.hexdigest()


def input_fingerprint(run: RunContext, config: RunConfig, selection: FileSelection, waivers: Iterable[str],
                      earlier_loads: Iterable[Mapping[str, Any]], deadline_passed: bool, code: str) -> str:
    """sha256 of everything a period's warehouse rows, alerts and review files are computed from.

    Two runs with the same fingerprint produce the same warehouse (the idempotency tests prove it), so a run
    whose fingerprint equals the period's last complete load can skip the work. ``earlier_loads`` are the loads
    of earlier periods (known workers and missed-month counts come from them); ``deadline_passed`` is the one
    input that moves with the clock (a company is "pending" before the deadline and "missing" after it).
    """
    payload = {
        "period": run.period,
        "files": sorted([f.path, f.sha256, f.source_kind, f.source_id, str(f.modified)] for f in selection.files),
        "superseded": sorted(selection.superseded.items()),
        "file_choices": sorted([c.path, c.action, c.replaced_by or ""] for c in selection.choices),
        "config": config.fingerprint,
        "waivers": sorted(waivers),
        "earlier_loads": sorted([str(x["period"]), str(x["run_id"]), str(x.get("loaded_at"))]
                                for x in earlier_loads if str(x["period"]) < run.period),
        "deadline_passed": deadline_passed,
        "alerts": [run.dry_run_alerts, sorted(run.alert_blocks)],
        "drive": run.drive_url,
        "code": code,
    }
    return hashlib.sha256(json.dumps(payload, sort_keys=True).encode()).hexdigest()
