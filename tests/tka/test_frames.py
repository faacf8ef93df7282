from __future__ import annotations

import numpy as np
import pandas as pd

from tka.frames import frame_records, str_groups, where_or_none


def test_frame_records_are_the_rows_as_dicts_in_column_order() -> None:
    frame = pd.DataFrame({"nib": pd.Series(["1", None], dtype=object), "rows": [3, 0]})
    records = frame_records(frame)
    assert records == [{"nib": "1", "rows": 3}, {"nib": None, "rows": 0}]
    assert [list(r) for r in records] == [["nib", "rows"], ["nib", "rows"]]


def test_where_or_none_keeps_values_where_the_mask_holds_and_none_elsewhere() -> None:
    out = where_or_none(np.array([True, False, True]), np.array(["a", "b", "c"], dtype=object))
    assert out.dtype == object
    assert out.tolist() == ["a", None, "c"]
    assert where_or_none(np.array([False, True]), "x").tolist() == [None, "x"]


def test_str_groups_are_the_value_and_rows_of_each_group() -> None:
    frame = pd.DataFrame({"file_path": ["b.xlsx", "a.xlsx", "b.xlsx"], "row": [1, 2, 3]})
    assert [(k, g["row"].tolist()) for k, g in str_groups(frame, "file_path", sort=True)] == [
        ("a.xlsx", [2]), ("b.xlsx", [1, 3])]
    assert [k for k, _ in str_groups(frame, "file_path", sort=False)] == ["b.xlsx", "a.xlsx"]
