"""Frame-to-row conversion: missing values, dates, numbers and JSON become what each column takes."""

from __future__ import annotations

import datetime as dt

import numpy as np
import pandas as pd

from tka.warehouse._db import frame_rows
from tka.warehouse.schema import validation_issue, worker


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
