"""The real suites on small canonical frames: exact issue rows for every rule of docs/contracts.md."""

from __future__ import annotations

import datetime as dt
import hashlib

import pandas as pd
import pytest

from tka.contract import DATE_FIELDS, RULES
from tka.validate.run import ISSUE_COLUMNS, file_issue, issue_id, validate_rows

from .conftest import PERIOD, SHA_A, SHA_B, issue_tuples, make_rows

D = dt.date


def run(suites, config, specs, kind="worker", source_kind="disnakertrans", **kw):
    return validate_rows(make_rows(specs, kind=kind, source_kind=source_kind, **kw), kind, PERIOD, suites,
                         config)


def test_clean_rows_have_no_issues_and_the_contract_columns(suites, config) -> None:
    issues = run(suites, config, [{}, {"passport_no": "E87654321"}])
    assert list(issues.columns) == list(ISSUE_COLUMNS)
    assert issues.empty


@pytest.mark.parametrize(("source_kind", "spec", "expected"), [
    ("disnakertrans", {"name": None}, {(7, "name", "required_field", "warning")}),
    ("disnakertrans", {"company_name": None, "position": None},
     {(7, "company_name", "required_field", "warning"), (7, "position", "required_field", "warning")}),
    ("imigrasi", {"kitas_no": None}, {(7, "kitas_no", "required_field", "warning")}),
    ("company", {"kitas_no": None}, set()),                 # company reports do not require KITAS
    ("kecamatan", {"passport_no": None, "company_name": None, "position": None}, set()),
    ("kecamatan", {"nationality": None}, {(7, "nationality", "required_field", "warning")}),
    # an unrecognised nationality is its own error, not also a missing field
    ("kecamatan", {"nationality": None, "nationality_unknown": "Atlantis"},
     {(7, "nationality", "nationality_unknown", "warning")}),
])
def test_required_field_per_source(suites, config, source_kind, spec, expected) -> None:
    assert issue_tuples(run(suites, config, [spec], source_kind=source_kind)) == expected


@pytest.mark.parametrize(("spec", "expected"), [
    ({"passport_no": "E1234"}, {(7, "passport_no", "passport_format", "warning")}),
    ({"passport_no": "EA1234567"}, set()),
    ({"nationality": "KOR", "passport_no": "M123A4567"}, set()),
    ({"nationality": "KOR", "passport_no": "E12345678"}, {(7, "passport_no", "passport_format", "warning")}),
    ({"nationality": "VNM", "passport_no": "C1234567"}, {(7, "passport_no", "passport_format_unknown", "warning")}),
    # kecamatan reports need no passport: absent passport -> no passport rule at all
    ({"nationality": "VNM", "passport_no": None, "source": "kecamatan"}, set()),
    ({"nationality": None, "nationality_unknown": "Atlantis", "passport_no": "X1", "source": "kecamatan"},
     {(7, "nationality", "nationality_unknown", "warning")}),
])
def test_passport_rules(suites, config, spec, expected) -> None:
    source = spec.pop("source", "disnakertrans")
    assert issue_tuples(run(suites, config, [spec], source_kind=source)) == expected


@pytest.mark.parametrize(("spec", "expected"), [
    ({"kecamatan_code": None, "kecamatan_unknown": "Balikpapan"}, {(7, "kecamatan_code", "kecamatan_unknown", "warning")}),
    ({"kecamatan_code": "64.02.21"}, {(7, "kecamatan_code", "kecamatan_unknown", "warning")}),
    # both expectations of the rule fail on the same cell: still one issue
    ({"kecamatan_code": "64.71.01", "kecamatan_unknown": "Samarinda"},
     {(7, "kecamatan_code", "kecamatan_unknown", "warning")}),
    ({"kecamatan_code": "64.02.20"}, set()),
])
def test_kecamatan_unknown(suites, config, spec, expected) -> None:
    assert issue_tuples(run(suites, config, [spec])) == expected


