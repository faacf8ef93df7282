"""Which files the drive holds and which rows each file lists: the agencies' partial, overlapping views.

Imigrasi lists most workers by domicile (dependants included); Disnakertrans lists most employments by work
location (one row per employer, so a worker at a principal and its contractor appears twice); kecamatan offices
list a partial subset with messier names and few ids; companies that report list their own workers (their
subcontractors' workers missing).
"""

from __future__ import annotations

import datetime as dt
import random
from collections import defaultdict

from tka.sample import pools
from tka.sample.config import reference
from tka.sample.population import SCALES, Company, Person, Population
from tka.sample.views import (
    COMPANY_TEMPLATES,
    DISNAKER_COLUMNS,
    DISNAKER_SHORT_COLUMNS,
    IMIGRASI_COLUMNS,
    IMIGRASI_SUPPLEMENT_COLUMNS,
    KECAMATAN_TEMPLATES,
    REGISTRY_COLUMNS,
    FileSpec,
    Row,
    SheetSpec,
    make_row,
    registry_row,
)

WITA = dt.timezone(dt.timedelta(hours=8))
# Each office spells its own name in the file name: Loa Janan writes the variant "Loajanan" (reference.yaml lists
# it), so the reader's variant lookup is exercised. Every one of the 20 offices may report, "Kembang Janggut"
# included (the file-name pattern reads names that begin like a month word whole).
OFFICE_FILE_NAMES: dict[str, str] = {"64.02.03": "Loajanan"}

COVERAGE: dict[str, float] = {"imigrasi": 0.86, "disnakertrans": 0.8, "kecamatan": 0.45, "company": 0.85}
SPLIT: dict[str, dict[str, int]] = {
    "kukar": {"imigrasi_files": 1, "disnaker_files": 1, "kecamatan_parts": 1, "sending_offices": 14},
    "national": {"imigrasi_files": 12, "disnaker_files": 20, "kecamatan_parts": 3, "sending_offices": 20},
}


def month_label(p0: dt.date) -> str:
    """ "AGUSTUS 2025"."""
    return f"{pools.MONTHS_ID[p0.month - 1].upper()} {p0.year}"


def report_day(p0: dt.date, day: int, hour: int = 9) -> dt.datetime:
    """A moment in the month after the period (WITA), as UTC."""
    year, month = (p0.year + 1, 1) if p0.month == 12 else (p0.year, p0.month + 1)
    return dt.datetime(year, month, day, hour, tzinfo=WITA).astimezone(dt.UTC)


def signature(place: str, p0: dt.date, day: int, office: str, rng: random.Random) -> list[str]:
    """A signature block: place and date, office, blank, name, NIP."""
    year, month = (p0.year + 1, 1) if p0.month == 12 else (p0.year, p0.month + 1)
    nip = (f"19{rng.randint(60, 80)}{rng.randint(1, 12):02d}{rng.randint(1, 28):02d} "
           f"{rng.randint(1985, 2005)}{rng.randint(1, 12):02d} {rng.randint(1, 2)} {rng.randint(1, 9):03d}")
    return [f"{place}, {day} {pools.MONTHS_ID[month - 1]} {year}", office, "", rng.choice(pools.OFFICIALS),
            f"NIP {nip}"]


