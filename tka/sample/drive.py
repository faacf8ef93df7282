"""``generate_drive``: write a sample shared drive for one period and its ground truth (docs/contracts.md)."""

from __future__ import annotations

import datetime as dt
import json
import os
import random
from collections.abc import Callable
from pathlib import Path
from typing import Any

from tka.sample import pools
from tka.sample.config import reference, sources
from tka.sample.findings import expected_findings, plant_not_obliged
from tka.sample.inject import compute_rules, drop_unmatchable, inject, renew_passports
from tka.sample.plan import plan_files, report_day
from tka.sample.population import SCALES, Company, Population, build_population
from tka.sample.render import render_file
from tka.sample.rules import RuleContext, is_rejected
from tka.sample.views import FileSpec
from tka.sample.writers import BookPlan, SheetPlan, encrypted, fake_pdf, truncated, xlsx_bytes

ENCRYPTION_PASSWORD = "rahasia"
Progress = Callable[[int, int], None]


def period_start(period: str) -> dt.date:
    """First day of a YYYY-MM period."""
    year, month = period.split("-")
    return dt.date(int(year), int(month), 1)


def _file_rng(seed: int, path: str) -> random.Random:
    # Per-file stream: a file's cells do not depend on how many random draws other files made.
    return random.Random(f"{seed}|{path}")


def generate_drive(period: str, scale: str, seed: int, out: Path, truth_path: Path,
                   progress: Progress | None = None, size: float = 1.0) -> dict[str, Any]:
    """Write ``<out>/<period>/<folder>/<file>`` and the truth JSON to ``truth_path``; return truth["expected"].

    ``size`` scales the number of companies and workers (and injected errors) of ``scale``; 1 is the preset.
    """
    if scale not in SCALES:
        raise ValueError(f"scale must be one of {sorted(SCALES)}, not {scale!r}")
    if not 0 < size <= 8:
        raise ValueError(f"size must be in (0, 8], not {size!r}")
    p0 = period_start(period)
    rng = random.Random(seed)
    population = build_population(rng, scale, p0, size)
    ctx = RuleContext.from_config(p0, sources(), reference())
    files = plan_files(rng, population, scale)
    factor = max(1, round((1 if scale == "kukar" else 20) * size))
    inject(rng, files, population, ctx, factor)
    taken = {p.passport for p in population.persons}
    renewed = renew_passports(rng, files, population, 2 * factor, taken)
    compute_rules(files, ctx)
    drop_unmatchable(files)
    not_obliged = plant_not_obliged(files, population, factor)
    findings = expected_findings(files, population, p0)
    broken = _broken_files(rng, population, p0, 5 if scale == "kukar" else 6)
    planned = {f.path for f in files}
    for spec, _ in broken:  # never overwrite a planned file (e.g. when that office also sent a real report)
        if spec.path in planned:
            stem, ext = spec.path.rsplit(".", 1)
            spec.path = f"{stem} (1).{ext}"

    folders = {name: spec["folder"] for name, spec in sources()["sources"].items()}
    total = len(files) + len(broken)
    truth_files: list[dict[str, Any]] = []
    for done, spec in enumerate(files, start=1):
        data, placed = render_file(spec, _file_rng(seed, spec.path))
        path = _write(out, period, folders, spec, data)
        truth_files.append({
            "path": path, "source_kind": spec.source_kind, "source_id": spec.source_id, "format": spec.fmt,
            "quarantine": None,
            "rows": [_truth_row(sheet, number, row) for sheet, number, row in placed],
        })
        if progress:
            progress(done, total)
    for done, (spec, data) in enumerate(broken, start=len(files) + 1):
        path = _write(out, period, folders, spec, data)
        truth_files.append({"path": path, "source_kind": spec.source_kind, "source_id": spec.source_id,
                            "format": spec.fmt, "quarantine": spec.quarantine, "rows": []})
        if progress:
            progress(done, total)
    truth_files.sort(key=lambda f: f["path"])
    truth = _truth(period, scale, seed, population, truth_files, renewed, size)
    truth["expected"]["findings"] = findings
    for company in truth["companies"]:
        company["registry_flag"] = company["must_report"] and company["nib"] not in not_obliged
    truth_path.parent.mkdir(parents=True, exist_ok=True)
    truth_path.write_text(json.dumps(truth, ensure_ascii=False, indent=1, sort_keys=False), encoding="utf-8")
    return truth["expected"]


def _write(out: Path, period: str, folders: dict[str, str], spec: FileSpec, data: bytes) -> str:
    folder_key = {"company": "company", "registry": "registry"}.get(spec.source_kind, spec.source_kind)
    folder, name = spec.path.split("/", 1)
    folder = folders.get(folder_key, folder)
    rel = f"{period}/{folder}/{name}"
    target = out / rel
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_bytes(data)
    if spec.received is not None:  # a fixed arrival time, so on-time and late reports are reproducible
        stamp = spec.received.timestamp()
        os.utime(target, (stamp, stamp))
    return rel


def _truth_row(sheet: str, number: int, row: Any) -> dict[str, Any]:
    item: dict[str, Any] = {"sheet": sheet, "row": number, "person_id": row.person_id, "kind": row.kind,
                            "rules": list(row.rules), "rejected": is_rejected(row.rules)}
    if row.kind == "company":
        item["nib"] = row.values.get("company_nib")
    return item


