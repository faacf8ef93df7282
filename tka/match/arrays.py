"""Array helpers of resolve() and survive(): sorting text keys, numbering groups, walking union-find parents."""

from __future__ import annotations

from collections.abc import Iterator

import numpy as np
import pandas as pd


def argsort_text(keys: pd.Series) -> np.ndarray:
    """The positions ``keys.sort_values(kind="stable", na_position="last")`` puts first to last.

    Plain text keys (no missing value, no NUL character) are sorted as a NumPy unicode array, which orders by code
    point as Python does but without a Python comparison per step; anything else goes through pandas.
    """
    values = keys.to_numpy(dtype=object)
    if pd.api.types.infer_dtype(values, skipna=False) == "string" and not any("\0" in v for v in values):
        return np.argsort(values.astype(str), kind="stable")
    return keys.reset_index(drop=True).sort_values(kind="stable", na_position="last").index.to_numpy()


def group_codes(*columns: np.ndarray) -> np.ndarray:
    """Per row, the number of its tuple of codes (-1, "missing", counts as a value), numbered by first row."""
    combined = np.zeros(len(columns[0]), dtype=np.int64)
    for codes in columns:
        width = int(codes.max(initial=-1)) + 2
        combined, _ = pd.factorize(combined * width + codes.astype(np.int64) + 1)
    return combined.astype(np.int64)


def runs(groups: np.ndarray, rows: np.ndarray) -> Iterator[tuple[int, list[int]]]:
    """(group, its rows in ascending order) for each group, groups in ascending order."""
    if not len(groups):
        return
    order = np.lexsort((rows, groups))
    groups, rows = groups[order], rows[order]
    starts = np.flatnonzero(np.r_[True, groups[1:] != groups[:-1]])
    ends = np.r_[starts[1:], len(groups)]
    members = rows.tolist()
    for group, start, end in zip(groups[starts].tolist(), starts.tolist(), ends.tolist(), strict=True):
        yield group, members[start:end]


def multi_valued(groups: np.ndarray, values: np.ndarray) -> np.ndarray:
    """Mask of the rows whose group holds at least two distinct ``values`` (both non-negative int codes)."""
    if not len(groups):
        return np.zeros(0, dtype=bool)
    width = int(values.max()) + 1
    pairs = pd.unique(groups.astype(np.int64) * width + values)
    distinct = np.bincount(pairs // width, minlength=int(groups.max()) + 1)
    return distinct[groups] >= 2


def roots(parent: np.ndarray) -> np.ndarray:
    """The root of every item of a union-find parent array (parent[root] == root)."""
    current = parent
    while True:
        following = current[current]
        if np.array_equal(following, current):
            return current
        current = following
