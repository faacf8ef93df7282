"""Row status from issues and the steward's waivers: a row is rejected iff it has an unwaived error."""

from __future__ import annotations

import pandas as pd

from tka.contract import FILE_PATH, RECORD_KEY, Severity


def apply_decisions(rows: pd.DataFrame, issues: pd.DataFrame,
                    waived_issue_ids: set[str]) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Return (rows + ``status``/``flags``, issues + ``status`` open/waived) given the waived issue ids."""
    decided = issues.copy()
    decided["status"] = decided["issue_id"].map(lambda i: "waived" if i in waived_issue_ids else "open")
    open_row_issues = decided[(decided["status"] == "open") & decided[RECORD_KEY].notna()]

    rejected_keys = open_row_issues.loc[open_row_issues["severity"] == Severity.ERROR.value,
                                        [RECORD_KEY, FILE_PATH]].drop_duplicates()
    warnings = open_row_issues.loc[open_row_issues["severity"] == Severity.WARNING.value,
                                   [RECORD_KEY, FILE_PATH, "rule"]].drop_duplicates()
    flags = (warnings.sort_values("rule").groupby([RECORD_KEY, FILE_PATH], sort=False)["rule"]
             .agg(";".join).rename("flags").reset_index())

    out = rows.copy()
    keys = pd.MultiIndex.from_frame(out[[RECORD_KEY, FILE_PATH]].astype(object))
    rejected = keys.isin(pd.MultiIndex.from_frame(rejected_keys.astype(object))) if len(rejected_keys) else \
        [False] * len(out)
    out["status"] = ["rejected" if r else "accepted" for r in rejected]
    flag_map = {(k, p): f for k, p, f in flags.itertuples(index=False)}
    out["flags"] = pd.Series([flag_map.get(key) for key in keys], index=out.index, dtype=object)
    return out, decided
