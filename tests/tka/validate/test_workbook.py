"""Feedback workbook and month export, read back with openpyxl."""

from __future__ import annotations

import datetime as dt
import io

import pandas as pd
import pytest
from openpyxl import load_workbook
from openpyxl.utils import get_column_letter

from tka.contract import RULES
from tka.validate.run import validate_rows
from tka.validate.workbook import (
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


def flag_last_row(rows: pd.DataFrame, issues: pd.DataFrame) -> pd.DataFrame:
    """``issues`` plus a warning on the last row, which is clean, so the Data sheet shows it too."""
    extra = {"record_key": rows["record_key"].iloc[-1], "rule": "required_field", "severity": "warning",
             "column": "company_name", "header": "Perusahaan", "raw_value": None}
    return pd.concat([issues, pd.DataFrame([extra])], ignore_index=True)


def test_feedback_path() -> None:
    assert feedback_path("2025-08", "kecamatan", "2025-08/kecamatan/Laporan TKA Kec. Tabang.xlsx") == \
        "_review/2025-08/kecamatan/Laporan TKA Kec. Tabang__umpan_balik.xlsx"


def test_feedback_workbook_sheets_highlights_and_comments(suites, config) -> None:
    rows, issues = rows_and_issues(suites, config)
    wb = load_workbook(io.BytesIO(write_feedback_workbook(rows, issues, META)))
    assert wb.sheetnames == ["Petunjuk", "Data"]
    guide = [c.value for c in wb["Petunjuk"]["A"] if c.value]
    assert "Berkas: 2025-08/disnakertrans/tka.xlsx" in guide
    assert "Baris ditolak (ada kesalahan): 0" in guide
    assert any("Kirim ulang seluruh berkas ke folder yang sama (2025-08/disnakertrans)" in str(v) for v in guide)

    ws = wb["Data"]
    assert [c.value for c in ws[1]] == ["Lembar", "Baris Excel", "Nama TKA", "No. Paspor", "NIB", "Masalah"]
    assert [c.value for c in ws[2]][:5] == ["Agustus", 7, "-", "E12345678", "1234567890123"]
    # row 7: name missing -> the "Nama TKA" cell is red with the Indonesian rule message and the raw value
    name_cell = ws["C2"]
    assert name_cell.fill.fgColor.rgb == WARNING_RGB
    assert name_cell.comment.text == f"Peringatan: {RULES['required_field'].message_id} Nilai tertulis: '-'."
    # row 8: bad passport (warning, yellow) and bad NIB (error, red)
    assert ws["D3"].fill.fgColor.rgb == WARNING_RGB
    assert ws["D3"].comment.text == f"Peringatan: {RULES['passport_format'].message_id} Nilai tertulis: 'E1'."
    assert ws["E3"].fill.fgColor.rgb == WARNING_RGB
    assert ws.max_row == 3  # the clean row 9 is left out
    assert ws["F2"].value == f"Peringatan: {RULES['required_field'].message_id} Nilai tertulis: '-'."


def test_feedback_workbook_never_writes_formulas(suites, config) -> None:
    rows, issues = rows_and_issues(suites, config)
    ws = load_workbook(io.BytesIO(write_feedback_workbook(rows, flag_last_row(rows, issues), META)))["Data"]
    for ref, text in [("C3", "@SUM(A1)"), ("E3", '=HYPERLINK("http://x")'), ("C4", "+62 811"), ("E4", "-5")]:
        assert (ws[ref].value, ws[ref].data_type) == (text, "s")


def test_duplicate_row_marks_the_row_number_cell(suites, config) -> None:
    rows = make_rows([{"raw": {"Nama TKA": "A"}}, {"raw": {"Nama TKA": "A"}}])
    issues = validate_rows(rows, "worker", PERIOD, suites, config, headers=HEADERS)
    ws = load_workbook(io.BytesIO(write_feedback_workbook(rows, issues, META)))["Data"]
    assert ws.max_row == 2  # row 7 has no issue: only its duplicate is shown
    assert ws["B2"].value == 8 and ws["B2"].fill.fgColor.rgb == WARNING_RGB
    # The comment names the row it duplicates.
    assert ws["B2"].comment.text == (f"Peringatan: {RULES['duplicate_row'].message_id} Sama dengan baris 7 "
                                     f"(lembar Agustus). Nilai tertulis: (kosong).")


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
        ["Sumber", "Jumlah berkas", "Baris", "Ditolak"], ["disnakertrans", 1, 3, 2]]
    masalah = [[c.value for c in r] for r in wb["Masalah"].iter_rows()]
    header = masalah[0]
    assert header[:4] == ["ID masalah", "Status", "Tingkat", "Aturan"]
    assert {r[1] for r in masalah[1:]} == {"terbuka"} and {r[2] for r in masalah[1:]} == {"Peringatan"}
    by_rule = {r[header.index("Aturan")]: r for r in masalah[1:]}
    assert set(by_rule) == {"required_field", "passport_format", "nib_format"}
    assert by_rule["passport_format"][header.index("Nilai tertulis")] == "**"              # personal: masked
    assert by_rule["nib_format"][header.index("Nilai tertulis")] == '=HYPERLINK("http://x")'  # not personal
    assert wb["Masalah"].cell(row=2 + list(by_rule).index("nib_format"), column=header.index("Nilai tertulis") + 1) \
        .data_type == "s"
    assert [[c.value for c in r] for r in wb["Kepatuhan"].iter_rows()] == [
        ["NIB", "Status"], ["1234567890123", "belum lapor"]]
    empty = load_workbook(io.BytesIO(write_month_export(issues.iloc[0:0], [], None)))
    assert empty["Kepatuhan"]["A1"].value == "Data kepatuhan pelaporan perusahaan tidak tersedia untuk periode ini."


