"""The shared vocabulary of the pipeline: source kinds, canonical columns, rule ids, quarantine reasons.

Every stage (reader, validator, matcher, warehouse, compliance, sample generator) speaks in these names, so a
change here is a change of contract. Values that are domain *data* (synonyms, patterns, kecamatan codes) live
in ``config/*.yaml``; this module only names things.

Drive layout (configurable in ``config/sources.yaml``; this is the default)::

    <drive>/<YYYY-MM>/disnakertrans/<file>   manpower office: RPTKA / Notifikasi rows
    <drive>/<YYYY-MM>/imigrasi/<file>        immigration office: KITAS rows, dependants included
    <drive>/<YYYY-MM>/kecamatan/<file>       one or more files per kecamatan office (field reports)
    <drive>/<YYYY-MM>/perusahaan/<file>      company self-reports; the file name starts with the 13-digit NIB
    <drive>/<YYYY-MM>/registri/<file>        the company registry (NIB, name, KBLI, kecamatan, must report)
    <drive>/_review/<YYYY-MM>/...            written by the pipeline: steward's review material
    <drive>/_quarantine/<YYYY-MM>/...        written by the pipeline: copies of quarantined files + reason
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum


class SourceKind(StrEnum):
    DISNAKERTRANS = "disnakertrans"
    IMIGRASI = "imigrasi"
    KECAMATAN = "kecamatan"
    COMPANY = "company"
    REGISTRY = "registry"


WORKER_SOURCES: tuple[SourceKind, ...] = (
    SourceKind.DISNAKERTRANS,
    SourceKind.IMIGRASI,
    SourceKind.KECAMATAN,
    SourceKind.COMPANY,
)

# --- Provenance: on every read row, accepted or rejected -------------------------------------------------
RUN_ID = "run_id"
SOURCE_KIND = "source_kind"
SOURCE_ID = "source_id"  # e.g. "disnakertrans", "imigrasi", "kecamatan:64.02.12", "company:1234567890123"
FILE_PATH = "file_path"  # path relative to the drive root, forward slashes
FILE_SHA256 = "file_sha256"
SHEET = "sheet"
ROW_NUMBER = "row_number"  # 1-based, as Excel shows it (CSV: line number, header line = 1)
RAW = "raw"  # JSON object {original header text: original cell text} of the row
RECORD_KEY = "record_key"  # f"{file_sha256[:16]}:{sheet}:{row_number}" — stable for the same file content

PROVENANCE_COLUMNS: tuple[str, ...] = (
    RUN_ID, SOURCE_KIND, SOURCE_ID, FILE_PATH, FILE_SHA256, SHEET, ROW_NUMBER, RAW, RECORD_KEY,
)

# --- Canonical worker-row fields (after normalisation); None where the source does not have it -----------
# Dates are ``datetime.date`` (object dtype) or None. Strings are ``str`` or None (never "" or "-").
WORKER_FIELDS: dict[str, str] = {
    "name": "str",               # normalised: upper-case, single spaces, honorifics (MR, MRS, MS) removed
    "name_raw": "str",           # as typed
    "name_native": "str",        # Chinese-script name where a "Nama Mandarin" column exists
    "passport_no": "str",        # normalised: upper-case, no spaces/dashes/dots, lost leading zero restored
    "passport_raw": "str",
    "passport_expiry": "date",
    "nationality": "str",        # ISO 3166 alpha-3, None if unknown
    "nationality_raw": "str",
    "sex": "str",                # "L" or "P"
    "birth_place": "str",
    "birth_date": "date",
    "position": "str",           # jabatan, as typed (trimmed)
    "company_name": "str",       # normalised: "PT NAME" form, upper-case
    "company_name_raw": "str",
    "company_nib": "str",        # 13 digits as text when present
    "kecamatan_code": "str",     # "64.02.xx" or None
    "kecamatan_raw": "str",
    "address": "str",
    "rptka_no": "str",
    "rptka_start": "date",
    "rptka_end": "date",
    "notifikasi_no": "str",
    "notifikasi_start": "date",
    "notifikasi_end": "date",
    "permit_type": "str",        # "baru" | "perpanjangan" | "jangka_pendek"
    "kitas_no": "str",
    "kitas_start": "date",
    "kitas_end": "date",
    "person_kind": "str",        # "worker" | "dependant" (imigrasi lists dependants: istri/suami/anak)
    "note": "str",
}
# For every date field F, the reader adds F + "_unparsed": the raw text when a non-empty value did not parse,
# else None. Likewise "nationality_unknown" (raw text when no ISO code was found) and "kecamatan_unknown".
DATE_FIELDS: tuple[str, ...] = tuple(k for k, v in WORKER_FIELDS.items() if v == "date")

REGISTRY_FIELDS: dict[str, str] = {
    "company_nib": "str",
    "company_name": "str",
    "company_name_raw": "str",
    "kbli": "str",               # 5 digits
    "kecamatan_code": "str",
    "kecamatan_raw": "str",
    "must_report": "bool",       # registry flag "Wajib Lapor" (Ya/Tidak)
    "address": "str",
}


# --- Validation rules: ids shared by the GX suites (``meta.rule``), the generator's truth and review -------
class Severity(StrEnum):
    ERROR = "error"      # the row is rejected (kept with its raw values, not loaded into worker_month)
    WARNING = "warning"  # the row is loaded with a flag


@dataclass(frozen=True)
class Rule:
    id: str
    severity: Severity
    message_id: str  # plain Indonesian, shown to agencies in feedback workbooks


RULES: dict[str, Rule] = {r.id: r for r in (
    Rule("required_field", Severity.ERROR, "Kolom wajib kosong."),
    Rule("passport_format", Severity.WARNING, "Format nomor paspor tidak sesuai dengan negara penerbit."),
    Rule("passport_format_unknown", Severity.WARNING, "Format paspor untuk negara ini belum dikenal; mohon diperiksa."),
    Rule("nationality_unknown", Severity.ERROR, "Kewarganegaraan tidak dikenali."),
    Rule("kecamatan_unknown", Severity.ERROR, "Kecamatan tidak termasuk 20 kecamatan di Kutai Kartanegara."),
    Rule("date_unparsed", Severity.ERROR, "Tanggal tidak dapat dibaca; gunakan format HH-BB-TTTT."),
    Rule("age_out_of_range", Severity.ERROR, "Umur pada bulan laporan di luar 17–80 tahun; periksa tanggal lahir."),
    Rule("permit_end_before_start", Severity.ERROR, "Tanggal berakhir izin lebih awal dari tanggal mulai."),
    Rule("rptka_too_long", Severity.ERROR, "Masa berlaku RPTKA lebih dari 2 tahun (jangka pendek: 6 bulan)."),
    Rule("permit_expired", Severity.WARNING, "Izin sudah berakhir sebelum bulan laporan, tetapi TKA masih dilaporkan."),
    Rule("nib_format", Severity.ERROR, "NIB harus 13 digit angka."),
    Rule("duplicate_row", Severity.ERROR, "Baris ini sama persis dengan baris lain di berkas yang sama."),
    Rule("kbli_unknown", Severity.WARNING, "Kode KBLI tidak dikenal."),
)}

# Rules about what the office's own reference data lacks, not about the agency's data: kept in the warehouse and
# the month export for the steward, never sent to agencies in feedback workbooks nor counted as their problem.
OFFICE_INTERNAL_RULES: frozenset[str] = frozenset({"passport_format_unknown"})


# --- Why a whole file is quarantined (nothing from it is loaded) ---------------------------------------------
QUARANTINE_REASONS: dict[str, str] = {
    "corrupt": "Berkas rusak dan tidak dapat dibuka.",
    "encrypted": "Berkas dilindungi kata sandi; kirim ulang tanpa kata sandi.",
    "empty": "Berkas kosong (0 byte atau tanpa lembar kerja berisi).",
    "not_spreadsheet": "Berkas bukan lembar kerja (xlsx/xls/ods/csv).",
    "no_header": "Judul kolom tidak dikenali (templat tidak dikenal).",
    "missing_required_columns": "Kolom wajib tidak ada.",
    "no_data_rows": "Tidak ada baris data.",
    "too_large": "Ukuran lembar kerja melebihi batas (terlalu banyak baris atau kolom).",
    "zip_bomb": "Isi berkas terkompresi melebihi batas aman.",
    "unknown_source": "Berkas berada di folder yang tidak dikenal.",
    "read_error": "Terjadi kesalahan saat membaca berkas.",
}


def record_key(file_sha256: str, sheet: str, row_number: int) -> str:
    """Stable key of one source row: the same file content gives the same key in every run."""
    return f"{file_sha256[:16]}:{sheet}:{row_number}"
