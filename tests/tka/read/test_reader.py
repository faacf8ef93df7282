"""read_file end to end on files generated in tmp_path: layout quirks, formats, drift, config-driven templates."""

from __future__ import annotations

import datetime as dt
import json
import shutil
from collections.abc import Callable
from pathlib import Path

import pandas as pd
import pytest
import xlwt
import yaml

from tka.contract import DATE_FIELDS, PROVENANCE_COLUMNS, REGISTRY_FIELDS, WORKER_FIELDS, record_key
from tka.read import ReadResult, SheetDrift, SheetInfo, SourcesConfig, load_sources_config
from tka.read import reader as reader_module
from tka.read.rows import PLACEHOLDER_COLUMNS
from tka.read.workbook import load_openpyxl
from tka.settings import PROJECT_ROOT

from .conftest import PERIOD, write_xlsx

D = dt.date
Reader = Callable[..., ReadResult]

TITLE = ["DATA TENAGA KERJA ASING (TKA) KABUPATEN KUTAI KARTANEGARA"]
GROUP = ["NO", "NAMA TKA", "PASPOR", None, "KEWARGANEGARAAN", "JABATAN", "NAMA PERUSAHAAN", "RPTKA", None, None]
CHILD = [None, None, "Nomor", "Masa Berlaku", None, None, None, "Nomor", "Tanggal", "s.d."]
NUMBERS = ["(1)", "(2)", "(3)", "(4)", "(5)", "(6)", "(7)", "(8)", "(9)", "(10)"]
ROW_GAO = [1, "MR GAO XUEFENG", "e 1234 5678", D(2030, 1, 2), "Tiongkok", "Mekanik", "PT. Karya Sejati",
           "B.3/54643/PK.04.00/VIII/2025", "01-01-2025", 45900]
ROW_RAJ = [2, "Raj Kumar", "J8369854", "5 Agt 2031", "India", "Manajer", "KARYA SEJATI, PT",
           "B.3/1/PK.04.00/I/2025", "Selasa, 05 Agustus 2025", "31/12/2025"]
MERGES = [("Agustus", "C4:D4", "PASPOR"), ("Agustus", "H4:J4", "RPTKA"), ("Agustus", "A4:A5", "NO"),
          ("Agustus", "B4:B5", "NAMA TKA"), ("Agustus", "E4:E5", "KEWARGANEGARAAN"), ("Agustus", "F4:F5", "JABATAN"),
          ("Agustus", "G4:G5", "NAMA PERUSAHAAN")]
CORE = ["sheet", "row_number", "name", "name_raw", "passport_no", "passport_raw", "passport_expiry", "nationality",
        "nationality_raw", "position", "company_name", "company_name_raw", "rptka_no", "rptka_start", "rptka_end",
        "person_kind"]
EXPECTED_GAO = {"name": "GAO XUEFENG", "name_raw": "MR GAO XUEFENG", "passport_no": "E12345678",
                "passport_raw": "e 1234 5678", "passport_expiry": D(2030, 1, 2), "nationality": "CHN",
                "nationality_raw": "Tiongkok", "position": "Mekanik", "company_name": "PT KARYA SEJATI",
                "company_name_raw": "PT. Karya Sejati", "rptka_no": "B.3/54643/PK.04.00/VIII/2025",
                "rptka_start": D(2025, 1, 1), "rptka_end": D(2025, 8, 31), "person_kind": "worker"}
EXPECTED_RAJ = {"name": "RAJ KUMAR", "name_raw": "Raj Kumar", "passport_no": "J8369854", "passport_raw": "J8369854",
                "passport_expiry": D(2031, 8, 5), "nationality": "IND", "nationality_raw": "India",
                "position": "Manajer", "company_name": "PT KARYA SEJATI", "company_name_raw": "KARYA SEJATI, PT",
                "rptka_no": "B.3/1/PK.04.00/I/2025", "rptka_start": D(2025, 8, 5), "rptka_end": D(2025, 12, 31),
                "person_kind": "worker"}


def _records(result: ReadResult, columns: list[str] = CORE) -> list[dict[str, object]]:
    assert result.quarantine is None, result.detail
    return result.rows[columns].to_dict("records")