def test_file_meta_from_a_mapping_and_month_export_without_summary_rows(suites, config) -> None:
    meta = FileMeta.coerce({"path": "2025-08/imigrasi/itas.xlsx", "sha256": SHA_A, "period": PERIOD})
    assert meta == FileMeta(file_path="2025-08/imigrasi/itas.xlsx", source_kind="imigrasi", period=PERIOD)
    _, issues = rows_and_issues(suites, config)
    wb = load_workbook(io.BytesIO(write_month_export(issues, None, None)))
    assert [[c.value for c in r] for r in wb["Ringkasan"].iter_rows()] == [
        ["Tingkat", "Aturan", "Status", "Jumlah"], ["Peringatan", "nib_format", "terbuka", 1],
        ["Peringatan", "passport_format", "terbuka", 1], ["Peringatan", "required_field", "terbuka", 1]]


def _fills(ws) -> dict[str, str]:
    return {c.coordinate: c.fill.fgColor.rgb for row in ws.iter_rows() for c in row if c.fill.fill_type == "solid"}


def _comments(ws) -> dict[str, tuple[str, str]]:
    return {c.coordinate: (c.comment.text, c.comment.author) for row in ws.iter_rows() for c in row if c.comment}


def test_feedback_workbook_exact_content(suites, config) -> None:
    rows, issues = rows_and_issues(suites, config)
    wb = load_workbook(io.BytesIO(write_feedback_workbook(rows, issues, META)))
    guide = wb["Petunjuk"]
    assert [[c.value for c in row] for row in guide.iter_rows(max_col=1, max_row=19)] == [[v] for v in [
        "UMPAN BALIK VALIDASI DATA TENAGA KERJA ASING (TKA)", None,
        "Berkas: 2025-08/disnakertrans/tka.xlsx", "Periode laporan: 2025-08", "Sumber: disnakertrans", None,
        "Jumlah baris data dibaca: 3", "Baris ditolak (ada kesalahan): 0", "Baris dimuat dengan peringatan: 2", None,
        "CARA MEMPERBAIKI",
        ("1. Buka lembar 'Data': isinya hanya baris yang bermasalah. Sel MERAH berisi kesalahan: baris itu belum "
         "dimuat sampai diperbaiki."),
        "2. Sel KUNING berisi peringatan: baris sudah dimuat, tetapi mohon diperiksa kebenarannya.",
        "3. Arahkan kursor ke sel berwarna untuk membaca catatan; kolom 'Masalah' merangkum semua catatan baris.",
        "4. Kolom 'Lembar' dan 'Baris Excel' menunjukkan letak baris pada berkas asli Anda.",
        "5. Perbaiki data pada berkas asli Anda (bukan pada berkas umpan balik ini).",
        ("6. Kirim ulang seluruh berkas ke folder yang sama (2025-08/disnakertrans) dengan nama yang sama; "
         "versi baru menggantikan versi lama pada pemrosesan berikutnya."),
        "7. Tanggal ditulis dengan format HH-BB-TTTT (contoh 05-08-2025); jangan kosongkan kolom wajib.", None]]
    assert [[c.value for c in row] for row in guide.iter_rows(min_row=20)] == [
        ["Tingkat", "Aturan", "Jumlah", "Penjelasan"],
        ["Peringatan", "nib_format", 1, RULES["nib_format"].message_id],
        ["Peringatan", "passport_format", 1, RULES["passport_format"].message_id],
        ["Peringatan", "required_field", 1, RULES["required_field"].message_id]]
    assert (guide["A1"].font.b, guide["A1"].font.sz, guide["A20"].font.b, guide.freeze_panes) == (True, 13, True, None)

    ws = wb["Data"]
    required = f"Peringatan: {RULES['required_field'].message_id} Nilai tertulis: '-'."
    nib = f"Peringatan: {RULES['nib_format'].message_id} Nilai tertulis: '=HYPERLINK(\"http://x\")'."
    passport = f"Peringatan: {RULES['passport_format'].message_id} Nilai tertulis: 'E1'."
    assert [[c.value for c in row] for row in ws.iter_rows()] == [
        ["Lembar", "Baris Excel", "Nama TKA", "No. Paspor", "NIB", "Masalah"],
        ["Agustus", 7, "-", "E12345678", "1234567890123", required],
        ["Agustus", 8, "@SUM(A1)", "E1", '=HYPERLINK("http://x")', f"{nib}\n{passport}"]]  # row 9: no issue
    assert _fills(ws) == {"C2": WARNING_RGB, "E3": WARNING_RGB, "D3": WARNING_RGB}
    assert _comments(ws) == {"C2": (required, "Kesbangpol Kukar"), "E3": (nib, "Kesbangpol Kukar"),
                             "D3": (passport, "Kesbangpol Kukar")}
    assert [c.font.b for c in ws[1]] == [True] * 6
    assert (ws["F2"].alignment.wrap_text, ws["F2"].alignment.vertical) == (True, "top")
    assert (ws.freeze_panes, ws.auto_filter.ref) == ("A2", "A1:F3")
    # widths as Excel stores them (xlsxwriter adds the cell padding): max(12, header + 2), Masalah 60
    assert {k: d.width for k, d in ws.column_dimensions.items()} == {
        "A": 12.7109375, "B": 13.7109375, "C": 12.7109375, "F": 60.7109375}
    assert (ws.column_dimensions["C"].min, ws.column_dimensions["C"].max) == (3, 5)