def _broken_files(rng: random.Random, population: Population, p0: dt.date, count: int
                  ) -> list[tuple[FileSpec, bytes]]:
    """Files that must be quarantined: corrupt, encrypted, not a spreadsheet, no header (companies), empty."""
    quiet = [c for c in population.companies if c.must_report and not c.sends_report]
    chosen = rng.sample(quiet, min(len(quiet), count - 1))
    reasons = ["corrupt", "encrypted", "not_spreadsheet", "no_header", "corrupt", "encrypted"][: len(chosen)]
    out: list[tuple[FileSpec, bytes]] = []
    for company, reason in zip(chosen, reasons, strict=True):
        company.sends_report = True  # a broken report still counts as sent
        suffix = " scan" if reason == "not_spreadsheet" else ""
        spec = FileSpec(f"perusahaan/{company.nib} {company.name}{suffix}.xlsx", "company",
                        f"company:{company.nib}", "xlsx", quarantine=reason, company_nib=company.nib,
                        received=report_day(p0, rng.randint(2, 9), 15))
        out.append((spec, _broken_bytes(reason, company, p0)))
    empty = FileSpec(f"kecamatan/Laporan TKA Kec. Kenohan {pools.MONTHS_ID[p0.month - 1]} {p0.year}.xlsx",
                     "kecamatan", "kecamatan:64.02.09", "xlsx", quarantine="empty", received=report_day(p0, 6))
    out.append((empty, b""))
    return out


def _letter(company: Company, p0: dt.date) -> list[str]:
    month = f"{pools.MONTHS_ID[p0.month - 1]} {p0.year}"
    return [f"Tenggarong, 2 {pools.MONTHS_ID[p0.month % 12]} {p0.year}",
            "Kepada Yth. Kepala Badan Kesatuan Bangsa dan Politik Kabupaten Kutai Kartanegara",
            "di Tenggarong",
            "Dengan hormat,",
            (f"Bersama surat ini kami sampaikan bahwa laporan tenaga kerja asing {company.name} untuk bulan {month} "
             "akan kami kirimkan menyusul setelah data dari lapangan lengkap."),
            "Demikian kami sampaikan, atas perhatiannya kami ucapkan terima kasih.",
            "Hormat kami, Manajer HRD"]


def _broken_bytes(reason: str, company: Company, p0: dt.date) -> bytes:
    letter = _letter(company, p0)
    sheet = SheetPlan("Sheet1")
    for line in letter:
        sheet.add([line])
    book = xlsx_bytes(BookPlan([sheet]))
    if reason == "no_header":
        return book
    if reason == "corrupt":
        return truncated(book)
    if reason == "encrypted":
        return encrypted(book, ENCRYPTION_PASSWORD)
    return fake_pdf(letter)


def _truth(period: str, scale: str, seed: int, population: Population, files: list[dict[str, Any]],
           renewed: list[str], size: float = 1.0) -> dict[str, Any]:
    accepted_workers: set[str] = set()
    evidence: set[str] = set()  # company names on accepted agency/kecamatan rows
    rows_total = rows_rejected = 0
    for f in files:
        for row in f["rows"]:
            rows_total += 1
            rows_rejected += row["rejected"]
            if row["kind"] == "worker" and not row["rejected"]:
                accepted_workers.add(row["person_id"])
    persons: dict[str, Any] = {}
    employers: set[str] = set()
    for person in population.persons:
        entry: dict[str, Any] = {"kind": person.kind, "passport_no": person.passport, "nationality": person.nationality,
                 "name": person.name, "birth_date": person.birth_date.isoformat(), "sex": person.sex,
                 "company_nibs": person.company_nibs}
        if person.old_passport:
            entry["passport_old"] = person.old_passport
        if person.sponsor_of:
            entry.update(relation=person.relation, sponsor=person.sponsor_of)
        persons[person.pid] = entry
        if person.kind == "worker" and person.pid in accepted_workers:
            employers.update(person.company_nibs)
    # Employers missing from the registry that an accepted Disnakertrans/Imigrasi/kecamatan row names.
    by_pid = {p.pid: p for p in population.persons}
    for f in files:
        if f["source_kind"] in ("disnakertrans", "imigrasi", "kecamatan"):
            for row in f["rows"]:
                if row["kind"] == "worker" and not row["rejected"]:
                    evidence.update(by_pid[row["person_id"]].company_nibs)
    companies = [
        {"nib": c.nib, "name": c.name, "kbli": c.kbli, "kecamatan_code": c.kecamatan_code,
         "in_registry": c.in_registry, "must_report": c.must_report, "sends_report": c.sends_report,
         "report_late": c.report_late}
        for c in sorted(population.companies, key=lambda c: c.nib)
    ]
    missing = sorted(c.nib for c in population.companies if c.in_registry and c.must_report and not c.sends_report)
    outsiders = sorted(c.name for c in population.companies if not c.in_registry and c.nib in evidence)
    return {
        "period": period, "scale": scale, "size": size, "seed": seed,
        "files": files,
        "persons": persons,
        "companies": companies,
        "expected": {
            "files_total": len(files),
            "files_quarantined": sum(1 for f in files if f["quarantine"]),
            "rows_total": rows_total,
            "rows_rejected": rows_rejected,
            "workers": len(accepted_workers),
            "missing_companies": missing,
            "employers_not_in_registry": outsiders,
        },
        "renewed_passports": renewed,
    }


