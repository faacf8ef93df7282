"""Frame-to-row conversion: missing values, dates, numbers and JSON become what each column takes."""

from __future__ import annotations

import datetime as dt

import numpy as np
import pandas as pd
import pytest
from sqlalchemy import create_engine, literal
from sqlalchemy.dialects import postgresql, sqlite

from tka.warehouse import make_engine, upgrade
from tka.warehouse._db import (
    BoundRows,
    _sqlite_bound,
    bulk_insert,
    frame_rows,
    frame_tuple_chunks,
    frame_tuples,
    upsert,
)
from tka.warehouse.schema import company_period, validation_issue, worker


def test_frame_rows_converts_values_to_column_types() -> None:
    frame = pd.DataFrame(
        {
            "issue_id": ["i1", "i2", "i3", "i4"],
            "row_number": np.array([7, 8, 9, 10], dtype="int64"),
            "raw_value": ["abc", 3.5, dt.date(1985, 3, 2), None],
            "sheet": pd.array(["Data", None, "Data", "Data"], dtype="str"),
            "decided_at": [pd.Timestamp("2025-09-01T02:00:00Z"), None, None, None],
            "rule": ["age_out_of_range"] * 4,
            "unknown_column": [1, 2, 3, 4],
        }
    )
    rows = frame_rows(frame, validation_issue, {"period": "2025-08", "status": "open"})
    assert [
        (r["issue_id"], r["row_number"], r["raw_value"], r["sheet"], r["period"], r["status"]) for r in rows
    ] == [
        ("i1", 7, "abc", "Data", "2025-08", "open"),
        ("i2", 8, "3.5", None, "2025-08", "open"),
        ("i3", 9, "1985-03-02", "Data", "2025-08", "open"),
        ("i4", 10, None, "Data", "2025-08", "open"),
    ]
    assert type(rows[0]["row_number"]) is int
    assert rows[0]["decided_at"] == dt.datetime(2025, 9, 1, 2, tzinfo=dt.UTC)
    assert type(rows[0]["decided_at"]) is dt.datetime and "unknown_column" not in rows[0]


def test_frame_rows_dates_from_timestamps_and_text() -> None:
    frame = [
        {"worker_id": "W1", "birth_date": pd.Timestamp("1985-03-02")},
        {"worker_id": "W2", "birth_date": "1990-01-31"},
        {"worker_id": "W3", "birth_date": float("nan")},
    ]
    assert [(r["worker_id"], r["birth_date"]) for r in frame_rows(frame, worker)] == [
        ("W1", dt.date(1985, 3, 2)),
        ("W2", dt.date(1990, 1, 31)),
        ("W3", None),
    ]
    assert frame_rows(None, worker) == [] and frame_rows(pd.DataFrame(), worker) == []


# --- Values bound once for SQLite (frame_tuples(dialect=)) and the SQLite upsert fast path ------------------

SQLITE = create_engine("sqlite://").dialect
EDGE_DATES = [
    None,
    dt.date(1, 1, 1),
    dt.date(999, 12, 31),
    dt.date(1985, 3, 2),
    dt.date(9999, 12, 31),
    dt.datetime(2024, 2, 29, 23, 59, 59, 999999),
    dt.datetime(2024, 2, 29, 12, tzinfo=dt.UTC),
    pd.Timestamp("1970-01-01"),
    pd.Timestamp("2262-04-11 23:00"),
]


def _processed(rows: list[tuple], table) -> list[tuple]:  # type: ignore[no-untyped-def]
    """``rows`` through SQLAlchemy's own SQLite bind processors, value by value (the reference)."""
    processors = [c.type.dialect_impl(SQLITE).bind_processor(SQLITE) for c in table.columns]
    return [tuple(v if p is None else p(v) for p, v in zip(processors, row, strict=True)) for row in rows]


