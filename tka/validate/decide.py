"""Row status from issues and the steward's waivers: a row is rejected iff it has an unwaived error."""

from __future__ import annotations

import numpy as np
import pandas as pd

from tka.contract import FILE_PATH, RECORD_KEY, RULES, Severity


def row_flags(warnings: pd.DataFrame) -> dict[tuple[object, object], str]:
    """(record_key, file_path) -> its distinct warning rules, sorted and joined by ``;``."""
    rules: dict[tuple[object, object], list[str]] = {}
    for key, path, rule in zip(warnings[RECORD_KEY], warnings[FILE_PATH], warnings["rule"], strict=True):
        rules.setdefault((key, path), []).append(rule)
    return {key: ";".join(sorted(set(found))) for key, found in rules.items()}


def apply_decisions(rows: pd.DataFrame, issues: pd.DataFrame,
                    waived_issue_ids: set[str]) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Return (rows + ``status``/``flags``, issues + ``status`` open/waived) given the waived issue ids."""
    decided = issues.copy()
    decided["status"] = decided["issue_id"].map(lambda i: "waived" if i in waived_issue_ids else "open")
    open_row_issues = decided[(decided["status"] == "open") & decided[RECORD_KEY].notna()]

    rejected_keys = open_row_issues.loc[open_row_issues["severity"] == Severity.ERROR.value,
                                        [RECORD_KEY, FILE_PATH]].drop_duplicates()
    warnings = open_row_issues.loc[open_row_issues["severity"] == Severity.WARNING.value,
                                   [RECORD_KEY, FILE_PATH, "rule"]]
    flags = row_flags(warnings)

    # A shallow copy: with copy-on-write the new columns never reach `rows`, and no row data is duplicated.
    out = rows.copy(deep=False)
    keys = pd.MultiIndex.from_frame(out[[RECORD_KEY, FILE_PATH]].astype(object))
    rejected = keys.isin(pd.MultiIndex.from_frame(rejected_keys.astype(object))) if len(rejected_keys) else \
        np.zeros(len(out), dtype=bool)
    out["status"] = ["rejected" if r else "accepted" for r in rejected]
    flagged = np.full(len(out), None, dtype=object)
    if flags:
        # Look the few flagged keys up in the rows' index instead of walking 200k row tuples through a dict.
        flagged_keys = pd.MultiIndex.from_tuples(list(flags), names=[RECORD_KEY, FILE_PATH])
        where = flagged_keys.get_indexer(keys)
        hit = where >= 0
        flagged[hit] = np.array(list(flags.values()), dtype=object)[where[hit]]
    out["flags"] = pd.Series(flagged, index=out.index, dtype=object)
    return empty_bad_fields(out, keys, open_row_issues), decided


def empty_bad_fields(rows: pd.DataFrame, keys: pd.MultiIndex, open_issues: pd.DataFrame) -> pd.DataFrame:
    """Set the field of every open issue whose rule empties it (a future birth date, a shared passport) to None.

    The row stays and counts; the value it held is kept in the issue (``raw_value``) for the steward.
    """
    emptying = open_issues[open_issues["rule"].map(lambda r: RULES[r].empties if r in RULES else False)]
    if emptying.empty:
        return rows
    out = rows.copy(deep=False)
    for column, hits in emptying.groupby("column", sort=True):
        if column not in out.columns:
            continue
        where = keys.get_indexer(pd.MultiIndex.from_frame(hits[[RECORD_KEY, FILE_PATH]].astype(object)))
        where = where[where >= 0]
        values = out[column].to_numpy(dtype=object, copy=True)
        values[where] = None
        out[column] = pd.Series(values, index=out.index, dtype=object)
    return out
