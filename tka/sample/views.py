"""What each agency sees of the true population: the rows of every file, as canonical values plus cell overrides.

A :class:`Row` holds the canonical values a correct reader produces (``values``, the contract's field names)
and the cells whose printed form was decided up front (``cells``: names, company spellings, injected errors).
Everything else is rendered later, per file style, into a form that normalises back to ``values``.
"""

from __future__ import annotations

import datetime as dt
import random
from dataclasses import dataclass, field

from tka.sample import pools
from tka.sample.population import Company, Employment, Person, Population

# Synonym fields whose cell feeds other canonical columns.
FIELD_COLUMNS: dict[str, tuple[str, ...]] = {
    "birth_place_date": ("birth_place", "birth_date"),
    "rptka_range": ("rptka_start", "rptka_end"),
    "kecamatan": ("kecamatan_code",),
}


@dataclass(frozen=True)
class Column:
    """One column of a template: the synonym field it holds and its header (``group`` above it if two-row)."""

    field: str
    header: str
    group: str | None = None


@dataclass
class Row:
    """One data row of a file: whose it is, its canonical values, fixed cells, and the rules it must raise."""

    person_id: str | None
    kind: str  # worker | dependant | company (registry rows)
    values: dict[str, object]
    cells: dict[str, object] = field(default_factory=dict)
    injected: str | None = None
    rules: list[str] = field(default_factory=list)
    duplicate_of: Row | None = None
    group: str | None = None  # section the row is printed under (company name, village)

    @property
    def rejected(self) -> bool:
        """True when one of its rules is an error."""
        from tka.sample.rules import is_rejected

        return is_rejected(self.rules)


@dataclass
class SheetSpec:
    """One data sheet of a planned file."""

    name: str
    columns: list[Column]
    rows: list[Row] = field(default_factory=list)
    title: list[str] = field(default_factory=list)
    number_row: bool = False  # the (1) (2) (3) row under the header
    sections: bool = False  # a label row per group and a "Jumlah" row after it
    total_row: bool = False
    signature: list[str] = field(default_factory=list)
    blank_rows_every: int = 0  # a stray blank row after every n data rows


@dataclass
class FileSpec:
    """One file of the drive: where it goes, its source, format, sheets and how its cells are printed."""

    path: str  # relative to the drive root
    source_kind: str  # contract SourceKind value
    source_id: str
    fmt: str  # xlsx | xls | ods | csv
    sheets: list[SheetSpec] = field(default_factory=list)
    style: dict[str, object] = field(default_factory=dict)
    defaults: dict[str, object] = field(default_factory=dict)  # canonical values the file name supplies
    rekap: bool = False
    quarantine: str | None = None
    received: dt.datetime | None = None  # modification time (UTC)
    company_nib: str | None = None  # company self-reports: whose


def columns_of(columns: list[Column]) -> set[str]:
    """Canonical columns a template fills."""
    out: set[str] = set()
    for column in columns:
        out.update(FIELD_COLUMNS.get(column.field, (column.field,)))
    return out


# --- Name and company spellings ---------------------------------------------------------------------------
def _pinyin_split(word: str) -> list[str]:
    """Split a joined pinyin given name into known syllables ("XUEFENG" -> ["XUE", "FENG"]) when possible."""
    syllables = set(pools._CHN_SYLLABLES)
    best: dict[int, list[str]] = {0: []}
    for end in range(1, len(word) + 1):
        for start in range(max(0, end - 6), end):
            if start in best and word[start:end] in syllables:
                best[end] = [*best[start], word[start:end]]
                break
    return best.get(len(word), [word])


def printed_name(rng: random.Random, person: Person, messy: float) -> str:
    """The name as an agency types it: order swaps, spaced pinyin, MR/MRS prefixes, title case (letters kept)."""
    tokens = list(person.tokens)
    if rng.random() < messy:
        kind = rng.random()
        if kind < 0.35 and len(tokens) >= 2:
            tokens = [*tokens[1:], tokens[0]]
        elif kind < 0.6 and person.nationality == "CHN" and len(_pinyin_split(tokens[1])) > 1:
            tokens = [tokens[0], *_pinyin_split(tokens[1])]
        elif kind < 0.8:
            tokens = ["MR" if person.sex == "L" else "MRS", *tokens]
        else:
            return " ".join(t.capitalize() for t in tokens)
    return " ".join(tokens)


def normalized_name(printed: str) -> str:
    """What the reader makes of a printed name: upper-case, single spaces, leading MR/MRS/MS dropped."""
    tokens = printed.upper().split()
    while tokens and tokens[0].rstrip(".") in ("MR", "MRS", "MS", "MISS"):
        tokens = tokens[1:]
    return " ".join(tokens)


