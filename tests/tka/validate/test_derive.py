"""Helper columns: ages, RPTKA limits, duplicate_of and the required flags."""

from __future__ import annotations

import datetime as dt

import pandas as pd
import pytest

from tka.validate.derive import add_helper_columns, add_months, period_start, whole_years

from .conftest import PERIOD, SHA_A, make_rows

D = dt.date


@pytest.mark.parametrize(("day", "months", "expected"), [
    (D(2025, 1, 31), 1, D(2025, 2, 28)), (D(2024, 1, 31), 1, D(2024, 2, 29)), (D(2025, 6, 1), 6, D(2025, 12, 1)),
    (D(2024, 8, 31), 24, D(2026, 8, 31)), (D(2025, 11, 15), 2, D(2026, 1, 15)), (D(9999, 6, 1), 24, D.max),
])
def test_add_months(day, months, expected) -> None:
    assert add_months(day, months) == expected


def test_whole_years_and_period_start() -> None:
    assert period_start("2025-08") == D(2025, 8, 1)
    assert [whole_years(D(2008, 8, 1), D(2025, 8, 1)), whole_years(D(2008, 8, 2), D(2025, 8, 1))] == [17, 16]


def test_helper_columns(config) -> None:
    rows = make_rows([
        {"nationality": "VNM", "birth_date": None},
        {"rptka_start": D(2025, 6, 1), "permit_type": "jangka_pendek", "nationality": None,
         "nationality_unknown": "Atlantis"},
        {"nationality": "VNM", "birth_date": None},
        {"name": None},
    ], source_kind="imigrasi").set_index([[10, 11, 12, 13]])  # a non-default index must not matter
    frame = add_helper_columns(rows, "worker", PERIOD, config)
    assert list(frame.index) == [0, 1, 2, 3]
    assert list(frame["passport_check"]) == [None, None, None, "CHN:E12345678"]
    assert [None if pd.isna(v) else int(v) for v in frame["age_at_period"]] == [None, 40, None, 40]
    assert list(frame["rptka_limit_end"]) == [D(2027, 1, 1), D(2025, 12, 1), D(2027, 1, 1), D(2027, 1, 1)]
    assert list(frame["period_start"]) == [D(2025, 8, 1)] * 4
    assert list(frame["duplicate_of"]) == [None, None, f"{SHA_A[:16]}:Agustus:7", None]
    # imigrasi requires name, passport_no, nationality, kitas_no; not company_name or position
    assert list(frame["required__nationality"]) == [True, False, True, True]
    assert list(frame["required__kitas_no"]) == [True] * 4
    assert list(frame["required__company_name"]) == [False] * 4


def test_duplicated_rows_matches_pandas_on_all_columns() -> None:
    from tka.validate.derive import duplicated_rows

    frame = pd.DataFrame({
        "a": ["x", "x", "x", "y", None, None, "x"],
        "b": [1, 1, 1, 2, None, None, 1],
        "c": ["p", "p", "q", "r", None, None, "p"],
        "d": [D(2025, 1, 1), D(2025, 1, 1), D(2025, 1, 1), None, None, None, D(2025, 1, 2)],
    }, dtype=object)
    for subset in (["a", "b", "c", "d"], ["a", "b"], ["d", "c", "b", "a"]):
        for narrow in (1, 2, 3):
            assert duplicated_rows(frame, subset, narrow).tolist() == frame.duplicated(subset, keep=False).tolist()
    # rows 0/1 repeat each other on every column; 4/5 are all-missing repeats; 2 and 6 differ only late
    assert duplicated_rows(frame, ["a", "b", "c", "d"], 1).tolist() == [True, True, False, False, True, True, False]