@pytest.mark.parametrize("field", DATE_FIELDS)
def test_date_unparsed_on_every_date_field(suites, config, field) -> None:
    issues = run(suites, config, [{field: None, f"{field}_unparsed": "31-02-2025"}])
    assert issue_tuples(issues) == {(7, field, "date_unparsed", "warning")}
    assert issues.loc[0, "raw_value"] == "31-02-2025"


def test_age_bounds_are_inclusive_at_period_start(suites, config) -> None:
    # P0 = 2025-08-01: 17 and 80 whole years are fine, 16 and 81 are not.
    issues = run(suites, config, [
        {"birth_date": D(2008, 8, 1)},   # 17 exactly on P0
        {"birth_date": D(2008, 8, 2)},   # 16
        {"birth_date": D(1944, 8, 2)},   # 80
        {"birth_date": D(1944, 8, 1)},   # 81 exactly on P0
        {"birth_date": None},
    ])
    assert issue_tuples(issues) == {(8, "birth_date", "age_out_of_range", "warning"),
                                    (10, "birth_date", "age_out_of_range", "warning")}
    assert list(issues["raw_value"]) == ["2008-08-02", "1944-08-01"]


@pytest.mark.parametrize("permit", ["rptka", "notifikasi", "kitas"])
def test_permit_end_before_start(suites, config, permit) -> None:
    issues = run(suites, config, [
        {f"{permit}_start": D(2026, 1, 10), f"{permit}_end": D(2026, 1, 9)},
        {f"{permit}_start": D(2026, 1, 10), f"{permit}_end": D(2026, 1, 10)},  # same day is allowed
        {f"{permit}_start": None, f"{permit}_end": D(2026, 1, 9)},
    ])
    assert issue_tuples(issues) == {(7, f"{permit}_end", "permit_end_before_start", "warning")}


def test_rptka_too_long_boundaries(suites, config) -> None:
    issues = run(suites, config, [
        {"rptka_start": D(2025, 1, 1), "rptka_end": D(2027, 1, 1)},      # exactly 24 months
        {"rptka_start": D(2025, 1, 1), "rptka_end": D(2027, 1, 2)},      # one day more
        {"rptka_start": D(2024, 8, 31), "rptka_end": D(2026, 8, 31)},    # month-end start
        {"rptka_start": D(2025, 6, 1), "rptka_end": D(2025, 12, 1), "permit_type": "jangka_pendek"},  # 6 months
        {"rptka_start": D(2025, 6, 1), "rptka_end": D(2025, 12, 2), "permit_type": "jangka_pendek"},
        {"rptka_start": D(2025, 6, 1), "rptka_end": D(2027, 6, 1), "permit_type": "perpanjangan"},
    ])
    assert issue_tuples(issues) == {(8, "rptka_end", "rptka_too_long", "warning"),
                                    (11, "rptka_end", "rptka_too_long", "warning")}


def test_permit_expired_one_issue_per_column(suites, config) -> None:
    issues = run(suites, config, [
        {"rptka_end": D(2025, 7, 31), "notifikasi_start": D(2025, 1, 1), "notifikasi_end": D(2025, 7, 31),
         "kitas_end": D(2025, 7, 31)},                                        # P0 - 1 day: expired
        {"rptka_end": D(2025, 8, 1), "notifikasi_start": D(2025, 1, 1), "notifikasi_end": D(2025, 8, 1),
         "kitas_end": D(2025, 8, 1)},                                         # P0: still valid
    ])
    assert issue_tuples(issues) == {(7, "rptka_end", "permit_expired", "warning"),
                                    (7, "notifikasi_end", "permit_expired", "warning"),
                                    (7, "kitas_end", "permit_expired", "warning")}


@pytest.mark.parametrize(("nib", "expected"), [
    ("1234567890123", set()), (None, set()),
    ("123456789012", {(7, "company_nib", "nib_format", "warning")}),
    ("12345678901234", {(7, "company_nib", "nib_format", "warning")}),
    ("12345678901A3", {(7, "company_nib", "nib_format", "warning")}),
])
def test_nib_format(suites, config, nib, expected) -> None:
    assert issue_tuples(run(suites, config, [{"company_nib": nib}])) == expected