def _government_sheet() -> list[list[object]]:
    """Title rows, merged group header, (1)(2)(3) row, data, blank, JUMLAH, subtotal and a signature block."""
    return [
        TITLE, ["BULAN AGUSTUS 2025"], [], GROUP, CHILD, NUMBERS,
        ROW_GAO,
        [],
        ROW_RAJ,
        ["SUB TOTAL PT KARYA SEJATI", None, None, None, None, None, None, None, None, 2],
        ["JUMLAH", None, None, None, None, None, None, None, None, 2],
        [],
        [None, None, None, None, None, None, None, "Tenggarong, 5 Agustus 2025"],
        [None, None, None, None, None, None, None, "Kepala Dinas"],
        [None, None, None, None, None, None, None, "BUDI SANTOSO"],
        [None, None, None, None, None, None, None, "NIP. 19600417 198503 2 002"],
    ]


def test_government_layout_xlsx(drive: Path, read_one: Reader) -> None:
    write_xlsx(drive / PERIOD / "disnakertrans" / "rptka agustus.xlsx", {"Agustus": _government_sheet()}, MERGES)
    result = read_one("disnakertrans/rptka agustus.xlsx")
    assert _records(result) == [{"sheet": "Agustus", "row_number": 7, **EXPECTED_GAO},
                                {"sheet": "Agustus", "row_number": 9, **EXPECTED_RAJ}]
    assert result.sheets == [SheetInfo("Agustus", "read", None, 2)]
    assert result.format == "xlsx"
    assert result.columns["Agustus"] == {
        "name": "NAMA TKA", "passport_no": "PASPOR Nomor", "passport_expiry": "PASPOR Masa Berlaku",
        "nationality": "KEWARGANEGARAAN", "position": "JABATAN", "company_name": "NAMA PERUSAHAAN",
        "rptka_no": "RPTKA Nomor", "rptka_start": "RPTKA Tanggal", "rptka_end": "RPTKA s.d."}
    assert result.drift.sheets == {"Agustus": SheetDrift((), ())}
    assert not result.drift.has_drift


def test_provenance_and_raw(drive: Path, read_one: Reader) -> None:
    write_xlsx(drive / PERIOD / "disnakertrans" / "r.xlsx", {"Agustus": _government_sheet()}, MERGES)
    result = read_one("disnakertrans/r.xlsx")
    row = result.rows.iloc[0]
    sha = row["file_sha256"]
    assert len(sha) == 64
    assert {c: row[c] for c in PROVENANCE_COLUMNS if c not in ("raw", "file_sha256")} == {
        "run_id": "run-1", "source_kind": "disnakertrans", "source_id": "disnakertrans",
        "file_path": f"{PERIOD}/disnakertrans/r.xlsx", "sheet": "Agustus", "row_number": 7,
        "record_key": record_key(sha, "Agustus", 7)}
    assert json.loads(row["raw"]) == {
        "NO": "1", "NAMA TKA": "MR GAO XUEFENG", "PASPOR Nomor": "e 1234 5678", "PASPOR Masa Berlaku": "2030-01-02",
        "KEWARGANEGARAAN": "Tiongkok", "JABATAN": "Mekanik", "NAMA PERUSAHAAN": "PT. Karya Sejati",
        "RPTKA Nomor": "B.3/54643/PK.04.00/VIII/2025", "RPTKA Tanggal": "01-01-2025", "RPTKA s.d.": "45900"}


def test_frame_columns_and_none_for_absent_fields(drive: Path, read_one: Reader) -> None:
    write_xlsx(drive / PERIOD / "disnakertrans" / "r.xlsx", {"Agustus": _government_sheet()}, MERGES)
    frame = read_one("disnakertrans/r.xlsx").rows
    unparsed = [f"{f}_unparsed" for f in DATE_FIELDS]
    assert list(frame.columns) == [*PROVENANCE_COLUMNS, *WORKER_FIELDS, *unparsed, "nationality_unknown",
                                   "kecamatan_unknown", "nationality_guess", *PLACEHOLDER_COLUMNS]
    assert frame["row_number"].dtype == "int64"
    assert frame["kitas_no"].tolist() == [None, None]
    assert frame["birth_date_unparsed"].tolist() == [None, None]
    assert all(frame[c].dtype == object for c in frame.columns if c != "row_number")


