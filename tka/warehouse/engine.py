"""Engine creation (SQLite pragmas, psycopg 3 for PostgreSQL) and programmatic Alembic upgrades."""

from __future__ import annotations

import hashlib
import logging
from contextlib import AbstractContextManager
from pathlib import Path

from alembic import command
from alembic.config import Config
from sqlalchemy import Connection, Engine, create_engine, event, text
from sqlalchemy.engine import make_url

log = logging.getLogger(__name__)
MIGRATIONS_DIR = Path(__file__).resolve().parent / "migrations"
SQLITE_BUSY_TIMEOUT_MS = 30_000
WRITE_OPTION = "tka_write"


def _normalise_url(url: str) -> str:
    """Use the psycopg 3 driver for plain ``postgresql://`` URLs (SQLAlchemy would default to psycopg2)."""
    parsed = make_url(url)
    if parsed.get_backend_name() == "postgresql" and parsed.drivername == "postgresql":
        parsed = parsed.set(drivername="postgresql+psycopg")
    return parsed.render_as_string(hide_password=False)


def make_engine(url: str) -> Engine:
    """An Engine for ``url``; SQLite gets WAL, foreign keys and a busy timeout on every connection."""
    url = _normalise_url(url)
    if make_url(url).get_backend_name() != "sqlite":
        return create_engine(url, pool_pre_ping=True)
    engine = create_engine(url, connect_args={"timeout": SQLITE_BUSY_TIMEOUT_MS / 1000})

    @event.listens_for(engine, "connect")
    def _sqlite_pragmas(dbapi_conn, _record) -> None:
        # Let SQLAlchemy, not pysqlite, issue BEGIN so that a whole load is one transaction.
        dbapi_conn.isolation_level = None
        cursor = dbapi_conn.cursor()
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute(f"PRAGMA busy_timeout={SQLITE_BUSY_TIMEOUT_MS}")
        # 64 MiB page cache (default 2 MiB): a 200k-row period load keeps its index pages in memory (~20% faster).
        cursor.execute("PRAGMA cache_size=-65536")
        if make_url(url).database not in (None, "", ":memory:"):
            cursor.execute("PRAGMA journal_mode=WAL")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _sqlite_begin(conn) -> None:
        # Writers take the lock up front (IMMEDIATE), so two loads queue on busy_timeout instead of failing
        # on a lock upgrade; readers stay DEFERRED so WAL lets them run during a load.
        writing = conn.get_execution_options().get(WRITE_OPTION, False)
        conn.exec_driver_sql("BEGIN IMMEDIATE" if writing else "BEGIN")

    return engine


def serialize(conn: Connection, key: str) -> None:
    """Inside a transaction: wait until no other transaction holds ``key`` (PostgreSQL advisory lock).

    SQLite needs nothing: a write transaction there already holds the database lock from BEGIN IMMEDIATE.
    """
    if conn.dialect.name == "postgresql":
        lock_id = int.from_bytes(hashlib.sha256(key.encode()).digest()[:8], "big", signed=True)
        conn.execute(text("SELECT pg_advisory_xact_lock(:id)"), {"id": lock_id})


def write_transaction(engine: Engine) -> AbstractContextManager[Connection]:
    """A transaction that will write: on SQLite it locks at BEGIN (no lock-upgrade failures)."""
    return engine.execution_options(**{WRITE_OPTION: True}).begin()


def alembic_config(connection: object | None = None) -> Config:
    """An Alembic Config without alembic.ini: the script location is the package's migrations folder.

    New revision (developers): ``with make_engine(url).begin() as c: command.revision(alembic_config(c),
    "message", autogenerate=True)`` against a warehouse at head.
    """
    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS_DIR))
    cfg.attributes["connection"] = connection
    return cfg


def upgrade(engine: Engine, revision: str = "head") -> None:
    """Bring the warehouse schema to ``revision`` (default head); a no-op when it is already there."""
    with write_transaction(engine) as conn:
        serialize(conn, "tka:migrate")  # two flows starting together must not both create the tables
        command.upgrade(alembic_config(conn), revision)
    log.info("warehouse schema at %s (%s)", revision, engine.url.render_as_string(hide_password=True))
