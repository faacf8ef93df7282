from __future__ import annotations

import numpy as np
import pandas as pd

from tka.frames import frame_records, where_or_none


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
