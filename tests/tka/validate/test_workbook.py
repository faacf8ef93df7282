"""Feedback workbook and month export, read back with openpyxl."""

from __future__ import annotations

import io

import pandas as pd
from openpyxl import load_workbook

from tka.contract import RULES
from tka.validate.run import validate_rows
from tka.validate.workbook import (
    ERROR_RGB,
    WARNING_RGB,
    FileMeta,
    feedback_path,
    write_feedback_workbook,
    write_month_export,
)

from .conftest import PERIOD, SHA_A, make_rows

META = FileMeta(file_path="2025-08/disnakertrans/tka.xlsx", source_kind="disnakertrans", period=PERIOD,
                source_id="disnakertrans")
HEADERS = {SHA_A: {"Agustus": {"name": "Nama TKA", "passport_no": "No. Paspor", "company_nib": "NIB"}}}


def rows_and_issues(suites, config):
    rows = make_rows([
        {"name": None, "name_raw": None, "raw": {"Nama TKA": "-", "No. Paspor": "E12345678", "NIB": "1234567890123"}},
        {"passport_no": "E1", "company_nib": "=HYPERLINK(\"http://x\")",
         "raw": {"Nama TKA": "@SUM(A1)", "No. Paspor": "E1", "NIB": "=HYPERLINK(\"http://x\")"}},
        {"passport_no": "E87654321", "raw": {"Nama TKA": "+62 811", "No. Paspor": "E87654321", "NIB": "-5"}},
    ])
    return rows, validate_rows(rows, "worker", PERIOD, suites, config, headers=HEADERS)


def test_feedback_path() -> None:
    assert feedback_path("2025-08", "kecamatan", "2025-08/kecamatan/Laporan TKA Kec. Tabang.xlsx") == \
        "_review/2025-08/kecamatan/Laporan TKA Kec. Tabang__umpan_balik.xlsx"


def test_feedback_workbook_sheets_highlights_and_comments(suites, config) -> None:
    rows, issues = rows_and_issues(suites, config)
    wb = load_workbook(io.BytesIO(write_feedback_workbook(rows, issues, META)))
    assert wb.sheetnames == ["Petunjuk", "Data"]
    guide = [c.value for c in wb["Petunjuk"]["A"] if c.value]
    assert "Berkas: 2025-08/disnakertrans/tka.xlsx" in guide
    assert "Baris ditolak (ada kesalahan): 2" in guide
    assert any("Kirim ulang seluruh berkas ke folder yang sama (2025-08/disnakertrans)" in str(v) for v in guide)

    ws = wb["Data"]
    assert [c.value for c in ws[1]] == ["Lembar", "Baris Excel", "Nama TKA", "No. Paspor", "NIB", "Masalah"]
    assert [c.value for c in ws[2]][:5] == ["Agustus", 7, "-", "E12345678", "1234567890123"]
    # row 7: name missing -> the "Nama TKA" cell is red with the Indonesian rule message and the raw value
    name_cell = ws["C2"]
    assert name_cell.fill.fgColor.rgb == ERROR_RGB
    assert name_cell.comment.text == f"Kesalahan: {RULES['required_field'].message_id} Nilai tertulis: '-'."
    # row 8: bad passport (warning, yellow) and bad NIB (error, red)
    assert ws["D3"].fill.fgColor.rgb == WARNING_RGB
    assert ws["D3"].comment.text == f"Peringatan: {RULES['passport_format'].message_id} Nilai tertulis: 'E1'."
    assert ws["E3"].fill.fgColor.rgb == ERROR_RGB
    assert ws["C4"].fill.fill_type is None and ws["C4"].comment is None  # clean row untouched
    assert ws["F2"].value == f"Kesalahan: {RULES['required_field'].message_id} Nilai tertulis: '-'."


def test_feedback_workbook_never_writes_formulas(suites, config) -> None:
    rows, issues = rows_and_issues(suites, config)
    ws = load_workbook(io.BytesIO(write_feedback_workbook(rows, issues, META)))["Data"]
    for ref, text in [("C3", "@SUM(A1)"), ("E3", '=HYPERLINK("http://x")'), ("C4", "+62 811"), ("E4", "-5")]:
        assert (ws[ref].value, ws[ref].data_type) == (text, "s")


