"""Lay out every file of the month from the true world, write it, and record the truth of every row."""

from __future__ import annotations

import datetime as dt
import json
import os
import random
from pathlib import Path
from typing import Any

from tka.fieldsample import render as rd
from tka.fieldsample.spelling import (
    EDUCATION,
    GROUPS,
    HEADERS,
    KECAMATAN,
    MONTHS_ID_NEW,
    RELATIONS,
    RELIGIONS,
    SIGNERS,
)
from tka.fieldsample.world import BIRTH_PLACES, Company, Person, World, build_world, rng_for
from tka.fieldsample.writers import FIXED_TIME, PDF_BYTES, Sheet, write_csv, write_xls, write_xlsx

FIELDS: dict[str, tuple[list[str], dict[str, float]]] = {
    "company": (["no", "name", "passport", "nationality", "sex", "birth_date", "position"],
                {"name_cn": 0.3, "kitas_no": 0.6, "kitas_end": 0.4, "rptka_no": 0.4, "notifikasi_no": 0.4,
                 "kecamatan": 0.5, "birth_place": 0.2, "religion": 0.3, "education": 0.3, "phone": 0.3,
                 "note": 0.4, "address": 0.2}),
    "disnakertrans": (["no", "name", "passport", "nationality", "birth_date", "position", "company", "rptka_no",
                       "rptka_start", "rptka_end", "notifikasi_no", "notifikasi_start", "notifikasi_end",
                       "permit_type"], {"sex": 0.7, "kecamatan": 0.7, "education": 0.3, "note": 0.3}),
    "imigrasi": (["no", "name", "passport", "nationality", "sex", "birth_date", "relation", "kitas_no",
                  "kitas_start", "kitas_end", "company"],
                 {"name_cn": 0.5, "birth_place": 0.5, "address": 0.5, "phone": 0.2, "note": 0.3}),
    "kecamatan": (["no", "name", "nationality", "company"], {"address": 0.6, "note": 0.5, "sex": 0.3,
                                                             "position": 0.3}),
}
OPTIONAL_DROP = {"sex", "position", "birth_date"}
SHEET_NAMES = ("Agustus 2025", "Sheet1", "DATA TKA", "Rekap", "Agst25", "Lampiran", "TKA")
NOTES = ("Cuti", "Site visit", "Baru datang", "Perpanjangan", "Mess", "Pindah site", "-", "Aktif")


def _columns(rng: random.Random, kind: str, spreadsheet: bool) -> tuple[list[str], list[tuple[int, int, str]],
                                                                          dict[str, str]]:
    """Fields in the clerk's order, the group headers over them, and the header text of each field."""
    base, optional = FIELDS[kind]
    fields = [f for f in base if not (f in OPTIONAL_DROP and kind != "kecamatan" and rng.random() < 0.12)]
    fields += [f for f, p in optional.items() if rng.random() < p]
    if rng.random() < 0.1:
        fields.remove("no")
    blocks: list[list[str]] = []
    used_groups: list[str] = []
    taken: set[str] = set()
    for group, (_, members) in GROUPS.items():
        if spreadsheet and all(m in fields for m in members) and rng.random() < 0.35:
            blocks.append(list(members))
            used_groups.append(group)
            taken.update(members)
    blocks += [[f] for f in fields if f not in taken and f not in ("no", "name")]
    rng.shuffle(blocks)
    head = [["name"]] if "name" in fields else []
    if rng.random() < 0.3 and blocks:
        head.insert(0, blocks.pop(0)) if rng.random() < 0.5 else None
    order = (["no"] if "no" in fields else []) + [f for b in head + blocks for f in b]
    headers: dict[str, str] = {}
    groups: list[tuple[int, int, str]] = []
    for group in used_groups:
        text, members = GROUPS[group]
        first = order.index(next(iter(members)))
        groups.append((first, first + len(members) - 1, text))
        headers.update(members)
    for f in order:
        if f not in headers:
            text = rng.choice(HEADERS[f])
            if not spreadsheet:
                text = text.replace("\n", " ")
            if rng.random() < 0.2:
                text = text.upper()
            elif rng.random() < 0.1 and not text.endswith(":"):
                text += ":"
            headers[f] = text
    return order, groups, headers