def test_xls_with_merged_group_header(drive: Path, read_one: Reader) -> None:
    path = drive / PERIOD / "disnakertrans" / "lama.xls"
    path.parent.mkdir(parents=True)
    book = xlwt.Workbook()
    ws = book.add_sheet("Agustus")
    date_style = xlwt.easyxf(num_format_str="DD/MM/YYYY")
    ws.write(0, 0, TITLE[0])
    ws.write_merge(2, 3, 0, 0, "NO")
    ws.write_merge(2, 3, 1, 1, "NAMA TKA")
    ws.write_merge(2, 2, 2, 3, "PASPOR")
    ws.write(3, 2, "Nomor")
    ws.write(3, 3, "Masa Berlaku")
    for col, text in enumerate(["KEWARGANEGARAAN", "JABATAN", "NAMA PERUSAHAAN"], start=4):
        ws.write_merge(2, 3, col, col, text)
    ws.write_merge(2, 2, 7, 9, "RPTKA")
    for col, text in enumerate(["Nomor", "Tanggal", "s.d."], start=7):
        ws.write(3, col, text)
    for col, value in enumerate(ROW_GAO):
        if isinstance(value, dt.date):
            ws.write(4, col, dt.datetime.combine(value, dt.time()), date_style)
        else:
            ws.write(4, col, value)
    book.save(str(path))
    result = read_one("disnakertrans/lama.xls")
    assert result.format == "xls"
    assert _records(result) == [{"sheet": "Agustus", "row_number": 5, **EXPECTED_GAO}]


def test_ods_group_header_without_merge_info(drive: Path, read_one: Reader) -> None:
    path = drive / PERIOD / "disnakertrans" / "libre.ods"
    path.parent.mkdir(parents=True)
    rows = [TITLE + [None] * 9, GROUP, CHILD, NUMBERS, ROW_GAO, ["JUMLAH"] + [None] * 8 + [1]]
    pd.DataFrame(rows).to_excel(path, engine="odf", header=False, index=False, sheet_name="Agustus")
    result = read_one("disnakertrans/libre.ods")
    assert result.format == "ods"
    assert _records(result) == [{"sheet": "Agustus", "row_number": 5, **EXPECTED_GAO}]


@pytest.mark.parametrize(("encoding", "delimiter"), [("utf-8-sig", ";"), ("cp1252", ","), ("utf-16", ";"),
                                                     ("utf-8", "\t")])
def test_csv_encodings_and_delimiters(drive: Path, read_one: Reader, encoding: str, delimiter: str) -> None:
    lines = [["Laporan TKA Agustus 2025"], ["No", "Nama", "No. Paspor", "Kebangsaan", "Jabatan", "Perusahaan", "Ket"],
             ["1", "José Müller", "C01X00T47", "Jerman", "Geologist", "PT. Bumi", "Café"],
             ["2", "GAO XUEFENG", "E12345678", "RRT", "Mekanik", "PT Bumi", "-"]]
    path = drive / PERIOD / "perusahaan" / "1234567890123 PT Bumi.csv"
    path.parent.mkdir(parents=True)
    path.write_bytes("\r\n".join(delimiter.join(cells) for cells in lines).encode(encoding))
    result = read_one("perusahaan/1234567890123 PT Bumi.csv")
    assert result.format == "csv"
    assert _records(result, ["sheet", "row_number", "name", "passport_no", "nationality", "company_name",
                             "company_nib", "note", "source_id"]) == [
        {"sheet": "1234567890123 PT Bumi", "row_number": 3, "name": "JOSÉ MÜLLER", "passport_no": "C01X00T47",
         "nationality": "DEU", "company_name": "PT BUMI", "company_nib": "1234567890123", "note": "Café",
         "source_id": "company:1234567890123"},
        {"sheet": "1234567890123 PT Bumi", "row_number": 4, "name": "GAO XUEFENG", "passport_no": "E12345678",
         "nationality": "CHN", "company_name": "PT BUMI", "company_nib": "1234567890123", "note": None,
         "source_id": "company:1234567890123"}]


