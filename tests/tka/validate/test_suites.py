"""Loading the JSON suites: the real ones load; malformed or off-contract ones fail naming file and index."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from tka.contract import LAYOUT_RULES, RULES
from tka.validate.config import ValidationConfig
from tka.validate.suites import SuiteError, check_coverage, load_suites

from .conftest import ROOT


def copy_suites(tmp_path: Path) -> Path:
    for name in ("worker_rows.json", "company_registry.json"):
        shutil.copy(ROOT / "expectations" / name, tmp_path / name)
    return tmp_path


def edit_worker(tmp_path: Path, edit) -> Path:
    folder = copy_suites(tmp_path)
    doc = json.loads((folder / "worker_rows.json").read_text())
    edit(doc)
    (folder / "worker_rows.json").write_text(json.dumps(doc))
    return folder


def test_real_suites_load_with_rule_meta_matching_the_contract(suites, config) -> None:
    assert (suites.worker.name, suites.registry.name) == ("worker_rows", "company_registry")
    rules = {e.meta["rule"] for e in suites.worker.expectations} | {e.meta["rule"] for e in suites.registry.expectations}
    assert rules == set(RULES) - LAYOUT_RULES  # every row rule of the contract is implemented by an expectation
    for expectation in [*suites.worker.expectations, *suites.registry.expectations]:
        assert expectation.meta["severity"] == RULES[expectation.meta["rule"]].severity.value
    check_coverage(suites, config)


def test_missing_suite_file(tmp_path: Path) -> None:
    copy_suites(tmp_path)
    (tmp_path / "company_registry.json").unlink()
    with pytest.raises(SuiteError, match=r"company_registry\.json: suite file is missing"):
        load_suites(tmp_path)


def test_malformed_json(tmp_path: Path) -> None:
    copy_suites(tmp_path)
    (tmp_path / "worker_rows.json").write_text('{"name": "worker_rows", "expectations": [')
    with pytest.raises(SuiteError, match=r"worker_rows\.json: not valid JSON"):
        load_suites(tmp_path)


def test_unknown_expectation_type(tmp_path: Path) -> None:
    folder = edit_worker(tmp_path, lambda d: d["expectations"][3].update(type="expect_column_to_be_pretty"))
    with pytest.raises(SuiteError, match=r"worker_rows\.json: expectation #3: unknown expectation type "
                                         r"'expect_column_to_be_pretty'"):
        load_suites(folder)


def test_unknown_rule_id(tmp_path: Path) -> None:
    folder = edit_worker(tmp_path, lambda d: d["expectations"][0]["meta"].update(rule="name_too_long"))
    with pytest.raises(SuiteError, match=r"worker_rows\.json: expectation #0 .*unknown rule id 'name_too_long'"):
        load_suites(folder)


def test_severity_must_match_the_rule(tmp_path: Path) -> None:
    folder = edit_worker(tmp_path, lambda d: d["expectations"][0]["meta"].update(severity="warning"))
    with pytest.raises(SuiteError, match=r"#0 .*meta.severity 'warning' must be 'error' for rule 'not_a_person'"):
        load_suites(folder)


def test_invalid_kwargs_and_unknown_parameter(tmp_path: Path) -> None:
    folder = edit_worker(tmp_path, lambda d: d["expectations"][1]["kwargs"].update(colour="red"))
    with pytest.raises(SuiteError, match=r"#1 \(expect_column_values_to_not_be_null\): invalid kwargs"):
        load_suites(folder)
    folder = edit_worker(tmp_path, lambda d: d["expectations"][0]["kwargs"].update(
        column={"$PARAMETER": "whatever"}))
    with pytest.raises(SuiteError, match=r"#0 .*unknown \$PARAMETER \['whatever'\]"):
        load_suites(folder)


def test_missing_name(tmp_path: Path) -> None:
    folder = edit_worker(tmp_path, lambda d: d.pop("name"))
    with pytest.raises(SuiteError, match=r"worker_rows\.json: a suite needs a non-empty string 'name'"):
        load_suites(folder)


def test_coverage_of_required_fields_from_sources_yaml(suites, config) -> None:
    stricter = ValidationConfig(**{**config.__dict__,
                                   "required": {**config.required, "kecamatan": ("name", "birth_date")}})
    with pytest.raises(SuiteError, match=r"worker_rows\.json: no required_field expectation for \['birth_date'\]"):
        check_coverage(suites, stricter)


def test_suite_columns_and_a_suite_on_a_missing_column_fails_loudly(tmp_path: Path, suites, config) -> None:
    from tka.validate.run import run_suite
    from tka.validate.suites import suite_columns

    from .conftest import PERIOD, make_rows

    assert suite_columns(suites.registry) == {
        "company_name", "company_nib", "company_nib_placeholder", "duplicate_of", "kbli", "kecamatan_code",
        "kecamatan_unknown", "no_identity",
        "required__company_name", "required__company_nib", "required__kecamatan_code"}
    folder = edit_worker(tmp_path, lambda d: d["expectations"][0]["kwargs"].update(column="nama_typo"))
    broken = load_suites(folder)
    with pytest.raises(RuntimeError, match=r"expect_column_values_to_be_null raised: .*nama_typo.* does not exist"):
        run_suite(make_rows([{}]), "worker", PERIOD, broken, config)
