"""The steward's file decisions (``tka berkas``) and what a revision needs from the previous load of a period."""

from __future__ import annotations

from collections.abc import Collection
from typing import Any

import pandas as pd
from sqlalchemy import Engine, and_, select

from tka.versions import FileChoice
from tka.warehouse._db import upsert, utcnow
from tka.warehouse.engine import write_transaction
from tka.warehouse.schema import file_decision, file_ledger, source_record, validation_issue

FILE_ACTIONS = ("ganti", "pertahankan")
# Worker identity columns a carried decision is matched on (besides rule, column and value).
IDENTITY_COLUMNS = ("passport_no", "kitas_no", "name", "birth_date")


def period_of_path(path: str) -> str:
    """The period folder a drive path starts with (``2025-08/perusahaan/x.xlsx`` -> ``2025-08``)."""
    head = path.strip("/").split("/", 1)[0]
    if len(head) != 7 or head[4] != "-" or not (head[:4] + head[5:]).isdigit():
        raise ValueError(f"Path berkas harus diawali folder periode (YYYY-MM/...): {path!r}")
    return head


def known_paths(engine: Engine, period: str) -> set[str]:
    """Every path the ledger has seen in ``period``."""
    with engine.connect() as conn:
        return {r[0] for r in conn.execute(select(file_ledger.c.path).where(file_ledger.c.period == period))}


def decide_file(engine: Engine, path: str, action: str, *, replaced_by: str | None = None, who: str,
                note: str | None = None) -> dict[str, Any]:
    """Store the steward's decision about ``path`` (replacing an earlier one); both paths must be in the ledger."""
    if action not in FILE_ACTIONS:
        raise ValueError(f"Keputusan tidak dikenal: {action!r} (pilih {', '.join(FILE_ACTIONS)}).")
    if (action == "ganti") != (replaced_by is not None):
        raise ValueError("'ganti' memerlukan berkas pengganti (--dengan); 'pertahankan' tidak.")
    period = period_of_path(path)
    if replaced_by is not None and period_of_path(replaced_by) != period:
        raise ValueError("Berkas lama dan berkas pengganti harus dari periode yang sama.")
    if replaced_by == path:
        raise ValueError("Berkas tidak dapat diganti oleh dirinya sendiri.")
    seen = known_paths(engine, period)
    unknown = [p for p in (path, replaced_by) if p is not None and p not in seen]
    if unknown:
        raise KeyError(f"Berkas tidak ada di buku berkas periode {period}: {', '.join(unknown)}")
    row = {"path": path, "period": period, "action": action, "replaced_by": replaced_by, "decided_by": who,
           "decided_at": utcnow(), "decision_note": note}
    with write_transaction(engine) as conn:
        upsert(conn, file_decision, [row], update=["period", "action", "replaced_by", "decided_by", "decided_at",
                                                   "decision_note"])
    return row


def file_choices(engine: Engine, period: str) -> list[FileChoice]:
    """The steward's file decisions of ``period``, by path."""
    stmt = select(file_decision).where(file_decision.c.period == period).order_by(file_decision.c.path)
    with engine.connect() as conn:
        return [FileChoice(r.path, r.action, r.replaced_by) for r in conn.execute(stmt)]


def earlier_versions(engine: Engine, period: str, paths: Collection[str]) -> pd.DataFrame:
    """Ledger rows (path, file_sha256, status) of ``period`` for ``paths``: versions a run may replace."""
    stmt = select(file_ledger.c.path, file_ledger.c.file_sha256, file_ledger.c.status).where(
        file_ledger.c.period == period)
    with engine.connect() as conn:
        rows = [r for r in conn.execute(stmt).mappings().all() if r["path"] in set(paths)]
    return pd.DataFrame(rows, columns=["path", "file_sha256", "status"])


def issues_with_identity(engine: Engine, period: str, versions: Collection[tuple[str, str]]) -> pd.DataFrame:
    """Issues of ``period`` stored for the file versions ``(path, sha256)``, with the row's worker identity."""
    vi, sr = validation_issue.c, source_record.c
    stmt = (
        select(validation_issue, *(sr[c] for c in IDENTITY_COLUMNS))
        .outerjoin(source_record, and_(sr.period == vi.period, sr.record_key == vi.record_key))
        .where(vi.period == period)
        .order_by(vi.issue_id)
    )
    wanted = set(versions)
    with engine.connect() as conn:
        rows = [r for r in conn.execute(stmt).mappings().all() if (r["file_path"], r["file_sha256"]) in wanted]
    return pd.DataFrame(rows, columns=[c.name for c in stmt.selected_columns])
