"""Small dialect-aware helpers: frame-to-row conversion, bulk inserts (COPY on PostgreSQL) and upserts."""

from __future__ import annotations

import datetime as dt
import json
import math
from collections.abc import Iterable, Iterator, Mapping, Sequence
from typing import Any, cast

import pandas as pd
from sqlalchemy import Boolean, Connection, Date, DateTime, Dialect, Integer, String, Table
from sqlalchemy.dialects import postgresql, sqlite

# Above this many rows a PostgreSQL bulk insert goes through COPY (bench/load_bench.py measures the gain).
COPY_THRESHOLD = 1_000
_CHUNK = 5_000


def utcnow() -> dt.datetime:
    """The current time in UTC (stored as such; shown in Asia/Makassar by the CLI)."""
    return dt.datetime.now(dt.UTC)


def _cell(value: Any, column_type: Any) -> Any:
    """One value as the DB-API wants it: None for missing, date for DATE, text for TEXT, plain scalars."""
    if value is None or value is pd.NaT or value is pd.NA:
        return None
    if isinstance(value, float) and math.isnan(value):
        return None
    if hasattr(value, "item") and not isinstance(value, str | bytes | dt.date):  # numpy scalar
        value = value.item()
    if isinstance(column_type, String):
        # Raw cell values can be numbers or dates; PostgreSQL will not cast them into TEXT implicitly.
        if isinstance(value, str):
            return value
        if isinstance(value, dict | list):
            return json.dumps(value, ensure_ascii=False, sort_keys=True, default=str)
        return value.isoformat() if isinstance(value, dt.date) else str(value)
    if isinstance(column_type, DateTime):
        return value.to_pydatetime() if isinstance(value, pd.Timestamp) else value
    if isinstance(column_type, Date):
        if isinstance(value, dt.datetime):  # includes pd.Timestamp
            return value.date()
        if isinstance(value, str):
            return dt.date.fromisoformat(value[:10])
    return value


def _ready_types(column_type: Any) -> tuple[type, ...]:
    """Python types a column accepts as they are (anything else goes through ``_cell``)."""
    if isinstance(column_type, String):
        return (str,)
    if isinstance(column_type, DateTime):
        return (dt.datetime,)
    if isinstance(column_type, Date):
        return (dt.date,)
    if isinstance(column_type, Boolean):
        return (bool,)
    if isinstance(column_type, Integer):
        return (int,)
    return ()


def as_frame(rows: pd.DataFrame | Sequence[Mapping[str, Any]] | None) -> pd.DataFrame:
    """``rows`` as a DataFrame (a frame as is, mappings one row each, None empty)."""
    if rows is None:
        return pd.DataFrame()
    return rows if isinstance(rows, pd.DataFrame) else pd.DataFrame([dict(r) for r in rows])


class BoundRows(list[tuple[Any, ...]]):
    """Row tuples whose values already went through ``dialect``'s bind processors (``frame_tuples(dialect=)``):
    ``bulk_insert`` hands them to the driver as they are instead of processing every value again."""

    def __init__(self, rows: Iterable[tuple[Any, ...]], dialect: str) -> None:
        super().__init__(rows)
        self.dialect = dialect


def bind_processor(column_type: Any, dialect: Dialect) -> Any | None:
    """SQLAlchemy's bind processor of ``column_type`` on ``dialect`` (None: values go to the driver as they are)."""
    return column_type.dialect_impl(dialect).bind_processor(dialect)


# Dates whose ISO text shows every field of a storage format: a processor that gives these gives isoformat().
_PROBE_DATES = (dt.date(2001, 2, 3), dt.date(999, 12, 31), dt.date(1, 1, 1))


def _sqlite_bound(values: list[Any], column_type: Any, dialect: Dialect) -> list[Any]:
    """``values`` as SQLAlchemy's SQLite bind processor of ``column_type`` would send them to the driver.

    A DATE whose processor writes ISO dates (the default storage format) takes ``date.isoformat()`` for a plain
    date, which is C code instead of a Python closure building a dict per value (about 2.5 s of a national
    load); anything else in a DATE column (datetime, Timestamp, bad types) still goes through the processor.
    """
    process = bind_processor(column_type, dialect)
    if process is None:
        return values
    if isinstance(column_type.dialect_impl(dialect), sqlite.DATE) and all(
            process(d) == d.isoformat() for d in _PROBE_DATES):
        date = dt.date
        return [v if v is None else v.isoformat() if type(v) is date else process(v) for v in values]
    return [process(v) for v in values]


