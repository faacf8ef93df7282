"""One run per warehouse: a busy warehouse names its holder; a dead holder's lock is taken over."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import sqlalchemy as sa

from tka.runlock import LockOwner, WarehouseBusyError, acquire, busy_message, lock_file

OWNER_A = LockOwner("run-a", "2025-08", "2026-12-03T06:00:00+00:00", "server1", 4242)
OWNER_B = LockOwner("run-b", "2025-09", "2026-12-03T06:00:05+00:00", "server1", 4243)


def test_busy_message_names_the_run_and_period():
    assert busy_message(OWNER_A, "sqlite:///w.db") == (
        "Gudang data sqlite:///w.db sedang dipakai oleh run run-a (periode 2025-08, sejak "
        "2026-12-03T06:00:00+00:00, server1 pid 4242). Tidak ada yang ditulis. Tunggu sampai run itu selesai, lalu "
        "jalankan lagi (atau atur lock_wait_seconds / TKA_LOCK_WAIT_SECONDS untuk menunggu).")


def test_warehouse_lock_is_exclusive_and_released(warehouse_url: str):
    first = acquire(warehouse_url, "gudang", OWNER_A)
    with pytest.raises(WarehouseBusyError) as info:
        acquire(warehouse_url, "gudang", OWNER_B)
    assert info.value.exit_code == 3
    assert "sedang dipakai oleh run run-a (periode 2025-08" in str(info.value)
    first.release()
    first.release()  # idempotent
    with acquire(warehouse_url, "gudang", OWNER_B) as second:
        assert second.owner == OWNER_B


def test_a_sqlite_lock_file_left_by_a_dead_run_is_taken_over(tmp_path: Path):
    url = f"sqlite:///{tmp_path / 'w.db'}"
    path = lock_file(url)
    assert path == tmp_path / "w.db.lock"
    path.write_text(json.dumps(OWNER_A.__dict__))  # its process died: no flock is held any more
    with acquire(url, "gudang", OWNER_B):
        assert json.loads(path.read_text())["run_id"] == "run-b"
    assert path.read_text() == ""


def test_a_new_lock_file_is_owner_only(tmp_path: Path):
    with acquire(f"sqlite:///{tmp_path / 'w.db'}", "gudang", OWNER_A):
        assert (tmp_path / "w.db.lock").stat().st_mode & 0o777 == 0o600


@pytest.mark.postgres
def test_a_postgresql_lock_dies_with_its_session(warehouse_url: str):
    if not warehouse_url.startswith("postgresql"):
        pytest.skip("PostgreSQL case")
    held = acquire(warehouse_url, "gudang", OWNER_A)
    conn, _engine = held._handle  # the test ends the owner's session as a crash would
    admin = sa.create_engine(warehouse_url, isolation_level="AUTOCOMMIT")
    with admin.connect() as c:
        pid = conn.execute(sa.text("SELECT pg_backend_pid()")).scalar()
        with pytest.raises(WarehouseBusyError, match="oleh run run-a \\(periode 2025-08"):
            acquire(warehouse_url, "gudang", OWNER_B)
        c.execute(sa.text("SELECT pg_terminate_backend(:p)"), {"p": pid})
    admin.dispose()
    with acquire(warehouse_url, "gudang", OWNER_B) as taken:
        assert taken.owner == OWNER_B