def test_feedback_text_is_stored_as_typed_without_control_characters(suites, config) -> None:
    typed = ["A & B <c>", "  lead", "trail ", "tab\there", "line\nbreak", "ctrl\x01char\x1f", "\x0bX",
             "http://example.com", "123", "=1+1", "Kec. Tenggarong – Ü 日本", "x" * 20000]
    rows = make_rows([{"raw": {f"H{i}": v for i, v in enumerate(typed)}}])
    issues = pd.DataFrame([{"record_key": rows["record_key"][0], "rule": "required_field", "severity": "warning",
                            "header": "H0", "column": "name", "raw_value": "bad\x02"}])
    ws = load_workbook(io.BytesIO(write_feedback_workbook(rows, issues, META)))["Data"]
    stored = [c.value for c in ws[2]][2:-1]
    assert stored == ["A & B <c>", "  lead", "trail ", "tab\there", "line\nbreak", "ctrlchar", "X",
                      "http://example.com", "123", "=1+1", "Kec. Tenggarong – Ü 日本", "x" * 20000]
    assert all(c.data_type == "s" and c.hyperlink is None for c in ws[2][2:-1])
    assert ws["C2"].comment.text == f"Peringatan: {RULES['required_field'].message_id} Nilai tertulis: 'bad'."
    assert _fills(ws) == {"C2": WARNING_RGB}


def test_data_cells_needing_escapes_keep_their_text(suites, config) -> None:
    """Text with XML specials, an ``_xHHHH_``-like run, a carriage return or a non-character stays text."""
    rows, issues = rows_and_issues(suites, config)
    rows["raw"] = [*rows["raw"][:2], {"Nama TKA": "_x0041_ & <b>", "No. Paspor": "cr\rlf", "NIB": "\ufffe"}]
    ws = load_workbook(io.BytesIO(write_feedback_workbook(rows, flag_last_row(rows, issues), META)))["Data"]
    # what openpyxl shows of xlsxwriter's _xHHHH_ escapes (Excel shows the characters as typed)
    assert [(c.value, c.data_type) for c in ws[4][2:5]] == [
        ("_x005F_x0041_ & <b>", "s"), ("cr_x000D_lf", "s"), ("_xFFFE_", "s")]


