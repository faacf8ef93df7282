"""Engine settings and the programmatic Alembic upgrade."""

from __future__ import annotations

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import inspect, text

from tka.warehouse import known_workers, make_engine, upgrade
from tka.warehouse.engine import _normalise_url, write_transaction
from tka.warehouse.schema import metadata


def test_upgrade_is_idempotent_and_matches_the_schema(engine) -> None:  # type: ignore[no-untyped-def]
    upgrade(engine)  # second time: a no-op
    with engine.connect() as conn:
        assert conn.execute(text("SELECT version_num FROM alembic_version")).scalars().all() == ["0005"]
        # The migration creates exactly what schema.py declares (no autogenerate diff).
        assert compare_metadata(MigrationContext.configure(conn, opts={"compare_type": True}), metadata) == []
    assert set(inspect(engine).get_table_names()) == {*metadata.tables, "alembic_version"}


def test_sqlite_connections_use_wal_foreign_keys_and_busy_timeout(tmp_path) -> None:  # type: ignore[no-untyped-def]
    eng = make_engine(f"sqlite:///{tmp_path / 'w.db'}")
    with eng.connect() as conn:
        assert conn.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
        assert conn.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1
        assert conn.exec_driver_sql("PRAGMA busy_timeout").scalar() == 30000
    eng.dispose()


def test_plain_postgresql_urls_use_psycopg3() -> None:
    assert _normalise_url("postgresql://u:p@h:5432/db") == "postgresql+psycopg://u:p@h:5432/db"
    assert _normalise_url("postgresql+psycopg://h/db") == "postgresql+psycopg://h/db"
    assert _normalise_url("sqlite:///x.db") == "sqlite:///x.db"


def test_sqlite_readers_do_not_wait_for_a_running_load(tmp_path) -> None:  # type: ignore[no-untyped-def]
    eng = make_engine(f"sqlite:///{tmp_path / 'w.db'}")
    upgrade(eng)
    with write_transaction(eng) as writer:
        writer.execute(text("INSERT INTO period_load (period, file_shas) VALUES ('2025-08', '[]')"))
        # WAL + a deferred BEGIN for readers: the read sees the committed state, without waiting for the lock.
        assert known_workers(eng, "2025-09").empty
        with eng.connect() as reader:
            assert reader.execute(text("SELECT count(*) FROM period_load")).scalar() == 0
    with eng.connect() as reader:
        assert reader.execute(text("SELECT count(*) FROM period_load")).scalar() == 1
    eng.dispose()
