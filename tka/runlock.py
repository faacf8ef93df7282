"""One run at a time per warehouse: every period depends on the workers of earlier months.

SQLite: an exclusive ``flock`` on ``<database>.lock`` beside the file; PostgreSQL: a session advisory lock on a
connection of its own. Both die with their owner, so the lock of a killed run is taken over at once; the owner
(run id, period, since when, host and process) is written where the next run can name it.
"""

from __future__ import annotations

import fcntl
import json
import os
import socket
import time
from dataclasses import asdict, dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, Self

import sqlalchemy as sa

from tka.guards import GuardError, parse_warehouse_url, sqlite_path

LOCK_KEY = int.from_bytes(b"tka:run!", "big", signed=True)
APP_PREFIX = "tka-lock "
POLL_S = 0.5


class WarehouseBusyError(GuardError):
    """Another run holds the warehouse."""

    exit_code = 3


@dataclass(frozen=True)
class LockOwner:
    """Who holds the warehouse: the run, its period, since when, and where it runs."""

    run_id: str
    period: str
    since: str
    host: str
    pid: int

    @classmethod
    def me(cls, run_id: str, period: str) -> LockOwner:
        """This process as the owner of ``run_id``."""
        return cls(run_id, period, datetime.now(UTC).isoformat(timespec="seconds"), socket.gethostname(),
                   os.getpid())


def busy_message(owner: LockOwner | None, shown_url: str) -> str:
    """One line for the person whose run found the warehouse busy."""
    who = (f"run {owner.run_id} (periode {owner.period}, sejak {owner.since}, {owner.host} pid {owner.pid})"
           if owner else "run lain")
    return (f"Gudang data {shown_url} sedang dipakai oleh {who}. Tidak ada yang ditulis. Tunggu sampai run itu "
            "selesai, lalu jalankan lagi (atau atur lock_wait_seconds / TKA_LOCK_WAIT_SECONDS untuk menunggu).")


class WarehouseLock:
    """A held warehouse lock; ``release`` frees it (also freed when the process dies)."""

    def __init__(self, owner: LockOwner, handle: Any, kind: str) -> None:
        self.owner, self._handle, self._kind = owner, handle, kind

    def release(self) -> None:
        """Free the lock (idempotent)."""
        if self._handle is None:
            return
        handle, self._handle = self._handle, None
        if self._kind == "file":
            os.ftruncate(handle, 0)
            fcntl.flock(handle, fcntl.LOCK_UN)
            os.close(handle)
        else:
            conn, engine = handle
            try:
                conn.execute(sa.text("SELECT pg_advisory_unlock(:k)"), {"k": LOCK_KEY})
                conn.close()
            finally:
                engine.dispose()

    def __enter__(self) -> Self:
        return self

    def __exit__(self, *exc: object) -> None:
        self.release()


def lock_file(url: str) -> Path | None:
    """The lock file of a SQLite warehouse URL (None for other databases and in-memory SQLite)."""
    parsed = parse_warehouse_url(url)
    path = sqlite_path(parsed) if parsed.get_backend_name() == "sqlite" else None
    return None if path is None else path.with_name(path.name + ".lock")


def _read_owner(text: str) -> LockOwner | None:
    try:
        return LockOwner(**json.loads(text))
    except Exception:  # noqa: BLE001 - an empty or foreign file names no owner
        return None


def _file_lock(path: Path, owner: LockOwner, shown: str, wait_s: float) -> WarehouseLock:
    path.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o600)
    deadline = time.monotonic() + wait_s
    while True:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            break
        except BlockingIOError:
            if time.monotonic() >= deadline:
                holder = _read_owner(path.read_text(encoding="utf-8", errors="replace"))
                os.close(fd)
                raise WarehouseBusyError(busy_message(holder, shown)) from None
            time.sleep(POLL_S)
    # The kernel freed a dead owner's flock; its leftover content is overwritten here.
    os.ftruncate(fd, 0)
    os.pwrite(fd, json.dumps(asdict(owner)).encode(), 0)
    return WarehouseLock(owner, fd, "file")


def _pg_holder(conn: sa.Connection) -> LockOwner | None:
    row = conn.execute(sa.text(
        "SELECT a.application_name, a.backend_start, coalesce(a.client_hostname, host(a.client_addr), 'lokal'), "
        "a.pid FROM pg_locks l JOIN pg_stat_activity a ON a.pid = l.pid "
        "WHERE l.locktype = 'advisory' AND l.granted AND a.datname = current_database() "
        "AND a.application_name LIKE :p AND a.pid <> pg_backend_pid() LIMIT 1"), {"p": APP_PREFIX + "%"}).first()
    if row is None:
        return None
    run_id, _, period = row[0][len(APP_PREFIX):].partition(" ")
    return LockOwner(run_id, period, row[1].isoformat(timespec="seconds"), str(row[2]), int(row[3]))


def _pg_lock(connect_url: str, owner: LockOwner, shown: str, wait_s: float) -> WarehouseLock:
    engine = sa.create_engine(parse_warehouse_url(connect_url), poolclass=sa.pool.NullPool,
                              isolation_level="AUTOCOMMIT", connect_args={"connect_timeout": 5})
    conn = engine.connect()
    # application_name holds at most 63 bytes: the run id and period; the server knows since when and where.
    name = f"{APP_PREFIX}{owner.run_id[:40]} {owner.period}"
    deadline = time.monotonic() + wait_s
    try:
        while not conn.execute(sa.text("SELECT pg_try_advisory_lock(:k)"), {"k": LOCK_KEY}).scalar():
            if time.monotonic() >= deadline:
                raise WarehouseBusyError(busy_message(_pg_holder(conn), shown))
            time.sleep(POLL_S)
        conn.execute(sa.text("SELECT set_config('application_name', :n, false)"), {"n": name})
    except BaseException:
        conn.close()
        engine.dispose()
        raise
    return WarehouseLock(owner, (conn, engine), "pg")


def acquire(connect_url: str, shown_url: str, owner: LockOwner, wait_s: float = 0) -> WarehouseLock:
    """Take the warehouse for ``owner``, waiting up to ``wait_s`` seconds; WarehouseBusyError if another holds it."""
    path = lock_file(connect_url)
    if path is not None:
        return _file_lock(path, owner, shown_url, wait_s)
    if parse_warehouse_url(connect_url).get_backend_name() == "sqlite":  # in-memory: one process, no lock
        return WarehouseLock(owner, None, "none")
    return _pg_lock(connect_url, owner, shown_url, wait_s)