def test_feedback_without_raw_cells_shows_canonical_fields_and_dates(suites, config) -> None:
    rows = make_rows([{"name": None}, {}])
    issues = validate_rows(rows, "worker", PERIOD, suites, config)
    assert issues[["row_number", "column", "header", "rule"]].values.tolist() == [[7, "name", None, "required_field"]]
    old = {"record_key": rows["record_key"][1], "column": "birth_date", "header": None, "rule": "age_out_of_range",
           "severity": "warning", "raw_value": "1985-03-02"}  # a marked date cell keeps its date format
    issues = pd.concat([issues, pd.DataFrame([old])], ignore_index=True)
    ws = load_workbook(io.BytesIO(write_feedback_workbook(rows, issues, META)))["Data"]
    assert [c.value for c in ws[1]] == [
        "Lembar", "Baris Excel", "name", "name_raw", "passport_no", "passport_raw", "nationality",
        "nationality_raw", "sex", "birth_date", "position", "company_name", "company_nib", "kecamatan_code",
        "rptka_no", "rptka_start", "rptka_end", "permit_type", "kitas_no", "kitas_start", "kitas_end",
        "person_kind", "Masalah"]
    assert [c.value for c in ws[3]][:10] == ["Agustus", 8, "GAO XUEFENG", "MR GAO XUEFENG", "E12345678",
                                             "E 1234 5678", "CHN", "Tiongkok", "L", dt.datetime(1985, 3, 2)]
    assert (ws["J3"].is_date, ws["J3"].number_format) == (True, "yyyy-mm-dd")
    assert (ws["J2"].is_date, ws["J2"].number_format) == (True, "yyyy-mm-dd")
    assert _fills(ws) == {"C2": WARNING_RGB, "J3": WARNING_RGB}
    assert ws["J3"].comment.text == f"Peringatan: {RULES['age_out_of_range'].message_id} Nilai tertulis: '1985-03-02'."
    assert ws["C2"].value is None and ws["W3"].value == ws["J3"].comment.text


def test_month_export_dates_views_and_no_formulas(suites, config) -> None:
    _rows, issues = rows_and_issues(suites, config)
    issues["status"] = ["open", "waived", "open"]  # the NIB error was waived
    issues["decided_at"] = [None, pd.Timestamp("2025-09-01 10:30"), None]
    compliance = pd.DataFrame({"company_nib": ["=1+1"], "files": [2], "in_registry": [True],
                               "kecamatan_code": ["64.02.12"]})
    wb = load_workbook(io.BytesIO(write_month_export(issues, None, compliance)))
    masalah = wb["Masalah"]
    header = [c.value for c in masalah[1]]
    decided = masalah.cell(row=3, column=header.index("Waktu keputusan") + 1)
    assert (decided.value, decided.number_format) == (dt.datetime(2025, 9, 1, 10, 30), "yyyy-mm-dd h:mm:ss")
    assert masalah.cell(row=2, column=header.index("Waktu keputusan") + 1).value is None
    assert (masalah.freeze_panes, masalah.auto_filter.ref) == ("A2", f"A1:{get_column_letter(len(header))}4")
    kepatuhan = wb["Kepatuhan"]
    assert [[(c.value, c.data_type) for c in row] for row in kepatuhan.iter_rows()] == [
        [("NIB", "s"), ("Jumlah berkas", "s"), ("Di registri", "s"), ("Kecamatan", "s")],
        [("=1+1", "s"), (2, "n"), ("Ya", "s"), ("Tabang", "s")]]
    assert (kepatuhan.freeze_panes, kepatuhan.auto_filter.ref) == ("A2", "A1:D2")
    assert [[c.value for c in row] for row in wb["Ringkasan"].iter_rows()] == [
        ["Tingkat", "Aturan", "Status", "Jumlah"], ["Peringatan", "nib_format", "dikecualikan", 1],
        ["Peringatan", "passport_format", "terbuka", 1], ["Peringatan", "required_field", "terbuka", 1]]