def test_duplicate_row_marks_the_row_number_cell(suites, config) -> None:
    rows = make_rows([{"raw": {"Nama TKA": "A"}}, {"raw": {"Nama TKA": "A"}}])
    issues = validate_rows(rows, "worker", PERIOD, suites, config, headers=HEADERS)
    ws = load_workbook(io.BytesIO(write_feedback_workbook(rows, issues, META)))["Data"]
    assert ws["B3"].value == 8 and ws["B3"].fill.fgColor.rgb == ERROR_RGB
    assert ws["B3"].comment.text == f"Kesalahan: {RULES['duplicate_row'].message_id} Nilai tertulis: (kosong)."


def test_quarantined_file_workbook_explains_the_reason() -> None:
    meta = FileMeta(file_path="2025-08/imigrasi/itas.xlsx", source_kind="imigrasi", period=PERIOD,
                    quarantine_reason="encrypted")
    issues = pd.DataFrame([{"record_key": None, "rule": "file:encrypted", "severity": "error"}])
    wb = load_workbook(io.BytesIO(write_feedback_workbook(make_rows([]), issues, meta)))
    guide = [c.value for c in wb["Petunjuk"]["A"] if c.value]
    assert ("Berkas ini TIDAK DAPAT DIPROSES: Berkas dilindungi kata sandi; kirim ulang tanpa kata sandi."
            in guide)
    assert [c.value for c in wb["Data"][1]] == ["Lembar", "Baris Excel", "Masalah"]


def test_month_export_sheets_and_masking(suites, config) -> None:
    _rows, issues = rows_and_issues(suites, config)
    issues["status"] = ["open"] * len(issues)
    summary_rows = [{"source_kind": "disnakertrans", "files": 1, "rows": 3, "rejected": 2}]
    compliance = pd.DataFrame({"company_nib": ["1234567890123"], "status": ["missing"]})
    wb = load_workbook(io.BytesIO(write_month_export(issues, summary_rows, compliance)))
    assert wb.sheetnames == ["Ringkasan", "Masalah", "Kepatuhan"]
    assert [[c.value for c in r] for r in wb["Ringkasan"].iter_rows()] == [
        ["source_kind", "files", "rows", "rejected"], ["disnakertrans", 1, 3, 2]]
    masalah = [[c.value for c in r] for r in wb["Masalah"].iter_rows()]
    header = masalah[0]
    assert header[:4] == ["issue_id", "status", "severity", "rule"]
    by_rule = {r[header.index("rule")]: r for r in masalah[1:]}
    assert set(by_rule) == {"required_field", "passport_format", "nib_format"}
    assert by_rule["passport_format"][header.index("raw_value")] == "**"              # personal: masked
    assert by_rule["nib_format"][header.index("raw_value")] == '=HYPERLINK("http://x")'  # not personal
    assert wb["Masalah"].cell(row=2 + list(by_rule).index("nib_format"), column=header.index("raw_value") + 1) \
        .data_type == "s"
    assert [[c.value for c in r] for r in wb["Kepatuhan"].iter_rows()] == [
        ["company_nib", "status"], ["1234567890123", "missing"]]
    empty = load_workbook(io.BytesIO(write_month_export(issues.iloc[0:0], [], None)))
    assert empty["Kepatuhan"]["A1"].value == "Data kepatuhan pelaporan perusahaan tidak tersedia untuk periode ini."


def test_file_meta_from_a_mapping_and_month_export_without_summary_rows(suites, config) -> None:
    meta = FileMeta.coerce({"path": "2025-08/imigrasi/itas.xlsx", "sha256": SHA_A, "period": PERIOD})
    assert meta == FileMeta(file_path="2025-08/imigrasi/itas.xlsx", source_kind="imigrasi", period=PERIOD)
    _, issues = rows_and_issues(suites, config)
    wb = load_workbook(io.BytesIO(write_month_export(issues, None, None)))
    assert [[c.value for c in r] for r in wb["Ringkasan"].iter_rows()] == [
        ["tingkat", "aturan", "status", "jumlah"], ["Kesalahan", "nib_format", "open", 1],
        ["Kesalahan", "required_field", "open", 1], ["Peringatan", "passport_format", "open", 1]]