def _chunks(items: list, parts: int) -> list[list]:
    size = -(-len(items) // parts) if items else 0
    return [items[i * size:(i + 1) * size] for i in range(parts)] if size else [[]]


def plan_files(rng: random.Random, population: Population, scale: str) -> list[FileSpec]:
    """Every readable file of the drive with its rows (broken files are added by the caller)."""
    p0 = population.period_start
    split = SPLIT[scale]
    workers = [p for p in population.persons if p.kind == "worker"]
    dependants: dict[str, list[Person]] = defaultdict(list)
    for person in population.persons:
        if person.sponsor_of:
            dependants[person.sponsor_of].append(person)
    files: list[FileSpec] = []
    files += _imigrasi(rng, population, workers, dependants, split["imigrasi_files"], p0)
    files += _disnakertrans(rng, population, workers, split["disnaker_files"], p0)
    files += _kecamatan(rng, population, workers, split, p0)
    files += _companies(rng, population, workers, p0, SCALES[scale]["sends"])
    files.append(_registry(rng, population, p0))
    return files


def _imigrasi(rng: random.Random, population: Population, workers: list[Person],
              dependants: dict[str, list[Person]], n_files: int, p0: dt.date) -> list[FileSpec]:
    seen = [w for w in workers if rng.random() < COVERAGE["imigrasi"]]
    kukar = n_files == 1
    # Kukar: the main .xls plus a small "susulan" (late additions) workbook in the 1904 date system.
    main, extra = (seen[: int(len(seen) * 0.85)], seen[int(len(seen) * 0.85):]) if kukar else (seen, [])
    files = []
    for index, chunk in enumerate(_chunks(main, n_files)):
        suffix = "" if kukar else f" bagian {index + 1}"
        spec = FileSpec(f"imigrasi/Laporan ITAS Kanim Samarinda wilayah Kukar {month_label(p0).title()}{suffix}.xls",
                        "imigrasi", "imigrasi", "xls",
                        style={"dates": "date", "passport_numbers": True, "name_mess": 0.05},
                        received=report_day(p0, 3 + index % 4), rekap=kukar)
        sheet = SheetSpec("ITAS " + pools.MONTHS_ID[p0.month - 1], IMIGRASI_COLUMNS,
                          title=["DAFTAR ORANG ASING PEMEGANG ITAS (TKA DAN KELUARGA)",
                                 "KANTOR IMIGRASI KELAS I TPI SAMARINDA - WILAYAH KABUPATEN KUTAI KARTANEGARA",
                                 f"BULAN {month_label(p0)}"],
                          total_row=True)
        for worker in chunk:
            sheet.rows.append(make_row(rng, worker, worker.employments[0], population, IMIGRASI_COLUMNS, 0.05))
            for dependant in dependants.get(worker.pid, []):
                row = make_row(rng, dependant, dependant.employments[0], population, IMIGRASI_COLUMNS, 0.05)
                row.values.pop("position", None)
                row.cells["person_kind"] = dependant.relation
                sheet.rows.append(row)
        spec.sheets.append(sheet)
        files.append(spec)
    if extra:
        # One file per agency and month (a newer file of the same source supersedes the older one), so the
        # late additions are a second sheet of the same workbook, with their own layout.
        spec = files[-1]
        sheet = SheetSpec("Susulan", IMIGRASI_SUPPLEMENT_COLUMNS, title=["DATA ITAS SUSULAN", month_label(p0)],
                          number_row=True)
        for worker in extra:
            sheet.rows.append(make_row(rng, worker, worker.employments[0], population, IMIGRASI_SUPPLEMENT_COLUMNS))
            for dependant in dependants.get(worker.pid, []):
                row = make_row(rng, dependant, dependant.employments[0], population, IMIGRASI_SUPPLEMENT_COLUMNS)
                row.cells["person_kind"] = dependant.relation
                sheet.rows.append(row)
        spec.sheets.append(sheet)
    return files


def _disnakertrans(rng: random.Random, population: Population, workers: list[Person], n_files: int,
                   p0: dt.date) -> list[FileSpec]:
    entries = [(w, e) for w in workers for e in w.employments if rng.random() < COVERAGE["disnakertrans"]]
    # Work location groups the national files (one per kecamatan); kukar has one workbook.
    by_file: dict[int, list] = defaultdict(list)
    codes = sorted(pools.KECAMATAN_WEIGHTS)
    for worker, employment in entries:
        key = 0 if n_files == 1 else codes.index(employment.work_kecamatan) % n_files
        by_file[key].append((worker, employment))
    files = []
    for key in sorted(by_file):
        group = sorted(by_file[key], key=lambda we: (population.company(we[1].nib).core, we[0].pid))
        kec = "" if n_files == 1 else f" Kec {population_kecamatan_name(codes[key])}"
        spec = FileSpec(f"disnakertrans/Data TKA Disnakertrans Kukar{kec} {month_label(p0).title()}.xlsx",
                        "disnakertrans", "disnakertrans", "xlsx", rekap=True,
                        style={"dates": "mostly_date", "name_mess": 0.03},
                        received=report_day(p0, 4 + key % 3))
        title = ["DATA TENAGA KERJA ASING (TKA) PEMEGANG RPTKA / NOTIFIKASI",
                 "DINAS TENAGA KERJA DAN TRANSMIGRASI KABUPATEN KUTAI KARTANEGARA", f"BULAN {month_label(p0)}"]
        sign = signature("Tenggarong", p0, 5, "Kepala Dinas Tenaga Kerja dan Transmigrasi", rng)
        main = SheetSpec("TKA Aktif", DISNAKER_COLUMNS, title=title, number_row=True, sections=True,
                         total_row=True, signature=sign)
        short = SheetSpec("Jangka Pendek", DISNAKER_SHORT_COLUMNS, title=[title[0] + " (JANGKA PENDEK)", *title[1:]],
                          number_row=True, total_row=True)
        for worker, employment in group:
            sheet = short if employment.permit_type == "jangka_pendek" else main
            row = make_row(rng, worker, employment, population, sheet.columns, 0.03, where="work")
            row.group = population.company(employment.nib).core
            sheet.rows.append(row)
        spec.sheets = [s for s in (main, short) if s.rows]
        files.append(spec)
    return files


def population_kecamatan_name(code: str) -> str:
    """Official kecamatan name of a code (from config/reference.yaml)."""
    return reference()["kecamatan"][code]["name"]


def _kecamatan(rng: random.Random, population: Population, workers: list[Person], split: dict[str, int],
               p0: dt.date) -> list[FileSpec]:
    by_office: dict[str, list[Person]] = defaultdict(list)
    for worker in workers:
        by_office[worker.domicile].append(worker)
    candidates = sorted(by_office)
    candidates.sort(key=lambda c: -len(by_office[c]))
    sending = sorted(candidates[: split["sending_offices"]])
    formats = dict.fromkeys(sending, "xlsx")
    if len(sending) >= 3:  # one office uses LibreOffice, one an old Excel
        formats[sending[1]], formats[sending[2]] = "ods", "xls"
    files = []
    for number, code in enumerate(sending):
        name = population_kecamatan_name(code)
        listed = [w for w in by_office[code] if rng.random() < COVERAGE["kecamatan"]]
        parts = _chunks(listed, split["kecamatan_parts"]) if len(listed) > 600 else [listed]
        template = KECAMATAN_TEMPLATES[number % len(KECAMATAN_TEMPLATES)]
        for part_no, part in enumerate(parts):
            if not part:
                continue
            fmt = formats[code]
            suffix = f" bagian {part_no + 1}" if len(parts) > 1 else ""
            file_name = OFFICE_FILE_NAMES.get(code, name)
            spec = FileSpec(f"kecamatan/Laporan TKA Kec. {file_name} {month_label(p0).title()}{suffix}.{fmt}",
                            "kecamatan", f"kecamatan:{code}", fmt, defaults={"kecamatan_code": code},
                            style={"dates": "text_id" if number % 2 else "mixed", "name_mess": 0.45,
                                   "passport_mess": 0.3},
                            received=report_day(p0, 2 + number % 8, 10), rekap=(fmt == "xlsx" and number % 3 == 0))
            title = ["LAPORAN KEBERADAAN TENAGA KERJA ASING", f"KECAMATAN {name.upper()}",
                     f"BULAN {month_label(p0)}"]
            sign = signature(name, p0, 3 + number % 5, f"Camat {name}", rng)
            # One office keeps a sheet per village.
            if number % 4 == 1 and fmt != "ods" and len(part) > 4:
                villages: dict[str, list[Person]] = defaultdict(list)
                for worker in part:
                    villages[worker.village].append(worker)
                sheets = [(f"Desa {v}"[:31], villages[v]) for v in sorted(villages)]
            else:
                sheets = [("Data TKA", part)]
            for sheet_name, people in sheets:
                sheet = SheetSpec(sheet_name, template, title=title, number_row=(number % 3 == 0),
                                  total_row=True, signature=sign, blank_rows_every=(7 if number % 2 else 0))
                for worker in people:
                    row = make_row(rng, worker, worker.employments[0], population, template, 0.45)
                    row.values["kecamatan_code"] = code
                    _thin_kecamatan_row(rng, row)
                    sheet.rows.append(row)
                spec.sheets.append(sheet)
            files.append(spec)
    return files


def _thin_kecamatan_row(rng: random.Random, row: Row) -> None:
    """Field reports: passports and birth dates are often unknown ('-')."""
    if "passport_no" in row.values and rng.random() < 0.55:
        row.values.pop("passport_no")
        row.cells["passport_no"] = rng.choice(("-", None))
    if "birth_date" in row.values and rng.random() < 0.6:
        row.values.pop("birth_date")
        row.cells["birth_date"] = rng.choice(("-", None))
    if "position" in row.values and rng.random() < 0.3:
        row.values.pop("position")
        row.cells["position"] = None


def _companies(rng: random.Random, population: Population, workers: list[Person], p0: dt.date,
               sends: float) -> list[FileSpec]:
    staff: dict[str, list[Person]] = defaultdict(list)
    primary: dict[str, set[str]] = defaultdict(set)
    for worker in workers:
        for employment in worker.employments:
            staff[employment.nib].append(worker)
        primary[worker.employments[0].nib].add(worker.pid)
    files = []
    senders = [c for c in population.companies if c.must_report]
    any_1904 = False
    sent = 0  # reports so far: every 17th, from the 6th on, is a CSV export (whatever the registry order)
    for number, company in enumerate(senders):
        if rng.random() >= sends or not staff.get(company.nib):
            continue
        company.sends_report = True
        company.report_late = rng.random() < 0.08
        fmt = "csv" if sent % 17 == 5 else "xlsx"
        sent += 1
        template = COMPANY_TEMPLATES[number % len(COMPANY_TEMPLATES)]
        day = rng.randint(12, 20) if company.report_late else rng.randint(1, 10)
        spec = FileSpec(f"perusahaan/{company.nib} {company.name}.{fmt}", "company", f"company:{company.nib}",
                        fmt, defaults={"company_nib": company.nib}, company_nib=company.nib,
                        style={"dates": "text_dmy" if fmt == "csv" else "mixed", "name_mess": 0.05,
                               "passport_mess": 0.1, "csv": _csv_style(number),
                               "date1904": fmt == "xlsx" and not any_1904},
                        received=report_day(p0, day, 14), rekap=(fmt == "xlsx" and number % 4 == 0))
        any_1904 = any_1904 or fmt == "xlsx"  # one company's Excel uses the 1904 date system (old Mac Excel)
        listed = [w for w in staff[company.nib] if rng.random() < COVERAGE["company"]]
        # A principal's own list leaves out the contractor's people working on its site.
        listed = [w for w in listed if w.pid in primary[company.nib] or company.kbli == "09900"]
        if not listed:
            listed = staff[company.nib][:1]
        title = [f"DAFTAR TENAGA KERJA ASING {company.name}", f"PERIODE {month_label(p0)}"] if number % 2 else []
        sheet = SheetSpec("TKA" if fmt == "xlsx" else spec.path.rsplit("/", 1)[1].rsplit(".", 1)[0],
                          template, title=title if fmt == "xlsx" else title[:1],
                          total_row=(fmt == "xlsx" and number % 3 == 0),
                          signature=(signature("Tenggarong", p0, day, "HRD Manager", rng)
                                     if fmt == "xlsx" and number % 3 == 1 else []))
        for worker in listed:
            employment = next(e for e in worker.employments if e.nib == company.nib)
            row = make_row(rng, worker, employment, population, template, 0.05)
            row.values["company_nib"] = company.nib
            sheet.rows.append(row)
        spec.sheets.append(sheet)
        files.append(spec)
    return files


def _csv_style(number: int) -> dict[str, str]:
    return [{"delimiter": ";", "encoding": "utf-8-sig"}, {"delimiter": ",", "encoding": "cp1252"},
            {"delimiter": ";", "encoding": "utf-16"}][number % 3]


def _registry(rng: random.Random, population: Population, p0: dt.date) -> FileSpec:
    spec = FileSpec(f"registri/Registri Perusahaan Wajib Lapor TKA {p0.year}.xlsx", "registry", "registry", "xlsx",
                    style={"dates": "date", "nib_numbers": 0.3}, received=report_day(p0, 1, 8))
    sheet = SheetSpec("Registri", REGISTRY_COLUMNS,
                      title=["DAFTAR PERUSAHAAN PENGGUNA TKA", "KABUPATEN KUTAI KARTANEGARA",
                             f"KEADAAN {month_label(p0)}"], number_row=True)
    for company in population.companies:
        if company.in_registry:
            sheet.rows.append(registry_row(rng, company))
    spec.sheets.append(sheet)
    return spec


def registry_companies(population: Population) -> list[Company]:
    """Registry companies in registry order."""
    return [c for c in population.companies if c.in_registry]
