"""The run summary for the steward: per-source counts as markdown plus a capped, masked failures table."""

from __future__ import annotations

from typing import Any, NamedTuple

import pandas as pd

from tka.contract import FILE_PATH, SOURCE_KIND
from tka.privacy import mask_issue_value

SEVERITY_LABEL: dict[str, str] = {"error": "kesalahan", "warning": "peringatan"}
FAILURE_COLUMNS: tuple[str, ...] = ("file_path", "sheet", "row_number", "column", "rule", "severity", "raw_value")


class Summary(NamedTuple):
    """Markdown for the run artifact and the first ``cap`` open failures (values masked) with their total."""

    markdown: str
    failures: list[dict[str, Any]]
    failures_total: int


def _source_of_issues(issues: pd.DataFrame, rows: pd.DataFrame, files: pd.DataFrame) -> pd.Series:
    """The source kind of every issue, looked up by file path."""
    kinds = pd.concat([files[[FILE_PATH, SOURCE_KIND]], rows[[FILE_PATH, SOURCE_KIND]]]).drop_duplicates(FILE_PATH)
    return issues[FILE_PATH].map(dict(zip(kinds[FILE_PATH], kinds[SOURCE_KIND], strict=True)))


UNKNOWN_KIND = "folder_tidak_dikenal"


def _open(issues: pd.DataFrame) -> pd.DataFrame:
    return issues[issues["status"] != "waived"] if "status" in issues.columns else issues


def _md(value: object) -> str:
    """A value safe inside a markdown table cell."""
    return "" if value is None or (isinstance(value, float) and pd.isna(value)) else \
        str(value).replace("|", "\\|").replace("\n", " ")


def source_summary(rows: pd.DataFrame, issues: pd.DataFrame, files: pd.DataFrame) -> list[dict[str, Any]]:
    """Per source kind: files, quarantined files, rows, rejected rows, rows with warnings, top 3 open rules."""
    # A file in a folder no source uses has no kind: it is counted under its own name, never a crash.
    files = files.assign(**{SOURCE_KIND: files[SOURCE_KIND].where(files[SOURCE_KIND].notna(), UNKNOWN_KIND)})
    open_issues = _open(issues).copy()
    open_issues["source_kind"] = _source_of_issues(open_issues, rows, files)
    quarantined = files["quarantine_reason"].notna() if "quarantine_reason" in files.columns else \
        pd.Series(False, index=files.index)
    per_source = []
    for kind in sorted(set(files[SOURCE_KIND]) | set(rows[SOURCE_KIND])):
        kind_rows = rows[rows[SOURCE_KIND] == kind]
        counts = open_issues.loc[open_issues["source_kind"] == kind, "rule"].value_counts()
        top = counts.sort_index().sort_values(ascending=False, kind="stable").head(3)
        per_source.append({
            "source_kind": kind,
            "files": int((files[SOURCE_KIND] == kind).sum()),
            "quarantined": int((quarantined & (files[SOURCE_KIND] == kind)).sum()),
            "rows": len(kind_rows),
            "rejected": int((kind_rows["status"] == "rejected").sum()),
            "warnings": int(kind_rows["flags"].notna().sum()),
            "top_rules": ", ".join(f"{rule} ({n})" for rule, n in top.items()),
        })
    return per_source


def summarize(rows: pd.DataFrame, issues: pd.DataFrame, files: pd.DataFrame, cap: int = 50) -> Summary:
    """Markdown of ``source_summary`` plus the open failures, errors first, capped at ``cap`` and masked."""
    per_source = source_summary(rows, issues, files)
    ordered = _open(issues)
    ordered = ordered.assign(_sev=ordered["severity"].map({"error": 0}).fillna(1)).sort_values(
        ["_sev", "file_path", "sheet", "row_number", "column", "rule"], kind="stable", na_position="first")
    failures = [
        {c: (mask_issue_value(r["column"], r[c]) if c == "raw_value" else r[c]) for c in FAILURE_COLUMNS}
        for r in ordered.head(cap).to_dict("records")
    ]

    lines = ["## Ringkasan validasi", "",
             "| Sumber | Berkas | Dikarantina | Baris | Ditolak | Dengan peringatan | Aturan terbanyak |",
             "|---|---:|---:|---:|---:|---:|---|"]
    lines += [f"| {s['source_kind']} | {s['files']} | {s['quarantined']} | {s['rows']} | {s['rejected']} | "
              f"{s['warnings']} | {_md(s['top_rules'])} |" for s in per_source]
    lines += ["", f"### Masalah yang masih terbuka ({len(ordered)})", ""]
    if failures:
        lines += ["| Berkas | Lembar | Baris | Kolom | Aturan | Tingkat | Nilai |", "|---|---|---:|---|---|---|---|"]
        lines += [f"| {_md(f['file_path'])} | {_md(f['sheet'])} | {_md(f['row_number'])} | {_md(f['column'])} | "
                  f"{f['rule']} | {SEVERITY_LABEL.get(str(f['severity']), f['severity'])} | {_md(f['raw_value'])} |"
                  for f in failures]
        if len(ordered) > cap:
            lines += ["", f"… dan {len(ordered) - cap} masalah lainnya (lihat ekspor bulanan)."]
    else:
        lines.append("Tidak ada masalah terbuka.")
    return Summary(markdown="\n".join(lines) + "\n", failures=failures, failures_total=len(ordered))
