"""The run summary: per-source counts, top rules, capped failures with personal values masked."""

from __future__ import annotations

import pandas as pd

from tka.validate.decide import apply_decisions
from tka.validate.run import file_issue, validate_rows
from tka.validate.summary import source_summary, summarize

from .conftest import PERIOD, SHA_B, make_rows


def build(suites, config):
    dis = make_rows([{"name": None, "name_raw": None}, {"passport_no": "E1", "passport_raw": "E1"},
                     {"passport_no": "E2", "passport_raw": "E2", "birth_date": None,
                      "birth_date_unparsed": "31-02-1985"}])
    kec = make_rows([{"passport_no": None, "nationality": None, "nationality_unknown": "Atlantis"}],
                    source_kind="kecamatan", sha=SHA_B, file_path="2025-08/kecamatan/tabang.xlsx")
    rows = pd.concat([dis, kec], ignore_index=True)
    issues = validate_rows(rows, "worker", PERIOD, suites, config)
    issues = pd.concat([issues, file_issue("2025-08/kecamatan/rusak.xlsx", "c" * 64, "corrupt")], ignore_index=True)
    rows, issues = apply_decisions(rows, issues, set())
    files = pd.DataFrame({
        "file_path": ["2025-08/disnakertrans/tka.xlsx", "2025-08/kecamatan/tabang.xlsx", "2025-08/kecamatan/rusak.xlsx"],
        "source_kind": ["disnakertrans", "kecamatan", "kecamatan"], "quarantine_reason": [None, None, "corrupt"]})
    return rows, issues, files


def test_per_source_counts_and_top_rules(suites, config) -> None:
    per_source = source_summary(*build(suites, config))
    assert per_source == [
        {"source_kind": "disnakertrans", "files": 1, "quarantined": 0, "rows": 3, "rejected": 0, "warnings": 3,
         "top_rules": "passport_format (2), date_unparsed (1), required_field (1)"},
        {"source_kind": "kecamatan", "files": 2, "quarantined": 1, "rows": 1, "rejected": 0, "warnings": 1,
         "top_rules": "file:corrupt (1), nationality_unknown (1)"},
    ]
    markdown, _, _ = summarize(*build(suites, config))
    assert "| disnakertrans | 1 | 0 | 3 | 0 | 3 | passport_format (2), date_unparsed (1), required_field (1) |" \
        in markdown


def test_failures_are_capped_errors_first_and_masked(suites, config) -> None:
    summary = summarize(*build(suites, config), cap=3)
    assert summary.failures_total == 6
    assert summary.failures == [
        {"file_path": "2025-08/kecamatan/rusak.xlsx", "sheet": None, "row_number": None, "column": None,
         "rule": "file:corrupt", "severity": "error", "raw_value": None},
        {"file_path": "2025-08/disnakertrans/tka.xlsx", "sheet": "Agustus", "row_number": 7, "column": "name",
         "rule": "required_field", "severity": "warning", "raw_value": None},
        {"file_path": "2025-08/disnakertrans/tka.xlsx", "sheet": "Agustus", "row_number": 8,
         "column": "passport_no", "rule": "passport_format", "severity": "warning", "raw_value": "**"},
    ]
    assert "… dan 3 masalah lainnya" in summary.markdown
    full = summarize(*build(suites, config), cap=10)
    markdown = full.markdown
    assert "E1" not in markdown.replace("E1*", "") and "31-02-1985" not in markdown and "GAO" not in markdown
    assert [f["raw_value"] for f in full.failures if f["rule"] == "passport_format"] == ["**", "**"]


def test_waived_issues_are_not_listed(suites, config) -> None:
    rows, issues, files = build(suites, config)
    issues["status"] = "waived"
    summary = summarize(rows, issues, files)
    assert summary.failures == [] and summary.failures_total == 0
    assert "Tidak ada masalah terbuka." in summary.markdown
