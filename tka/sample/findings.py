"""The cross-source findings a sample drive holds, predicted from the generator's own knowledge of every row.

The kinds and their meaning are tka.report.findings'; here they are decided from each row's canonical values and
the true person and company behind it (not from a reader or matcher). One kind needs a plant: an employer that
the registry lists without its "Wajib Lapor" flag (``plant_not_obliged``).
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from typing import Any

from tka.sample.inject import slots
from tka.sample.population import Population
from tka.sample.views import FileSpec

KINDS: tuple[str, ...] = (
    "kitas_not_listed_by_employer", "employer_lists_without_kitas", "stay_without_work_permit",
    "work_permit_expired", "kecamatan_only", "kecamatan_differs", "employer_differs",
    "employer_not_in_registry", "employer_not_obliged",
)


def _values(spec: FileSpec, values: dict[str, object]) -> dict[str, object]:
    """A row's canonical values with the file name's defaults filled in (as the reader does)."""
    out = {k: v for k, v in values.items() if not k.startswith("_")}
    for key, value in spec.defaults.items():
        if out.get(key) is None and not (key == "kecamatan_code" and "kecamatan_unknown" in out):
            out[key] = value
    return out


def _employer(values: dict[str, object], by_name: dict[str, str], nibs: set[str]) -> str | None:
    """The true NIB of the company a row names (by NIB, else by its canonical name)."""
    nib = values.get("company_nib")
    if isinstance(nib, str) and nib in nibs:
        return nib
    name = values.get("company_name")
    return by_name.get(str(name)) if name else None


def plant_not_obliged(files: list[FileSpec], population: Population, count: int) -> list[str]:
    """Clear the registry's Wajib Lapor flag of ``count`` reporting employers; return their NIBs.

    Chosen without drawing random numbers (the first reporting companies by NIB that Disnakertrans also shows
    employing), so the rest of the drive stays as it was.
    """
    disnaker = {str(s.row.values.get("company_nib")) for s in slots(files)
                if s.file.source_kind == "disnakertrans" and not s.row.rejected and s.row.kind == "worker"}
    senders = sorted({f.company_nib for f in files if f.source_kind == "company" and f.company_nib
                      and any(not r.rejected for s in f.sheets for r in s.rows)} & disnaker)
    chosen = senders[:count]
    for spec in files:
        if spec.source_kind != "registry":
            continue
        for sheet in spec.sheets:
            for row in sheet.rows:
                if row.values.get("company_nib") in chosen:
                    row.values["must_report"] = False
    return chosen


def expected_findings(files: list[FileSpec], population: Population, p0: dt.date) -> dict[str, list[str]]:
    """Kind -> sorted person ids (worker kinds) or NIBs / names (company kinds) the pipeline must find."""
    by_name = {c.name: c.nib for c in population.companies}
    nibs = set(by_name.values())
    registry: dict[str, bool] = {}
    for spec in files:
        if spec.source_kind == "registry":
            for sheet in spec.sheets:
                for row in sheet.rows:
                    if not row.rejected:
                        registry[str(row.values["company_nib"])] = bool(row.values.get("must_report"))
    rows: dict[str, list[tuple[str, dict[str, object], str | None]]] = defaultdict(list)
    for s in slots(files):
        if s.row.kind == "worker" and not s.row.rejected:
            values = _values(s.file, s.row.values)
            rows[str(s.row.person_id)].append((s.file.source_kind, values, _employer(values, by_name, nibs)))
    reporting = {e for person in rows.values() for kind, _, e in person if kind == "company" and e}
    found: dict[str, set[str]] = {k: set() for k in KINDS}
    employing: set[str] = set()
    outsiders: set[str] = set()
    for pid, person in rows.items():
        kinds = {k for k, _, _ in person}
        employers = {e for _, _, e in person if e}
        employing |= employers
        for kind, _, e in person:
            if e and e not in registry and kind in ("disnakertrans", "imigrasi", "kecamatan"):
                outsiders.add(e)
        listed = {e for k, _, e in person if k == "company"}
        if {e for k, _, e in person if k == "imigrasi" and e in reporting} - listed:
            found["kitas_not_listed_by_employer"].add(pid)
        if "company" in kinds and "imigrasi" not in kinds:
            found["employer_lists_without_kitas"].add(pid)
        if any(v.get("kitas_no") for _, v, _ in person) and not any(
                v.get("rptka_no") or v.get("notifikasi_no") for _, v, _ in person):
            found["stay_without_work_permit"].add(pid)
        if any(isinstance(v.get(f), dt.date) and v[f] < p0  # type: ignore[operator]
               for _, v, _ in person for f in ("rptka_end", "notifikasi_end")):
            found["work_permit_expired"].add(pid)
        if "kecamatan" in kinds and not kinds & {"disnakertrans", "imigrasi"}:
            found["kecamatan_only"].add(pid)
        if len({v["kecamatan_code"] for _, v, _ in person if v.get("kecamatan_code")}) > 1:
            found["kecamatan_differs"].add(pid)
        if len(employers) > 1:
            found["employer_differs"].add(pid)
    names = {c.nib: c.name for c in population.companies}
    found["employer_not_in_registry"] = {names[n] for n in outsiders}
    found["employer_not_obliged"] = {n for n in employing if n in registry and not registry[n]}
    return {k: sorted(v) for k, v in found.items()}


def summary(findings: dict[str, list[str]]) -> dict[str, Any]:
    """Counts per kind (for a quick look at a truth file)."""
    return {k: len(v) for k, v in findings.items()}
