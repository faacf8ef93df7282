"""Alembic environment: runs on the connection handed over by ``tka.warehouse.engine.upgrade``."""

from __future__ import annotations

from alembic import context
from sqlalchemy import create_engine

from tka.warehouse.schema import metadata

config = context.config
connection = config.attributes.get("connection")


def _run(conn) -> None:
    # Batch mode lets later ALTERs work on SQLite (table copy) and is a no-op on PostgreSQL.
    context.configure(connection=conn, target_metadata=metadata, render_as_batch=True, compare_type=True)
    with context.begin_transaction():
        context.run_migrations()


if connection is not None:
    _run(connection)
else:  # the `alembic` command line with -x url=... (developers creating revisions)
    url = context.get_x_argument(as_dictionary=True).get("url", "sqlite:///data/warehouse.db")
    with create_engine(url).begin() as conn:
        _run(conn)
