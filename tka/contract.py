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

import hashlib
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
    empties: bool = False  # an open issue of this rule empties its field on the row (the row still loads)


# Only a row that is not a worker record at all is rejected (``not_a_person``). Every other problem is a
# warning: the bad field is emptied (by the reader, or by ``empties``) and flagged, and the person still counts.
RULES: dict[str, Rule] = {r.id: r for r in (
    Rule("not_a_person", Severity.ERROR,
         "Baris ini tidak memuat nama maupun nomor identitas (paspor, KITAS, Notifikasi, RPTKA), sehingga bukan "
         "data seorang TKA."),
    Rule("required_field", Severity.WARNING, "Kolom wajib kosong."),
    Rule("placeholder_value", Severity.WARNING,
         "Isian ini bukan nilai sebenarnya (mis. \"belum ada\", \"-\", \"dalam proses\"); kolom dianggap kosong. "
         "Mohon isi nilai sebenarnya bila sudah ada."),
    Rule("identifier_shared", Severity.WARNING,
         "Nomor ini tercantum pada beberapa orang yang berbeda, jadi tidak dapat menjadi nomor identitas; kolom "
         "dianggap kosong. Mohon periksa.", empties=True),
    Rule("passport_format", Severity.WARNING, "Format nomor paspor tidak sesuai dengan negara penerbit."),
    Rule("passport_format_unknown", Severity.WARNING, "Format paspor untuk negara ini belum dikenal; mohon diperiksa."),
    Rule("nationality_unknown", Severity.WARNING, "Kewarganegaraan tidak dikenali; kolom dianggap kosong."),
    Rule("nationality_guessed", Severity.WARNING,
         "Ejaan kewarganegaraan tidak baku; dibaca sebagai negara yang paling mirip. Mohon periksa."),
    Rule("kecamatan_unknown", Severity.WARNING,
         "Kecamatan tidak termasuk 20 kecamatan di Kutai Kartanegara; kolom dianggap kosong."),
    Rule("date_unparsed", Severity.WARNING,
         "Tanggal tidak dapat dibaca atau tidak ada di kalender; kolom dianggap kosong. Gunakan format HH-BB-TTTT."),
    Rule("age_out_of_range", Severity.WARNING,
         "Umur pada bulan laporan di luar 17–80 tahun; tanggal lahir dianggap kosong. Periksa tanggal lahir.",
         empties=True),
    Rule("permit_end_before_start", Severity.WARNING, "Tanggal berakhir izin lebih awal dari tanggal mulai."),
    Rule("rptka_too_long", Severity.WARNING, "Masa berlaku RPTKA lebih dari 2 tahun (jangka pendek: 6 bulan)."),
    Rule("permit_expired", Severity.WARNING, "Izin sudah berakhir sebelum bulan laporan, tetapi TKA masih dilaporkan."),
    Rule("nib_format", Severity.WARNING, "NIB harus 13 digit angka; kolom dianggap kosong.", empties=True),
    Rule("duplicate_row", Severity.WARNING,
         "Baris ini sama persis dengan baris lain di berkas yang sama; keduanya dihitung sebagai satu orang."),
    Rule("kbli_unknown", Severity.WARNING, "Kode KBLI tidak dikenal."),
    # File-level layout drift: issues without a row, for the office (``tka layout``), not for the agency.
    Rule("header_guessed", Severity.WARNING,
         "Judul kolom ini tidak persis sama dengan ejaan yang dikenal; isinya dibaca sebagai kolom yang paling "
         "mirip. Mohon dikonfirmasi dengan `tka layout`."),
    Rule("column_missing", Severity.WARNING, "Kolom yang diharapkan untuk sumber ini tidak ada di berkas."),
    Rule("column_unexpected", Severity.WARNING, "Judul kolom ini tidak dikenali; isinya tidak dibaca."),
)}
# Rules about the file's layout (no row): reported to the office, never in an agency's feedback workbook.
LAYOUT_RULES: frozenset[str] = frozenset({"header_guessed", "column_missing", "column_unexpected"})

# Rules about what the office's own reference data lacks, not about the agency's data: kept in the warehouse and
# the month export for the steward, never sent to agencies in feedback workbooks nor counted as their problem.
OFFICE_INTERNAL_RULES: frozenset[str] = frozenset({"passport_format_unknown"})


# --- Why a whole file is quarantined (nothing from it is loaded) ---------------------------------------------
QUARANTINE_REASONS: dict[str, str] = {
    "corrupt": "Berkas rusak dan tidak dapat dibuka; buka di Excel, simpan ulang sebagai xlsx lalu kirim ulang.",
    "encrypted": "Berkas dilindungi kata sandi; kirim ulang tanpa kata sandi.",
    "empty": "Berkas kosong (0 byte atau tanpa lembar kerja berisi); kirim ulang berkas yang berisi data.",
    "not_spreadsheet": "Berkas bukan lembar kerja (xlsx/xls/ods/csv); kirim laporan dalam salah satu format itu.",
    "no_header": "Judul kolom tidak dikenali (templat tidak dikenal).",
    "missing_required_columns": "Kolom identitas (nama dan nomor paspor/KITAS/Notifikasi/RPTKA) tidak ada.",
    "no_data_rows": "Tidak ada baris data.",
    "too_large": "Ukuran lembar kerja melebihi batas (terlalu banyak baris atau kolom).",
    "zip_bomb": "Isi berkas terkompresi melebihi batas aman.",
    "unknown_source": "Berkas berada di folder yang tidak dikenal.",
    "read_error": "Terjadi kesalahan saat membaca berkas.",
    "memory_limit": "Membaca berkas ini memerlukan memori melebihi batas aman; simpan ulang berkas (hapus isi di "
                    "luar tabel data) lalu kirim ulang.",
    "time_limit": "Membaca berkas ini melebihi batas waktu; simpan ulang berkas sebagai xlsx biasa lalu kirim ulang.",
    "reader_crashed": "Program pembaca berhenti saat membuka berkas ini; simpan ulang berkas sebagai xlsx lalu "
                      "kirim ulang.",
    "encoding_unknown": "Pengkodean huruf berkas CSV tidak dapat dipastikan; simpan ulang sebagai CSV UTF-8 atau "
                        "xlsx lalu kirim ulang.",
    "changed_during_run": "Berkas berubah saat sedang dibaca; berkas akan dibaca lagi pada proses berikutnya.",
    # One place of a byte-identical file is read; every other place is quarantined with this reason and names it.
    "duplicate_file": "Isi berkas sama persis dengan berkas lain yang sudah dibaca; isinya tidak dimuat dua kali.",
}


def record_key(file_sha256: str, sheet: str, row_number: int) -> str:
    """Stable key of one source row: the same file content gives the same key in every run.

    A key longer than ``RECORD_KEY_MAX`` (a CSV's "sheet" is its file name, which may be 250 bytes) keeps the
    sheet's start and a hash of the whole sheet name instead, so it fits the warehouse column.
    """
    prefix = f"{file_sha256[:16]}:{sheet}:"
    if len(prefix) + 7 > RECORD_KEY_MAX:  # room for a 7-digit row number, whatever the row (same prefix)
        digest = hashlib.sha256(str(sheet).encode("utf-8", "surrogateescape")).hexdigest()[:12]
        room = RECORD_KEY_MAX - 7 - len(f"{file_sha256[:16]}::") - len(digest) - 1
        prefix = f"{file_sha256[:16]}:{str(sheet)[:room]}~{digest}:"
    return f"{prefix}{row_number}"


RECORD_KEY_MAX = 96  # the warehouse's record_key column