def test_sqlite_date_binding_equals_sqlalchemys_processor() -> None:
    process = worker.c.birth_date.type.dialect_impl(SQLITE).bind_processor(SQLITE)
    assert _sqlite_bound(list(EDGE_DATES), worker.c.birth_date.type, SQLITE) == [process(v) for v in EDGE_DATES]
    assert _sqlite_bound([None, dt.date(1, 2, 3)], worker.c.birth_date.type, SQLITE) == [None, "0001-02-03"]
    with pytest.raises(TypeError):  # what SQLAlchemy does with a non-date in a DATE column
        _sqlite_bound([12], worker.c.birth_date.type, SQLITE)
    values = ["x", None]
    assert _sqlite_bound(values, worker.c.name.type, SQLITE) is values  # TEXT: no processor, no copy
    # another storage format is not ISO text: each date goes through its processor
    day_first = sqlite.DATE(storage_format="%(day)02d/%(month)02d/%(year)04d")
    assert _sqlite_bound([dt.date(2001, 2, 3), None], day_first, SQLITE) == ["03/02/2001", None]


def test_frame_tuples_bound_for_sqlite_equal_the_processed_tuples() -> None:
    frame = pd.DataFrame(
        {
            "worker_id": pd.array([f"W{i}" for i in range(len(EDGE_DATES))] + ["W9", "W10"], dtype="str"),
            "birth_date": [*EDGE_DATES, pd.NaT, float("nan")],
            "name": pd.array(["A", None, *["B"] * (len(EDGE_DATES) - 2), None, "C"], dtype="str"),
            "sex": ["L", 1, 2.5, None, "P", dt.date(2020, 1, 1), "L", "L", "L", "L", "L"],
        }
    )
    defaults = {"first_period": "2025-08", "last_period": "2025-08"}
    plain = frame_tuples(frame, worker, defaults)
    bound = frame_tuples(frame, worker, defaults, dialect=SQLITE)
    assert isinstance(bound, BoundRows) and bound.dialect == "sqlite"
    assert list(bound) == _processed(plain, worker)
    assert [r[6] for r in bound][-3:] == ["2262-04-11", None, None]  # Timestamp -> its date; NaT, nan -> NULL
    flags = pd.DataFrame({"company_nib": ["1", "2"], "in_registry": [True, False], "must_report": [None, True],
                          "status": ["received", "missing"], "files": np.array([1, 0])})
    assert list(frame_tuples(flags, company_period, {"period": "2025-08"}, dialect=SQLITE)) == _processed(
        frame_tuples(flags, company_period, {"period": "2025-08"}), company_period
    )
    issues = pd.DataFrame({"issue_id": ["i1", "i2"], "decided_at": [pd.Timestamp("2025-09-01T02:00Z"), None],
                           "rule": ["r", "r"], "severity": ["error", "error"], "status": ["open", "open"]})
    assert list(frame_tuples(issues, validation_issue, {"period": "2025-08"}, dialect=SQLITE)) == _processed(
        frame_tuples(issues, validation_issue, {"period": "2025-08"}), validation_issue
    )
    assert frame_tuples(pd.DataFrame(), worker, dialect=SQLITE) == []
    # PostgreSQL binds nothing here (COPY and psycopg take the Python values): plain tuples, as before.
    assert type(frame_tuples(frame, worker, defaults, dialect=postgresql.psycopg.dialect())) is list


def test_frame_tuple_chunks_are_frame_tuples_slice_by_slice() -> None:
    # Types that need converting sit in some slices only: each slice must still give exactly the whole rows.
    frame = pd.DataFrame(
        {
            "worker_id": [f"W{i}" for i in range(7)],
            "birth_date": [dt.date(1990, 1, 1), None, pd.Timestamp("1985-03-02 10:00"), dt.date(1, 1, 1),
                           "2001-02-03", pd.NaT, dt.date(2020, 5, 6)],
            "sex": ["L", "P", 1, None, 2.5, "L", np.int64(3)],
        }
    )
    defaults = {"first_period": "2025-08", "last_period": "2025-08"}
    for dialect in (None, SQLITE, postgresql.psycopg.dialect()):
        whole = list(frame_tuples(frame, worker, defaults, dialect=dialect))
        for size in (1, 2, 3, 7, 100):
            chunks = list(frame_tuple_chunks(frame, worker, defaults, dialect=dialect, size=size))
            assert [len(c) for c in chunks] == [min(size, 7 - i) for i in range(0, 7, size)]
            assert [row for chunk in chunks for row in chunk] == whole
    assert list(frame_tuple_chunks(pd.DataFrame(), worker)) == []