def test_csv_row_numbers_are_line_numbers_with_multiline_cells(drive: Path, read_one: Reader) -> None:
    path = drive / PERIOD / "imigrasi" / "kitas.csv"
    path.parent.mkdir(parents=True)
    path.write_text('Nama,Paspor,WN,No KITAS,Keterangan\n"GAO\nXUEFENG",E12345678,RRT,2D4564511LA8-B,x\n'
                    "LI NA,E87654321,RRT,2D4564511LA9-C,y\n", encoding="utf-8")
    result = read_one("imigrasi/kitas.csv")
    assert _records(result, ["row_number", "name", "kitas_no"]) == [
        {"row_number": 2, "name": "GAO XUEFENG", "kitas_no": "2D4564511LA8-B"},
        {"row_number": 4, "name": "LI NA", "kitas_no": "2D4564511LA9-C"}]


def test_date1904_workbook_serials_and_date_cells(drive: Path, read_one: Reader) -> None:
    rows = [["Nama", "No. Paspor", "Kewarganegaraan", "No. KITAS", "Tgl Awal KITAS", "Tgl Akhir KITAS"],
            ["GAO XUEFENG", "E12345678", "RRT", "2D4564511LA8-B", 44412, D(2026, 8, 4)]]
    write_xlsx(drive / PERIOD / "imigrasi" / "mac.xlsx", {"Data": rows}, date1904=True)
    result = read_one("imigrasi/mac.xlsx")
    assert _records(result, ["kitas_start", "kitas_end", "kitas_start_unparsed"]) == [
        {"kitas_start": D(2025, 8, 5), "kitas_end": D(2026, 8, 4), "kitas_start_unparsed": None}]


def test_imigrasi_dependants_birth_place_date_and_unparsed(drive: Path, read_one: Reader) -> None:
    rows = [["No", "Nama", "Paspor", "WN", "L/P", "Tempat/Tgl Lahir", "No. KITAS", "Hubungan", "Masa Berlaku RPTKA"],
            [1, "GAO XUEFENG", "E12345678", "RRT", "Laki-laki", "Beijing, 12-03-1985", "2D4564511LA8-B", "TKA",
             "01-01-2025 s/d 31-12-2025"],
            [2, "WANG LI", "E12345679", "RRT", "P", "Beijing, 30-02-1987", "2D4564511LA8-C", "Istri", "-"],
            [3, "GAO MING", "E12345680", "Wakanda", "L", "Beijing", "2D4564511LA8-D", "Anak",
             "01-01-2025 sampai dengan kapan"]]
    write_xlsx(drive / PERIOD / "imigrasi" / "kitas.xlsx", {"ITAS": rows})
    result = read_one("imigrasi/kitas.xlsx")
    assert _records(result, ["row_number", "sex", "birth_place", "birth_date", "birth_date_unparsed", "person_kind",
                             "nationality", "nationality_unknown", "rptka_start", "rptka_end", "rptka_start_unparsed",
                             "rptka_end_unparsed"]) == [
        {"row_number": 2, "sex": "L", "birth_place": "Beijing", "birth_date": D(1985, 3, 12),
         "birth_date_unparsed": None, "person_kind": "worker", "nationality": "CHN", "nationality_unknown": None,
         "rptka_start": D(2025, 1, 1), "rptka_end": D(2025, 12, 31), "rptka_start_unparsed": None,
         "rptka_end_unparsed": None},
        {"row_number": 3, "sex": "P", "birth_place": "Beijing", "birth_date": None,
         "birth_date_unparsed": "30-02-1987", "person_kind": "dependant", "nationality": "CHN",
         "nationality_unknown": None, "rptka_start": None, "rptka_end": None, "rptka_start_unparsed": None,
         "rptka_end_unparsed": None},
        {"row_number": 4, "sex": "L", "birth_place": "Beijing", "birth_date": None, "birth_date_unparsed": None,
         "person_kind": "dependant", "nationality": None, "nationality_unknown": "Wakanda",
         "rptka_start": D(2025, 1, 1), "rptka_end": None, "rptka_start_unparsed": None,
         "rptka_end_unparsed": "01-01-2025 sampai dengan kapan"}]
    assert result.columns["ITAS"]["birth_date"] == "Tempat/Tgl Lahir"
    assert result.columns["ITAS"]["rptka_end"] == "Masa Berlaku RPTKA"