def frame_tuples(
    frame: pd.DataFrame | Sequence[Mapping[str, Any]] | None,
    table: Table,
    defaults: Mapping[str, Any] | None = None,
    *,
    dialect: Dialect | None = None,
) -> list[tuple[Any, ...]]:
    """Rows of ``frame`` as tuples in ``table``'s column order (missing columns None), ``defaults`` applied.

    Tuples, not dicts: a 200k-row period as dicts costs about five times the memory. With a SQLite
    ``dialect`` the values are bound once here, column by column, and the result is ``BoundRows`` that
    ``bulk_insert`` passes to the driver untouched (the same values SQLAlchemy's bind processors produce).
    """
    frame = as_frame(frame)
    bind = dialect if dialect is not None and dialect.name == "sqlite" else None
    if frame.empty:
        return BoundRows([], bind.name) if bind is not None else []
    defaults = dict(defaults or {})
    columns = []
    for column in table.columns:
        if column.name in frame.columns:
            series = frame[column.name]
            values = series.astype(object).where(series.notna(), None).tolist()
            # pandas' string dtype holds only str and missing: no type scan needed for a TEXT column.
            known_str = isinstance(series.dtype, pd.StringDtype)
        else:
            values = [None] * len(frame)
            known_str = True
        if column.name in defaults:
            default = defaults[column.name]
            values = [default if v is None else v for v in values]
            known_str = known_str and isinstance(default, str)
        # Convert a column only when it holds a type the DB column does not take as is (a cheap type scan;
        # pd.Timestamp is a datetime subclass, so DATE columns check the exact type).
        ready = _ready_types(column.type)
        if not (known_str and ready == (str,)):
            types = set(map(type, values)) - {type(None)}
            if types and not all(t in ready for t in types):
                values = [_cell(v, column.type) for v in values]
        if bind is not None:
            values = _sqlite_bound(values, column.type, bind)
        columns.append(values)
    if bind is not None:
        return BoundRows(zip(*columns, strict=True), bind.name)
    return list(zip(*columns, strict=True))


def frame_tuple_chunks(
    frame: pd.DataFrame | Sequence[Mapping[str, Any]] | None,
    table: Table,
    defaults: Mapping[str, Any] | None = None,
    *,
    dialect: Dialect | None = None,
    size: int = 20_000,
) -> Iterator[list[tuple[Any, ...]]]:
    """``frame_tuples`` of successive ``size``-row slices of ``frame``.

    A national period's source records as one list of tuples (plus the column lists behind it) cost about
    200 MB at once; slice by slice the load holds one slice. Each value is converted on its own, so the rows
    are exactly ``frame_tuples``' rows.
    """
    frame = as_frame(frame)
    for start in range(0, len(frame), size):
        yield frame_tuples(frame.iloc[start : start + size], table, defaults, dialect=dialect)


def frame_rows(
    frame: pd.DataFrame | Sequence[Mapping[str, Any]] | None,
    table: Table,
    defaults: Mapping[str, Any] | None = None,
) -> list[dict[str, Any]]:
    """Rows of ``frame`` restricted to ``table``'s columns (missing ones None), with ``defaults`` applied."""
    names = [c.name for c in table.columns]
    return [dict(zip(names, values, strict=True)) for values in frame_tuples(frame, table, defaults)]