def _dump(engine, table) -> list[tuple]:  # type: ignore[no-untyped-def]
    """Every stored value of ``table`` as SQLite's quote() shows it (type and exact text), sorted."""
    exprs = ", ".join(f'quote("{c.name}")' for c in table.columns)
    with engine.connect() as conn:
        return sorted(conn.exec_driver_sql(f'SELECT {exprs} FROM "{table.name}"').fetchall())


def _sqlite(tmp_path, name):  # type: ignore[no-untyped-def]
    eng = make_engine(f"sqlite:///{tmp_path / name}")
    upgrade(eng)
    return eng


def test_bound_rows_store_what_the_processed_insert_stores(tmp_path) -> None:  # type: ignore[no-untyped-def]
    frame = pd.DataFrame({"worker_id": ["W1", "W2", "W3"], "birth_date": [dt.date(1, 1, 1), None,
                                                                           pd.Timestamp("1985-03-02 10:00")],
                          "name": ["A", None, "C"]})
    defaults = {"first_period": "2025-08", "last_period": "2025-08"}
    stored = []
    for name, rows in (("plain.db", frame_tuples(frame, worker, defaults)),
                       ("bound.db", frame_tuples(frame, worker, defaults, dialect=SQLITE))):
        eng = _sqlite(tmp_path, name)
        with eng.begin() as conn:
            assert bulk_insert(conn, worker, rows) == 3
        stored.append(_dump(eng, worker))
        eng.dispose()
    assert stored[0] == stored[1]
    assert ("'W1'", "'2025-08'", "'2025-08'", "NULL", "NULL", "'A'", "'0001-01-01'", "NULL") in stored[1]


def test_sqlite_upsert_widens_spans_and_takes_the_newer_rows_fields(tmp_path) -> None:  # type: ignore[no-untyped-def]
    from tka.warehouse.load import _span_update

    update = _span_update(worker, ("passport_no", "nationality", "name", "birth_date", "sex"))
    first = [{"worker_id": f"W{i}", "first_period": "2025-07", "last_period": "2025-07", "passport_no": None,
              "nationality": "CHN", "name": f"N{i}", "birth_date": dt.date(1980, 1, 1 + i), "sex": "L"}
             for i in range(4)]
    second = [{**r, "first_period": "2025-08", "last_period": "2025-08", "name": r["name"] + "X",
               "birth_date": None} for r in first[::2]]
    eng = _sqlite(tmp_path, "upsert.db")
    with eng.begin() as conn:
        upsert(conn, worker, first, update=update)
        upsert(conn, worker, second, update=update)
        upsert(conn, worker, [{**second[0], "name": "ZED"}], update=["name"])
        upsert(conn, worker, [{**second[0], "name": "NOPE"}], update=[])  # DO NOTHING
    assert _dump(eng, worker) == [
        ("'W0'", "'2025-07'", "'2025-08'", "NULL", "'CHN'", "'ZED'", "NULL", "'L'"),
        ("'W1'", "'2025-07'", "'2025-07'", "NULL", "'CHN'", "'N1'", "'1980-01-02'", "'L'"),
        ("'W2'", "'2025-07'", "'2025-08'", "NULL", "'CHN'", "'N2X'", "NULL", "'L'"),
        ("'W3'", "'2025-07'", "'2025-07'", "NULL", "'CHN'", "'N3'", "'1980-01-04'", "'L'"),
    ]
    with eng.begin() as conn:  # a SET with its own bound value
        upsert(conn, worker, first[:2], update={"name": lambda ex: literal("SAME")})
    assert [r[5] for r in _dump(eng, worker)] == ["'SAME'", "'SAME'", "'N2X'", "'N3'"]
    eng.dispose()