def test_kecamatan_file_defaults_and_split(drive: Path, read_one: Reader) -> None:
    rows = [["LAPORAN ORANG ASING KECAMATAN KOTA BANGUN"], ["Nama", "Kewarganegaraan", "Kecamatan", "Desa/Kelurahan"],
            ["GAO", "RRT", None, None], ["LI", "Tiongkok", "Kota Bangun", "Desa Sedulang"],
            ["KIM", "Korsel", "Kota Bangun", "Kota Bangun Ilir"], ["TANAKA", "Jepang", "Balikpapan", None]]
    write_xlsx(drive / PERIOD / "kecamatan" / "Laporan TKA Kec. Kota Bangun Agustus 2025.xlsx", {"Data": rows})
    result = read_one("kecamatan/Laporan TKA Kec. Kota Bangun Agustus 2025.xlsx")
    assert _records(result, ["name", "kecamatan_code", "kecamatan_raw", "kecamatan_unknown", "source_id"]) == [
        {"name": "GAO", "kecamatan_code": "64.02.08", "kecamatan_raw": "Kota Bangun", "kecamatan_unknown": None,
         "source_id": "kecamatan:64.02.08"},
        {"name": "LI", "kecamatan_code": "64.02.19", "kecamatan_raw": "Kota Bangun", "kecamatan_unknown": None,
         "source_id": "kecamatan:64.02.08"},
        {"name": "KIM", "kecamatan_code": "64.02.08", "kecamatan_raw": "Kota Bangun", "kecamatan_unknown": None,
         "source_id": "kecamatan:64.02.08"},
        {"name": "TANAKA", "kecamatan_code": None, "kecamatan_raw": "Balikpapan", "kecamatan_unknown": "Balikpapan",
         "source_id": "kecamatan:64.02.08"}]


def test_registry_frame(drive: Path, read_one: Reader) -> None:
    rows = [["DAFTAR PERUSAHAAN"], ["NIB", "Nama Perusahaan", "KBLI", "Kecamatan", "Wajib Lapor", "Alamat"],
            [1234567890123, "Karya Sejati, PT", 5100, "Kec. Tabang", "Ya", "Jl. Poros"],
            ["0234567890123", "CV. Maju", "09900", "Samboja", "Tidak", None]]
    write_xlsx(drive / PERIOD / "registri" / "registri.xlsx", {"Perusahaan": rows})
    result = read_one("registri/registri.xlsx")
    assert list(result.rows.columns) == [*PROVENANCE_COLUMNS, *REGISTRY_FIELDS, "kecamatan_unknown",
                                         "company_nib_placeholder"]
    assert _records(result, ["row_number", *REGISTRY_FIELDS]) == [
        {"row_number": 3, "company_nib": "1234567890123", "company_name": "PT KARYA SEJATI",
         "company_name_raw": "Karya Sejati, PT", "kbli": "05100", "kecamatan_code": "64.02.12",
         "kecamatan_raw": "Kec. Tabang", "must_report": True, "address": "Jl. Poros"},
        {"row_number": 4, "company_nib": "0234567890123", "company_name": "CV MAJU", "company_name_raw": "CV. Maju",
         "kbli": "09900", "kecamatan_code": "64.02.13", "kecamatan_raw": "Samboja", "must_report": False,
         "address": None}]


