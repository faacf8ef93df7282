"""Shared fixtures: a Prefect test harness, and warehouse URLs on SQLite and a real PostgreSQL server."""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator

import pytest
import sqlalchemy as sa

POSTGRES_ENV = "TKA_TEST_POSTGRES_URL"
POSTGRES_DEFAULT = "postgresql+psycopg://postgres@127.0.0.1:5432/postgres"
ENGINES = ["sqlite", "postgresql"]


def _postgres_admin_url() -> str:
    return os.environ.get(POSTGRES_ENV, POSTGRES_DEFAULT)


def _postgres_reachable() -> str | None:
    """None if the server answers, else why not."""
    engine = sa.create_engine(_postgres_admin_url(), connect_args={"connect_timeout": 3})
    try:
        with engine.connect() as conn:
            conn.execute(sa.text("select 1"))
        return None
    except Exception as exc:  # noqa: BLE001 - any failure means "not reachable" here
        return f"{type(exc).__name__}: {str(exc).splitlines()[0]}"
    finally:
        engine.dispose()


def _skip_without_postgres() -> None:
    reason = _postgres_reachable()
    if reason:
        message = (f"\n{'!' * 78}\nPostgreSQL NOT REACHABLE at {_postgres_admin_url()} ({reason}).\n"
                   f"Warehouse tests on PostgreSQL are SKIPPED. Set {POSTGRES_ENV} to a server URL "
                   f"(user with CREATE DATABASE) to run them.\n{'!' * 78}")
        print(message)
        pytest.skip(message)


def _create_database() -> tuple[str, str]:
    name = f"tka_test_{uuid.uuid4().hex[:10]}"
    admin = sa.create_engine(_postgres_admin_url(), isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(sa.text(f'create database "{name}"'))
    admin.dispose()
    return name, sa.make_url(_postgres_admin_url()).set(database=name).render_as_string(hide_password=False)


def _drop_database(name: str) -> None:
    admin = sa.create_engine(_postgres_admin_url(), isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(sa.text(f'drop database if exists "{name}" with (force)'))
    admin.dispose()


def _warehouse_url(kind: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    if kind == "sqlite":
        yield f"sqlite:///{tmp_path_factory.mktemp('warehouse') / 'warehouse.db'}"
        return
    _skip_without_postgres()
    name, url = _create_database()
    try:
        yield url
    finally:
        _drop_database(name)


@pytest.fixture(params=ENGINES)
def warehouse_url(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """An empty warehouse on SQLite and on PostgreSQL (one test run each)."""
    yield from _warehouse_url(request.param, tmp_path_factory)


@pytest.fixture(scope="module", params=ENGINES)
def warehouse_url_module(request: pytest.FixtureRequest,
                         tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """Like ``warehouse_url`` but shared by the tests of one module (for expensive end-to-end runs)."""
    yield from _warehouse_url(request.param, tmp_path_factory)


@pytest.fixture(scope="session")
def prefect_harness() -> Iterator[None]:
    """Prefect's own test harness: a temporary database and API for the session."""
    from prefect.testing.utilities import prefect_test_harness

    with prefect_test_harness(server_startup_timeout=120):
        yield