def printed_company(rng: random.Random, company: Company, form: str | None = None) -> str:
    """A company name in one of the printed forms ("PT X", "PT. X", "P.T. X", "X, PT")."""
    form = form or rng.choice(("PT {}", "PT {}", "PT. {}", "P.T. {}", "{}, PT"))
    return form.format(company.core)


# --- Row builders -------------------------------------------------------------------------------------------
def worker_values(person: Person, employment: Employment | None, population: Population,
                  fields: set[str]) -> dict[str, object]:
    """Canonical values of ``person`` restricted to the canonical columns ``fields``."""
    company = population.company(employment.nib) if employment else None
    candidates: dict[str, object] = {
        "name_native": person.native, "passport_no": person.passport, "passport_expiry": person.passport_expiry,
        "nationality": person.nationality, "sex": person.sex, "birth_place": person.birth_place,
        "birth_date": person.birth_date, "position": person.position or None,
        "company_name": company.name if company else None,
        "company_nib": company.nib if company and company.in_registry else None,
        "kitas_no": person.kitas_no, "kitas_start": person.kitas_start, "kitas_end": person.kitas_end,
        "person_kind": person.kind,
    }
    if employment is not None:
        candidates.update(
            rptka_no=employment.rptka_no, rptka_start=employment.rptka_start, rptka_end=employment.rptka_end,
            notifikasi_no=employment.notifikasi_no, notifikasi_start=employment.notifikasi_start,
            notifikasi_end=employment.notifikasi_end, permit_type=employment.permit_type)
    return {k: v for k, v in candidates.items() if k in fields and v is not None}


def make_row(rng: random.Random, person: Person, employment: Employment | None, population: Population,
             columns: list[Column], messy_names: float = 0.0, company_form: str | None = None,
             where: str = "domicile") -> Row:
    """A clean row of ``person`` for a template: canonical values plus the printed name and company."""
    fields = columns_of(columns)
    values = worker_values(person, employment, population, fields)
    cells: dict[str, object] = {}
    printed = printed_name(rng, person, messy_names)
    values["name"] = normalized_name(printed)
    cells["name"] = printed
    if "company_name" in values and employment is not None:
        cells["company_name"] = printed_company(rng, population.company(employment.nib), company_form)
    if "kecamatan_code" in fields:
        if where == "work" and employment is not None:
            values["kecamatan_code"], village = employment.work_kecamatan, employment.work_village
        else:
            values["kecamatan_code"], village = person.domicile, person.village
        values["_village"] = village
    elif "address" in fields:
        values["_village"] = employment.work_village if where == "work" and employment else person.village
    if "address" in fields:
        values["address"] = f"Desa {values['_village']}"
    return Row(person.pid, person.kind, values, cells)


def registry_row(rng: random.Random, company: Company) -> Row:
    """The registry row of a company."""
    values: dict[str, object] = {
        "company_nib": company.nib, "company_name": company.name, "kbli": company.kbli,
        "kecamatan_code": company.kecamatan_code, "_village": company.village,
        "address": f"Desa {company.village}", "must_report": company.must_report,
    }
    return Row(None, "company", values, {"company_name": printed_company(rng, company)}, group=company.nib)