def test_every_data_sheet_read_summary_sheets_skipped(drive: Path, read_one: Reader) -> None:
    header = ["Nama", "No Passport", "Nationality", "Jabatan", "Perusahaan"]
    sheets = {
        "Rekap": [["Kecamatan", "Jumlah"], ["Tabang", 2]],
        "Site A": [header, ["GAO", "E12345678", "China", "Mekanik", "PT A"]],
        "Catatan": [["Data diambil dari laporan perusahaan"]],
        "Site B": [header, ["RAJ", "J8369854", "India", "Manajer", "PT B"], ["LI", "E12345679", "PRC", "Juru", "PT B"]],
        "Kosong": [],
    }
    write_xlsx(drive / PERIOD / "disnakertrans" / "multi.xlsx", sheets)
    result = read_one("disnakertrans/multi.xlsx")
    assert _records(result, ["sheet", "row_number", "name", "nationality"]) == [
        {"sheet": "Site A", "row_number": 2, "name": "GAO", "nationality": "CHN"},
        {"sheet": "Site B", "row_number": 2, "name": "RAJ", "nationality": "IND"},
        {"sheet": "Site B", "row_number": 3, "name": "LI", "nationality": "CHN"}]
    assert result.sheets == [
        SheetInfo("Rekap", "skipped", "matches skip_sheets (?i)^(rekap|rekapitulasi|ringkasan|summary|grafik|chart|"
                                      "petunjuk|keterangan) / lembar ringkasan"),
        SheetInfo("Site A", "read", None, 1),
        SheetInfo("Catatan", "skipped", "no header recognised / judul kolom tidak dikenali"),
        SheetInfo("Site B", "read", None, 2),
        SheetInfo("Kosong", "skipped", "empty sheet / lembar kosong")]


def test_hidden_sheet_is_skipped(drive: Path, read_one: Reader) -> None:
    import openpyxl

    book = openpyxl.Workbook()
    ws = book.active
    ws.title = "Data"
    ws.append(["Nama", "Paspor", "WN", "Jabatan", "Perusahaan"])
    ws.append(["GAO", "E12345678", "RRT", "Mekanik", "PT A"])
    hidden = book.create_sheet("Lists")
    hidden.append(["Nama", "Kewarganegaraan"])
    hidden.append(["x", "RRT"])
    hidden.sheet_state = "hidden"
    path = drive / PERIOD / "disnakertrans" / "hidden.xlsx"
    path.parent.mkdir(parents=True)
    book.save(path)
    result = read_one("disnakertrans/hidden.xlsx")
    assert result.rows["sheet"].tolist() == ["Data"]
    assert result.sheets[1] == SheetInfo("Lists", "skipped", "hidden sheet / lembar tersembunyi")


def test_exact_duplicate_rows_are_kept(drive: Path, read_one: Reader) -> None:
    row = ["GAO", "E12345678", "RRT", "Mekanik", "PT A"]
    write_xlsx(drive / PERIOD / "disnakertrans" / "dup.xlsx",
               {"Data": [["Nama", "Paspor", "WN", "Jabatan", "Perusahaan"], row, row]})
    assert read_one("disnakertrans/dup.xlsx").rows["row_number"].tolist() == [2, 3]


def test_header_drift_reports_missing_and_unexpected(drive: Path, read_one: Reader) -> None:
    sheets = {
        "Lengkap": [["Nama", "No. Paspor", "Kewarganegaraan", "Jabatan", "Nama Perusahaan", "NPWP TKA"],
                    ["GAO", "E12345678", "RRT", "Mekanik", "PT A", "0012345678721000"]],
        "Kurang": [["Nama", "Kewarganegaraan", "Jabatan", "Sponsor", "Nomor HP", "Nama Lengkap"],
                   ["RAJ", "India", "Manajer", "PT B", "0812", "RAJ KUMAR"]],
    }
    write_xlsx(drive / PERIOD / "disnakertrans" / "drift.xlsx", sheets)
    result = read_one("disnakertrans/drift.xlsx")
    assert result.quarantine is None
    assert result.drift.sheets == {"Lengkap": SheetDrift((), ("NPWP TKA",)),
                                   "Kurang": SheetDrift(("passport_no",), ("Nomor HP", "Nama Lengkap"))}
    assert result.drift.has_drift
    assert result.rows["passport_no"].tolist() == ["E12345678", None]


