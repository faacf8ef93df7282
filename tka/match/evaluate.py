"""Pairwise precision/recall of a clustering against the generator's truth, without enumerating pairs."""

from __future__ import annotations

from collections import Counter
from collections.abc import Hashable, Mapping
from typing import Any

import pandas as pd

from tka.match.names import clean_passport, is_blank


def _pairs(count: int) -> int:
    """Number of unordered pairs among ``count`` items."""
    return count * (count - 1) // 2


def pairwise_scores(
    pred: Mapping[str, Hashable], truth: Mapping[str, Hashable]
) -> tuple[float, float, dict[str, int]]:
    """(precision, recall, pair counts) of ``pred`` (record_key -> worker_id) vs ``truth`` (-> person_id).

    Only record keys present in both mappings count. Pairs are counted from cluster sizes and the
    contingency table, so the cost is linear in the number of records. With no predicted (true) pairs the
    precision (recall) is 1.0.
    """
    keys = pred.keys() & truth.keys()
    pred_sizes = Counter(pred[k] for k in keys)
    truth_sizes = Counter(truth[k] for k in keys)
    both = Counter((pred[k], truth[k]) for k in keys)
    true_positive = sum(_pairs(n) for n in both.values())
    predicted = sum(_pairs(n) for n in pred_sizes.values())
    actual = sum(_pairs(n) for n in truth_sizes.values())
    precision = true_positive / predicted if predicted else 1.0
    recall = true_positive / actual if actual else 1.0
    return (
        precision,
        recall,
        {"true_positive": true_positive, "predicted": predicted, "truth": actual, "records": len(keys)},
    )


def exact_passport_baseline(rows: pd.DataFrame) -> dict[str, str]:
    """The naive comparison: rows are one worker iff nationality and normalised passport are equal."""
    out: dict[str, str] = {}
    for key, nationality, passport in zip(
        rows["record_key"], rows["nationality"], rows["passport_no"], strict=True
    ):
        number = clean_passport(passport)
        nat = "" if is_blank(nationality) else str(nationality)
        out[str(key)] = f"{nat}|{number}" if number else f"row|{key}"
    return out


def truth_by_record(records: pd.DataFrame, truth: Mapping[str, Any]) -> dict[str, str]:
    """record_key -> person_id of the generator's truth, joined on (file_path, sheet, row_number).

    ``records`` are read rows (``record_key``, ``file_path``, ``sheet``, ``row_number``); ``truth`` is the
    JSON of ``tka sample --truth`` (``files[].path`` and ``files[].rows[]`` with ``sheet``, ``row``,
    ``person_id``). Rows the truth does not list are left out.
    """
    person = {
        (f["path"], str(r["sheet"]), int(r["row"])): r["person_id"]
        for f in truth.get("files", [])
        for r in f.get("rows", [])
    }
    out: dict[str, str] = {}
    for key, path, sheet, row in zip(
        records["record_key"], records["file_path"], records["sheet"], records["row_number"], strict=True
    ):
        found = person.get((path, str(sheet), int(row)))
        if found is not None:
            out[str(key)] = found
    return out