# --- Templates (header texts from config/sources.yaml synonyms) ---------------------------------------------
DISNAKER_COLUMNS: list[Column] = [
    Column("row_no", "No"), Column("name", "Nama TKA"), Column("nationality", "Kewarganegaraan"),
    Column("passport_no", "Nomor", "PASPOR"), Column("passport_expiry", "Masa Berlaku", "PASPOR"),
    Column("sex", "L/P"), Column("birth_date", "Tgl Lahir"), Column("position", "Jabatan"),
    Column("company_name", "Nama Perusahaan"), Column("company_nib", "NIB"), Column("kecamatan", "Kecamatan"),
    Column("address", "Lokasi Kerja"), Column("rptka_no", "Nomor", "RPTKA"),
    Column("rptka_start", "Tanggal", "RPTKA"), Column("rptka_end", "s.d.", "RPTKA"),
    Column("notifikasi_no", "Nomor", "Notifikasi"), Column("notifikasi_start", "Tanggal", "Notifikasi"),
    Column("notifikasi_end", "Tanggal Berakhir", "Notifikasi"), Column("permit_type", "Jenis"),
    Column("note", "Keterangan"),
]
DISNAKER_SHORT_COLUMNS: list[Column] = [
    Column("row_no", "No"), Column("name", "Nama TKA"), Column("nationality", "Kewarganegaraan"),
    Column("passport_no", "Nomor", "PASPOR"), Column("passport_expiry", "Masa Berlaku", "PASPOR"),
    Column("position", "Jabatan"), Column("company_name", "Nama Perusahaan"), Column("company_nib", "NIB"),
    Column("kecamatan", "Kecamatan"), Column("address", "Lokasi Kerja"), Column("rptka_no", "No. RPTKA"),
    Column("rptka_range", "Masa Berlaku RPTKA"), Column("permit_type", "Jenis"),
]
IMIGRASI_COLUMNS: list[Column] = [
    Column("row_no", "No"), Column("name", "Nama"), Column("name_native", "Nama Mandarin"),
    Column("sex", "Jenis Kelamin"), Column("birth_place_date", "Tempat/Tgl Lahir"),
    Column("nationality", "Kebangsaan"), Column("passport_no", "No. Paspor"),
    Column("passport_expiry", "Masa Berlaku Paspor"), Column("kitas_no", "No. KITAS"),
    Column("kitas_start", "Tgl Awal KITAS"), Column("kitas_end", "Tgl Akhir KITAS"),
    Column("company_name", "Sponsor"), Column("address", "Alamat Domisili"), Column("kecamatan", "Kecamatan"),
    Column("person_kind", "Status"), Column("position", "Jabatan"),
]
IMIGRASI_SUPPLEMENT_COLUMNS: list[Column] = [
    Column("row_no", "No"), Column("name", "Nama Orang Asing"), Column("sex", "JK"),
    Column("birth_date", "Tanggal Lahir"), Column("nationality", "Kewarganegaraan"),
    Column("passport_no", "No. Passport"), Column("kitas_no", "No. ITAS"),
    Column("kitas_start", "Tanggal Awal", "KITAS"), Column("kitas_end", "Tanggal Akhir", "KITAS"),
    Column("company_name", "Penjamin"), Column("address", "Alamat Tinggal"), Column("kecamatan", "Kec."),
    Column("person_kind", "Hubungan"),
]
KECAMATAN_TEMPLATES: list[list[Column]] = [
    [Column("row_no", "No"), Column("name", "Nama"), Column("nationality", "Kewarganegaraan"),
     Column("company_name", "Perusahaan"), Column("position", "Jabatan"), Column("address", "Desa/Kelurahan"),
     Column("passport_no", "No. Paspor"), Column("note", "Keterangan")],
    [Column("row_no", "No."), Column("name", "Nama Lengkap"), Column("nationality", "Negara Asal"),
     Column("birth_date", "Tgl Lahir"), Column("company_name", "Nama Perusahaan"),
     Column("address", "Alamat"), Column("note", "Ket.")],
    [Column("row_no", "NO"), Column("name", "NAMA TKA"), Column("name_native", "Nama Mandarin"),
     Column("nationality", "KEBANGSAAN"), Column("passport_no", "PASPOR"), Column("birth_date", "TGL LAHIR"),
     Column("company_name", "PERUSAHAAN"), Column("position", "JABATAN")],
]
COMPANY_TEMPLATES: list[list[Column]] = [
    [Column("row_no", "No"), Column("name", "Nama Pekerja"), Column("sex", "Jenis Kelamin"),
     Column("birth_date", "Tgl Lahir"), Column("nationality", "Kewarganegaraan"),
     Column("passport_no", "No. Passport"), Column("position", "Jabatan"), Column("kitas_no", "No KITAS"),
     Column("kitas_end", "KITAS s.d."), Column("rptka_no", "No RPTKA"), Column("note", "Keterangan")],
    [Column("row_no", "No"), Column("name", "Name"), Column("nationality", "Nationality"),
     Column("passport_no", "Passport No"), Column("birth_date", "Date of Birth"), Column("position", "Position"),
     Column("kitas_no", "No. KITAS"), Column("rptka_no", "No. RPTKA")],
    [Column("row_no", "No"), Column("name", "Nama TKA"), Column("nationality", "Warga Negara"),
     Column("passport_no", "Nomor Paspor"), Column("birth_date", "Tanggal Lahir"), Column("position", "Jabatan TKA"),
     Column("kitas_no", "Nomor KITAS"), Column("notifikasi_no", "No Notifikasi")],
]
REGISTRY_COLUMNS: list[Column] = [
    Column("row_no", "No"), Column("company_nib", "NIB"), Column("company_name", "Nama Perusahaan"),
    Column("kbli", "KBLI"), Column("sector", "Bidang Usaha"), Column("kecamatan", "Kecamatan"),
    Column("address", "Alamat"), Column("must_report", "Wajib Lapor"),
]