def test_duplicate_row_keeps_the_first_within_one_file(suites, config) -> None:
    first_file = make_rows([{}, {"passport_no": "E87654321"}, {}, {"row_number": 20, "sheet": "Lain"}])
    other_file = make_rows([{}], sha=SHA_B, file_path="2025-08/imigrasi/itas.xlsx", source_kind="imigrasi")
    issues = validate_rows(pd.concat([first_file, other_file], ignore_index=True), "worker", PERIOD, suites,
                           config)
    # row 9 repeats row 7; row 20 is on another sheet of the same file; the other file does not count.
    assert {(r.file_path, r.sheet, r.row_number, r.column, r.rule) for r in issues.itertuples()} == {
        ("2025-08/disnakertrans/tka.xlsx", "Agustus", 9, "row", "duplicate_row"),
        ("2025-08/disnakertrans/tka.xlsx", "Lain", 20, "row", "duplicate_row"),
    }


def test_dependants_are_exempt_from_the_age_rule_only(suites, config) -> None:
    issues = run(suites, config, [
        {"person_kind": "dependant", "birth_date": D(2020, 5, 5)},   # a 5-year-old child: fine
        {"person_kind": "dependant", "birth_date": D(1940, 1, 1)},   # an 85-year-old parent: fine
        {"person_kind": "worker", "birth_date": D(2020, 5, 5)},      # a 5-year-old worker: an error
        {"person_kind": None, "birth_date": D(2020, 5, 5)},          # unknown kind counts as a worker
        {"person_kind": "dependant", "birth_date": None, "birth_date_unparsed": "31 Pebruari 2019"},
        {"person_kind": "dependant", "passport_no": None},           # every other rule still applies
    ], source_kind="imigrasi")
    assert issue_tuples(issues) == {(9, "birth_date", "age_out_of_range", "warning"),
                                    (10, "birth_date", "age_out_of_range", "warning"),
                                    (11, "birth_date", "date_unparsed", "warning"),
                                    (12, "passport_no", "required_field", "warning")}


@pytest.mark.parametrize(("spec", "expected"), [
    ({}, set()),
    ({"kbli": "05101"}, set()),
    ({"kbli": "99999"}, {(7, "kbli", "kbli_unknown", "warning")}),
    ({"company_name": None}, {(7, "company_name", "required_field", "warning")}),
    ({"kecamatan_code": None}, {(7, "kecamatan_code", "required_field", "warning")}),
    ({"kecamatan_code": None, "kecamatan_unknown": "Bontang"}, {(7, "kecamatan_code", "kecamatan_unknown", "warning")}),
    ({"company_nib": "12-34"}, {(7, "company_nib", "nib_format", "warning")}),
    ({"company_nib": None}, {(7, "company_nib", "required_field", "warning")}),
])
def test_registry_rules(suites, config, spec, expected) -> None:
    issues = run(suites, config, [spec], kind="registry", source_kind="registry",
                 file_path="2025-08/registri/registri.xlsx")
    assert issue_tuples(issues) == expected


def test_registry_duplicates(suites, config) -> None:
    issues = run(suites, config, [{}, {}], kind="registry", source_kind="registry")
    assert issue_tuples(issues) == {(8, "row", "duplicate_row", "warning")}