def _company_name_of(world: World, nib: str) -> str:
    return next(c.name for c in world.companies if c.nib == nib)


def _cells(rng: random.Random, p: Person, kind: str, fields: list[str], h: rd.Habits, sex_style: int,
           names: dict[str, str], employer: str, no: int) -> list[rd.Cell]:
    """One row as this clerk types it about person ``p``."""
    passport = p.passports[-1]
    if len(p.passports) > 1 and rng.random() < {"disnakertrans": 0.6, "company": 0.4}.get(kind, 0.0):
        passport = p.passports[0]
    values: dict[str, rd.Cell] = {}
    for f in fields:
        if f == "no":
            values[f] = no
        elif f == "name":
            values[f] = rd.person_name(rng, p, h)
        elif f == "name_cn":
            values[f] = p.hanzi or None
        elif f == "passport":
            values[f] = rd.passport_text(rng, passport, h)
        elif f == "nationality":
            values[f] = rd.country(rng, p.nationality, h)
        elif f == "sex":
            values[f] = rd.sex_text(rng, p.sex, sex_style)
        elif f == "birth_place":
            values[f] = rng.choice(BIRTH_PLACES.get(p.nationality, ("-",)))
        elif f == "birth_date":
            values[f] = rd.birth_date(rng, p.birth, h)
        elif f == "position":
            values[f] = p.position.upper() if rng.random() < 0.3 else p.position
        elif f == "company":
            values[f] = rd.company_text(rng, names[employer])
        elif f == "kecamatan":
            values[f] = rd.kecamatan_text(rng, p.site, h)
        elif f in ("kitas_no", "rptka_no", "notifikasi_no"):
            values[f] = rd.identifier(rng, {"kitas_no": p.kitas, "rptka_no": p.rptka,
                                            "notifikasi_no": p.notif}[f], h)
        elif f.endswith(("_start", "_end")):
            stem = {"kitas": "kitas", "rptka": "rptka", "notifikasi": "notif"}[f.split("_")[0]]
            values[f] = rd.permit_date(rng, getattr(p, f"{stem}_{f.split('_')[1]}"), h)
        elif f == "permit_type":
            values[f] = p.permit_type
        elif f == "relation":
            values[f] = rng.choice(RELATIONS[p.relation or "holder"])
        elif f == "religion":
            values[f] = rng.choice(RELIGIONS)
        elif f == "education":
            values[f] = rng.choice(EDUCATION)
        elif f == "phone":
            values[f] = "0812" + "".join(rng.choice("0123456789") for _ in range(8))
        elif f == "note":
            values[f] = rng.choice(NOTES) if rng.random() < 0.5 else None
        elif f == "address":
            values[f] = f"Mess {rd.company_text(rng, names[employer])}, {rd.KECAMATAN[p.site]}"
    return [values[f] for f in fields]


