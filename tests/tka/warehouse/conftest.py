"""The ``engine`` fixture: every warehouse test runs on SQLite (tmp file) and PostgreSQL (fresh DB)."""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator

import pytest
from sqlalchemy import Engine, create_engine, text
from sqlalchemy.engine import make_url

from tka.warehouse import make_engine, upgrade

POSTGRES_ENV = "TKA_TEST_POSTGRES_URL"
POSTGRES_DEFAULT = "postgresql+psycopg://postgres@127.0.0.1:5432/postgres"


@pytest.fixture(scope="session")
def postgres_base_url() -> Iterator[str]:
    """A fresh, uniquely named PostgreSQL database for this session, dropped afterwards."""
    admin_url = os.environ.get(POSTGRES_ENV, POSTGRES_DEFAULT)
    admin = create_engine(admin_url, isolation_level="AUTOCOMMIT")
    try:
        with admin.connect() as conn:
            conn.execute(text("SELECT 1"))
    except Exception as exc:  # noqa: BLE001 - any connection failure means "no server"
        admin.dispose()
        pytest.skip(
            f"!!! PostgreSQL NOT REACHABLE at {admin_url} ({type(exc).__name__}); set {POSTGRES_ENV} "
            f"to a reachable server to run the PostgreSQL half of the warehouse tests !!!"
        )
    name = f"tka_test_{uuid.uuid4().hex[:12]}"
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    try:
        yield make_url(admin_url).set(database=name).render_as_string(hide_password=False)
    finally:
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


def _reset_postgres(engine: Engine) -> None:
    """Drop every table of the test database so each test starts from an empty schema."""
    with engine.begin() as conn:
        conn.execute(text("DROP SCHEMA public CASCADE"))
        conn.execute(text("CREATE SCHEMA public"))


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def engine(request: pytest.FixtureRequest, tmp_path) -> Iterator[Engine]:  # type: ignore[no-untyped-def]
    """An upgraded, empty warehouse on SQLite or PostgreSQL."""
    if request.param == "sqlite":
        eng = make_engine(f"sqlite:///{tmp_path / 'warehouse.db'}")
    else:
        eng = make_engine(request.getfixturevalue("postgres_base_url"))
        _reset_postgres(eng)
    upgrade(eng)
    try:
        yield eng
    finally:
        eng.dispose()