def test_issue_fields_ids_headers_and_raw_values(suites, config) -> None:
    rows = make_rows([{"name": None, "name_raw": None, "nationality": None, "nationality_unknown": "Atlantis",
                       "raw": {"Nama TKA": "-", "Kewarganegaraan": "ATLANTIS"}}])
    headers = {SHA_A: {"Agustus": {"name": "Nama TKA", "nationality": "Kewarganegaraan"}}}
    issues = validate_rows(rows, "worker", PERIOD, suites, config, headers=headers)
    records = issues.to_dict("records")
    key = f"{SHA_A[:16]}:Agustus:7"
    assert records == [
        {"issue_id": hashlib.sha256(
            f"2025-08/disnakertrans/tka.xlsx|{SHA_A}|Agustus|7|name|required_field".encode()).hexdigest()[:16],
         "record_key": key, "file_path": "2025-08/disnakertrans/tka.xlsx", "file_sha256": SHA_A,
         "sheet": "Agustus", "row_number": 7, "column": "name", "header": "Nama TKA", "raw_value": "-",
         "rule": "required_field", "severity": "warning", "message_id": RULES["required_field"].message_id},
        {"issue_id": issue_id(SHA_A, "Agustus", 7, "nationality", "nationality_unknown",
                             file_path="2025-08/disnakertrans/tka.xlsx"),
         "record_key": key, "file_path": "2025-08/disnakertrans/tka.xlsx", "file_sha256": SHA_A,
         "sheet": "Agustus", "row_number": 7, "column": "nationality", "header": "Kewarganegaraan",
         "raw_value": "ATLANTIS", "rule": "nationality_unknown", "severity": "warning",
         "message_id": RULES["nationality_unknown"].message_id},
    ]
    # without a header map the raw value falls back to the reader's unparsed text
    plain = validate_rows(rows, "worker", PERIOD, suites, config)
    assert list(plain["header"]) == [None, None]
    assert list(plain["raw_value"]) == [None, "Atlantis"]


def test_file_issue_for_a_quarantined_file() -> None:
    issue = file_issue("2025-08/imigrasi/rusak.xlsx", SHA_B, "encrypted").to_dict("records")
    assert issue == [{
        "issue_id": hashlib.sha256(f"2025-08/imigrasi/rusak.xlsx|{SHA_B}||||file:encrypted".encode()).hexdigest()[:16],
        "record_key": None,
        "file_path": "2025-08/imigrasi/rusak.xlsx", "file_sha256": SHA_B, "sheet": None, "row_number": None,
        "column": None, "header": None, "raw_value": None, "rule": "file:encrypted", "severity": "error",
        "message_id": "Berkas dilindungi kata sandi; kirim ulang tanpa kata sandi.",
    }]
    with pytest.raises(ValueError, match="unknown quarantine reason"):
        file_issue("x.xlsx", SHA_B, "bogus")


def test_identical_files_in_two_places_have_their_own_issues() -> None:
    empty = hashlib.sha256(b"").hexdigest()
    a = file_issue("2025-08/kecamatan/Kec Tabang.xlsx", empty, "empty")
    b = file_issue("2025-08/perusahaan/1234567890123.xlsx", empty, "empty")
    assert a["issue_id"][0] != b["issue_id"][0]
    assert file_issue("2025-08/kecamatan/Kec Tabang.xlsx", empty, "empty")["issue_id"][0] == a["issue_id"][0]


def test_a_duplicate_file_issue_names_the_other_place() -> None:
    (issue,) = file_issue("2025-08/perusahaan/2 PT B.xlsx", SHA_B, "duplicate_file",
                          other_place="2025-08/perusahaan/1 PT A.xlsx").to_dict("records")
    assert (issue["rule"], issue["raw_value"], issue["message_id"]) == (
        "file:duplicate_file", "2025-08/perusahaan/1 PT A.xlsx",
        ("Isi berkas sama persis dengan berkas lain yang sudah dibaca; isinya tidak dimuat dua kali. "
         "Berkas yang sama: 2025-08/perusahaan/1 PT A.xlsx"))