class Month:
    """Collects the files and the truth while they are written."""

    def __init__(self, world: World, seed: int, scale: str, out: Path) -> None:
        self.world, self.seed, self.scale, self.out = world, seed, scale, out
        self.files: list[dict[str, Any]] = []
        self.names = {c.nib: c.name for c in world.companies}
        self.month_name = MONTHS_ID_NEW[world.p0.month - 1]
        self.year = world.p0.year
        self.clock = 0

    def path(self, folder: str, name: str) -> Path:
        """Where the month's file ``name`` in ``folder`` goes (the folder made)."""
        path = self.out / self.world.period / folder / name
        path.parent.mkdir(parents=True, exist_ok=True)
        return path

    def touch(self, path: Path, later_days: int = 0) -> None:
        """Stamp ``path`` with the month's next fixed arrival time (``later_days`` after the usual day)."""
        self.clock += 1
        stamp = (FIXED_TIME + dt.timedelta(days=later_days, minutes=self.clock)).timestamp()
        os.utime(path, (stamp, stamp))

    def broken(self, folder: str, kind: str, source_id: str, name: str, what: str) -> None:
        """A file that cannot be read: 0 bytes or a PDF under a spreadsheet's name."""
        path = self.path(folder, name)
        path.write_bytes(b"" if what == "empty" else PDF_BYTES)
        self.touch(path)
        self.files.append({"path": f"{self.world.period}/{folder}/{name}", "source_kind": kind,
                           "source_id": source_id, "format": name.rsplit(".", 1)[1],
                           "quarantine": "empty" if what == "empty" else "not_spreadsheet", "rows": []})

    def table(self, folder: str, kind: str, source_id: str, name: str, people: list[tuple[Person, str]],
              *, title: str, layout_key: str = "", us_dates: bool = False, later_days: int = 0,
              placeholder_rate: float = 0.03) -> dict[str, Any]:
        """Write one worker file about ``people`` (person, employer NIB) and record its truth."""
        ext = name.rsplit(".", 1)[1]
        lay = rng_for(self.seed, self.world.period, "layout", layout_key or name)
        rng = rng_for(self.seed, self.world.period, "cells", name)
        spreadsheet = ext != "csv"
        fields, groups, headers = _columns(lay, kind, spreadsheet)
        encoding, delimiter = lay.choice(("utf-8-sig", "utf-8", "cp1252")), lay.choice((";", ","))
        if not spreadsheet and encoding == "cp1252" and "name_cn" in fields:
            fields.remove("name_cn")
            groups = []
        h = rd.habits_for(lay, us_dates=us_dates, placeholder_rate=placeholder_rate, text_only=not spreadsheet)
        sex_style = lay.randrange(4)
        rows: list[list[rd.Cell]] = []
        meta: list[tuple[str, str]] = []
        for i, (p, employer) in enumerate(people):
            cells = _cells(rng, p, kind, fields, h, sex_style, self.names, employer, i + 1)
            rows.append(cells)
            meta.append((p.pid, p.kind))
            if rng.random() < 0.007:  # the same row pasted twice
                rows.append(list(cells))
                meta.append((p.pid, p.kind))
        sheet = Sheet(name=lay.choice(SHEET_NAMES), headers=[headers[f] for f in fields], rows=rows,
                      groups=groups, date_format=lay.choice(("dd/mm/yyyy", "d mmmm yyyy", "dd-mmm-yy")))
        if spreadsheet:
            sheet.titles = [t for t in (title, "KABUPATEN KUTAI KARTANEGARA",
                                        f"BULAN {self.month_name.upper()} {self.year}") if lay.random() < 0.8]
            sheet.numbering = lay.random() < 0.3
            sheet.total = lay.random() < 0.4
            if lay.random() < 0.5:
                sheet.footer = [f"Tenggarong, {lay.randint(1, 9)} September {self.year}", "Pelapor,",
                                lay.choice(SIGNERS),
                                (f"NIP. 19{lay.randint(60, 89)}0{lay.randint(1, 9)}1{lay.randint(10, 28)} "
                                 f"199{lay.randint(0, 9)}03 1 00{lay.randint(1, 9)}")]
        path = self.path(folder, name)
        sheets = [sheet]
        if ext == "xlsx" and lay.random() < 0.1:
            sheets.insert(0, Sheet(name="Petunjuk", headers=["Petunjuk pengisian"],
                                   rows=[["Isi satu baris untuk setiap tenaga kerja asing."],
                                         ["Kirim paling lambat tanggal 10 bulan berikutnya."]]))
        if ext == "xlsx":
            numbers = write_xlsx(path, sheets)[-1]
        elif ext == "xls":
            numbers = write_xls(path, sheets)[-1]
        else:
            numbers = write_csv(path, sheet, encoding=encoding, delimiter=delimiter)
        self.touch(path, later_days)
        entry = {"path": f"{self.world.period}/{folder}/{name}", "source_kind": kind if kind != "company" else
                 "company", "source_id": source_id, "format": ext, "quarantine": None,
                 "sheet": sheet.name if spreadsheet else None,
                 "columns": {f: (next((g[2] + " / " for g in groups if g[0] <= i <= g[1]), "") + headers[f])
                             for i, f in enumerate(fields)},
                 "rows": [{"sheet": sheet.name if spreadsheet else "", "row": r, "person_id": pid, "kind": k}
                          for r, (pid, k) in zip(numbers, meta, strict=True)]}
        if not spreadsheet:
            entry["encoding"], entry["delimiter"] = encoding, delimiter
        self.files.append(entry)
        return entry