def test_no_temporary_files_are_left_behind(suites, config, tmp_path, monkeypatch) -> None:
    """xlsxwriter keeps an empty sheet's temporary file, and all of them when writing fails: they are removed."""
    from tka.validate import workbook

    monkeypatch.setitem(workbook.WORKBOOK_OPTIONS, "tmpdir", str(tmp_path))
    rows, issues = rows_and_issues(suites, config)
    write_feedback_workbook(rows, issues, META)
    write_month_export(issues.iloc[0:0], [], None)  # an empty Ringkasan
    with pytest.raises(KeyError):
        write_feedback_workbook(rows.drop(columns=["record_key"]), issues, META)
    assert list(tmp_path.iterdir()) == []


def test_workbooks_stream_through_the_given_private_tmpdir(suites, config, tmp_path) -> None:
    rows, issues = rows_and_issues(suites, config)
    with pytest.raises(FileNotFoundError):  # xlsxwriter's row files go to tmpdir, nowhere else
        write_feedback_workbook(rows, issues, META, tmpdir=str(tmp_path / "missing"))
    private = tmp_path / "run-tmp"
    private.mkdir(mode=0o700)
    data = write_feedback_workbook(rows, issues, META, tmpdir=str(private))
    assert load_workbook(io.BytesIO(data)).sheetnames[0] == "Petunjuk"
    assert list(private.iterdir()) == []  # nothing with passports is left behind
    write_month_export(issues, None, None, tmpdir=str(private))
    assert list(private.iterdir()) == []


@pytest.mark.parametrize(("raw", "hint"), [
    ("31 Pebruari 1973", "Tanggal 31 tidak ada di bulan Februari 1973 (hanya sampai tanggal 28)."),
    ("29-02-2023", "Tanggal 29 tidak ada di bulan Februari 2023 (hanya sampai tanggal 28)."),
    ("05/13/1980", "Bulan 13 tidak ada; tulis hari dulu, lalu bulan (HH-BB-TTTT)."),
    ("12 Agustos 1985", "Nama bulan 'Agustos' tidak dikenali; tulis bulan dengan angka atau nama bulan Indonesia."),
    ("tidak tahu", None),
    ("12-08-1985", None),
])
def test_date_hint_says_what_is_wrong_not_the_format_the_value_has(raw, hint) -> None:
    from tka.validate.workbook import date_hint

    assert date_hint(raw) == hint


def test_feedback_workbook_prints_on_a4_fit_to_width_with_the_header_repeated(suites, config) -> None:
    rows, issues = rows_and_issues(suites, config)
    book = load_workbook(io.BytesIO(write_feedback_workbook(rows, issues, META)))
    for name, orientation in (("Petunjuk", "portrait"), ("Data", "portrait")):  # 6 columns: narrow
        ws = book[name]
        assert ws.page_setup.paperSize == 9, name  # A4
        assert (ws.page_setup.fitToWidth or 1, ws.page_setup.fitToHeight) == (1, 0), name  # 1 is the default
        assert ws.sheet_properties.pageSetUpPr.fitToPage, name
        assert (ws.page_setup.orientation or "portrait") == orientation, name
    assert book["Data"].print_title_rows == "$1:$1"
    wide = make_rows([{"raw": {f"Kolom {i}": "x" for i in range(8)}}, {"raw": {f"Kolom {i}": "x" for i in range(8)}}])
    wide_issues = validate_rows(wide, "worker", PERIOD, suites, config, headers=HEADERS)
    ws = load_workbook(io.BytesIO(write_feedback_workbook(wide, wide_issues, META)))["Data"]
    assert ws.page_setup.orientation == "landscape"


def test_office_internal_rules_are_not_sent_to_agencies() -> None:
    from types import SimpleNamespace

    from tka.validate.feedback import feedback_files

    issue = {"file_path": "2025-08/imigrasi/a.xls", "rule": "passport_format_unknown", "record_key": "k:1"}
    files = {"2025-08/imigrasi/a.xls": SimpleNamespace(source_kind="imigrasi", sha256="a" * 64)}
    results = {"2025-08/imigrasi/a.xls": SimpleNamespace(quarantine=None, rows=pd.DataFrame({"record_key": ["k:1"]}))}
    assert feedback_files(PERIOD, files, results, pd.DataFrame([issue]), pd.DataFrame()) == []
    other = {**issue, "rule": "passport_format"}
    [only] = feedback_files(PERIOD, files, results, pd.DataFrame([issue, other]), pd.DataFrame())
    assert only.issues["rule"].tolist() == ["passport_format"]