def test_pandas_string_dtype_columns_give_the_same_issues(suites, config) -> None:
    rows = make_rows(
        [{"name": None}, {"passport_no": "E1"}, {"nationality": None, "nationality_unknown": "X"}]
    )
    typed = rows.copy()
    for column in ("name", "passport_no", "nationality", "nationality_unknown", "company_name", "record_key"):
        typed[column] = typed[column].astype("str")  # pandas 3 string dtype: missing is NaN, not None
    typed["row_number"] = typed["row_number"].astype("int64")
    expected = {
        (7, "name", "required_field", "warning"),
        (8, "passport_no", "passport_format", "warning"),
        (9, "nationality", "nationality_unknown", "warning"),
    }
    assert issue_tuples(validate_rows(rows, "worker", PERIOD, suites, config)) == expected
    assert issue_tuples(validate_rows(typed, "worker", PERIOD, suites, config)) == expected


def test_first_positions_maps_repeated_ids_to_their_first_row() -> None:
    from tka.validate.run import first_positions

    unique = pd.DataFrame({"record_key": ["a", "b", "a"], "file_path": ["f", "f", "g"]})
    assert first_positions(unique) is None
    repeated = pd.DataFrame({"record_key": ["a", "b", "a", "b", None, None], "file_path": ["f", "f", "f", "g", "f", "f"]})
    assert first_positions(repeated).tolist() == [0, 1, 0, 3, 4, 4]


def test_rows_sharing_an_id_give_one_issue_at_the_first(suites, config) -> None:
    rows = make_rows([{"name": None}, {"name": None, "passport_no": "E87654321"}])
    rows["record_key"] = rows.loc[0, "record_key"]   # a second row claiming the first one's id
    rows["row_number"] = 7
    issues = validate_rows(rows, "worker", PERIOD, suites, config)
    assert issue_tuples(issues) == {(7, "name", "required_field", "warning")}
    assert len(issues) == 1


def test_layout_issues_name_the_sheet_header_and_field_and_have_no_row() -> None:
    from tka.read.reader import HeaderDrift, SheetDrift
    from tka.validate.run import layout_issues

    drift = HeaderDrift({"Data": SheetDrift(("position",), ("Agama",), (("Nomor Paspor TKA", "passport_no", 0.9),))})
    issues = layout_issues("2025-08/perusahaan/x.xlsx", SHA_A, drift)
    assert issues[["sheet", "row_number", "rule", "column", "header", "raw_value", "severity"]].values.tolist() == [
        ["Data", None, "header_guessed", "passport_no", "Nomor Paspor TKA", "passport_no (0.90)", "warning"],
        ["Data", None, "column_missing", "position", None, None, "warning"],
        ["Data", None, "column_unexpected", None, "Agama", None, "warning"]]
    assert issues["record_key"].isna().all()
    assert issues.loc[0, "issue_id"] == issue_id(SHA_A, "Data", None, "passport_no", "header_guessed",
                                                 file_path="2025-08/perusahaan/x.xlsx")


def test_the_suite_in_parts_gives_the_same_issues_and_statistics(suites, config, monkeypatch) -> None:
    from tka.validate import run as run_module

    rows = make_rows([
        {}, {"name": None}, {"passport_no": "E1"}, {"nationality": "VNM", "passport_no": "C1234567"},
        {"kitas_start": D(2026, 2, 1), "kitas_end": D(2026, 1, 1)}, {"birth_date": D(2015, 1, 1)},
        {"company_nib": "12"}, {"kecamatan_code": None, "kecamatan_unknown": "Balikpapan"}, {},
    ], source_kind="imigrasi")
    whole: dict = {}
    expected = validate_rows(rows, "worker", PERIOD, suites, config, collect=whole)
    monkeypatch.setattr(run_module, "SPLIT_MIN_ROWS", 0)  # small frames run in parts too
    parts: dict = {}
    got = validate_rows(rows, "worker", PERIOD, suites, config, collect=parts)
    assert len(expected) >= 7
    pd.testing.assert_frame_equal(got, expected)
    assert parts["worker"].statistics == whole["worker"].statistics
    assert parts["worker"].statistics["evaluated_expectations"] == len(suites.worker.expectations)
    assert parts["worker"].success is whole["worker"].success is False