def _company_files(m: Month, world: World, company: Company, workers: list[Person], rng: random.Random,
                   broken_every: int, index: int) -> None:
    """One company's report(s) of the month: split per site/contractor/batch, sometimes revised."""
    ext = company.fmt
    label = rd.company_text(rng, company.name) if rng.random() < 0.5 else company.name
    base = f"{company.nib} {label}"
    if rng.random() < 0.3:
        base += f" - Laporan TKA {m.month_name} {m.year}"
    if index % broken_every == 5:
        m.broken("perusahaan", "company", f"company:{company.nib}", f"{base}.xlsx",
                 "empty" if index % (2 * broken_every) == 5 else "pdf")
        return
    people = sorted(workers, key=lambda p: (p.family, p.given)) if rng.random() < 0.6 else workers
    parts: list[tuple[str, list[Person]]]
    if company.split == "site":
        parts = [(f"{base} site {KECAMATAN[s]}", [p for p in people if p.site == s]) for s in company.sites]
    elif company.split in ("kontraktor", "batch"):
        cut = [p for p in people if int(p.pid[1:]) % 3 == 0]
        rest = [p for p in people if int(p.pid[1:]) % 3]
        parts = [(base, rest), (f"{base} kontraktor", cut)] if company.split == "kontraktor" else \
            [(f"{base} batch 1", rest), (f"{base} batch 2", cut)]
    else:
        parts = [(base, people)]
    title = f"DAFTAR TENAGA KERJA ASING {company.name}"
    for n, (stem, group) in enumerate(parts):
        if not group:
            continue
        pairs = [(p, company.nib) for p in group]
        entry = m.table("perusahaan", "company", f"company:{company.nib}", f"{stem}.{ext}", pairs, title=title)
        if company.revision and n == 0 and len(group) > 3:
            suffix = " (1)" if company.revision == "(1)" else f" {company.revision}"
            kept = [p for i, p in enumerate(group) if i != 1]  # one worker left, the rest re-sent
            revised = m.table("perusahaan", "company", f"company:{company.nib}", f"{stem}{suffix}.{ext}",
                              [(p, company.nib) for p in kept], title=title, layout_key=f"{stem}.{ext}",
                              later_days=2, placeholder_rate=0.01)
            entry["superseded_by"] = revised["path"]
            entry["rows"] = [dict(r, superseded=True) for r in entry["rows"]]