def test_new_agency_template_readable_after_config_edit(drive: Path, tmp_path: Path, read_one: Reader,
                                                         config: SourcesConfig) -> None:
    """A new template (unknown headers, new folder) needs only a sources.yaml edit, no code."""
    rows = [["REKAP ORANG ASING - KANTOR IMIGRASI BALIKPAPAN"],
            ["Nom complet", "Piece d'identite", "Pays d'origine", "Titre de sejour"],
            ["GAO XUEFENG", "E12345678", "RRT", "2D4564511LA8-B"]]
    write_xlsx(drive / PERIOD / "imigrasi-bpn" / "izin tinggal.xlsx", {"Data": rows})
    assert read_one("imigrasi-bpn/izin tinggal.xlsx").quarantine == "unknown_source"

    data = yaml.safe_load((PROJECT_ROOT / "config" / "sources.yaml").read_text(encoding="utf-8"))
    data["sources"]["imigrasi_bpn"] = {"kind": "imigrasi", "folder": "imigrasi-bpn", "source_id": "imigrasi:bpn",
                                       "required": ["name", "passport_no", "nationality", "kitas_no"]}
    config_dir = tmp_path / "config"
    config_dir.mkdir()
    shutil.copy(PROJECT_ROOT / "config" / "reference.yaml", config_dir / "reference.yaml")
    (config_dir / "sources.yaml").write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    folder_only = load_sources_config(config_dir / "sources.yaml")
    assert read_one("imigrasi-bpn/izin tinggal.xlsx", folder_only).quarantine == "no_header"

    for field, synonym in [("name", "Nom complet"), ("passport_no", "Piece d'identite"),
                           ("nationality", "Pays d'origine"), ("kitas_no", "Titre de sejour")]:
        data["synonyms"][field].append(synonym)
    (config_dir / "sources.yaml").write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    edited = load_sources_config(config_dir / "sources.yaml")
    result = read_one("imigrasi-bpn/izin tinggal.xlsx", edited)
    assert _records(result, ["source_kind", "source_id", "row_number", "name", "passport_no", "nationality",
                             "kitas_no"]) == [
        {"source_kind": "imigrasi", "source_id": "imigrasi:bpn", "row_number": 3, "name": "GAO XUEFENG",
         "passport_no": "E12345678", "nationality": "CHN", "kitas_no": "2D4564511LA8-B"}]


def test_calamine_failure_falls_back_to_openpyxl(drive: Path, read_one: Reader,
                                                 monkeypatch: pytest.MonkeyPatch) -> None:
    write_xlsx(drive / PERIOD / "disnakertrans" / "r.xlsx", {"Agustus": _government_sheet()}, MERGES)
    expected = _records(read_one("disnakertrans/r.xlsx"))

    def broken(*args: object) -> None:
        raise ValueError("calamine cannot parse this file")

    monkeypatch.setattr("tka.read.workbook._load_calamine", broken)
    assert _records(read_one("disnakertrans/r.xlsx")) == expected


@pytest.mark.parametrize("fmt", ["xls", "ods"])
def test_calamine_failure_falls_back_for_xls_and_ods(drive: Path, read_one: Reader, fmt: str,
                                                     monkeypatch: pytest.MonkeyPatch) -> None:
    rows = [["Nama", "Paspor", "WN", "Jabatan", "Perusahaan", "Tgl Lahir"],
            ["GAO", "E12345678", "RRT", "Mekanik", "PT A", "12-03-1985"]]
    path = drive / PERIOD / "disnakertrans" / f"r.{fmt}"
    path.parent.mkdir(parents=True)
    if fmt == "xls":
        book = xlwt.Workbook()
        ws = book.add_sheet("Data")
        for r, row in enumerate(rows):
            for c, value in enumerate(row):
                ws.write(r, c, value)
        book.save(str(path))
    else:
        pd.DataFrame(rows).to_excel(path, engine="odf", header=False, index=False, sheet_name="Data")
    monkeypatch.setattr("tka.read.workbook._load_calamine", lambda *a: 1 / 0)
    assert _records(read_one(f"disnakertrans/r.{fmt}"), ["row_number", "name", "birth_date"]) == [
        {"row_number": 2, "name": "GAO", "birth_date": D(1985, 3, 12)}]


