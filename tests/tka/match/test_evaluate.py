"""Pairwise precision/recall from cluster sizes, and the exact-passport baseline."""

from __future__ import annotations

import pandas as pd
import pytest

from tka.match import exact_passport_baseline, pairwise_scores, truth_by_record


def test_pairwise_scores_count_pairs_from_cluster_sizes() -> None:
    truth = {"a": "P1", "b": "P1", "c": "P1", "d": "P2", "e": "P2", "f": "P3"}
    pred = {"a": "W1", "b": "W1", "c": "W2", "d": "W2", "e": "W2", "f": "W3", "extra": "W9"}
    precision, recall, pairs = pairwise_scores(pred, truth)
    # predicted pairs: ab, cd, ce, de = 4; true pairs: ab, ac, bc, de = 4; both: ab, de = 2
    assert pairs == {"true_positive": 2, "predicted": 4, "truth": 4, "records": 6}
    assert (precision, recall) == (0.5, 0.5)


def test_pairwise_scores_without_pairs_are_perfect() -> None:
    assert pairwise_scores({"a": 1, "b": 2}, {"a": "x", "b": "y"}) == (
        1.0,
        1.0,
        {"true_positive": 0, "predicted": 0, "truth": 0, "records": 2},
    )
    precision, recall, _ = pairwise_scores({"a": 1, "b": 2}, {"a": "x", "b": "x"})
    assert (precision, recall) == (1.0, pytest.approx(0.0))


def test_exact_passport_baseline() -> None:
    rows = pd.DataFrame(
        {
            "record_key": ["a", "b", "c", "d"],
            "nationality": ["CHN", "CHN", "KOR", "CHN"],
            "passport_no": ["E123 456 78", "E12345678", "E12345678", None],
        }
    )
    assert exact_passport_baseline(rows) == {
        "a": "CHN|E12345678",
        "b": "CHN|E12345678",
        "c": "KOR|E12345678",
        "d": "row|d",
    }


def test_truth_by_record_joins_on_file_sheet_and_row() -> None:
    truth = {
        "files": [
            {
                "path": "2025-08/imigrasi/a.xlsx",
                "rows": [
                    {"sheet": "Agustus", "row": 7, "person_id": "W00012"},
                    {"sheet": "Agustus", "row": 8, "person_id": "D00003"},
                ],
            },
            {"path": "2025-08/imigrasi/rusak.xlsx", "quarantine": "corrupt", "rows": []},
        ]
    }
    records = pd.DataFrame(
        {
            "record_key": ["k7", "k8", "k9"],
            "file_path": ["2025-08/imigrasi/a.xlsx"] * 3,
            "sheet": ["Agustus"] * 3,
            "row_number": [7, 8, 9],
        }
    )
    assert truth_by_record(records, truth) == {"k7": "W00012", "k8": "D00003"}
