"""The file ledger: every file version seen per period, and which version of a path wins (supersede).

Files of one source no longer compete by arrival: a file replaces another only as its revision
(``tka.versions.decide_revisions``, decided on the read rows), which the flow hands in as status
``superseded`` with ``superseded_by``. Here only a new version of the *same path* supersedes the old one.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Connection, Engine, and_, select, update

from tka.warehouse._db import upsert
from tka.warehouse.engine import write_transaction
from tka.warehouse.schema import file_ledger, validation_issue

# Kinds whose period folder legitimately holds several files of one source: every kind (a company may send two
# or three files a month with different workers). Kept as a parameter for callers that want the old rule.
MULTI_FILE_KINDS: frozenset[str] = frozenset({"kecamatan", "disnakertrans", "imigrasi", "company", "registry"})


# What a file_ledger row keeps when its version is superseded by one on the drive in a later run.
OVERWRITTEN_REASON = "versi baru dengan nama berkas yang sama"
SUPERSEDED_KEEPS: frozenset[str] = frozenset({"rows_read", "detail", "quarantine_reason"})


@dataclass(frozen=True)
class FileVersion:
    """One file version as the ledger knows it."""

    path: str
    sha256: str
    source_kind: str | None
    source_id: str | None
    size: int | None = None
    modified_at: dt.datetime | None = None
    status: str | None = None


def file_version(info: Mapping[str, Any]) -> FileVersion:
    """Read a file dict (path|file_path, sha256|file_sha256, source_kind, source_id, size, modified[_at])."""
    modified = info.get("modified_at", info.get("modified"))
    if isinstance(modified, int | float):
        modified = dt.datetime.fromtimestamp(modified, dt.UTC)
    elif isinstance(modified, dt.datetime) and modified.tzinfo is None:
        modified = modified.replace(tzinfo=dt.UTC)
    return FileVersion(
        path=str(info.get("path", info.get("file_path"))),
        sha256=str(info.get("sha256", info.get("file_sha256"))),
        source_kind=info.get("source_kind"),
        source_id=info.get("source_id"),
        size=info.get("size"),
        modified_at=modified,
        status=info.get("status"),
    )


def _group_key(f: FileVersion, multi_file_kinds: Collection[str]) -> tuple[str | None, ...]:
    """Files with the same key compete; the newest wins."""
    if f.source_kind in multi_file_kinds or f.source_id is None:
        return ("path", f.path)
    return ("source", f.source_kind, f.source_id)


def _age(f: FileVersion) -> tuple[dt.datetime, str, str]:
    """Sort key: newer modified time wins, then the later path, then the sha (total order)."""
    floor = dt.datetime.min.replace(tzinfo=dt.UTC)
    return (f.modified_at or floor, f.path, f.sha256)


def _winners(
    files: Iterable[Mapping[str, Any] | FileVersion], multi_file_kinds: Collection[str]
) -> tuple[list[FileVersion], dict[tuple[str, str], FileVersion | None]]:
    """All versions, and for each (sha256, path) the version that replaces it (None if it wins)."""
    given = [f if isinstance(f, FileVersion) else file_version(f) for f in files]
    versions = [f for f in given if f.status != "quarantined"]
    groups: dict[tuple[str | None, ...], list[FileVersion]] = {}
    for f in versions:
        groups.setdefault(_group_key(f, multi_file_kinds), []).append(f)
    # A path seen with two contents: the newer content wins even across groups.
    by_path: dict[str, list[FileVersion]] = {}
    for f in versions:
        by_path.setdefault(f.path, []).append(f)
    result: dict[tuple[str, str], FileVersion | None] = {(f.sha256, f.path): None for f in given}
    for members in [*groups.values(), *by_path.values()]:
        winner = max(members, key=_age)
        for f in members:
            if f.sha256 != winner.sha256 and result[(f.sha256, f.path)] is None:
                result[(f.sha256, f.path)] = winner
    return given, result


def pick_winners(
    files: Iterable[Mapping[str, Any] | FileVersion], *, multi_file_kinds: Collection[str] = MULTI_FILE_KINDS
) -> dict[tuple[str, str], str | None]:
    """Map each (sha256, path) to None if it wins its source, else to the sha256 of the version replacing it.

    Files of the same (source_kind, source_id) compete (for ``multi_file_kinds`` only versions of the same
    path); the newest by modified time, then path, wins. Same path with a new sha256 is always a new version.
    Quarantined files (status "quarantined") never compete: an unreadable resend must not hide a good file.
    """
    _, result = _winners(files, multi_file_kinds)
    return {key: (w.sha256 if w else None) for key, w in result.items()}


def pick_current_files(
    files: Sequence[Mapping[str, Any]], *, multi_file_kinds: Collection[str] = MULTI_FILE_KINDS
) -> tuple[list[Mapping[str, Any]], dict[str, str]]:
    """The files to read (winners, in input order) and {superseded path: path of the version replacing it}."""
    versions, result = _winners(files, multi_file_kinds)
    current, superseded = [], {}
    for info, f in zip(files, versions, strict=True):
        winner = result[(f.sha256, f.path)]
        if winner is None:
            current.append(info)
        else:
            superseded[f.path] = winner.path
    return current, superseded


def superseded_files(
    files: Sequence[Mapping[str, Any]], *, multi_file_kinds: Collection[str] = MULTI_FILE_KINDS
) -> list[dict[str, Any]]:
    """The files that lose to a newer version (copies with ``superseded_by`` set); the flow skips them."""
    winners = pick_winners(files, multi_file_kinds=multi_file_kinds)
    out = []
    for info in files:
        f = file_version(info)
        if (by := winners[(f.sha256, f.path)]) is not None:
            out.append({**info, "superseded_by": by})
    return out


def _ledger_row(f: FileVersion, period: str, run_id: str, *, status: str, quarantine_reason: str | None = None,
                detail: str | None = None, superseded_by: str | None = None,
                rows_read: int | None = None, superseded_reason: str | None = None) -> dict[str, Any]:
    """One file_ledger row for a file version seen (or loaded) by ``run_id``."""
    return {
        "file_sha256": f.sha256, "path": f.path, "period": period, "source_kind": f.source_kind,
        "source_id": f.source_id, "size": f.size, "modified_at": f.modified_at, "first_seen_run": run_id,
        "last_seen_run": run_id, "status": status, "quarantine_reason": quarantine_reason, "detail": detail,
        "superseded_by": superseded_by, "rows_read": rows_read,
        "superseded_reason": superseded_reason if superseded_by else None,
    }


def record_files(engine: Engine, run_id: str, period: str, files: Sequence[Mapping[str, Any]]) -> None:
    """Upsert the ledger rows of the files found on the drive, before reading (new rows: status "seen")."""
    rows = [_ledger_row(file_version(info), period, run_id, status="seen") for info in files]
    # An existing row keeps its status: until the new load commits, the old one describes the warehouse.
    with write_transaction(engine) as conn:
        upsert(
            conn,
            file_ledger,
            rows,
            update=["last_seen_run", "size", "modified_at", "source_kind", "source_id"],
        )


def write_ledger(
    conn: Connection,
    run_id: str,
    period: str,
    files: Sequence[Mapping[str, Any]],
    *,
    multi_file_kinds: Collection[str] = MULTI_FILE_KINDS,
) -> tuple[list[str], int]:
    """Inside a load transaction: file statuses, supersede older versions; return (loaded shas, n superseded).

    A file dict may carry ``status`` (loaded | quarantined; default loaded), ``quarantine_reason``, ``detail``
    and ``rows_read``. Earlier versions already in the ledger compete with the current files too.
    """
    current = [file_version({"status": "loaded", **f}) for f in files]
    current_keys = {(f.sha256, f.path) for f in current}
    older = [
        FileVersion(
            r.path, r.file_sha256, r.source_kind, r.source_id, r.size, _aware(r.modified_at), r.status
        )
        for r in conn.execute(select(file_ledger).where(file_ledger.c.period == period))
        if (r.file_sha256, r.path) not in current_keys
    ]
    winners = pick_winners([*current, *older], multi_file_kinds=multi_file_kinds)
    rows = []
    loaded: list[str] = []
    for info, f in zip(files, current, strict=True):
        # A file the flow found to be replaced by its revision comes in as superseded, with the winner's sha.
        overwritten = winners[(f.sha256, f.path)]
        superseded_by = overwritten or (info.get("superseded_by") if info.get("status") == "superseded" else None)
        status = "superseded" if superseded_by else info.get("status", "loaded")
        reason = OVERWRITTEN_REASON if overwritten else info.get("superseded_reason")
        if status == "loaded":
            loaded.append(f.sha256)
        rows.append(
            _ledger_row(
                f, period, run_id, status=status, quarantine_reason=info.get("quarantine_reason"),
                detail=info.get("detail"), superseded_by=superseded_by, rows_read=info.get("rows_read"),
                superseded_reason=reason,
            )
        )
    everything = [c.name for c in file_ledger.columns if c.name not in ("file_sha256", "path", "period",
                                                                          "first_seen_run")]
    upsert(conn, file_ledger, [r for r in rows if r["status"] != "superseded"], update=everything)
    # A superseded version is not read in this run: its row keeps what an earlier run learnt when it was read
    # (rows_read, detail, quarantine_reason) and only gets the new status and the version that replaced it.
    upsert(conn, file_ledger, [r for r in rows if r["status"] == "superseded"],
           update=[c for c in everything if c not in SUPERSEDED_KEEPS])
    superseded = sum(1 for r in rows if r["status"] == "superseded")
    # Older versions (earlier runs) that lost to a current file.
    for f in older:
        by = winners[(f.sha256, f.path)]
        if by is not None:
            conn.execute(
                update(file_ledger)
                .where(
                    and_(
                        file_ledger.c.period == period,
                        file_ledger.c.file_sha256 == f.sha256,
                        file_ledger.c.path == f.path,
                    )
                )
                .values(status="superseded", superseded_by=by, superseded_reason=OVERWRITTEN_REASON)
            )
            superseded += 1
    return sorted(set(loaded)), superseded


def superseded_shas(conn: Connection, period: str) -> set[str]:
    """The sha256 of every file version of ``period`` that the ledger marks superseded."""
    rows = conn.execute(
        select(file_ledger.c.file_sha256).where(
            file_ledger.c.period == period, file_ledger.c.status == "superseded"
        )
    )
    return {r[0] for r in rows}


def replace_superseded_issues(conn: Connection, period: str) -> int:
    """Mark the issues of superseded file versions of ``period`` as "replaced"; return how many changed."""
    sub = select(file_ledger.c.file_sha256).where(
        file_ledger.c.period == period, file_ledger.c.status == "superseded"
    )
    result = conn.execute(
        update(validation_issue)
        .where(
            validation_issue.c.period == period,
            validation_issue.c.file_sha256.in_(sub),
            validation_issue.c.status != "replaced",
        )
        .values(status="replaced")
    )
    return result.rowcount or 0


def _aware(value: dt.datetime | None) -> dt.datetime | None:
    """SQLite returns naive datetimes for timezone-aware columns: they were stored as UTC."""
    if value is not None and value.tzinfo is None:
        return value.replace(tzinfo=dt.UTC)
    return value
