"""Row status and flags from issues and waivers."""

from __future__ import annotations

import datetime as dt

from tka.validate.decide import apply_decisions
from tka.validate.run import validate_rows

from .conftest import PERIOD, make_rows


def test_waived_error_no_longer_rejects_and_flags_list_open_warnings(suites, config) -> None:
    rows = make_rows([
        {"name": None, "passport_no": None, "kitas_no": None, "rptka_no": None},  # names nobody: the one error
        {"passport_no": "E1", "kitas_end": None, "rptka_end": dt.date(2025, 7, 1)},
        {"company_nib": "1", "passport_no": "E2"},              # two warnings; nib_format would empty the NIB
        {"passport_no": "E87654321"},                           # clean
    ])
    issues = validate_rows(rows, "worker", PERIOD, suites, config)
    waived = set(issues.loc[(issues["row_number"] == 9) & (issues["rule"] == "nib_format"), "issue_id"])
    assert len(waived) == 1
    decided_rows, decided_issues = apply_decisions(rows, issues, waived)

    assert list(decided_rows["status"]) == ["rejected", "accepted", "accepted", "accepted"]
    assert list(decided_rows["flags"]) == ["required_field", "passport_format;permit_expired", "passport_format",
                                           None]
    assert list(decided_rows["company_nib"]) == ["1234567890123", "1234567890123", "1", "1234567890123"]  # waived: kept
    assert sorted(zip(decided_issues["row_number"], decided_issues["rule"], decided_issues["status"], strict=True)) == [
        (7, "not_a_person", "open"), (7, "required_field", "open"), (7, "required_field", "open"),
        (8, "passport_format", "open"), (8, "permit_expired", "open"),
        (9, "nib_format", "waived"), (9, "passport_format", "open"),
    ]


def test_an_open_emptying_issue_empties_its_field_and_the_row_still_counts(suites, config) -> None:
    rows = make_rows([{"company_nib": "12345", "birth_date": dt.date(2085, 1, 2)}, {}])
    issues = validate_rows(rows, "worker", PERIOD, suites, config)
    decided_rows, _ = apply_decisions(rows, issues, set())
    assert list(decided_rows["status"]) == ["accepted", "accepted"]
    assert list(decided_rows["company_nib"]) == [None, rows.loc[1, "company_nib"]]
    assert list(decided_rows["birth_date"]) == [None, rows.loc[1, "birth_date"]]
    assert list(decided_rows["flags"]) == ["age_out_of_range;nib_format", None]
    assert list(rows.columns) == list(make_rows([{}]).columns)  # the input is not modified


def test_waived_warning_disappears_from_flags(suites, config) -> None:
    rows = make_rows([{"passport_no": "E1"}])
    issues = validate_rows(rows, "worker", PERIOD, suites, config)
    decided_rows, decided_issues = apply_decisions(rows, issues, set(issues["issue_id"]))
    assert list(decided_rows["status"]) == ["accepted"]
    assert list(decided_rows["flags"]) == [None]
    assert list(decided_issues["status"]) == ["waived"]


def test_no_issues(suites, config) -> None:
    rows = make_rows([{}, {"passport_no": "E87654321"}])
    decided_rows, decided_issues = apply_decisions(rows, validate_rows(rows, "worker", PERIOD, suites, config), set())
    assert list(decided_rows["status"]) == ["accepted", "accepted"]
    assert list(decided_rows["flags"]) == [None, None]
    assert decided_issues.empty and "status" in decided_issues.columns


def test_row_flags_sorts_and_deduplicates_rules_per_row() -> None:
    import pandas as pd

    from tka.validate.decide import row_flags

    warnings = pd.DataFrame({"record_key": ["k1", "k2", "k1", "k1"], "file_path": ["f", "f", "f", "g"],
                             "rule": ["permit_expired", "passport_format", "passport_format", "permit_expired"]})
    assert row_flags(warnings) == {("k1", "f"): "passport_format;permit_expired", ("k2", "f"): "passport_format",
                                   ("k1", "g"): "permit_expired"}
    assert row_flags(pd.DataFrame({"record_key": [], "file_path": [], "rule": []})) == {}