def bulk_insert(
    conn: Connection,
    table: Table,
    rows: Sequence[Mapping[str, Any]] | Sequence[tuple[Any, ...]],
    *,
    use_copy: bool = True,
) -> int:
    """Insert ``rows`` inside the caller's transaction: COPY on PostgreSQL for big ones, else executemany.

    ``rows`` are mappings, or tuples in the table's column order (``frame_tuples``).
    """
    if not rows:
        return 0
    names = [c.name for c in table.columns]
    # All rows are of one kind, so the first tells which (mypy cannot narrow a sequence by its items).
    tuples: Sequence[tuple[Any, ...]]
    if isinstance(rows[0], tuple):
        tuples = cast("Sequence[tuple[Any, ...]]", rows)
    else:
        tuples = [tuple(r.get(n) for n in names) for r in cast("Sequence[Mapping[str, Any]]", rows)]
    if use_copy and conn.dialect.name == "postgresql" and len(rows) >= COPY_THRESHOLD:
        quoted = ", ".join(conn.dialect.identifier_preparer.quote(n) for n in names)
        driver = conn.connection.driver_connection
        assert driver is not None, "a live connection has a driver connection"  # None only once detached
        cursor = driver.cursor()  # same DB connection, same transaction
        with cursor.copy(f"COPY {table.name} ({quoted}) FROM STDIN") as copy:
            for row in tuples:
                copy.write_row(row)
        cursor.close()
        return len(rows)
    if conn.dialect.name == "sqlite":
        if getattr(rows, "dialect", None) == "sqlite":  # BoundRows: values are already what the driver takes
            return _sqlite_executemany(conn, table, tuples, bound=True)
        return _sqlite_executemany(conn, table, tuples)
    for start in range(0, len(tuples), _CHUNK):
        conn.execute(table.insert(), [dict(zip(names, row, strict=True)) for row in tuples[start : start + _CHUNK]])
    return len(rows)


def _sqlite_executemany(
    conn: Connection, table: Table, rows: Sequence[tuple[Any, ...]], *, bound: bool = False
) -> int:
    """Plain DB-API executemany with SQLAlchemy's own bind processors (same stored format, less overhead).

    ``bound`` rows already went through the processors (``frame_tuples(dialect=)``) and go in as they are.
    """
    names = [c.name for c in table.columns]
    processors = [bind_processor(c.type, conn.dialect) for c in table.columns]
    quote = conn.dialect.identifier_preparer.quote
    sql = (
        f"INSERT INTO {quote(table.name)} ({', '.join(quote(n) for n in names)}) "
        f"VALUES ({', '.join('?' for _ in names)})"
    )
    if bound:
        for start in range(0, len(rows), _CHUNK):
            conn.exec_driver_sql(sql, rows[start : start + _CHUNK])
        return len(rows)
    active = [(i, p) for i, p in enumerate(processors) if p is not None]
    for start in range(0, len(rows), _CHUNK):
        batch = []
        for row in rows[start : start + _CHUNK]:
            values = list(row)
            for i, process in active:
                values[i] = process(values[i])
            batch.append(tuple(values))
        conn.exec_driver_sql(sql, batch)
    return len(rows)


def upsert(
    conn: Connection,
    table: Table,
    rows: Iterable[Mapping[str, Any]],
    update: Mapping[str, Any] | Sequence[str] | None = None,
) -> None:
    """INSERT … ON CONFLICT (primary key) DO UPDATE on SQLite and PostgreSQL.

    ``update`` is a list of columns to overwrite from the new row, or a mapping column -> SQL expression
    written against ``stmt.excluded`` via a callable ``(excluded) -> expression``.
    """
    keys = [c.name for c in table.primary_key.columns]
    # One statement must not touch a key twice (PostgreSQL refuses): the last row per key wins.
    rows = list({tuple(r[k] for k in keys): r for r in rows}.values())
    if not rows:
        return
    dialect = {"postgresql": postgresql, "sqlite": sqlite}[conn.dialect.name]
    stmt = dialect.insert(table)
    if update is None:
        update = [c.name for c in table.columns if c.name not in keys]
    if isinstance(update, Mapping):
        set_ = {k: (v(stmt.excluded) if callable(v) else v) for k, v in update.items()}
    else:
        set_ = {k: stmt.excluded[k] for k in update}
    stmt = (
        stmt.on_conflict_do_update(index_elements=keys, set_=set_)
        if set_
        else stmt.on_conflict_do_nothing(index_elements=keys)
    )
    for start in range(0, len(rows), _CHUNK):
        conn.execute(stmt, rows[start : start + _CHUNK])