def test_openpyxl_fallback_keeps_row_numbers(tmp_path: Path) -> None:
    path = write_xlsx(tmp_path / "a.xlsx", {"S": [[], ["x", 1.5]]})
    book = load_openpyxl(path.read_bytes(), "a.xlsx", reader_module.ReadLimits(), lambda name: None)
    assert book.sheets[0].rows == [["", ""], ["x", 1.5]]
    assert book.engine == "openpyxl"


def test_raw_json_escapes_quotes_braces_unicode_and_keeps_unmapped_columns(drive: Path, read_one: Reader) -> None:
    rows = [["Nama", "Paspor", "WN", "Jabatan", "Perusahaan", 'Catatan {"internal"}', "Nama Mandarin"],
            ["GAO", "E12345678", "RRT", 'Kepala "Tambang"', "PT A", "a\\b {x}", "高雪峰"],
            ["LI", "E12345679", "RRT", "Juru", "PT A"]]  # a short row: the missing cells are null
    write_xlsx(drive / PERIOD / "disnakertrans" / "raw.xlsx", {"Data": rows})
    result = read_one("disnakertrans/raw.xlsx")
    assert [json.loads(r) for r in result.rows["raw"]] == [
        {"Nama": "GAO", "Paspor": "E12345678", "WN": "RRT", "Jabatan": 'Kepala "Tambang"', "Perusahaan": "PT A",
         'Catatan {"internal"}': "a\\b {x}", "Nama Mandarin": "高雪峰"},
        {"Nama": "LI", "Paspor": "E12345679", "WN": "RRT", "Jabatan": "Juru", "Perusahaan": "PT A",
         'Catatan {"internal"}': None, "Nama Mandarin": None}]
    assert result.rows["name_native"].tolist() == ["高雪峰", None]
    # "Catatan {internal}" is no synonym, but its words say it is the note: read, and reported as a guess
    assert result.drift.sheets["Data"] == SheetDrift((), (), (('Catatan {"internal"}', "note", 0.85),))
    assert result.rows["note"].tolist() == ["a\\b {x}", None]


def test_dash_and_blank_cells_are_none_and_dash_rows_dropped(drive: Path, read_one: Reader) -> None:
    rows = [["No", "Nama", "Paspor", "WN", "Jabatan", "Perusahaan", "Jenis Kelamin"],
            [1, "GAO", "E12345678", "RRT", "-", "PT A", " - "],
            [2, "-", "-", "-", "-", "-", "-"],
            [3, "LI", "E12345679", "n/a", "Juru", "PT A", "L"]]
    write_xlsx(drive / PERIOD / "disnakertrans" / "dash.xlsx", {"Data": rows})
    result = read_one("disnakertrans/dash.xlsx")
    assert _records(result, ["row_number", "position", "sex", "nationality", "nationality_raw",
                             "nationality_unknown"]) == [
        {"row_number": 2, "position": None, "sex": None, "nationality": "CHN", "nationality_raw": "RRT",
         "nationality_unknown": None},
        {"row_number": 4, "position": "Juru", "sex": "L", "nationality": None, "nationality_raw": None,
         "nationality_unknown": None}]


def test_section_label_rows_and_subtotals_are_not_people(drive: Path, read_one: Reader) -> None:
    rows: list[list[object]] = [
        ["No", "Nama", "Paspor", "WN", "Jabatan", "Perusahaan"],
        ["KARYA SEJATI"],  # merged across the table below
        [1, "GAO", "E12345678", "RRT", "Mekanik", "PT Karya Sejati"],
        ["Jumlah", None, None, None, None, 1],
        ["PT MAHAKAM COAL"],  # not merged, but a legal form on its own
        [2, "RAJ", "J8369854", "India", "Manajer", "PT Mahakam Coal"],
        ["Jumlah", None, None, None, None, 1],
    ]
    write_xlsx(drive / PERIOD / "disnakertrans" / "seksi.xlsx", {"TKA Aktif": rows},
               merges=[("TKA Aktif", "A2:F2", "KARYA SEJATI")])
    result = read_one("disnakertrans/seksi.xlsx")
    assert _records(result, ["row_number", "name", "company_name"]) == [
        {"row_number": 3, "name": "GAO", "company_name": "PT KARYA SEJATI"},
        {"row_number": 6, "name": "RAJ", "company_name": "PT MAHAKAM COAL"}]