def _chunks(items: list[Any], n: int) -> list[list[Any]]:
    size = max(1, -(-len(items) // n))
    return [items[i:i + size] for i in range(0, len(items), size)]


def generate_field_month(period: str, scale: str, seed: int, out: Path, truth_path: Path) -> dict[str, Any]:
    """Write the independent "field" month under ``out/period`` and its ground truth to ``truth_path``."""
    world = build_world(period, scale, seed)
    m = Month(world, seed, scale, Path(out))
    appear = rng_for(seed, period, scale, "appear")
    workers = [p for p in world.persons if p.kind == "worker"]
    dependants: dict[str, list[Person]] = {}
    for d in world.persons:
        if d.kind == "dependant":
            dependants.setdefault(d.holder, []).append(d)
    by_company: dict[str, list[Person]] = {c.nib: [] for c in world.companies}
    disnaker, imigrasi, kec = [], [], []
    for p in workers:
        for nib in p.companies:
            if appear.random() < 0.75:
                by_company[nib].append(p)
        if appear.random() < 0.8:
            disnaker.append(p)
        if appear.random() < 0.85:
            imigrasi.append(p)
        if appear.random() < 0.35:
            kec.append(p)
    broken_every = 12 if scale == "kukar" else 40
    for i, company in enumerate(world.companies):
        if company.sends and by_company[company.nib]:
            _company_files(m, world, company, by_company[company.nib],
                           rng_for(seed, period, "company", company.nib), broken_every, i)
    n_agency = 3 if scale == "kukar" else 60
    mon = f"{m.month_name} {m.year}"
    disnaker.sort(key=lambda p: (m.names[p.company], p.family))
    for i, chunk in enumerate(_chunks(disnaker, n_agency)):
        ext = "xls" if i == 1 else "xlsx"
        name = (f"Rekap Notifikasi TKA {mon} bag. {i + 1}.{ext}" if i % 2 == 0
                else f"Data RPTKA dan Notifikasi Kukar Agst {m.year} - bagian {i + 1}.{ext}")
        m.table("disnakertrans", "disnakertrans", "disnakertrans", name, [(p, p.company) for p in chunk],
                title="REKAPITULASI RPTKA DAN NOTIFIKASI TENAGA KERJA ASING", placeholder_rate=0.02)
    imigrasi.sort(key=lambda p: (p.kitas_start, p.pid))
    for i, chunk in enumerate(_chunks(imigrasi, n_agency)):
        pairs = [(x, p.company) for p in chunk for x in [p, *dependants.get(p.pid, [])]]
        name = (f"Daftar ITAS Pemegang dan Penyerta Kukar {mon} - {i + 1}.xlsx" if i % 2 == 0
                else f"Laporan Orang Asing ITAS wil. Kukar Agst {m.year} hal {i + 1}.xlsx")
        m.table("imigrasi", "imigrasi", "imigrasi", name, pairs, title="DATA ORANG ASING PEMEGANG ITAS",
                us_dates=i == 0, placeholder_rate=0.005)
    m.broken("imigrasi", "imigrasi", "imigrasi", f"Scan Daftar ITAS {mon}.xlsx", "pdf")
    per_kec: dict[str, list[Person]] = {}
    for p in kec:
        per_kec.setdefault(p.site, []).append(p)
    patterns = ("Laporan Keberadaan Orang Asing Kec. {k} {mon}.xlsx", "Lap. TKA Kecamatan {k} - Agst {y}.xlsx",
                "REKAP WNA KEC. {K} 08-{y}.xls", "Data Orang Asing Wilayah Kec. {k} Bulan {mon}.csv")
    for code in sorted(per_kec):
        people = per_kec[code]
        parts = _chunks(people, max(1, len(people) // 500 + (len(people) % 500 > 0)))
        for j, part in enumerate(parts):
            pattern = patterns[int(code[-2:]) % len(patterns)]
            k = KECAMATAN[code]
            name = pattern.format(k=k, K=k.upper(), mon=mon, y=m.year)
            if len(parts) > 1:
                stem, ext = name.rsplit(".", 1)
                name = f"{stem} minggu {j + 1}.{ext}"
            m.table("kecamatan", "kecamatan", f"kecamatan:{code}", name, [(p, p.company) for p in part],
                    title=f"LAPORAN ORANG ASING KECAMATAN {k.upper()}", placeholder_rate=0.0)
    _registry(m, world, seed)
    truth = _truth(m, world, seed, scale)
    Path(truth_path).parent.mkdir(parents=True, exist_ok=True)
    Path(truth_path).write_text(json.dumps(truth, ensure_ascii=False, indent=1))
    return truth


def _registry(m: Month, world: World, seed: int) -> None:
    """The company registry as the licensing desk keeps it."""
    rng = rng_for(seed, world.period, "registry")
    name = f"Daftar Perusahaan Pengguna TKA Kukar {m.year}.xlsx"
    headers = ["No", "NIB (Nomor Induk Berusaha)", "Nama Badan Usaha", "KBLI Utama", "Kecamatan Lokasi",
               "Wajib Lapor TKA?"]
    listed = [c for c in world.companies if c.in_registry]
    rows: list[list[rd.Cell]] = [
        [i + 1, c.nib, c.name, c.kbli, KECAMATAN[c.kecamatan], "Ya" if c.must_report else "Tidak"]
        for i, c in enumerate(listed)]
    sheet = Sheet(name="Registri", headers=headers, rows=rows, titles=["DAFTAR PERUSAHAAN PENGGUNA TKA"])
    numbers = write_xlsx(m.path("registri", name), [sheet])[0]
    m.touch(m.out / world.period / "registri" / name)
    del rng
    m.files.append({"path": f"{world.period}/registri/{name}", "source_kind": "registry", "source_id": "registry",
                    "format": "xlsx", "quarantine": None, "sheet": "Registri",
                    "rows": [{"sheet": "Registri", "row": r, "person_id": None, "kind": "company", "nib": c.nib}
                             for r, c in zip(numbers, listed, strict=True)]})


def _truth(m: Month, world: World, seed: int, scale: str) -> dict[str, Any]:
    """The ground truth in the format of docs/contracts.md, plus this writer's extra keys."""
    loaded = [r for f in m.files if f["source_kind"] != "registry" and not f.get("superseded_by")
              for r in f["rows"]]
    seen = {r["person_id"] for f in m.files for r in f["rows"] if r["person_id"]}
    workers = {r["person_id"] for r in loaded if r["kind"] == "worker"}
    persons = {p.pid: {"kind": p.kind, "passport_no": p.passports[-1], "passports": p.passports,
                       "nationality": p.nationality, "name": p.name, "birth_date": p.birth.isoformat(),
                       "sex": p.sex, "company_nibs": p.companies or [p.company],
                       **({"holder": p.holder, "relation": p.relation} if p.kind == "dependant" else {})}
               for p in world.persons if p.pid in seen}
    sent = {f["source_id"].split(":")[1] for f in m.files if f["source_kind"] == "company"}
    employers = {nib for r in loaded if r["kind"] == "worker" for nib in persons[r["person_id"]]["company_nibs"]}
    registry = {c.nib for c in world.companies if c.in_registry}
    companies = [{"nib": c.nib, "name": c.name, "kbli": c.kbli, "kecamatan_code": c.kecamatan,
                  "in_registry": c.in_registry, "must_report": c.must_report, "sends_report": c.nib in sent}
                 for c in world.companies]
    return {"period": world.period, "scale": scale, "seed": seed, "generator": "tka.fieldsample",
            "files": m.files, "persons": persons, "companies": companies,
            "expected": {"files_total": len(m.files),
                         "files_quarantined": sum(bool(f["quarantine"]) for f in m.files),
                         "files_superseded": sum(bool(f.get("superseded_by")) for f in m.files),
                         "rows_total": sum(len(f["rows"]) for f in m.files if f["source_kind"] != "registry"),
                         "rows_superseded": sum(len(f["rows"]) for f in m.files if f.get("superseded_by")),
                         "workers": len(workers),
                         "dependants": len({r["person_id"] for r in loaded if r["kind"] == "dependant"}),
                         "missing_companies": sorted(c.nib for c in world.companies
                                                     if c.in_registry and c.must_report and c.nib not in sent),
                         "employers_not_in_registry": sorted(employers - registry)}}
